"""The vote's management pages (/gestion/votacion/): who may open each page (every
role × a cycle of their own municipality, Pasto 52001, vs one of another,
Barrancabermeja 68081), stations and officers, the census upload and the
reconciliation of paper records through POSTs; bad input answered with a clear
message, nothing saved and never a 500; query counts on the turnout page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from tests.factories import UserFactory
from tests.nodes.conftest import Scene, make_scene
from tests.nodes.factories import MembershipFactory
from tests.nodes.test_manage_views import client_of, sides_with_people
from tests.proposals.factories import unit_of
from tests.voting.factories import (
    approve,
    on_ballot,
    paper_voters,
    station_in,
    submission,
    voter_in,
    voter_of,
    voting_cycle,
)
from voting.ballots import Choice
from voting.eligibility import PersonAtStation
from voting.models import Ballot, CensusEntry, PaperRecord, Station, StationOfficer
from voting.paper import acta_content, batch_content, paper_key
from voting.services import ballot_cast
from voting.stations import roll_mark

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
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
SEC = {"secretariat"}
RUNNERS = {"secretariat", "coordinator", "manager"}


def login(person) -> Client:
    TOTP.activate(person, generate_totp_secret())
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def manager_of(cycle) -> Any:
    return MembershipFactory(role="manager", municipality_id=cycle.municipality_id).user


def officer_of(station) -> Any:
    user = MembershipFactory(role="station_officer", municipality_id=station.cycle.municipality_id).user
    StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    return user


def _place(scene: Scene, side: str) -> str:
    return (scene.own_municipality if side == "own" else scene.other_municipality).code


class Sides:
    """The scene, and on each side a cycle voting now with a station, made on first use."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.cycles: dict[str, Any] = {}
        self.stations: dict[str, Station] = {}

    def cycle(self, side: str) -> Any:
        if side not in self.cycles:
            self.cycles[side] = voting_cycle(_place(self.scene, side), proposals=2)
        return self.cycles[side]

    def station(self, side: str) -> Station:
        if side not in self.stations:
            self.stations[side] = station_in(self.cycle(side))
        return self.stations[side]


def _cycle(sides: Sides, side: str) -> dict[str, Any]:
    return {"cycle_pk": sides.cycle(side).pk}


def _station(sides: Sides, side: str) -> dict[str, Any]:
    return {"pk": sides.station(side).pk}


# URL name -> (kwargs for a side, what an allowed person gets on GET)
PAGES: dict[str, tuple[Callable[[Sides, str], dict[str, Any]], int]] = {
    "cycle-vote": (_cycle, 200),
    "station-list": (_cycle, 200),
    "station-create": (_cycle, 200),
    "station-edit": (_station, 200),
    "census-upload": (_cycle, 200),
    "reconcile-list": (_cycle, 200),
}
POST_ONLY = {"officer-assign", "officer-remove", "reconcile"}
CELLS = [(name, role, side) for name in PAGES for role in ROLES for side in ("own", "other")]


def test_every_url_of_the_namespace_is_in_the_role_matrix():
    from voting.urls_manage import urlpatterns

    assert {p.name for p in urlpatterns} == set(PAGES) | POST_ONLY


@pytest.fixture(scope="class")
def sides_and_people(shared_rows) -> tuple[Sides, dict[str, Any]]:
    """A cycle voting now with a station on each side and one person per role, written once
    for the whole matrix (see ``shared_rows``)."""

    def make() -> Sides:
        sides = Sides(make_scene())
        for side in ("own", "other"):
            sides.station(side)
        return sides

    return sides_with_people(shared_rows, make, ROLES)


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_who_may_open_each_page(self, sides_and_people, name, role, side):
        sides, people = sides_and_people
        kwargs, ok = PAGES[name]
        url = reverse(f"voting-manage:{name}", kwargs=kwargs(sides, side))
        response = client_of(people[role]).get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        elif role in (RUNNERS if side == "own" else SEC):
            assert response.status_code == ok
        else:
            assert response.status_code == 403
            assert "Red PLyPP" in response.content.decode()


def test_a_manager_without_two_factor_is_sent_to_set_it_up():
    cycle = voting_cycle()
    client = Client()
    client.force_login(manager_of(cycle), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk}))
    assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]


def test_a_citizen_is_refused_the_vote_page():
    cycle = voting_cycle()
    client = Client()
    client.force_login(voter_in(cycle), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk})).status_code == 403


