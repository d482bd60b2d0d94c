"""Budget cycles in the browser, on a phone in Spanish: a manager of Pasto
configures and publishes cycles, a manager of another municipality is refused,
a citizen finds a cycle and what they can do in it, and a cabildo is recorded.

Assertions rest on values (amounts read as digits, titles and names taken from
the database), URLs and structure rather than on wording, since the Spanish
catalogue is being filled in parallel."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from cycles import schedule
from cycles.methodologies import METHODOLOGIES
from cycles.models import AssemblyDecision, Cycle, CycleStatus, Delegate
from cycles.services import cycle_publish
from tests.cycles.factories import make_cycle, secretariat, territories
from tests.e2e.conftest import assert_accessible, phone_page, sign_in, submit, with_authenticator
from tests.nodes.factories import OrganisationFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REFUSED = re.compile(r"No puedes hacer esto aquí|You cannot do this here")


def digits(text: str) -> str:
    """An amount as shown ("$ 333.334.000", "$ 333,334,000") reduced to its digits."""
    return re.sub(r"\D", "", text)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def as_shown(moment: datetime, fmt: str) -> str:
    """A moment as the Spanish (Colombia) pages print it with the ``date`` filter."""
    with translation.override("es-co"):
        return formats.date_format(timezone.localtime(moment), fmt)


def until_shown(end: datetime) -> re.Pattern[str]:
    """How a page may say that something stays open until ``end``: the moment itself, or, for an
    end at midnight, the last whole day."""
    last_day = timezone.localtime(end) - timedelta(microseconds=1)
    return re.compile(f"{re.escape(as_shown(end, 'DATETIME_FORMAT'))}|{re.escape(as_shown(last_day, 'DATE_FORMAT'))}")


def envelope_rows(page, table: str = "main table") -> list[tuple[str, str]]:
    """(territory, amount digits) of each row of an envelope table's body."""
    rows = page.locator(f"{table} tbody tr")
    return [
        (rows.nth(i).locator("th").inner_text().strip(), digits(rows.nth(i).locator("td").first.inner_text()))
        for i in range(rows.count())
    ]


def summary(page) -> list[str]:
    """Total, assigned and unassigned of the wizard's money summary, as digits."""
    return [digits(text) for text in page.locator("#envelope-summary dd").all_inner_texts()]


def follow(page, target) -> None:
    """Click a link or button and wait for the page it leads to (often at the same URL)."""
    with page.expect_navigation():
        target.click()


def send(page) -> None:
    """Submit the page's own form and wait for the answer."""
    with page.expect_navigation():
        submit(page)


def submit_form(page, action: str) -> None:
    """Submit one of the territories step's forms (``units``, ``formula``, ``fixed``)."""
    follow(page, page.locator(f"main form:has(input[name=action][value={action}]) button[type=submit]"))


def fill_phase(page, *, kind: str, title: str, starts: datetime, ends: datetime) -> None:
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=title]", title)
    starts, ends = timezone.localtime(starts), timezone.localtime(ends)
    page.fill("input[name=start_date]", starts.date().isoformat())
    page.fill("input[name=start_time]", starts.strftime("%H:%M"))
    page.fill("input[name=end_date]", ends.date().isoformat())
    page.fill("input[name=end_time]", ends.strftime("%H:%M"))


# --- 1. A manager of Pasto ------------------------------------------------------------


