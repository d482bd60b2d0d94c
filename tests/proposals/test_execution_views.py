# ruff: noqa: F811  (fixtures imported from other test modules are parameters here)
"""Execution pages: who may open each staff and monitor page (every role × own
municipality vs another), what the public pages show (exact figures, escaped text,
no inline style), and what each form does with good and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cycles.models import CycleStatus
from proposals.execution import execution_context, monitor_remark
from proposals.models import Execution, ExecutionUpdate, MonitorRemark, Status
from tests.cycles.conftest import scene  # noqa: F401  (the two-sided scene)
from tests.nodes.conftest import make_scene
from tests.nodes.test_activities import jpeg_with_exif, minimal_pdf
from tests.nodes.test_manage_views import ROLES, client_as, client_of, sides_with_people
from tests.proposals.factories import proposal_in
from tests.proposals.test_execution import (  # noqa: F401  (fixtures)
    REMARKERS,
    SVG,
    UPDATERS,
    Sides,
    actor,
    days_ago,
    in_english,
    make_sides,
    media,
    post,
    selected_in,
    sides,
    upload,
)
from tests.test_permission_matrix import url_names

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"execution:{name}", kwargs=kwargs)


def page(response) -> str:
    return response.content.decode()


def _followed(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.followed[side].pk}


def _selected(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": s.selected[side].pk}


def _update(s: Sides, side: str) -> dict[str, Any]:
    return {"pk": post(s, actor(s, "secretariat"), side=side).pk}


# URL name -> (kwargs for a side, roles allowed on their own side, on the other side,
# method, what an allowed person gets).
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]], set[str], set[str], str, int]] = {
    "update-create": (_followed, UPDATERS["own"], UPDATERS["other"], "get", 200),
    "execution-start": (_selected, UPDATERS["own"], UPDATERS["other"], "post", 302),
    "remark-create": (_update, REMARKERS["own"], REMARKERS["other"], "get", 200),
}
PUBLIC = {"cycle-execution", "project", "update-photo"}

CELLS = [(name, role, side) for name in PAGES for role in ROLES for side in ("own", "other")]


def test_every_staff_page_has_a_role_by_scope_row_and_every_page_a_matrix_row():
    from tests.proposals.matrix_execution import ROWS

    names = {name.split(":", 1)[1] for name in url_names() if name.startswith("execution:")}
    assert names == set(PAGES) | PUBLIC
    assert {f"execution:{name}" for name in names} == set(ROWS)


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """The sides and one person per role, written once for the whole matrix (see
    ``shared_rows``; what a cell writes, an update or a started follow-up, goes with it)."""
    return sides_with_people(shared_rows, lambda: make_sides(make_scene()), ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_staff_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        kwargs, own, other, method, ok = PAGES[name]
        response = getattr(client_of(people[role]), method)(url(name, **kwargs(sides, side)))
        location = response.get("Location", "")
        if role == "anonymous":
            assert response.status_code == 302 and location.startswith(reverse("account_login"))
        elif role in (own if side == "own" else other):
            assert response.status_code == ok
            if ok == 302:
                assert location == url("update-create", pk=sides.selected[side].pk)
        else:
            assert response.status_code == 403
            assert "Red PLyPP" in page(response)  # the site's own 403 page


@pytest.mark.parametrize(
    ("name", "method"),
    [("update-create", "get"), ("execution-start", "post"), ("remark-create", "get"), ("project", "get")],
)
def test_a_page_of_a_missing_object_is_404(scene, name, method):
    response = getattr(client_as("secretariat", scene), method)(url(name, pk=999999))
    assert response.status_code == 404


def test_public_pages_of_missing_or_unpublished_things_are_404(sides, client):
    assert client.get(url("cycle-execution", cycle_pk=999999)).status_code == 404
    assert client.get(url("project", pk=sides.selected["own"].pk)).status_code == 404  # not followed yet
    assert client.get(url("update-photo", pk=_update(sides, "own")["pk"])).status_code == 404  # has no photo
    sides.cycle["own"].__class__.objects.filter(pk=sides.cycle["own"].pk).update(status=CycleStatus.DRAFT)
    assert client.get(url("cycle-execution", cycle_pk=sides.cycle["own"].pk)).status_code == 404
    assert client.get(url("project", pk=sides.followed["own"].pk)).status_code == 404


def test_a_post_by_a_manager_of_another_municipality_is_refused_and_saves_nothing(sides):
    response = client_as("manager", sides.scene).post(url("update-create", **_followed(sides, "other")), form())
    assert response.status_code == 403
    assert not ExecutionUpdate.objects.exists()


# --- The cycle's execution page -----------------------------------------------------------


def test_the_cycle_page_shows_exact_figures_and_progress_without_inline_style(sides, client):
    manager = actor(sides, "manager")
    post(sides, manager, status="in_execution", progress=40, committed=150_000_000, spent=50_000_000)
    response = client.get(url("cycle-execution", cycle_pk=sides.cycle["own"].pk))
    text = page(response)
    assert response.status_code == 200
    assert '<dd class="col-sm-7" id="funded-count">2</dd>' in text
    assert "0 of 2" in text
    assert "$ 280,000,000" in text and "$ 150,000,000" in text and "$ 50,000,000" in text
    assert '<progress id="spent-of-decided" class="w-100 d-block" value="50000000" max="280000000">' in text
    assert 'value="40" max="100"' in text
    assert url("project", pk=sides.followed["own"].pk) in text
    assert url("project", pk=sides.selected["own"].pk) not in text  # not followed: no page yet
    assert "Follow-up not started" in text
    assert "style=" not in text and "<script" not in text.split("</header>", 1)[1].split("<footer", 1)[0]
    assert url("execution-start", pk=sides.selected["own"].pk) not in text  # only for managers


def test_managers_see_how_to_start_and_update_on_the_cycle_page(sides):
    text = page(client_as("manager", sides.scene).get(url("cycle-execution", cycle_pk=sides.cycle["own"].pk)))
    assert url("execution-start", pk=sides.selected["own"].pk) in text
    assert url("update-create", pk=sides.followed["own"].pk) in text


def test_a_cycle_without_funded_projects_says_so(sides, client):
    Execution.objects.all().delete()
    sides.cycle["own"].proposals.update(status=Status.VIABLE)
    text = page(client.get(url("cycle-execution", cycle_pk=sides.cycle["own"].pk)))
    assert "No project of this cycle has been selected for funding yet." in text


def test_the_cycle_page_costs_the_same_queries_for_more_projects(sides, client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("cycle-execution", cycle_pk=sides.cycle["own"].pk)).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        proposal = selected_in(sides.cycle["own"], title=f"Proyecto {n}")
        Execution.objects.create(proposal=proposal, updated_at=timezone.now(), progress=n * 10)
    assert count() == before


# --- A project's public page -----------------------------------------------------------------


def test_the_project_page_shows_updates_photos_and_remarks_escaped(sides, client):
    proposal = sides.followed["own"]
    proposal.title = XSS
    proposal.save(update_fields=["title"])
    manager = actor(sides, "manager")
    monitor = actor(sides, "monitor")
    monitor.name = f"Veedora {XSS}"
    monitor.save(update_fields=["name"])
    update = post(sides, manager, text=f"Avance {XSS}", photo=upload("foto.jpg", jpeg_with_exif()))
    monitor_remark(actor=monitor, update=update, text=f"Observación {XSS}", now=timezone.now())
    response = client.get(url("project", pk=proposal.pk))
    text = page(response)
    assert response.status_code == 200
    assert XSS not in text
    assert (
        text.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 5
    )  # title (twice), update, remark, monitor
    assert f'<img src="{url("update-photo", pk=update.pk)}"' in text
    assert 'id="project-progress" class="w-100 d-block mb-3" value="10" max="100"' in text
    assert monitor.email not in text
    assert "style=" not in text
    assert url("update-create", pk=proposal.pk) not in text and url("remark-create", pk=update.pk) not in text
    cycle_page = page(client.get(url("cycle-execution", cycle_pk=proposal.cycle_id)))
    assert XSS not in cycle_page and "&lt;script&gt;" in cycle_page


def test_managers_and_monitors_find_their_actions_on_the_project_page(sides):
    update = post(sides, actor(sides, "manager"))
    project_url = url("project", pk=sides.followed["own"].pk)
    assert url("update-create", pk=sides.followed["own"].pk) in page(client_as("manager", sides.scene).get(project_url))
    assert url("remark-create", pk=update.pk) in page(client_as("monitor", sides.scene).get(project_url))


def test_the_photo_is_served_as_a_jpeg_that_is_never_sniffed(sides, client):
    update = post(sides, actor(sides, "manager"), photo=upload("foto.png", jpeg_with_exif(), "image/png"))
    response = client.get(url("update-photo", pk=update.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xff\xd8\xff") and b"CameraMaker" not in content


def test_the_proposal_page_part_links_to_the_project_and_escapes_text(sides):
    post(sides, actor(sides, "manager"), text=f"Avance {XSS}")
    html = render_to_string("proposals/_execution.html", execution_context(proposal=sides.followed["own"]))
    assert url("project", pk=sides.followed["own"].pk) in html
    assert XSS not in html and "Avance &lt;script&gt;" in html
    assert 'value="10" max="100"' in html
    empty = render_to_string("proposals/_execution.html", execution_context(proposal=sides.selected["own"]))
    assert empty.strip() == ""


# --- Starting the follow-up ---------------------------------------------------------------------


def test_starting_twice_explains_why_on_the_cycle_page(sides):
    client = client_as("manager", sides.scene)
    response = client.post(url("execution-start", pk=sides.followed["own"].pk), follow=True)
    assert response.redirect_chain[-1][0] == url("cycle-execution", cycle_pk=sides.cycle["own"].pk)
    assert "The follow-up of this project has already started." in page(response)


def test_only_selected_proposals_can_be_started(sides):
    viable = proposal_in(sides.cycle["own"], status=Status.VIABLE)
    response = client_as("manager", sides.scene).post(url("execution-start", pk=viable.pk), follow=True)
    assert "Only proposals selected for funding have their execution followed." in page(response)
    assert not Execution.objects.filter(proposal=viable).exists()


def test_the_update_form_of_a_project_not_followed_is_404(sides):
    assert client_as("manager", sides.scene).get(url("update-create", **_selected(sides, "own"))).status_code == 404


# --- Posting an update ----------------------------------------------------------------------------


def form(**overrides: Any) -> dict[str, Any]:
    return {
        "happened_on": timezone.localdate().isoformat(),
        "status": "in_execution",
        "progress": "35",
        "text": "Van las columnas del polideportivo.",
        "committed": "$ 150.000.000",
        "spent": "60.000.000",
        "mode": "convenio_solidario",
        **overrides,
    }


def test_the_update_form_is_prefilled_with_where_the_project_stands(sides):
    post(sides, actor(sides, "manager"), committed=7_000_000, spent=3_000_000, progress=12)
    response = client_as("manager", sides.scene).get(url("update-create", **_followed(sides, "own")))
    text = page(response)
    assert 'enctype="multipart/form-data"' in text
    assert 'value="12"' in text and 'value="7000000"' in text and 'accept="image/jpeg,image/png,image/webp"' in text
    assert "style=" not in text


def test_a_manager_posts_an_update_with_a_photo_from_a_phone(sides, media):
    client = client_as("manager", sides.scene)
    data = form(photo=upload("IMG_0001.jpg", jpeg_with_exif()))
    response = client.post(url("update-create", **_followed(sides, "own")), data)
    update = ExecutionUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url('project', pk=sides.followed['own'].pk)}#update-{update.pk}"
    execution = sides.execution()
    assert (execution.status, execution.progress, execution.committed, execution.spent, execution.mode) == (
        "in_execution",
        35,
        150_000_000,
        60_000_000,
        "convenio_solidario",
    )
    assert b"CameraMaker" not in (media / update.photo.name).read_bytes()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"spent": "200.000.000"}, "spent", "More money spent than committed"),
        ({"happened_on": days_ago(-2).isoformat()}, "happened_on", "The date cannot be in the future."),
        ({"status": "delivered"}, "progress", "A delivered project is at 100 % physical progress."),
        ({"progress": "250"}, "progress", "Ensure this value is less than or equal to 100."),
        ({"committed": "mucho"}, "committed", "Write the amount in whole pesos"),
        ({"committed": "$"}, "committed", "Write the amount in whole pesos"),
        ({"committed": "-5"}, "committed", "Write the amount in whole pesos"),
        ({"happened_on": "ayer"}, "happened_on", "Enter a valid date."),
        ({"text": ""}, "text", "This field is required."),
        ({"photo": upload("foto.jpg", SVG)}, "photo", "Only PDF documents and JPEG, PNG or WebP images"),
        ({"photo": upload("acta.jpg", minimal_pdf())}, "photo", "The photo must be a JPEG, PNG or WebP image."),
    ],
)
def test_bad_updates_get_a_clear_message_and_save_nothing(sides, media, overrides, field, message):
    client = client_as("manager", sides.scene)
    response = client.post(url("update-create", **_followed(sides, "own")), form(**overrides))
    text = page(response)
    assert response.status_code == 200
    assert "The update was not published: see why below." in text
    assert message in text
    assert f'id="id_{field}_error"' in text  # the message sits under the field
    assert not ExecutionUpdate.objects.exists()
    assert sides.execution().status == "in_plan"
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()
    assert not any(path.is_file() for path in media.rglob("*"))


# --- Remarks ---------------------------------------------------------------------------------------


def test_a_monitor_remarks_on_an_update(sides):
    update = post(sides, actor(sides, "manager"))
    client = client_as("monitor", sides.scene)
    form_page = page(client.get(url("remark-create", pk=update.pk)))
    assert "Se firmó el contrato de obra." in form_page
    response = client.post(url("remark-create", pk=update.pk), {"text": "La obra no tiene valla informativa."})
    remark = MonitorRemark.objects.get()
    assert response["Location"] == f"{url('project', pk=sides.followed['own'].pk)}#remark-{remark.pk}"
    assert remark.text == "La obra no tiene valla informativa."


@pytest.mark.parametrize(("text", "message"), [("   ", "This field is required."), ("x" * 3001, "at most 3000")])
def test_a_bad_remark_gets_a_clear_message(sides, text, message):
    update = post(sides, actor(sides, "manager"))
    response = client_as("monitor", sides.scene).post(url("remark-create", pk=update.pk), {"text": text})
    assert response.status_code == 200 and message in page(response)
    assert not MonitorRemark.objects.exists()
