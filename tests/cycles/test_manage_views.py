"""Configuration pages of budget cycles: who may open each page (every role ×
a cycle of their own municipality vs one of another), the whole wizard through
POSTs, envelopes to the peso, and bad input refused with a clear message and
nothing saved half-way.

The organisation manager of the scene manages an organisation that convenes
no cycle and has no municipality: ``cycles.change_cycle`` lets them configure
only cycles their organisation convenes, so they are refused on both sides
here (and may not create cycles, which needs the organisation's municipality);
the cycles their organisation convenes are covered below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cycles.models import Cycle, CycleStatus, CycleTerritory, Phase, PhaseChange
from tests.cycles.factories import make_cycle, territories
from tests.nodes.conftest import Scene, make_actor, make_scene
from tests.nodes.factories import MembershipFactory, municipality
from tests.nodes.test_manage_views import client_of, sides_with_people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English (/en/...), so that tests read the source strings."""
    with translation.override("en"):
        yield


ROLES = [
    "anonymous",
    "plain_user",
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
]
ALL_ROLE_HOLDERS = set(ROLES) - {"anonymous", "plain_user"}
SEC = {"secretariat"}
RUNNERS = {"secretariat", "coordinator", "manager"}
CONFIGURERS = RUNNERS | {"organisation_manager"}


def login(person) -> Client:
    TOTP.activate(person, generate_totp_secret())
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def client_as(role: str, scene: Scene) -> Client:
    if role == "anonymous":
        return Client()
    person = make_actor(role, scene)
    if role == "plain_user":
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client
    return login(person)


def _place(scene: Scene, side: str):
    return scene.own_municipality if side == "own" else scene.other_municipality