def test_a_pasto_manager_creates_cycles_from_every_template_and_configures_and_publishes_one(page):
    comunas = territories("52001")  # Comuna 1, 2, 3
    pasto = municipality("52001")
    organisation = OrganisationFactory(name="Fundación Pasto Participa", municipality=pasto)
    manager, secret = with_authenticator(role="manager", municipality=pasto)
    today = timezone.localdate()
    start = today - timedelta(days=10)  # the cycle is under way: its first phase is running
    sign_in(page, manager, secret)

    # One cycle from each template, through the creation form; each lands on the territories step.
    created: dict[str, Cycle] = {}
    for key in METHODOLOGIES:
        page.goto("/gestion/ciclos/nuevo/")
        if not created:
            assert_accessible(page)
        expect(page.locator("select[name=place]")).to_have_value("m:52001")  # the only place within reach
        page.check(f"input[name=methodology][value={key}]")
        page.fill("input[name=title]", f"Presupuesto participativo 2027 ({key})")
        page.fill("input[name=fiscal_year]", "2027")
        page.fill("input[name=total_amount]", "1.000.000.001" if key == "medellin" else "$ 500.000.000")
        page.fill("input[name=start_date]", start.isoformat())
        if key == "barrancabermeja":  # convened by a social organisation with the Alcaldía's support
            page.select_option("select[name=convener_organisation]", str(organisation.pk))
        send(page)
        expect(page).to_have_url(re.compile(r"/gestion/ciclos/\d+/territorios/$"))
        pk = int(re.search(r"/gestion/ciclos/(\d+)/", page.url).group(1))
        cycle = Cycle.objects.get(pk=pk)
        created[key] = cycle
        assert (cycle.methodology, cycle.municipality_id, cycle.status) == (key, "52001", CycleStatus.DRAFT)
        assert cycle.phases.count() == len(METHODOLOGIES[key].phases)
        assert cycle.phases.order_by("starts_at").first().starts_at == local_midnight(start)
        assert sorted(u.territory_id for u in cycle.units.all()) == sorted(t.pk for t in comunas)
    assert created["medellin"].total_amount == 1_000_000_001
    assert created["barrancabermeja"].convener_organisation == organisation
    assert Cycle.objects.filter(municipality_id="52001").count() == len(METHODOLOGIES)

    # The Medellín-style cycle: envelopes by a formula, to the peso.
    cycle = created["medellin"]
    units = list(cycle.units.order_by("position"))
    wizard = f"/gestion/ciclos/{cycle.pk}"
    page.goto(f"{wizard}/datos/")
    expect(page.locator("nav [aria-current=step]")).to_have_attribute("href", f"{wizard}/datos/")
    expect(page.locator("input[name=total_amount]")).to_have_value("1.000.000.001")
    assert_accessible(page)
    page.fill("input[name=funding_source]", "Recursos propios del municipio")
    send(page)
    expect(page).to_have_url(re.compile(rf"{wizard}/territorios/$"))
    assert Cycle.objects.get(pk=cycle.pk).funding_source == "Recursos propios del municipio"
    expect(page.locator("nav [aria-current=step]")).to_have_attribute("href", f"{wizard}/territorios/")
    assert_accessible(page)

    page.fill("input[name=weight_equal]", "100")
    page.fill("input[name=weight_population]", "0")
    page.fill("input[name=weight_need]", "0")
    page.fill("input[name=rounding_unit]", "1.000")
    submit_form(page, "formula")
    expect(page).to_have_url(re.compile(rf"{wizard}/territorios/$"))
    assert envelope_rows(page) == [
        ("Comuna 1", "333334000"),
        ("Comuna 2", "333333000"),
        ("Comuna 3", "333333000"),
    ]
    assert summary(page) == ["1000000001", "1000000000", "1"]
    # The page says who got the extra unit of 1.000 (the first of three equal remainders).
    message = page.locator(".messages")
    expect(message).to_contain_text("Comuna 1")
    expect(message).not_to_contain_text("Comuna 2")
    expect(message).not_to_contain_text("Comuna 3")
    assert_accessible(page)

    # Half equal, half by population (10.000 / 20.000 / 30.000): shares 3/12, 4/12, 5/12 of
    # 1.000.000 units of 1.000 = 250.000 / 333.333,33 / 416.666,67 → the extra unit goes to
    # Comuna 3 (remainder 2/3), and 1 peso stays unassigned.
    page.fill("input[name=weight_equal]", "50")
    page.fill("input[name=weight_population]", "50")
    page.fill("input[name=weight_need]", "0")
    for unit, population in zip(units, ("10000", "20000", "30000"), strict=True):
        page.fill(f"input[name=population_{unit.pk}]", population)
    submit_form(page, "formula")
    expect(page.locator(".messages")).to_contain_text("Comuna 3")
    expect(page.locator(".messages")).not_to_contain_text("Comuna 1")
    expect(page.locator(".messages")).not_to_contain_text("Comuna 2")
    expected = [("Comuna 1", "250000000"), ("Comuna 2", "333333000"), ("Comuna 3", "416667000")]
    assert envelope_rows(page) == expected
    assert summary(page) == ["1000000001", "1000000000", "1"]
    assert [u.amount for u in cycle.units.order_by("position")] == [250_000_000, 333_333_000, 416_667_000]

    # Fixed envelopes over the total are refused and nothing changes.
    for unit in units:
        page.fill(f"input[name=amount_{unit.pk}]", "400.000.000")
    submit_form(page, "fixed")
    fixed_form = page.locator("main form:has(input[name=action][value=fixed])")
    expect(fixed_form.locator("[role=alert]")).to_contain_text("1.200.000.000")
    expect(page.locator("#form-errors")).to_be_visible()
    assert envelope_rows(page) == expected
    assert summary(page) == ["1000000001", "1000000000", "1"]
    assert [u.amount for u in cycle.units.order_by("position")] == [250_000_000, 333_333_000, 416_667_000]
    assert Cycle.objects.get(pk=cycle.pk).envelope_mode == "formula"
    assert_accessible(page)

    # Phases: an overlapping phase is refused; the first phase is moved; a phase for Comuna 2 only.
    follow(page, page.locator(f"a[href='{wizard}/fases/']").first)
    expect(page).to_have_url(re.compile(rf"{wizard}/fases/$"))
    assert_accessible(page)
    first = cycle.phases.order_by("starts_at").first()
    phases_before = cycle.phases.count()
    now = timezone.now()
    fill_phase(page, kind="information", title="Reunión informativa", starts=now, ends=now + timedelta(days=2))
    send(page)
    expect(page.locator("main form [role=alert]")).to_contain_text(first.title)  # the phase it would overlap
    assert cycle.phases.count() == phases_before
    assert_accessible(page)

    follow(page, page.locator(f"a[href='{wizard}/fases/{first.pk}/']"))
    assert_accessible(page)
    moved_end = local_midnight(today + timedelta(days=5))
    page.fill("input[name=end_date]", (today + timedelta(days=5)).isoformat())
    page.fill("input[name=end_time]", "00:00")
    send(page)
    expect(page).to_have_url(re.compile(rf"{wizard}/fases/$"))
    first.refresh_from_db()
    assert (first.starts_at, first.ends_at) == (local_midnight(start), moved_end)

    comuna_2 = units[1]
    fill_phase(
        page,
        kind="delegate_election",
        title="Elección de delegados de la Comuna 2",
        starts=moved_end,
        ends=local_midnight(start + timedelta(days=30)),
    )
    page.check(f"input[name=units][value='{comuna_2.pk}']")
    send(page)
    expect(page.locator(".messages .alert-success")).to_be_visible()
    added = cycle.phases.get(title="Elección de delegados de la Comuna 2")
    assert not added.for_all_units
    assert list(added.units.all()) == [comuna_2]
    assert cycle.phases.count() == phases_before + 1

    # Voting settings, then review and publish.
    follow(page, page.locator(f"a[href='{wizard}/votacion/']").last)
    expect(page).to_have_url(re.compile(rf"{wizard}/votacion/$"))
    assert_accessible(page)
    page.check("input[name=ballot_type][value=approval]")
    page.fill("input[name=max_selections]", "5")
    page.fill("input[name=min_age]", "16")
    page.check("input[name=online]")
    page.check("input[name=ballot_replaceable]")
    voting_day = timezone.localtime(cycle.phases.get(kind="voting").ends_at - timedelta(seconds=1)).date()
    page.fill("textarea[name=in_person_days]", voting_day.strftime("%d/%m/%Y"))
    send(page)
    expect(page).to_have_url(re.compile(rf"{wizard}/revisar/$"))
    voting = Cycle.objects.get(pk=cycle.pk).voting
    assert (voting.ballot_type, voting.max_selections, voting.min_age) == ("approval", 5, 16)
    assert voting.online and voting.ballot_replaceable and voting.in_person_days == [voting_day]

    expect(page.locator("#problems")).to_have_count(0)
    assert_accessible(page)
    follow(page, page.locator(f"main form[action='{wizard}/publicar/'] button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"{wizard}/revisar/$"))
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLISHED
    assert_accessible(page)

    # The public page: the timeline marks the running phase; something can be done now, until a date.
    page.goto(f"/ciclos/{cycle.pk}/")
    current = page.locator("main li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current.locator("h3")).to_have_text(first.title)
    open_now = page.locator("#que-hacer li.list-group-item:has(.badge.text-bg-success)")
    expect(open_now.first).to_contain_text(until_shown(moved_end))
    assert envelope_rows(page, "section[aria-labelledby=envelopes-title] table") == expected
    expect(page.locator("main dl.facts").first).to_contain_text("Recursos propios del municipio")
    assert_accessible(page)


# --- 2. A manager of another municipality ---------------------------------------------------


def test_a_manager_of_another_municipality_is_refused_every_page_of_a_pasto_cycle(page):
    cycle = make_cycle("52001", title="Presupuesto participativo Pasto 2027")
    phase = cycle.phases.order_by("starts_at").first()
    outsider, secret = with_authenticator(role="manager", municipality=municipality("68081"))
    sign_in(page, outsider, secret)

    wizard = f"/gestion/ciclos/{cycle.pk}"
    for path in ("datos", "territorios", "fases", f"fases/{phase.pk}", "votacion", "revisar", "pasos", "copiar"):
        response = page.goto(f"{wizard}/{path}/")
        assert response.status == 403, path
        expect(page.locator("main h1")).to_have_text(REFUSED)
    assert_accessible(page)
    for path in (
        f"/gestion/registros/ciclos/{cycle.pk}/asambleas/",
        f"/gestion/registros/ciclos/{cycle.pk}/delegados/",
    ):
        assert page.goto(path).status == 403, path

    # Their own list of cycles does not show it.
    page.goto("/gestion/ciclos/")
    expect(page.locator("main")).not_to_contain_text(cycle.title)


# --- 3. A citizen --------------------------------------------------------------------------


def test_a_citizen_finds_a_cycle_and_sees_its_timeline_money_and_what_they_can_do(page):
    actor = secretariat()
    cycle = make_cycle("52001", title="Presupuesto participativo Pasto 2027", actor=actor)
    other = make_cycle("68081", title="Presupuesto participativo Barrancabermeja 2027", published=True)
    today = timezone.localdate()
    start = today - timedelta(days=10)
    units = list(cycle.units.order_by("position"))
    # The first phase ends in 5 days; then Comuna 2 alone elects its delegates until the proposals open.
    first = cycle.phases.order_by("starts_at").first()
    moved_end = local_midnight(today + timedelta(days=5))
    schedule.phase_update(
        actor=actor,
        phase=first,
        data=schedule.PhaseInput(kind=first.kind, starts_at=first.starts_at, ends_at=moved_end, title=first.title),
    )
    schedule.phase_add(
        actor=actor,
        cycle=cycle,
        data=schedule.PhaseInput(
            kind="delegate_election",
            starts_at=moved_end,
            ends_at=local_midnight(start + timedelta(days=30)),
            title="Elección de delegados",
            units=[units[1]],
        ),
    )
    cycle_publish(actor=actor, cycle=cycle)

    # The list of the network's cycles, filtered by department.
    page.goto("/ciclos/")
    expect(page.locator("main")).to_contain_text(cycle.title)
    expect(page.locator("main")).to_contain_text(other.title)
    assert_accessible(page)
    page.select_option("#departamento", "52")
    send(page)
    expect(page).to_have_url(re.compile(r"/ciclos/\?.*departamento=52"))
    expect(page.locator("main .list-group a")).to_have_count(1)
    follow(page, page.get_by_role("link", name=cycle.title))
    expect(page).to_have_url(re.compile(rf"/ciclos/{cycle.pk}/$"))
    assert_accessible(page)

    # The timeline with the running phase marked as the current step.
    timeline = page.locator("section[aria-labelledby=timeline-title] ol > li")
    expect(timeline).to_have_count(cycle.phases.count())
    current = page.locator("main li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current.locator("h3")).to_have_text(first.title)
    expect(timeline.first).to_have_attribute("aria-current", "step")

    # The envelopes: a chart with one bar per territory, and the table.
    chart = page.locator("section[aria-labelledby=envelopes-title] svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    assert envelope_rows(page, "section[aria-labelledby=envelopes-title] table") == [
        (unit.name, "1000000000") for unit in units
    ]

    # What a citizen can do now (until when), and what opens later.
    actions = page.locator("#que-hacer li.list-group-item")
    open_now = page.locator("#que-hacer li.list-group-item:has(.badge.text-bg-success)")
    expect(open_now).to_have_count(2)  # take part in the diagnosis and discuss, both until the moved end
    for i in range(2):
        expect(open_now.nth(i)).to_contain_text(until_shown(moved_end))
    everywhere = actions.all_inner_texts()

    # Comuna 2 also elects delegates: choosing it adds that action (opening when the first phase ends).
    page.select_option("#territorio", str(units[1].pk))
    follow(page, page.locator("#que-hacer form button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"territorio={units[1].pk}"))
    expect(page.locator("#territorio")).to_have_value(str(units[1].pk))
    expect(actions).to_have_count(len(everywhere) + 1)
    in_comuna_2 = actions.all_inner_texts()
    new = [text for text in in_comuna_2 if text not in everywhere]
    assert len(new) == 1 and as_shown(moved_end, "DATE_FORMAT") in new[0]
    assert_accessible(page)

    # Comuna 1 has nothing of its own.
    page.select_option("#territorio", str(units[0].pk))
    follow(page, page.locator("#que-hacer form button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"territorio={units[0].pk}"))
    assert actions.all_inner_texts() == everywhere


# --- 4. Recording a cabildo -----------------------------------------------------------------


def test_a_manager_records_a_cabildo_on_a_phone_and_the_public_page_shows_it(page, browser, live_server):
    cycle = make_cycle("52001", methodology="pasto", title="Cabildos de Pasto 2027", published=True)
    comuna_1 = cycle.units.order_by("position").first()
    manager, secret = with_authenticator(role="manager", municipality=municipality("52001"))
    sign_in(page, manager, secret)

    page.goto(f"/gestion/registros/ciclos/{cycle.pk}/asambleas/")
    assert_accessible(page)
    follow(page, page.locator(f"main a[href='/gestion/registros/ciclos/{cycle.pk}/asambleas/nueva/']"))
    assert_accessible(page)
    page.select_option("select[name=kind]", "cabildo")
    page.select_option("select[name=unit]", str(comuna_1.pk))
    page.fill("input[name=place]", "Salón comunal del barrio Lorenzo")
    page.fill("input[name=attendance]", "57")
    page.fill("textarea[name=minutes]", "Se presentaron los proyectos.\nSe votó por orden de prioridad.")
    page.locator("details:has(input[name=women]) summary").click()
    for name, count in (("women", "30"), ("men", "25"), ("other_gender", "2"), ("age_18_28", "12")):
        page.fill(f"input[name={name}]", count)
    send(page)
    expect(page).to_have_url(re.compile(r"/gestion/registros/asambleas/\d+/$"))
    assembly = cycle.assemblies.get()
    assert (assembly.kind, assembly.unit, assembly.attendance, assembly.women, assembly.men) == (
        "cabildo",
        comuna_1,
        57,
        30,
        25,
    )
    assert_accessible(page)

    # What it decided: three items, ranked as the minutes give them (not in the order typed).
    follow(page, page.locator(f"main a[href='/gestion/registros/asambleas/{assembly.pk}/decisiones/']"))
    assert_accessible(page)
    rows = (
        ("2", "Pavimentación de la calle 5", "8,5", "40", "300.000.000"),
        ("1", "Parque infantil", "9", "45", "250.000.000"),
        ("3", "Alumbrado público", "7", "30", "100.000.000"),
    )
    for i, (rank, item, rating, votes, amount) in enumerate(rows):
        page.fill(f"input[name=d-{i}-rank]", rank)
        page.fill(f"input[name=d-{i}-item]", item)
        page.fill(f"input[name=d-{i}-rating]", rating)
        page.fill(f"input[name=d-{i}-votes]", votes)
        page.fill(f"input[name=d-{i}-amount]", amount)
    send(page)
    expect(page).to_have_url(re.compile(rf"/gestion/registros/asambleas/{assembly.pk}/$"))
    ranked = ["Parque infantil", "Pavimentación de la calle 5", "Alumbrado público"]
    assert [d.item for d in AssemblyDecision.objects.filter(assembly=assembly).order_by("rank")] == ranked

    # A delegate elected there.
    follow(page, page.locator(f"main a[href*='delegados/?assembly={assembly.pk}']"))
    assert_accessible(page)
    expect(page.locator("select[name=unit]")).to_have_value(str(comuna_1.pk))
    expect(page.locator("select[name=assembly]")).to_have_value(str(assembly.pk))
    page.fill("input[name=name]", "María Pérez")
    page.fill("input[name=organisation]", "JAC barrio Lorenzo")
    send(page)
    expect(page.locator("#delegates")).to_contain_text("María Pérez")
    delegate = Delegate.objects.get(cycle=cycle)
    assert (delegate.name, delegate.unit, delegate.assembly) == ("María Pérez", comuna_1, assembly)

    # Anybody's phone: the assembly's public page.
    context, visitor = phone_page(browser, live_server)
    visitor.goto(f"/ciclos/{cycle.pk}/")
    follow(visitor, visitor.locator(f"main a[href='/ciclos/{cycle.pk}/asambleas/{assembly.pk}/']"))
    expect(visitor).to_have_url(re.compile(rf"/ciclos/{cycle.pk}/asambleas/{assembly.pk}/$"))
    attendance = visitor.locator("section[aria-labelledby=attendance-title]")
    expect(attendance).to_contain_text("57")
    expect(attendance.locator("li")).to_have_count(4)  # women, men, other; one age band
    decisions = visitor.locator("section[aria-labelledby=decisions-title] tbody tr")
    expect(decisions).to_have_count(3)
    assert [decisions.nth(i).locator("td").first.inner_text() for i in range(3)] == ["1", "2", "3"]
    assert [decisions.nth(i).locator("th").inner_text() for i in range(3)] == ranked
    assert digits(decisions.nth(0).locator("td").last.inner_text()) == "250000000"
    expect(visitor.locator("section[aria-labelledby=elected-title]")).to_contain_text("María Pérez")
    expect(visitor.locator("section[aria-labelledby=minutes-title]")).to_contain_text("Se votó por orden de prioridad.")
    assert_accessible(visitor)
    visitor.goto(f"/ciclos/{cycle.pk}/")
    expect(visitor.locator("section[aria-labelledby=delegates-title]")).to_contain_text("María Pérez")
    context.close()