# --- Turnout ---------------------------------------------------------------------------------


def test_turnout_page_shows_who_voted_by_territory_and_channel_never_what():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    a = on_ballot(cycle)[0]
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(voter_in(cycle), unit),
        choices=approve(a),
        submission="x1".ljust(32, "0"),
    )
    station = station_in(cycle, unit)
    roll_mark(
        officer=officer_of(station),
        station=station,
        person=PersonAtStation("CC", "80123456", date(1980, 1, 1), True),
        now=timezone.now(),
    )
    response = login(manager_of(cycle)).get(reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    turnout = response.context["turnout"]
    assert turnout.totals == {"online": 1, "assisted": 0, "paper": 1}
    assert turnout.stations[0].marked == 1 and turnout.stations[0].difference == -1
    assert f'data-unit="{unit.pk}"' in html and 'id="turnout-total">2<' in html
    assert a.title not in html  # never the contents of the box
    assert 'hx-trigger="every 30s"' in html


def test_turnout_page_answers_htmx_with_the_fragment_only():
    cycle = voting_cycle()
    client = login(manager_of(cycle))
    response = client.get(reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk}), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="turnout"') and "<html" not in html


def _confirmed_batch(cycle) -> None:
    station = station_in(cycle)
    paper_voters(station)
    first, second = officer_of(station), officer_of(station)
    content = batch_content(station, [approve(on_ballot(cycle)[0])], 0, 0)
    paper_key(officer=first, station=station, kind="batch", number=1, content=content, now=timezone.now())
    paper_key(officer=second, station=station, kind="batch", number=1, content=content, now=timezone.now())


# session, user, role, MFA, cycle, 2 × permission, units, roll counts, stations, their records,
# census size, chain head, the header's management link
TURNOUT_QUERIES = 14


def test_turnout_page_query_count_does_not_grow_with_stations_or_votes(django_assert_num_queries):
    cycle = voting_cycle()
    _confirmed_batch(cycle)
    client = login(manager_of(cycle))
    url = reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk})
    with django_assert_num_queries(TURNOUT_QUERIES):
        client.get(url)
    for _ in range(2):
        _confirmed_batch(cycle)
        unit = unit_of(cycle)
        ballot_cast(
            cycle=cycle,
            unit=unit,
            voter=voter_of(voter_in(cycle), unit),
            choices=approve(on_ballot(cycle)[1]),
            submission=submission(),
        )
    with django_assert_num_queries(TURNOUT_QUERIES):
        response = client.get(url)
    assert len(response.context["turnout"].stations) == 3
    assert response.context["turnout"].totals["online"] == 2


# --- Stations and officers ---------------------------------------------------------------------


def station_post(cycle, **overrides) -> dict[str, Any]:
    start = timezone.localtime() + timedelta(hours=1)
    data = {
        "name": "Mesa Escuela La Paz",
        "unit": unit_of(cycle).pk,
        "place": "Carrera 10 # 5-20",
        "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_a_manager_creates_a_station_in_bogota_time_and_it_is_audited():
    cycle = voting_cycle()
    client = login(manager_of(cycle))
    data = station_post(cycle, opens_at="2026-12-06T08:00", closes_at="2026-12-06T16:00", counts_on_site="on")
    response = client.post(reverse("voting-manage:station-create", kwargs={"cycle_pk": cycle.pk}), data)
    station = Station.objects.get(cycle=cycle)
    assert response.status_code == 302 and response["Location"] == reverse(
        "voting-manage:station-edit", kwargs={"pk": station.pk}
    )
    assert station.opens_at.isoformat() == "2026-12-06T13:00:00+00:00"  # 08:00 in Bogotá (UTC-5)
    assert station.counts_on_site
    assert AuditEntry.objects.filter(action="voting.station_create").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert 'value="2026-12-06T08:00"' in page  # shown back in Bogotá time


def test_a_station_closing_before_it_opens_is_refused_on_the_closing_field():
    cycle = voting_cycle()
    data = station_post(cycle, opens_at="2026-12-06T16:00", closes_at="2026-12-06T08:00")
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-create", kwargs={"cycle_pk": cycle.pk}), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"] == ["The station must close after it opens."]
    assert not Station.objects.exists()