class Sides:
    """The scene and a draft cycle on each side, made the first time a page asks for it."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.cycles: dict[str, Cycle] = {}

    def cycle(self, side: str) -> Cycle:
        if side not in self.cycles:
            self.cycles[side] = make_cycle(_place(self.scene, side))
        return self.cycles[side]


def _cycle(sides: Sides, side: str) -> dict[str, Any]:
    return {"pk": sides.cycle(side).pk}


def _phase(sides: Sides, side: str) -> dict[str, Any]:
    cycle = sides.cycle(side)
    return {"pk": cycle.pk, "phase_pk": cycle.phases.order_by("starts_at").first().pk}


def _step(sides: Sides, side: str) -> dict[str, Any]:
    return {**_cycle(sides, side), "step": "close_proposals"}


# URL name (namespace cycles-manage) -> (kwargs for a side, or None when the page has no
# scope; roles allowed on their own side; roles allowed on the other side; what an allowed
# person gets on GET). POST-only actions answer 405 to a GET from anyone past the role gate.
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]] | None, set[str], set[str], int]] = {
    "cycle-list": (None, CONFIGURERS, CONFIGURERS, 200),
    "cycle-create": (None, RUNNERS, RUNNERS, 200),
    "cycle-basics": (_cycle, RUNNERS, SEC, 200),
    "cycle-territories": (_cycle, RUNNERS, SEC, 200),
    "cycle-phases": (_cycle, RUNNERS, SEC, 200),
    "phase-edit": (_phase, RUNNERS, SEC, 200),
    "phase-delete": (_phase, RUNNERS, SEC, 200),  # confirmation page
    "cycle-voting": (_cycle, RUNNERS, SEC, 200),
    "cycle-review": (_cycle, RUNNERS, SEC, 200),
    "cycle-publish": (_cycle, ALL_ROLE_HOLDERS, ALL_ROLE_HOLDERS, 405),
    "cycle-steps": (_cycle, RUNNERS, SEC, 200),
    "cycle-step": (_step, ALL_ROLE_HOLDERS, ALL_ROLE_HOLDERS, 405),
    "cycle-clone": (_cycle, RUNNERS, SEC, 200),
}
POST_ONLY = {"cycle-publish", "cycle-step"}
GET_ONLY = {"cycle-list", "cycle-review", "cycle-steps"}

CELLS = [
    (name, role, side)
    for name, (kwargs, _own, _other, _ok) in PAGES.items()
    for role in ROLES
    for side in (["own", "other"] if kwargs else ["own"])
]


def test_every_url_of_the_namespace_is_in_the_matrix():
    from cycles.urls_manage import urlpatterns

    assert {p.name for p in urlpatterns} == set(PAGES)


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """A cycle on each side and one person per role, written once for the whole matrix
    (see ``shared_rows``)."""

    def make() -> Sides:
        sides = Sides(make_scene())
        for side in ("own", "other"):
            sides.cycle(side)
        return sides

    return sides_with_people(shared_rows, make, ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_cycle_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        kwargs, own, other, ok = PAGES[name]
        url = reverse(f"cycles-manage:{name}", kwargs=kwargs(sides, side) if kwargs else None)
        response = client_of(people[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        elif role in (own if side == "own" else other):
            assert response.status_code == ok
        else:
            assert response.status_code == 403
            assert "Red PLyPP" in response.content.decode()  # the site's own 403 page


ACTIONS = [
    (name, role, side) for name in sorted(POST_ONLY) for role in sorted(ALL_ROLE_HOLDERS) for side in ("own", "other")
]


@pytest.mark.parametrize(("name", "role", "side"), ACTIONS, ids=[f"{n}-{r}-{s}" for n, r, s in ACTIONS])
def test_who_may_post_each_cycle_action(scene, name, role, side):
    kwargs = PAGES[name][0]
    assert kwargs is not None
    url = reverse(f"cycles-manage:{name}", kwargs=kwargs(Sides(scene), side))
    response = client_as(role, scene).post(url)
    allowed = RUNNERS if side == "own" else SEC
    assert response.status_code == (302 if role in allowed else 403)


def test_a_manager_of_another_municipality_is_refused_every_page_and_every_post(scene):
    cycle = make_cycle(scene.own_municipality)
    phase = cycle.phases.first()
    stranger = MembershipFactory(role="manager", municipality=scene.other_municipality).user
    client = login(stranger)
    for name, (kwargs, _own, _other, _ok) in PAGES.items():
        if kwargs is None:
            continue
        url_kwargs = {"pk": cycle.pk}
        if name.startswith("phase-"):
            url_kwargs["phase_pk"] = phase.pk
        if name == "cycle-step":
            url_kwargs["step"] = "close_proposals"
        url = reverse(f"cycles-manage:{name}", kwargs=url_kwargs)
        if name not in POST_ONLY:
            assert client.get(url).status_code == 403, name
        if name not in GET_ONLY:
            assert client.post(url, {"title": "x", "action": "fixed"}).status_code == 403, name
    cycle.refresh_from_db()
    assert cycle.title == "Presupuesto participativo 2027" and not cycle.is_published
    assert Phase.objects.filter(pk=phase.pk).exists()


def test_missing_cycles_and_phases_are_404(scene):
    client = client_as("secretariat", scene)
    cycle = make_cycle(scene.own_municipality)
    other = make_cycle(scene.other_municipality)
    assert client.get(reverse("cycles-manage:cycle-basics", kwargs={"pk": 999999})).status_code == 404
    foreign_phase = {"pk": cycle.pk, "phase_pk": other.phases.first().pk}
    assert client.get(reverse("cycles-manage:phase-edit", kwargs=foreign_phase)).status_code == 404
    step = {"pk": cycle.pk, "step": "no_such_step"}
    assert client.post(reverse("cycles-manage:cycle-step", kwargs=step)).status_code == 404


def test_an_organisation_manager_configures_the_cycles_their_organisation_convenes(scene):
    scene.own_organisation.nodes.add(scene.other_node)  # it works in both regions
    cycle = make_cycle(scene.other_municipality, convener_kind="mixed", convener_organisation=scene.own_organisation)
    client = client_as("organisation_manager", scene)
    assert client.get(reverse("cycles-manage:cycle-basics", kwargs={"pk": cycle.pk})).status_code == 200
    listed = client.get(reverse("cycles-manage:cycle-list")).content.decode()
    assert cycle.title in listed


def test_the_list_shows_only_the_cycles_a_manager_may_change(scene):
    make_cycle(scene.own_municipality, title="Pasto 2027")
    make_cycle(scene.other_municipality, title="Barrancabermeja 2027")
    page = client_as("manager", scene).get(reverse("cycles-manage:cycle-list")).content.decode()
    assert "Pasto 2027" in page and "Barrancabermeja 2027" not in page
    everything = client_as("secretariat", scene).get(reverse("cycles-manage:cycle-list")).content.decode()
    assert "Pasto 2027" in everything and "Barrancabermeja 2027" in everything


# --- The whole wizard ----------------------------------------------------------------


def manager_client(scene: Scene) -> Client:
    return login(MembershipFactory(role="manager", municipality=scene.own_municipality).user)


def url(name: str, cycle: Cycle | None = None, **kwargs: Any) -> str:
    if cycle is not None:
        kwargs["pk"] = cycle.pk
    return reverse(f"cycles-manage:{name}", kwargs=kwargs or None)


def test_a_manager_configures_and_publishes_a_cycle_from_a_template_through_the_wizard(scene):
    comunas = territories(scene.own_municipality, 3)
    client = manager_client(scene)
    start = timezone.localdate() + timedelta(days=30)
    page = client.get(url("cycle-create")).content.decode()
    assert "Pasto: cabildos" in page and "Blank: build your own" in page  # templates with their summaries

    response = client.post(
        url("cycle-create"),
        {
            "place": "m:52001",
            "methodology": "pasto",
            "title": "Cabildos 2027",
            "fiscal_year": "2027",
            "total_amount": "1.200.000.000",
            "start_date": start.isoformat(),
            "convener_kind": "",
        },
    )
    cycle = Cycle.objects.get(title="Cabildos 2027")
    assert response.status_code == 302 and response["Location"] == url("cycle-territories", cycle)
    assert cycle.total_amount == 1_200_000_000 and cycle.methodology == "pasto"
    assert cycle.phases.count() == 6

    # 2. Two comunas and a city-wide envelope; the formula splits the rest.
    client.post(
        url("cycle-territories", cycle),
        {"action": "units", "units": [str(comunas[0].pk), str(comunas[1].pk)], "citywide": "on"},
    )
    units = {u.name: u for u in cycle.units.select_related("territory")}
    assert set(units) == {"Comuna 1", "Comuna 2", "Whole municipality (city-wide)"}
    data = {
        "action": "formula",
        "weight_equal": "50",
        "weight_population": "50",
        "weight_need": "0",
        "rounding_unit": "1.000",
        "citywide_amount": "200.000.000",
        f"population_{units['Comuna 1'].pk}": "30000",
        f"population_{units['Comuna 2'].pk}": "10000",
    }
    response = client.post(url("cycle-territories", cycle), data, follow=True)
    amounts = dict(cycle.units.values_list("territory__name", "amount"))
    assert amounts == {"Comuna 1": 625_000_000, "Comuna 2": 375_000_000, None: 200_000_000}
    assert "Nothing of the amount split stayed unassigned." in response.content.decode()

    # 1. Basics, coming back to them.
    response = client.post(
        url("cycle-basics", cycle),
        {
            "title": "Cabildos de Pasto 2027",
            "fiscal_year": "2027",
            "total_amount": "$ 1.250.000.000",
            "convener_kind": "municipal_government",
            "funding_source": "Recursos propios",
            "description": "",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.title, cycle.total_amount) == ("Cabildos de Pasto 2027", 1_250_000_000)

    # 3. One more phase after the last one, only in Comuna 1.
    last = cycle.phases.order_by("-ends_at").first()
    end = timezone.localtime(last.ends_at)
    response = client.post(
        url("cycle-phases", cycle),
        {
            "kind": "evaluation",
            "title": "Evaluación",
            "start_date": end.date().isoformat(),
            "start_time": "00:00",
            "end_date": (end.date() + timedelta(days=10)).isoformat(),
            "end_time": "18:00",
            "units": [str(units["Comuna 1"].pk)],
        },
    )
    assert response.status_code == 302
    added = cycle.phases.get(title="Evaluación")
    assert not added.for_all_units and list(added.units.all()) == [units["Comuna 1"]]
    assert timezone.localtime(added.ends_at).hour == 18

    # 4. Voting.
    response = client.post(
        url("cycle-voting", cycle),
        {
            "decided_by": "assembly",
            "ballot_type": "approval",
            "min_selections": "1",
            "max_selections": "3",
            "counting_method": "greedy",
            "tie_break": "votes-then-cost",
            "min_age": "14",
            "residence": "territory",
            "accepted_documents": ["TI", "CC"],
            "online": "",
            "in_person_days": f"{(start + timedelta(days=60)):%d/%m/%Y}, {(start + timedelta(days=61)).isoformat()}",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("cycle-review", cycle)
    cycle.voting.refresh_from_db()
    assert cycle.voting.in_person_days == [start + timedelta(days=60), start + timedelta(days=61)]
    assert cycle.voting.accepted_documents == ["TI", "CC"] and not cycle.voting.online

    # 5. Review and publish.
    review = client.get(url("cycle-review", cycle)).content.decode()
    assert "Before publishing" not in review and "Publish the cycle" in review
    response = client.post(url("cycle-publish", cycle), follow=True)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED
    assert "is published" in response.content.decode()


def test_publishing_an_unready_cycle_lists_what_is_missing(scene):
    cycle = make_cycle(scene.own_municipality)
    cycle.units.update(amount=0)
    client = manager_client(scene)
    review = client.get(url("cycle-review", cycle)).content.decode()
    assert "No envelope has money yet" in review
    response = client.post(url("cycle-publish", cycle), follow=True)
    assert "No envelope has money yet" in response.content.decode()
    cycle.refresh_from_db()
    assert not cycle.is_published


def test_publish_and_step_refuse_get(scene):
    cycle = make_cycle(scene.own_municipality)
    client = manager_client(scene)
    assert client.get(url("cycle-publish", cycle)).status_code == 405
    assert client.get(url("cycle-step", cycle, step="count")).status_code == 405


def test_cloning_a_cycle_leads_to_the_basics_of_the_copy(scene):
    cycle = make_cycle(scene.own_municipality)
    client = manager_client(scene)
    start = timezone.localdate() + timedelta(days=365)
    response = client.post(
        url("cycle-clone", cycle), {"title": "PP 2028", "fiscal_year": "2028", "start_date": start.isoformat()}
    )
    copy = Cycle.objects.get(title="PP 2028")
    assert response["Location"] == url("cycle-basics", copy)
    assert copy.cloned_from == cycle and copy.phases.count() == cycle.phases.count()
    assert timezone.localtime(copy.phases.order_by("starts_at").first().starts_at).date() == start


def test_a_step_taken_too_early_is_explained_and_not_recorded(scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    client = manager_client(scene)
    page = client.get(url("cycle-steps", cycle)).content.decode()
    assert "Close proposals" in page and "have not ended" in page
    response = client.post(url("cycle-step", cycle, step="close_proposals"), follow=True)
    assert "Not yet: the phases this step closes have not ended." in response.content.decode()
    assert not cycle.steps.exists()


def test_a_step_whose_time_has_come_is_taken_by_hand(scene):
    cycle = make_cycle(scene.own_municipality, published=True, start=timezone.localdate() - timedelta(days=65))
    client = manager_client(scene)
    response = client.post(url("cycle-step", cycle, step="close_proposals"), follow=True)
    assert "Done: Close proposals." in response.content.decode()
    assert list(cycle.steps.values_list("step", flat=True)) == ["close_proposals"]


# --- Envelopes to the peso -------------------------------------------------------------


def test_the_formula_split_is_shown_to_the_peso_with_who_got_the_extra_unit_and_what_stayed_unassigned(scene):
    cycle = make_cycle(scene.own_municipality, total=10_000_500)
    client = manager_client(scene)
    data = {"action": "formula", "weight_equal": "100", "weight_population": "0", "weight_need": "0"}
    response = client.post(url("cycle-territories", cycle), {**data, "rounding_unit": "1.000.000"}, follow=True)
    page = response.content.decode()
    assert list(cycle.units.order_by("position").values_list("amount", flat=True)) == [4_000_000, 3_000_000, 3_000_000]
    assert "one unit of $ 1,000,000 was left over" in page and ": Comuna 1." in page
    assert "$ 500 stayed unassigned: it is less than one rounding unit of $ 1,000,000." in page
    assert "$ 10,000,000" in page and "$ 500" in page  # assigned and not assigned in the summary


def test_a_population_split_gives_the_left_over_peso_to_the_largest_remainder(scene):
    cycle = make_cycle(scene.own_municipality, total=1_000_000)
    units = list(cycle.units.order_by("position"))
    client = manager_client(scene)
    data = {
        "action": "formula",
        "weight_equal": "0",
        "weight_population": "100",
        "weight_need": "0",
        "rounding_unit": "1",
    }
    data.update({f"population_{u.pk}": str(p) for u, p in zip(units, (1, 2, 4), strict=True)})
    page = client.post(url("cycle-territories", cycle), data, follow=True).content.decode()
    assert [u.amount for u in cycle.units.order_by("position")] == [142_857, 285_714, 571_429]
    assert "went to the territory closest to the next unit: Comuna 3." in page
    assert "Nothing of the amount split stayed unassigned." in page


# --- Bad input: a clear message, nothing half-saved --------------------------------------


def test_fixed_envelopes_over_the_total_are_refused_and_nothing_changes(scene):
    cycle = make_cycle(scene.own_municipality, total=3_000_000)
    before = list(cycle.units.order_by("position").values_list("amount", flat=True))
    data = {"action": "fixed", **{f"amount_{u.pk}": "1.500.000" for u in cycle.units.all()}}
    response = manager_client(scene).post(url("cycle-territories", cycle), data)
    assert response.status_code == 200
    assert "more than the cycle&#x27;s total of $ 3,000,000" in response.content.decode()
    assert list(cycle.units.order_by("position").values_list("amount", flat=True)) == before


def test_a_formula_that_does_not_add_up_to_100_saves_no_figure(scene):
    cycle = make_cycle(scene.own_municipality)
    unit = cycle.units.first()
    data = {
        "action": "formula",
        "weight_equal": "50",
        "weight_population": "30",
        "weight_need": "30",
        "rounding_unit": "1",
        f"population_{unit.pk}": "5000",
    }
    response = manager_client(scene).post(url("cycle-territories", cycle), data)
    assert "must add up to 100" in response.content.decode()
    unit.refresh_from_db()
    cycle.refresh_from_db()
    assert unit.population is None and cycle.weight_equal == 100


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5.000", "An amount cannot be negative."),
        ("1000000000000000000", "That amount is not plausible: check the number of zeros."),
        ("12,5", "Write a whole number of pesos"),
    ],
)
def test_negative_absurd_or_broken_amounts_get_a_clear_message(scene, typed, message):
    cycle = make_cycle(scene.own_municipality)
    client = manager_client(scene)
    basics = {"title": "PP", "fiscal_year": "2027", "total_amount": typed, "convener_kind": "municipal_government"}
    response = client.post(url("cycle-basics", cycle), basics)
    assert response.status_code == 200 and message in response.content.decode()
    unit = cycle.units.first()
    response = client.post(url("cycle-territories", cycle), {"action": "fixed", f"amount_{unit.pk}": typed})
    assert message in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.total_amount == 3_000_000_000


def test_lowering_the_total_below_the_envelopes_is_explained(scene):
    cycle = make_cycle(scene.own_municipality, total=3_000_000)
    basics = {"title": "PP", "fiscal_year": "2027", "total_amount": "1.000", "convener_kind": "municipal_government"}
    response = manager_client(scene).post(url("cycle-basics", cycle), basics)
    assert "the total cannot be less" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.total_amount == 3_000_000 and cycle.title != "PP"


def _phase_post(start, end, kind="deliberation"):
    start, end = timezone.localtime(start), timezone.localtime(end)
    return {
        "kind": kind,
        "start_date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_date": end.date().isoformat(),
        "end_time": f"{end:%H:%M}",
    }


def test_an_overlapping_phase_is_refused_naming_the_other_phase(scene):
    cycle = make_cycle(scene.own_municipality, start=timezone.localdate() + timedelta(days=10))
    first = cycle.phases.order_by("starts_at").first()
    count = cycle.phases.count()
    data = _phase_post(first.starts_at + timedelta(days=1), first.starts_at + timedelta(days=2))
    response = manager_client(scene).post(url("cycle-phases", cycle), data)
    assert response.status_code == 200
    assert "would run at the same time as “Local planning”" in response.content.decode()
    assert cycle.phases.count() == count


def test_a_phase_ending_before_it_starts_is_refused(scene):
    cycle = make_cycle(scene.own_municipality)
    last = cycle.phases.order_by("-ends_at").first()
    data = _phase_post(last.ends_at + timedelta(days=5), last.ends_at + timedelta(days=2))
    count = cycle.phases.count()
    response = manager_client(scene).post(url("cycle-phases", cycle), data)
    assert "The phase must end after it starts." in response.content.decode()
    assert cycle.phases.count() == count


def test_a_past_phase_of_a_published_cycle_is_shown_read_only_and_not_changed(scene):
    cycle = make_cycle(scene.own_municipality, published=True, start=timezone.localdate() - timedelta(days=45))
    past = cycle.phases.order_by("starts_at").first()
    assert past.ends_at <= timezone.now()
    client = manager_client(scene)
    edit = url("phase-edit", cycle, phase_pk=past.pk)
    page = client.get(edit).content.decode()
    assert "past phases cannot be rewritten" not in page and "what happened cannot be rewritten" in page
    data = {**_phase_post(past.starts_at, past.ends_at + timedelta(days=100)), "reason": "Más tiempo"}
    response = client.post(edit, data)
    assert "This phase has ended: past phases cannot be rewritten." in response.content.decode()
    past.refresh_from_db()
    assert timezone.localtime(past.ends_at).date() == timezone.localdate() - timedelta(days=15)
    assert not PhaseChange.objects.exists()


def test_a_future_phase_of_a_published_cycle_moves_with_a_reason(scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    last = cycle.phases.order_by("-ends_at").first()
    client = manager_client(scene)
    edit = url("phase-edit", cycle, phase_pk=last.pk)
    data = {**_phase_post(last.starts_at, last.ends_at + timedelta(days=7), kind=last.kind), "title": last.title}
    response = client.post(edit, data)
    assert "Say why the calendar changes" in response.content.decode()
    response = client.post(edit, {**data, "reason": "Lluvias"})
    assert response.status_code == 302
    assert PhaseChange.objects.get(phase=last).reason == "Lluvias"


def test_a_running_phase_of_a_published_cycle_may_only_move_its_end(scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    running = cycle.phases.order_by("starts_at").first()
    page = manager_client(scene).get(url("phase-edit", cycle, phase_pk=running.pk)).content.decode()
    assert "only its end can move" in page
    new_end = running.ends_at - timedelta(days=3)
    data = {**_phase_post(running.starts_at - timedelta(days=3), new_end, kind="voting"), "reason": "Ampliación"}
    response = manager_client(scene).post(url("phase-edit", cycle, phase_pk=running.pk), data)
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.kind == "local_planning" and running.ends_at == new_end  # start and kind kept


def test_phases_of_a_draft_are_deleted_after_confirmation_but_not_those_of_a_published_cycle(scene):
    draft = make_cycle(scene.own_municipality)
    phase = draft.phases.order_by("-starts_at").first()
    client = manager_client(scene)
    assert "Yes, delete the phase" in client.get(url("phase-delete", draft, phase_pk=phase.pk)).content.decode()
    assert client.post(url("phase-delete", draft, phase_pk=phase.pk)).status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()
    published = make_cycle(scene.own_municipality, published=True, title="Publicado")
    phase = published.phases.order_by("-starts_at").first()
    response = client.post(url("phase-delete", published, phase_pk=phase.pk))
    assert "cannot be deleted; move them instead" in response.content.decode()
    assert Phase.objects.filter(pk=phase.pk).exists()


def test_a_template_for_a_municipality_without_territories_is_refused_with_a_link_to_add_them(scene):
    client = client_as("secretariat", scene)
    data = {
        "municipality": "05001",
        "methodology": "medellin",
        "title": "PP Medellín",
        "fiscal_year": "2027",
        "total_amount": "1.000.000",
        "start_date": timezone.localdate().isoformat(),
    }
    response = client.post(url("cycle-create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "has no territories yet" in page
    assert reverse("network-manage:territory-list", kwargs={"code": "05001"}) in page
    assert not Cycle.objects.exists()


def test_a_coordinator_creates_a_department_cycle_of_their_node(scene):
    client = client_as("coordinator", scene)
    page = client.get(url("cycle-create")).content.decode()
    assert "Department of Nariño" in page and 'value="m:52001"' in page and 'value="m:68081"' not in page
    data = {
        "place": "d:52",
        "methodology": "risaralda",
        "title": "Concertación Nariño",
        "fiscal_year": "2027",
        "total_amount": "5.000.000",
        "start_date": timezone.localdate().isoformat(),
    }
    response = client.post(url("cycle-create"), data)
    cycle = Cycle.objects.get(title="Concertación Nariño")
    assert response.status_code == 302 and cycle.department_id == "52" and cycle.municipality is None
    assert cycle.units.filter(municipality=municipality("52001")).exists()


def test_a_manager_cannot_create_a_cycle_elsewhere_by_editing_the_form(scene):
    territories(scene.other_municipality)
    data = {
        "place": "m:68081",
        "methodology": "blank",
        "title": "Intruso",
        "fiscal_year": "2027",
        "total_amount": "1.000",
        "start_date": timezone.localdate().isoformat(),
    }
    response = manager_client(scene).post(url("cycle-create"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Cycle.objects.exists()


def test_the_territories_of_a_published_cycle_cannot_change(scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    client = manager_client(scene)
    page = client.get(url("cycle-territories", cycle)).content.decode()
    assert "The territories of a published cycle cannot change" in page
    first = cycle.units.first()
    response = client.post(url("cycle-territories", cycle), {"action": "units", "units": [str(first.territory_id)]})
    assert "The territories of a published cycle cannot change." in response.content.decode()
    assert cycle.units.count() == 3


def test_voting_settings_the_service_refuses_are_explained_next_to_the_field(scene):
    cycle = make_cycle(scene.own_municipality, start=timezone.localdate() + timedelta(days=5))
    data = {
        "decided_by": "citizens",
        "ballot_type": "wallet",
        "min_selections": "1",
        "counting_method": "greedy",
        "tie_break": "votes-then-cost",
        "min_age": "14",
        "residence": "municipality",
        "accepted_documents": ["CC"],
        "online": "on",
        "wallet_amount": "1.000.000",
        "wallet_block": "300.000",
        "in_person_days": "mañana",
    }
    client = manager_client(scene)
    page = client.post(url("cycle-voting", cycle), data).content.decode()
    assert "“mañana” is not a date" in page
    page = client.post(url("cycle-voting", cycle), {**data, "in_person_days": ""}).content.decode()
    assert "The wallet must be a whole number of blocks." in page
    cycle.voting.refresh_from_db()
    assert cycle.voting.ballot_type != "wallet"


def test_units_of_a_draft_can_change_with_indented_territories(scene):
    cycle = make_cycle(scene.own_municipality)
    comuna = cycle.units.first().territory
    from nodes.models import Territory

    barrio = Territory.objects.create(
        municipality=scene.own_municipality, parent=comuna, kind="barrio", code="01-01", name="Centro"
    )
    client = manager_client(scene)
    page = client.get(url("cycle-territories", cycle)).content.decode()
    assert 'class="depth-1"' in page and "Centro" in page
    response = client.post(url("cycle-territories", cycle), {"action": "units", "units": [str(barrio.pk)]})
    assert response.status_code == 302
    assert [u.territory_id for u in CycleTerritory.objects.filter(cycle=cycle)] == [barrio.pk]


@pytest.mark.parametrize("role", sorted(CONFIGURERS))
def test_the_list_query_agrees_with_the_change_permission(scene, role):
    from cycles.selectors import cycles_managed_by
    from nodes.models import Department
    from nodes.selectors import reach_of
    from tests.cycles.factories import secretariat

    scene.own_organisation.nodes.add(scene.other_node)  # it works in both regions
    cycles = [
        make_cycle(scene.own_municipality, title="Own"),
        make_cycle(scene.other_municipality, title="Other"),
        make_cycle(
            scene.other_municipality,
            title="Convened",
            convener_kind="mixed",
            convener_organisation=scene.own_organisation,
        ),
    ]
    from cycles.services import cycle_create

    cycles.append(
        cycle_create(
            actor=secretariat(),
            methodology="risaralda",
            title="Nariño",
            fiscal_year=2027,
            total_amount=1_000_000,
            start_date=timezone.localdate(),
            department=Department.objects.get(code="52"),
            convener_organisation=scene.own_organisation,
            convener_kind="mixed",
        )
    )
    person = make_actor(role, scene)
    expected = {c.title for c in cycles if person.has_perm("cycles.change_cycle", c)}
    assert {c.title for c in cycles_managed_by(reach_of(person))} == expected
    assert expected  # every configuring role changes at least one of them
