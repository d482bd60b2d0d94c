"""Citizen proposals in the browser, on a phone in Spanish (issue 5, "Done when"):
a citizen of Pasto proposes while proposals are open, another supports (htmx, and a
second click is refused) and comments; a manager keys in a paper proposal from an
assembly; the calendar moves on and a reviewer declares the first proposal viable
with an adjusted cost; its author sees the result and got the e-mail; once selected,
a manager posts an execution update with a photo and a monitor remarks on it, which
the public project page shows. A citizen of another municipality cannot propose.

Assertions rest on values (amounts read as digits, titles and labels taken from the
code), URLs and structure; wording only through the English pages (/en/...), since
the Spanish catalogue is being filled in parallel."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import FilePayload, Locator, Page, expect

from cycles.models import Cycle, Phase
from cycles.schedule import PhaseInput, phase_add
from cycles.services import cycle_publish
from proposals.models import (
    Comment,
    ExecutionStatus,
    ExecutionUpdate,
    MonitorRemark,
    Participation,
    Proposal,
    Status,
    Support,
)
from proposals.services import set_status
from tests.cycles.factories import make_cycle, secretariat, territories
from tests.e2e.conftest import assert_accessible, phone_page, sign_in, submit, with_authenticator
from tests.factories import PASSWORD
from tests.nodes.factories import municipality
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Parque infantil con iluminación en Comuna 1"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files (attachments, photos) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def digits(text: str) -> str:
    """An amount as shown ("$ 25.000.000") reduced to its digits."""
    return re.sub(r"\D", "", text)


def label(choice: Status) -> str:
    """A status label as the Spanish pages print it."""
    with translation.override("es-co"):
        return str(choice.label)


def png(name: str = "foto.png") -> FilePayload:
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 60)).save(output, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": output.getvalue()}


def follow(page: Page, target: Locator) -> None:
    """Click a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        target.click()


def send(page: Page) -> None:
    """Submit the page's own form and wait for the answer."""
    with page.expect_navigation():
        submit(page)


def image_loaded(page: Page, selector: str) -> bool:
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    return bool(page.locator(selector).first.evaluate("img => img.complete && img.naturalWidth > 0"))


def sign_in_citizen(page: Page, person: Any) -> None:
    """A citizen signs in with e-mail and password (no second factor for citizens)."""
    page.goto("/cuenta/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", PASSWORD)
    send(page)
    expect(page).not_to_have_url(re.compile(r"/cuenta/login/"))


def pasto_cycle() -> tuple[Cycle, list[Phase]]:
    """A published cycle of Pasto with 2 comunas: proposals, supports and deliberation open now
    (for 20 days), then the feasibility review, then the vote (the blank template's information
    phase is long past). Returns (cycle, phases)."""
    territories("52001", 2)
    actor = secretariat()
    now = timezone.now()
    draft = make_cycle("52001", methodology="blank", start=timezone.localdate() - timedelta(days=40), actor=actor)
    phases = [
        phase_add(actor=actor, cycle=draft, data=PhaseInput(kind=kind, starts_at=now + start, ends_at=now + end))
        for kind, start, end in (
            ("proposals_and_supports", timedelta(days=-2), timedelta(days=20)),
            ("feasibility", timedelta(days=20), timedelta(days=30)),
            ("voting", timedelta(days=30), timedelta(days=40)),
        )
    ]
    return cycle_publish(actor=actor, cycle=draft), phases