@pytest.mark.parametrize("missing", ["name", "unit", "place", "opens_at", "closes_at"])
def test_a_station_with_a_missing_field_is_refused_and_not_saved(missing):
    cycle = voting_cycle()
    data = station_post(cycle)
    del data[missing]
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-create", kwargs={"cycle_pk": cycle.pk}), data
    )
    assert response.status_code == 200 and missing in response.context["form"].errors
    assert not Station.objects.exists()


def test_a_second_station_with_the_same_name_is_refused_on_the_name():
    cycle = voting_cycle()
    station_in(cycle, name="Mesa 1")
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-create", kwargs={"cycle_pk": cycle.pk}), station_post(cycle, name="mesa 1")
    )
    assert response.context["form"].errors["name"] == ["This cycle already has a station with that name."]


def test_a_station_of_another_cycles_territory_is_refused():
    cycle, other = voting_cycle(), voting_cycle("68081")
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-create", kwargs={"cycle_pk": cycle.pk}),
        station_post(cycle, unit=unit_of(other).pk),
    )
    assert "unit" in response.context["form"].errors and not Station.objects.exists()


def test_a_manager_edits_a_station():
    cycle = voting_cycle()
    station = station_in(cycle)
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-edit", kwargs={"pk": station.pk}), station_post(cycle, name="Mesa nueva")
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.name == "Mesa nueva"


def test_a_used_station_keeps_its_way_of_counting():
    cycle = voting_cycle()
    station = station_in(cycle)
    roll_mark(
        officer=officer_of(station),
        station=station,
        person=PersonAtStation("CC", "80123456", date(1980, 1, 1), True),
        now=timezone.now(),
    )
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:station-edit", kwargs={"pk": station.pk}),
        station_post(cycle, name=station.name, counts_on_site="on"),
    )
    assert response.status_code == 200
    assert "People have voted at this station" in response.content.decode()
    station.refresh_from_db()
    assert not station.counts_on_site


def test_a_manager_assigns_and_removes_officers_among_the_municipalitys_officers():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
    elsewhere = MembershipFactory(role="station_officer", municipality_id="68081").user
    client = login(manager_of(cycle))
    page = client.get(reverse("voting-manage:station-edit", kwargs={"pk": station.pk}))
    choices = [str(value) for value, _label in page.context["officer_form"].fields["user"].choices if value]
    assert choices == [str(officer.pk)]
    response = client.post(reverse("voting-manage:officer-assign", kwargs={"pk": station.pk}), {"user": officer.pk})
    assert response.status_code == 302 and station.assignments.get().user == officer
    refused = client.post(reverse("voting-manage:officer-assign", kwargs={"pk": station.pk}), {"user": elsewhere.pk})
    assert refused.status_code == 400 and "user" in refused.context["officer_form"].errors
    assert station.assignments.count() == 1
    response = client.post(reverse("voting-manage:officer-remove", kwargs={"pk": station.pk, "user_pk": officer.pk}))
    assert response.status_code == 302 and not station.assignments.exists()
    actions = list(AuditEntry.objects.filter(action__startswith="voting.officer").values_list("action", flat=True))
    assert actions == ["voting.officer_assign", "voting.officer_remove"]


def test_removing_someone_who_is_not_an_officer_of_the_station_is_404():
    cycle = voting_cycle()
    station = station_in(cycle)
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:officer-remove", kwargs={"pk": station.pk, "user_pk": UserFactory().pk})
    )
    assert response.status_code == 404


def test_a_manager_of_another_municipality_cannot_assign_officers():
    cycle = voting_cycle()
    station = station_in(cycle)
    officer = MembershipFactory(role="station_officer", municipality_id=cycle.municipality_id).user
    other_manager = MembershipFactory(role="manager", municipality_id="68081").user
    response = login(other_manager).post(
        reverse("voting-manage:officer-assign", kwargs={"pk": station.pk}), {"user": officer.pk}
    )
    assert response.status_code == 403 and not station.assignments.exists()


# --- Census ------------------------------------------------------------------------------------


def upload(content: bytes, name: str = "censo.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_manager_loads_a_census_and_sees_the_report(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = voting_cycle()
    client = login(manager_of(cycle))
    url = reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk})
    response = client.post(url, {"file": upload(b"numero\n80123456\n80123457\n"), "default_type": "CC"})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.added, report.already) == (2, 2, 0)
    again = client.post(url, {"file": upload(b"80123456\n1000123\n"), "default_type": "CC"})
    assert (again.context["report"].added, again.context["report"].already) == (1, 1)
    assert CensusEntry.objects.filter(cycle=cycle).count() == 3
    assert list(tmp_path.rglob("*")) == []  # the upload was never saved
    assert "80123456" not in again.content.decode()


def test_a_census_with_a_bad_row_saves_nothing_and_names_the_line():
    cycle = voting_cycle()
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}),
        {"file": upload(b"tipo;numero\nCC;80123456\nXX;80123457\nCC;12a\n"), "default_type": "CC"},
    )
    assert response.status_code == 400
    assert [line for line, _message in response.context["report"].errors] == [3, 4]
    html = response.content.decode()
    assert "Line 3:" in html and "Unknown document type" in html and "12a" not in html
    assert not CensusEntry.objects.exists()


def test_a_census_that_replaces_the_list():
    cycle = voting_cycle()
    client = login(manager_of(cycle))
    url = reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk})
    client.post(url, {"file": upload(b"80123456\n80123457\n"), "default_type": "CC"})
    client.post(url, {"file": upload(b"80123458\n"), "default_type": "CC", "replace": "on"})
    assert CensusEntry.objects.filter(cycle=cycle).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"default_type": "CC"}, "file"), ({"file": b"", "default_type": "CC"}, "file"), ({"file": b"x"}, "default_type")],
)
def test_a_census_without_a_file_or_type_is_refused(data, field):
    cycle = voting_cycle()
    if "file" in data:
        data = {**data, "file": upload(data["file"])}
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}), data
    )
    assert response.status_code == 400 and field in response.context["form"].errors