def test_a_proposal_goes_from_a_phone_through_support_review_and_execution(
    page: Page, browser: Any, live_server: Any, mailoutbox: Any
) -> None:
    cycle, (proposing, feasibility, _voting) = pasto_cycle()
    comuna_1, comuna_2 = unit_of(cycle, 0), unit_of(cycle, 1)
    author, supporter = citizen("52001"), citizen("52001")
    pasto = municipality("52001")
    contexts = []

    # --- 1. A citizen of Pasto proposes while proposals are open -----------------------------
    sign_in_citizen(page, author)
    page.goto(f"/propuestas/ciclo/{cycle.pk}/proponer/")
    assert_accessible(page)
    page.select_option("select[name=unit]", str(comuna_1.pk))
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=summary]", "Un parque con juegos y luz para los niños del barrio.")
    page.fill("textarea[name=description]", "En el lote vacío junto a la escuela.\nBeneficia a 300 familias.")
    page.fill("input[name=estimated_cost]", "25.000.000")
    page.set_input_files("input[name=documents]", png("lote.png"))
    follow(page, page.locator("main form button[name=submit]"))
    proposal = Proposal.objects.get(cycle=cycle, author=author)
    expect(page).to_have_url(re.compile(rf"/propuestas/{proposal.pk}/$"))
    assert (proposal.title, proposal.unit, proposal.estimated_cost) == (TITLE, comuna_1, 25_000_000)
    assert proposal.status == Status.IN_REVIEW  # no support threshold: every proposal is reviewed
    assert Participation.objects.get(cycle=cycle, user=author).unit == comuna_1  # declared once, for the cycle
    attachment = proposal.attachments.get()
    assert (attachment.original_name, attachment.is_image) == ("lote.png", True)
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert digits(page.locator("main dl.facts dd").nth(1).inner_text()) == "25000000"
    assert image_loaded(page, f"main img[src='/propuestas/adjuntos/{attachment.pk}/']")
    assert_accessible(page)

    # --- 2. Another citizen supports it (htmx, no page load) and comments --------------------
    context, first_tab = phone_page(browser, live_server)
    contexts.append(context)
    sign_in_citizen(first_tab, supporter)
    # They find it in the cycle's list, searching without the accent.
    first_tab.goto(f"/propuestas/ciclo/{cycle.pk}/")
    assert_accessible(first_tab)
    first_tab.locator("main details:has(form[role=search]) summary").click()
    first_tab.fill("main form[role=search] input[name=q]", "iluminacion")
    follow(first_tab, first_tab.locator("main form[role=search] button[type=submit]"))
    expect(first_tab).to_have_url(re.compile(r"\?.*q=iluminacion"))
    found = first_tab.locator("main .list-group-item a")
    expect(found).to_have_count(1)
    follow(first_tab, found.first)
    expect(first_tab).to_have_url(re.compile(rf"/propuestas/{proposal.pk}/$"))
    second_tab = context.new_page()
    second_tab.goto(f"/propuestas/{proposal.pk}/")  # the same page, opened before supporting
    assert digits(first_tab.locator("#support-box p.h4").inner_text()) == "0"
    assert_accessible(first_tab)
    first_tab.evaluate("window.samePage = true")
    first_tab.locator("#support-box button[type=submit]").click()
    expect(first_tab.locator("#support-box .alert-success")).to_be_visible()
    assert digits(first_tab.locator("#support-box p.h4").inner_text()) == "1"
    expect(first_tab.locator("#support-box button")).to_have_count(0)
    assert first_tab.evaluate("window.samePage === true")  # htmx swapped the box; the page stayed
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1

    # A second click (from the tab opened before) is refused with a message; still one support.
    second_tab.locator("#support-box button[type=submit]").click()
    expect(second_tab.locator("#support-box .alert-warning")).to_be_visible()
    assert digits(second_tab.locator("#support-box p.h4").inner_text()) == "1"
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1

    comment_text = "¡Muy buena idea! Que tenga bancas para los abuelos."
    first_tab.fill("#discussion > form textarea[name=body]", comment_text)
    first_tab.locator("#discussion > form button[type=submit]").click()
    expect(first_tab.locator("#discussion .comment-body")).to_have_text(comment_text)
    comment = Comment.objects.get(proposal=proposal)
    assert (comment.author, comment.body) == (supporter, comment_text)
    assert first_tab.evaluate("window.samePage === true")
    assert_accessible(first_tab)

    # --- 4. A manager keys in a paper proposal from an assembly (proposals still open) --------
    manager_context, manager = phone_page(browser, live_server)
    contexts.append(manager_context)
    manager_person, manager_secret = with_authenticator(role="manager", municipality=pasto)
    sign_in(manager, manager_person, manager_secret)
    manager.goto(f"/gestion/propuestas/ciclo/{cycle.pk}/en-papel/")
    expect(manager.locator("#open-units")).to_contain_text(comuna_2.name)
    assert_accessible(manager)
    manager.fill("input[name=on_behalf_of]", "Rosa Elvira Muñoz")
    manager.select_option("select[name=unit]", str(comuna_2.pk))
    manager.fill("input[name=title]", "Arreglo del salón comunal de Caracha")
    manager.fill("textarea[name=summary]", "Techo y baños nuevos para el salón comunal.")
    manager.fill("input[name=estimated_cost]", "8.500.000")
    manager.fill("input[name=origin]", "JAC barrio Caracha")
    send(manager)
    expect(manager).to_have_url(re.compile(rf"/gestion/propuestas/ciclo/{cycle.pk}/en-papel/$"))
    expect(manager.locator("#recent")).to_contain_text("Arreglo del salón comunal de Caracha")
    paper = Proposal.objects.get(cycle=cycle, on_paper=True)
    assert (paper.author, paper.keyed_by, paper.on_behalf_of, paper.unit) == (
        None,
        manager_person,
        "Rosa Elvira Muñoz",
        comuna_2,
    )
    assert paper.estimated_cost == 8_500_000
    manager.goto(f"/en/propuestas/{paper.pk}/")
    on_paper = manager.locator("main dl.facts dt", has_text="Came on paper")
    expect(on_paper).to_have_count(1)
    expect(manager.locator("main dl.facts")).to_contain_text("Rosa Elvira Muñoz")

    # --- 3. The calendar moves on: proposals close, the feasibility review opens -------------
    now = timezone.now()
    Phase.objects.filter(pk=proposing.pk).update(ends_at=now)
    Phase.objects.filter(pk=feasibility.pk).update(starts_at=now)
    mailoutbox.clear()

    reviewer_context, reviewer = phone_page(browser, live_server)
    contexts.append(reviewer_context)
    reviewer_person, reviewer_secret = with_authenticator(role="reviewer", municipality=pasto)
    sign_in(reviewer, reviewer_person, reviewer_secret)
    reviewer.goto(f"/gestion/propuestas/ciclo/{cycle.pk}/")
    assert_accessible(reviewer)
    follow(reviewer, reviewer.locator(f"main a.btn[href='/gestion/propuestas/{proposal.pk}/revisar/']"))
    expect(reviewer.locator("#review-closed")).to_have_count(0)
    assert_accessible(reviewer)
    reasons = "El lote es del municipio y el parque cabe en él. El costo se ajusta con precios de 2027."
    reviewer.check("input[name=verdict][value=viable]")
    reviewer.fill("textarea[name=reasons]", reasons)
    reviewer.fill("input[name=adjusted_cost]", "22.000.000")
    reviewer.fill("input[name=responsible_office]", "Secretaría de Infraestructura")
    send(reviewer)
    expect(reviewer).to_have_url(re.compile(rf"/gestion/propuestas/ciclo/{cycle.pk}/$"))
    expect(reviewer.locator(".messages .alert-success")).to_be_visible()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.adjusted_cost) == (Status.VIABLE, 22_000_000)

    # The author, on a fresh phone, sees the verdict, the adjusted cost and the history.
    author_context, author_page = phone_page(browser, live_server)
    contexts.append(author_context)
    sign_in_citizen(author_page, author)
    author_page.goto(f"/propuestas/{proposal.pk}/")
    expect(author_page.locator("main h1 + p .badge")).to_have_text(label(Status.VIABLE))
    assert digits(author_page.locator("main dl.facts dd.fw-semibold").inner_text()) == "22000000"
    review = author_page.locator("section[aria-labelledby=reviews-title] article")
    expect(review).to_have_count(1)
    expect(review).to_contain_text(reasons)
    expect(review).to_contain_text("Secretaría de Infraestructura")
    history = author_page.locator("section[aria-labelledby=history-title] li")
    expect(history).to_have_count(proposal.history.count())
    assert proposal.history.count() == 3  # submitted, in review, viable
    expect(history.last).to_contain_text(label(Status.VIABLE))
    assert_accessible(author_page)
    author_page.goto(f"/en/propuestas/{proposal.pk}/")
    expect(author_page.locator("main dl.facts")).to_contain_text("Cost after review")
    expect(author_page.locator("section[aria-labelledby=history-title] li").last).to_contain_text("Viable")

    # The e-mail: to the author (and the supporter, who follows since commenting), not to the reviewer.
    to_author = [m for m in mailoutbox if m.to == [author.email]]
    assert len(to_author) == 1
    assert TITLE in to_author[0].subject
    assert f"/propuestas/{proposal.pk}/" in to_author[0].body
    assert reasons in to_author[0].body
    assert re.search(r"22[.,]000[.,]000", to_author[0].body)
    assert not [m for m in mailoutbox if reviewer_person.email in m.to]

    # --- 5. Selected by the vote (the voting module's job); execution follow-up ---------------
    with transaction.atomic():
        selected = Proposal.objects.select_for_update().get(pk=proposal.pk)
        set_status(selected, Status.SELECTED, actor=None, now=timezone.now())
        selected.save()

    manager.goto(f"/ejecucion/ciclo/{cycle.pk}/")
    assert_accessible(manager)
    follow(manager, manager.locator(f"#project-{proposal.pk} form button[type=submit]"))
    expect(manager).to_have_url(re.compile(rf"/ejecucion/proyecto/{proposal.pk}/actualizar/$"))
    assert_accessible(manager)
    update_text = "Se firmó el contrato y empezó la adecuación del terreno."
    manager.select_option("select[name=status]", ExecutionStatus.IN_EXECUTION)
    manager.fill("input[name=progress]", "35")
    manager.fill("textarea[name=text]", update_text)
    manager.fill("input[name=committed]", "20.000.000")
    manager.fill("input[name=spent]", "5.000.000")
    manager.select_option("select[name=mode]", "contractor")
    manager.set_input_files("input[name=photo]", png("obra.png"))
    send(manager)
    update = ExecutionUpdate.objects.get(execution__proposal=proposal)
    expect(manager).to_have_url(re.compile(rf"/ejecucion/proyecto/{proposal.pk}/#update-{update.pk}$"))
    assert (update.status, update.progress, update.text, bool(update.photo)) == (
        ExecutionStatus.IN_EXECUTION,
        35,
        update_text,
        True,
    )
    assert (update.execution.committed, update.execution.spent) == (20_000_000, 5_000_000)

    monitor_context, monitor = phone_page(browser, live_server)
    contexts.append(monitor_context)
    monitor_person, monitor_secret = with_authenticator(role="monitor", municipality=pasto)
    sign_in(monitor, monitor_person, monitor_secret)
    monitor.goto(f"/ejecucion/proyecto/{proposal.pk}/")
    follow(monitor, monitor.locator(f"#update-{update.pk} a[href='/ejecucion/actualizaciones/{update.pk}/observar/']"))
    assert_accessible(monitor)
    remark_text = "La veeduría visitó la obra: falta el cerramiento del lote."
    monitor.fill("textarea[name=text]", remark_text)
    send(monitor)
    remark = MonitorRemark.objects.get(update=update)
    expect(monitor).to_have_url(re.compile(rf"/ejecucion/proyecto/{proposal.pk}/#remark-{remark.pk}$"))
    assert (remark.monitor, remark.text) == (monitor_person, remark_text)

    # Anybody's phone: the public project page shows the update, its photo and the remark.
    public_context, visitor = phone_page(browser, live_server)
    contexts.append(public_context)
    visitor.goto(f"/ejecucion/proyecto/{proposal.pk}/")
    expect(visitor.locator("#project-progress")).to_have_attribute("value", "35")
    assert digits(visitor.locator("main dl.facts dd").first.inner_text()) == "22000000"  # money decided
    shown = visitor.locator(f"#update-{update.pk}")
    expect(shown).to_contain_text(update_text)
    assert image_loaded(visitor, f"#update-{update.pk} img[src='/ejecucion/actualizaciones/{update.pk}/foto/']")
    expect(shown.locator(f"#remark-{remark.pk}")).to_contain_text(remark_text)
    expect(visitor.locator(f"a[href='/ejecucion/actualizaciones/{update.pk}/observar/']")).to_have_count(0)
    assert_accessible(visitor)
    visitor.goto(f"/propuestas/{proposal.pk}/")
    expect(visitor.locator("#execution")).to_contain_text(update_text[:20])
    for opened in contexts:
        opened.close()


def test_a_citizen_of_another_municipality_is_told_why_they_cannot_propose_or_support(page: Page) -> None:
    cycle, _phases = pasto_cycle()
    proposal = proposal_in(cycle, title="Cancha sintética para la Comuna 1")
    outsider = citizen("68081")  # lives in Barrancabermeja
    sign_in_citizen(page, outsider)

    page.goto(f"/propuestas/ciclo/{cycle.pk}/proponer/")
    refusal = page.locator("main .alert-warning[role=alert]")
    expect(refusal).to_contain_text("Pasto")  # "This cycle is for people who live in Pasto."
    expect(page.locator("main form[enctype='multipart/form-data']")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"/en/propuestas/{proposal.pk}/")
    expect(page.locator("#support-box button")).to_have_count(0)
    expect(page.locator("#support-box")).to_contain_text("people who live in Pasto")
    assert not Proposal.objects.filter(author=outsider).exists()