def test_a_census_with_no_numbers_says_so():
    cycle = voting_cycle()
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}),
        {"file": upload(b"numero\n\n"), "default_type": "CC"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file has no document numbers."]


# --- Reconciling -------------------------------------------------------------------------------


def mismatched(cycle):
    station = station_in(cycle)
    paper_voters(station)
    first, second = officer_of(station), officer_of(station)
    a, b, c, _d = on_ballot(cycle)
    now = timezone.now()
    one = batch_content(station, [[Choice(a.pk)], [Choice(b.pk), Choice(c.pk)]], 1, 0)
    two = batch_content(station, [[Choice(a.pk)], [Choice(b.pk)]], 1, 0)
    paper_key(officer=first, station=station, kind="batch", number=7, content=one, now=now)
    record = paper_key(officer=second, station=station, kind="batch", number=7, content=two, now=now)
    assert record.status == PaperRecord.Status.MISMATCH
    return record


def test_the_reconciliation_page_shows_both_entries_side_by_side_with_the_differences_marked():
    cycle = voting_cycle()
    record = mismatched(cycle)
    _a, b, c, _d = on_ballot(cycle)
    response = login(manager_of(cycle)).get(reverse("voting-manage:reconcile-list", kwargs={"cycle_pk": cycle.pk}))
    html = response.content.decode()
    (item,) = response.context["items"]
    first, second = item["sides"]
    assert [row["differs"] for row in first["rows"]] == [False, True]
    assert first["rows"][1]["label"] == f"{b.title}; {c.title}"
    assert second["rows"][1]["label"] == b.title
    assert html.count('class="col-6 entry-side"') == 2 and "<mark>" in html
    assert f'value="{record.entries.first().pk}"' in html


def test_a_manager_reconciles_with_a_reason_that_goes_to_the_audit_log():
    cycle = voting_cycle()
    record = mismatched(cycle)
    entry = record.entries.order_by("pk").first()
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:reconcile", kwargs={"pk": record.pk}),
        {f"r{record.pk}-entry": entry.pk, f"r{record.pk}-reason": "El papel muestra dos marcas en la segunda"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == PaperRecord.Status.RECONCILED
    assert Ballot.objects.filter(batch=record).count() == 2
    audit = AuditEntry.objects.get(action="voting.paper_reconcile")
    assert audit.data["reason"] == "El papel muestra dos marcas en la segunda"


@pytest.mark.parametrize("missing", ["entry", "reason"])
def test_reconciling_without_an_entry_or_a_reason_is_refused(missing):
    cycle = voting_cycle()
    record = mismatched(cycle)
    data = {f"r{record.pk}-entry": record.entries.first().pk, f"r{record.pk}-reason": "Así dice el papel"}
    del data[f"r{record.pk}-{missing}"]
    response = login(manager_of(cycle)).post(reverse("voting-manage:reconcile", kwargs={"pk": record.pk}), data)
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.status == PaperRecord.Status.MISMATCH and not Ballot.objects.filter(batch=record).exists()


def test_reconciling_with_an_entry_of_another_record_is_refused():
    cycle = voting_cycle()
    record, other = mismatched(cycle), mismatched(cycle)
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:reconcile", kwargs={"pk": record.pk}),
        {f"r{record.pk}-entry": other.entries.first().pk, f"r{record.pk}-reason": "Así"},
    )
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.status == PaperRecord.Status.MISMATCH


def test_a_manager_of_another_municipality_cannot_reconcile():
    cycle = voting_cycle()
    record = mismatched(cycle)
    other_manager = MembershipFactory(role="manager", municipality_id="68081").user
    response = login(other_manager).post(
        reverse("voting-manage:reconcile", kwargs={"pk": record.pk}),
        {f"r{record.pk}-entry": record.entries.first().pk, f"r{record.pk}-reason": "Así"},
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == PaperRecord.Status.MISMATCH


def test_an_online_ballot_cast_is_not_on_the_reconciliation_page():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(voter_in(cycle), unit),
        choices=approve(on_ballot(cycle)[0]),
        submission=submission(),
    )
    response = login(manager_of(cycle)).get(reverse("voting-manage:reconcile-list", kwargs={"cycle_pk": cycle.pk}))
    assert response.context["items"] == [] and 'id="nothing-to-reconcile"' in response.content.decode()


def test_the_cycles_management_page_links_to_its_vote():
    cycle = voting_cycle()
    html = login(manager_of(cycle)).get(reverse("cycles-manage:cycle-review", kwargs={"pk": cycle.pk})).content.decode()
    assert f'href="{reverse("voting-manage:cycle-vote", kwargs={"cycle_pk": cycle.pk})}"' in html


def test_a_mismatching_tally_sheet_shows_the_numbers_that_differ():
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    paper_voters(station)
    proposals = on_ballot(cycle)

    def sheet(in_box, first_votes):
        votes = {p.pk: 1 for p in proposals} | {proposals[0].pk: first_votes}
        return acta_content(station, in_box=in_box, blank=0, void=0, votes=votes, officers=["Ana"])

    paper_key(
        officer=officer_of(station), station=station, kind="acta", number=1, content=sheet(9, 3), now=timezone.now()
    )
    paper_key(
        officer=officer_of(station), station=station, kind="acta", number=1, content=sheet(8, 2), now=timezone.now()
    )
    response = login(manager_of(cycle)).get(reverse("voting-manage:reconcile-list", kwargs={"cycle_pk": cycle.pk}))
    (item,) = response.context["items"]
    first, second = item["sides"]
    assert [(n["value"], n["differs"]) for n in first["numbers"]] == [(9, True), (0, False), (0, False)]
    assert [row["differs"] for row in second["rows"]] == [True, False, False, False]
    assert second["rows"][0]["label"] == f"{proposals[0].title}: 2"


def test_a_big_census_file_is_read_in_memory_never_written_to_a_temporary_file(monkeypatch, settings):
    from django.core.files import uploadedfile

    def no_disk(*args, **kwargs):
        raise AssertionError("the census file went to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_disk)
    cycle = voting_cycle()
    padding = ("," * 100 + "\n") * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE // 100 + 10)
    data = ("numero\n80123456\n" + padding + "80123457\n").encode()
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}),
        {"file": upload(data), "default_type": "CC"},
    )
    assert response.status_code == 200 and response.context["report"].added == 2


def test_the_census_upload_is_csrf_protected():
    cycle = voting_cycle()
    client = login(manager_of(cycle))
    client.handler.enforce_csrf_checks = True
    response = client.post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}),
        {"file": upload(b"80123456\n"), "default_type": "CC"},
    )
    assert response.status_code == 403 and not CensusEntry.objects.exists()


def test_a_census_file_that_is_not_a_csv_is_refused_without_a_500():
    cycle = voting_cycle()
    response = login(manager_of(cycle)).post(
        reverse("voting-manage:census-upload", kwargs={"cycle_pk": cycle.pk}),
        {"file": upload(b"80123456," + b"x" * 200_000 + b"\n"), "default_type": "CC"},
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not CensusEntry.objects.exists()
