"""The polling-station officer's pages (/mesa/): who may open them (the station's
officers only: not an officer of another station, not a manager, not a citizen;
two-factor first), the console (look up, refusals, marking, assisted ballots,
the document number never echoed back), keying in batches and tally sheets
(double keying, a bad ballot named, the second officer never sees the first
entry), and the console's query count."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.nodes.conftest import Scene, make_actor, make_scene
from tests.nodes.factories import MembershipFactory
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
from voting.models import Ballot, Channel, PaperEntry, PaperRecord, StationOfficer, VoterRollEntry
from voting.paper import batch_content, paper_key
from voting.services import ballot_cast

pytestmark = pytest.mark.django_db

NUMBER = "80123456"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def login(person) -> Client:
    TOTP.activate(person, generate_totp_secret())
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def officer_of(station) -> Any:
    user = MembershipFactory(role="station_officer", municipality_id=station.cycle.municipality_id).user
    StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    return user


def voter_with_number(cycle, number: str) -> Any:
    """A citizen of the cycle's municipality whose identity document is ``number``, in its first territory."""
    from accounts.services import IdentityInput, identity_save
    from proposals.models import Participation
    from tests.factories import UserFactory

    user = UserFactory()
    identity_save(
        user=user,
        now=timezone.now(),
        data=IdentityInput(
            document_type="CC",
            document_number=number,
            birth_date=date(1980, 1, 1),
            municipality_code=cycle.municipality_id,
        ),
    )
    Participation.objects.create(cycle=cycle, user=user, unit=unit_of(cycle), declared_at=timezone.now())
    return user


def person(number: str = NUMBER, **overrides: Any) -> dict[str, Any]:
    data = {"document_type": "CC", "document_number": number, "birth_date": "1980-01-01", "lives_there": "on"}
    data.update(overrides)
    return data


# --- Who may open the pages ----------------------------------------------------------------

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
    "assigned_officer",
]
PAGES = ["console", "paper-key"]
CELLS = [(name, role, side) for name in PAGES for role in ROLES for side in ("own", "other")]


def _person(role: str, scene: Scene, station):
    """Someone holding ``role`` in the scene's own municipality (an officer of the scene's
    municipality assigned to ``station`` for "assigned_officer"), with two-factor
    authentication set up unless a plain user; None for "anonymous"."""
    if role == "anonymous":
        return None
    if role == "assigned_officer":
        user = make_actor("station_officer", scene)
        StationOfficer.objects.create(station=station, user=user, assigned_at=timezone.now())
    else:
        user = make_actor(role, scene)
    if role != "plain_user":
        TOTP.activate(user, generate_totp_secret())
    return user


def _signed_in(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_url_of_the_namespace_is_covered():
    from voting.urls_station import urlpatterns

    assert {p.name for p in urlpatterns} == {*PAGES, "my-stations", "assisted"}


@pytest.fixture(scope="class")
def stations_and_people(shared_rows) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """A station of a cycle voting now on each side, and for each side one person per role
    (the same one on both sides but for the officer assigned to that side's station),
    written once for the whole matrix (see ``shared_rows``)."""
    with shared_rows():
        scene = make_scene()
        places = {"own": scene.own_municipality, "other": scene.other_municipality}
        stations = {side: station_in(voting_cycle(place.code, proposals=2)) for side, place in places.items()}
        people: dict[tuple[str, str], Any] = {}
        for role in ROLES:
            if role == "assigned_officer":
                people.update({(role, side): _person(role, scene, stations[side]) for side in stations})
            else:
                people[role, "own"] = people[role, "other"] = _person(role, scene, None)
        return stations, people


class TestEveryRoleOnEachSide:
    @pytest.mark.parametrize(("name", "role", "side"), CELLS, ids=[f"{n}-{r}-{s}" for n, r, s in CELLS])
    def test_only_an_officer_assigned_to_the_station_of_their_municipality_opens_its_pages(
        self, stations_and_people, name, role, side
    ):
        stations, people = stations_and_people
        station = stations[side]
        response = _signed_in(people[role, side]).get(
            reverse(f"voting-station:{name}", kwargs={"station_pk": station.pk})
        )
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        elif role == "assigned_officer" and side == "own":
            assert response.status_code == 200
        else:
            # Everyone else, including an officer of the other municipality assigned by hand.
            assert response.status_code == 403


def test_an_officer_without_two_factor_is_sent_to_set_it_up():
    station = station_in(voting_cycle())
    client = Client()
    client.force_login(officer_of(station), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("voting-station:console", kwargs={"station_pk": station.pk}))
    assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]


def test_a_citizen_is_refused_the_console():
    cycle = voting_cycle()
    station = station_in(cycle)
    client = Client()
    client.force_login(voter_in(cycle), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("voting-station:console", kwargs={"station_pk": station.pk})).status_code == 403


def test_an_officer_not_assigned_to_the_station_cannot_mark_anyone():
    station = station_in(voting_cycle())
    other = station_in(station.cycle)
    client = login(officer_of(other))
    response = client.post(
        reverse("voting-station:console", kwargs={"station_pk": station.pk}), {**person(), "action": "mark"}
    )
    assert response.status_code == 403 and not VoterRollEntry.objects.exists()


def test_my_stations_lists_the_officers_stations_with_their_hours():
    cycle = voting_cycle()
    mine, other = station_in(cycle, name="Mesa Escuela"), station_in(cycle, name="Mesa Parque")
    officer = officer_of(mine)
    response = login(officer).get(reverse("voting-station:my-stations"))
    html = response.content.decode()
    assert response.status_code == 200 and list(response.context["stations"]) == [mine]
    assert "Mesa Escuela" in html and "Mesa Parque" not in html and other.name not in html
    assert reverse("voting-station:console", kwargs={"station_pk": mine.pk}) in html


# --- The console ---------------------------------------------------------------------------


def console(client: Client, station, **data: Any):
    return client.post(reverse("voting-station:console", kwargs={"station_pk": station.pk}), data)


def test_looking_up_a_person_who_may_vote_offers_both_ways_and_writes_nothing():
    station = station_in(voting_cycle())
    response = console(login(officer_of(station)), station, **person(), action="check")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["check"].may_vote
    assert 'id="check-ok"' in html and 'value="mark"' in html and 'value="assisted"' in html
    assert response["Cache-Control"].count("no-store") == 1
    assert not VoterRollEntry.objects.exists()


def test_a_person_who_voted_online_is_refused_saying_online():
    cycle = voting_cycle()
    unit = unit_of(cycle)
    station = station_in(cycle, unit)
    online = voter_with_number(cycle, NUMBER)
    ballot_cast(
        cycle=cycle,
        unit=unit,
        voter=voter_of(online, unit),
        choices=approve(on_ballot(cycle)[0]),
        submission="s".ljust(32, "0"),
    )
    client = login(officer_of(station))
    response = console(client, station, **person(), action="check")
    assert (
        response.context["check"].voted == "This person has already voted online in this cycle. Each person votes once."
    )
    assert 'value="mark"' not in response.content.decode()
    marked = console(client, station, **person(), action="mark")
    assert marked.status_code == 409
    assert "already voted online" in marked.context["refusal"]
    assert NUMBER not in marked.content.decode()  # the number is not echoed back
    assert VoterRollEntry.objects.get().channel == Channel.ONLINE


def test_marking_a_person_puts_them_in_the_roll_and_clears_the_form():
    station = station_in(voting_cycle())
    client = login(officer_of(station))
    response = console(client, station, **person(), action="mark")
    assert response.status_code == 302
    entry = VoterRollEntry.objects.get()
    assert (entry.channel, entry.station) == (Channel.PAPER, station)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert NUMBER not in html and "give them a paper ballot" in html
    again = console(client, station, **person(), action="check")
    assert "already voted at a polling station" in again.context["check"].voted


def test_a_person_too_young_is_told_why_not():
    station = station_in(voting_cycle())
    born = (timezone.localdate() - timedelta(days=365 * 10)).isoformat()
    response = console(login(officer_of(station)), station, **person(birth_date=born), action="check")
    assert response.context["check"].refusal == "This cycle is for people aged 14 or more."
    assert 'id="check-refusal"' in response.content.decode()


def test_a_person_not_living_there_is_refused_when_marked():
    station = station_in(voting_cycle())
    data = person()
    del data["lives_there"]
    response = console(login(officer_of(station)), station, **data, action="mark")
    assert response.status_code == 403 and "who live in" in response.context["refusal"]
    assert not VoterRollEntry.objects.exists()


def test_a_closed_station_refuses_to_mark():
    now = timezone.now()
    station = station_in(voting_cycle(), opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=5))
    client = login(officer_of(station))
    assert 'id="station-closed"' in client.get(reverse("voting-station:console", args=[station.pk])).content.decode()
    response = console(client, station, **person(), action="mark")
    assert response.status_code == 409 and "The station is closed now" in response.context["refusal"]
    assert not VoterRollEntry.objects.exists()


@pytest.mark.parametrize("missing", ["document_type", "document_number", "birth_date"])
def test_a_look_up_without_a_field_is_refused_on_that_field(missing):
    station = station_in(voting_cycle())
    data = person()
    del data[missing]
    response = console(login(officer_of(station)), station, **data, action="mark")
    assert response.status_code == 400 and missing in response.context["form"].errors
    assert not VoterRollEntry.objects.exists()


def test_an_invalid_document_number_is_explained():
    station = station_in(voting_cycle())
    response = console(login(officer_of(station)), station, **person(number="12a"), action="check")
    assert "Check the document number" in response.context["check"].refusal


def test_in_a_delegates_cycle_the_officer_chooses_the_delegate():
    from cycles.models import Delegate

    cycle = voting_cycle(decided_by="delegates")
    unit = unit_of(cycle)
    station = station_in(cycle, unit)
    today = timezone.localdate()
    delegate = Delegate.objects.create(
        cycle=cycle,
        unit=unit,
        name="Ana Delegada",
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=300),
    )
    client = login(officer_of(station))
    page = client.get(reverse("voting-station:console", kwargs={"station_pk": station.pk}))
    assert "Ana Delegada" in page.content.decode()
    missing = console(client, station, **person(), action="check")
    assert "delegate" in missing.context["form"].errors
    response = console(client, station, **person(), delegate=delegate.pk, action="mark")
    assert response.status_code == 302 and VoterRollEntry.objects.get().delegate == delegate


def test_console_query_count(django_assert_num_queries):
    station = station_in(voting_cycle())
    client = login(officer_of(station))
    url = reverse("voting-station:console", kwargs={"station_pk": station.pk})
    # session, user, role, MFA, station, 2 × permission, the header's management link
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    # + the service's own permission check (2) and the roll (1); no census, no delegates here
    with django_assert_num_queries(11):
        assert client.post(url, {**person(), "action": "check"}).status_code == 200


# --- Assisted ballots --------------------------------------------------------------------------


def test_an_assisted_ballot_goes_in_the_box_and_the_receipt_is_shown_once():
    cycle = voting_cycle()
    station = station_in(cycle)
    a, b, *_ = on_ballot(cycle)
    client = login(officer_of(station))
    page = console(client, station, **person(), action="assisted")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="choice"' in html and a.title in html
    submission_id = page.context["form"]["submission"].value()
    cast = client.post(
        reverse("voting-station:assisted", kwargs={"station_pk": station.pk}),
        {**person(), "lives_there": "True", "submission": submission_id, "choice": [a.pk, b.pk]},
    )
    assert cast.status_code == 200 and "no-store" in cast["Cache-Control"]
    code = cast.context["receipt"].code
    assert code in cast.content.decode() and NUMBER not in cast.content.decode()
    entry = VoterRollEntry.objects.get()
    assert (entry.channel, entry.station) == (Channel.ASSISTED, station)
    assert Ballot.objects.get().selections == sorted([[a.pk, 1], [b.pk, 1]])


def test_an_assisted_ballot_over_the_rules_is_shown_again_with_the_message():
    cycle = voting_cycle(max_selections=1)
    station = station_in(cycle)
    a, b, *_ = on_ballot(cycle)
    client = login(officer_of(station))
    response = client.post(
        reverse("voting-station:assisted", kwargs={"station_pk": station.pk}),
        {**person(), "submission": submission(), "choice": [a.pk, b.pk]},
    )
    assert response.status_code == 422
    assert "Choose at most 1 proposals." in response.content.decode()
    assert not VoterRollEntry.objects.exists() and not Ballot.objects.exists()


def test_an_assisted_ballot_for_someone_who_voted_is_refused_and_the_number_cleared():
    cycle = voting_cycle()
    station = station_in(cycle)
    a = on_ballot(cycle)[0]
    client = login(officer_of(station))
    assert console(client, station, **person(), action="mark").status_code == 302
    response = client.post(
        reverse("voting-station:assisted", kwargs={"station_pk": station.pk}),
        {**person(), "submission": submission(), "choice": [a.pk]},
    )
    assert response.status_code == 409 and "already voted at a polling station" in response.context["refusal"]
    assert NUMBER not in response.content.decode() and not Ballot.objects.exists()


def test_the_assisted_page_is_only_opened_for_someone_who_may_vote():
    station = station_in(voting_cycle())
    born = (timezone.localdate() - timedelta(days=365 * 10)).isoformat()
    response = console(login(officer_of(station)), station, **person(birth_date=born), action="assisted")
    assert response.context["check"].refusal and 'id="assisted-form"' not in response.content.decode()


# --- Paper records -----------------------------------------------------------------------------


def paper(client: Client, station, **data: Any):
    return client.post(reverse("voting-station:paper-key", kwargs={"station_pk": station.pk}), data)


def test_adding_a_ballot_row_re_renders_with_what_was_marked():
    cycle = voting_cycle()
    station = station_in(cycle)
    a = on_ballot(cycle)[0]
    response = paper(
        login(officer_of(station)),
        station,
        number="1",
        blank="0",
        void="0",
        rows="1",
        action="add",
        **{"b0-choice": [a.pk]},
    )
    html = response.content.decode()
    assert response.status_code == 200 and response.context["row_count"] == 2
    assert html.count('class="border rounded p-2 mb-2 ballot-row"') == 2
    assert f'name="b0-choice" value="{a.pk}" id="b0-p{a.pk}" checked' in html
    assert f'name="b1-choice" value="{a.pk}" id="b1-p{a.pk}">' in html
    assert not PaperRecord.objects.exists()


def test_a_batch_keyed_twice_by_two_officers_is_confirmed_and_its_ballots_go_in_the_box():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a, b, c, _d = on_ballot(cycle)
    first, second = login(officer_of(station)), login(officer_of(station))
    data = {"number": "3", "blank": "1", "void": "0", "rows": "2", "action": "save"}
    response = paper(first, station, **data, **{"b0-choice": [a.pk], "b1-choice": [b.pk, c.pk]})
    assert response.status_code == 302
    record = PaperRecord.objects.get()
    assert record.status == PaperRecord.Status.WAITING
    waiting = second.get(response["Location"]).content.decode()
    assert a.title not in waiting.split('id="records"')[1]  # the second officer does not see the entry
    assert 'data-status="waiting"' in waiting
    # The same ballots in another order.
    response = paper(second, station, **data, **{"b0-choice": [c.pk, b.pk], "b1-choice": [a.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == PaperRecord.Status.CONFIRMED
    assert Ballot.objects.filter(batch=record, channel=Channel.PAPER).count() == 2
    assert "confirmed" in second.get(response["Location"]).content.decode()


def test_the_same_officer_keying_a_batch_twice_is_refused():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a = on_ballot(cycle)[0]
    client = login(officer_of(station))
    data = {"number": "1", "blank": "0", "void": "0", "rows": "1", "action": "save", "b0-choice": [a.pk]}
    assert paper(client, station, **data).status_code == 302
    again = paper(client, station, **data)
    assert again.status_code == 400
    assert "You already keyed this record" in again.content.decode()
    assert PaperEntry.objects.count() == 1


def test_a_mismatching_second_entry_waits_for_a_manager():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a, b, *_ = on_ballot(cycle)
    first, second = login(officer_of(station)), login(officer_of(station))
    data = {"number": "1", "blank": "0", "void": "0", "rows": "1", "action": "save"}
    paper(first, station, **data, **{"b0-choice": [a.pk]})
    response = paper(second, station, **data, **{"b0-choice": [b.pk]})
    assert response.status_code == 302
    assert PaperRecord.objects.get().status == PaperRecord.Status.MISMATCH
    assert "a manager will compare them" in second.get(response["Location"]).content.decode()
    assert not Ballot.objects.exists()


def test_a_ballot_of_a_batch_over_the_rules_is_named():
    cycle = voting_cycle(max_selections=1)
    station = station_in(cycle)
    a, b, *_ = on_ballot(cycle)
    response = paper(
        login(officer_of(station)),
        station,
        number="1",
        blank="0",
        void="0",
        rows="2",
        action="save",
        **{"b0-choice": [a.pk], "b1-choice": [a.pk, b.pk]},
    )
    assert response.status_code == 400
    assert "Ballot 2: Choose at most 1 proposals. If the paper ballot is like that, count it as void." in (
        response.content.decode()
    )
    assert not PaperRecord.objects.exists()
    # What was keyed stays on the page.
    assert f'name="b1-choice" value="{b.pk}" id="b1-p{b.pk}" checked' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"number": ""}, "number"), ({"number": "0"}, "number"), ({"blank": "-1"}, "blank"), ({"void": "x"}, "void")],
)
def test_a_batch_with_a_bad_number_is_refused_on_the_field(data, field):
    cycle = voting_cycle()
    station = station_in(cycle)
    base = {
        "number": "1",
        "blank": "0",
        "void": "0",
        "rows": "1",
        "action": "save",
        "b0-choice": [on_ballot(cycle)[0].pk],
    }
    response = paper(login(officer_of(station)), station, **{**base, **data})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not PaperRecord.objects.exists()


def test_an_empty_batch_is_refused():
    station = station_in(voting_cycle())
    response = paper(login(officer_of(station)), station, number="1", blank="0", void="0", rows="1", action="save")
    assert response.status_code == 400 and "A batch holds at least one ballot" in response.content.decode()


def test_a_ranked_batch_is_keyed_with_selects():
    cycle = voting_cycle(ballot_type="ranked")
    station = station_in(cycle)
    paper_voters(station)
    a, b, *_ = on_ballot(cycle)
    client = login(officer_of(station))
    page = client.get(reverse("voting-station:paper-key", kwargs={"station_pk": station.pk})).content.decode()
    assert f'name="b0-rank_{a.pk}"' in page
    response = paper(
        client,
        station,
        number="1",
        blank="0",
        void="0",
        rows="1",
        action="save",
        **{f"b0-rank_{a.pk}": "2", f"b0-rank_{b.pk}": "1"},
    )
    assert response.status_code == 302
    assert PaperEntry.objects.get().content["ballots"] == [sorted([[a.pk, 2], [b.pk, 1]])]


def acta_post(proposals, **overrides: Any) -> dict[str, Any]:
    data = {
        "number": "1",
        "in_box": "10",
        "blank": "1",
        "void": "1",
        "officers": "Ana Pérez\nLuis Gómez",
        "action": "save",
        **{f"votes_{p.pk}": "3" for p in proposals},
    }
    data.update(overrides)
    return data


def test_a_station_counting_on_site_keys_its_tally_sheet_twice():
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    paper_voters(station)
    proposals = on_ballot(cycle)
    first, second = login(officer_of(station)), login(officer_of(station))
    page = first.get(reverse("voting-station:paper-key", kwargs={"station_pk": station.pk})).content.decode()
    assert 'name="in_box"' in page and f'name="votes_{proposals[0].pk}"' in page and "b0-choice" not in page
    assert paper(first, station, **acta_post(proposals)).status_code == 302
    # Names in another order are the same tally sheet.
    assert paper(second, station, **acta_post(proposals, officers="Luis Gómez\nAna Pérez")).status_code == 302
    record = PaperRecord.objects.get()
    assert (record.kind, record.status) == (PaperRecord.Kind.ACTA, PaperRecord.Status.CONFIRMED)
    assert record.accepted["in_box"] == 10 and record.accepted["votes"][str(proposals[0].pk)] == 3


def test_a_tally_sheet_whose_numbers_do_not_add_up_is_refused():
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    response = paper(login(officer_of(station)), station, **acta_post(on_ballot(cycle), blank="6", void="5"))
    assert response.status_code == 400
    assert "Blank and void ballots cannot be more than the ballots in the box." in response.content.decode()
    assert not PaperRecord.objects.exists()


def test_a_tally_sheet_without_officers_names_is_refused():
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    response = paper(login(officer_of(station)), station, **acta_post(on_ballot(cycle), officers=""))
    assert response.status_code == 400 and "officers" in response.context["form"].errors


def test_a_batch_keyed_at_a_station_of_another_kind_is_not_possible_from_the_page():
    """A station counting on site shows the tally sheet form: the batch fields are ignored."""
    cycle = voting_cycle()
    station = station_in(cycle, counts_on_site=True)
    response = paper(
        login(officer_of(station)),
        station,
        number="1",
        rows="1",
        action="save",
        **{"b0-choice": [on_ballot(cycle)[0].pk]},
    )
    assert response.status_code == 400 and "in_box" in response.context["form"].errors


def test_keying_a_confirmed_batch_again_is_refused():
    cycle = voting_cycle()
    station = station_in(cycle)
    paper_voters(station)
    a = on_ballot(cycle)[0]
    content = batch_content(station, [[Choice(a.pk)]], 0, 0)
    for _ in range(2):
        paper_key(
            officer=officer_of(station), station=station, kind="batch", number=1, content=content, now=timezone.now()
        )
    response = paper(
        login(officer_of(station)),
        station,
        number="1",
        blank="0",
        void="0",
        rows="1",
        action="save",
        **{"b0-choice": [a.pk]},
    )
    assert response.status_code == 400 and "already been confirmed" in response.content.decode()


def test_marking_and_casting_log_no_document_number(caplog):
    cycle = voting_cycle()
    station = station_in(cycle)
    client = login(officer_of(station))
    with caplog.at_level(logging.DEBUG):
        console(client, station, **person(), action="check")
        console(client, station, **person(), action="mark")
        client.post(
            reverse("voting-station:assisted", kwargs={"station_pk": station.pk}),
            {**person("80123999"), "submission": submission(), "choice": [on_ballot(cycle)[0].pk]},
        )
    assert VoterRollEntry.objects.count() == 2
    assert NUMBER not in caplog.text and "80123999" not in caplog.text


def test_a_ranked_assisted_ballot_is_cast_from_the_selects():
    cycle = voting_cycle(ballot_type="ranked")
    station = station_in(cycle)
    a, b, *_ = on_ballot(cycle)
    client = login(officer_of(station))
    page = console(client, station, **person(), action="assisted")
    assert f'name="rank_{a.pk}"' in page.content.decode()
    response = client.post(
        reverse("voting-station:assisted", kwargs={"station_pk": station.pk}),
        {**person(), "submission": submission(), f"rank_{a.pk}": "2", f"rank_{b.pk}": "1"},
    )
    assert response.status_code == 200 and response.context["receipt"].code
    assert Ballot.objects.get().selections == sorted([[a.pk, 2], [b.pk, 1]])


def test_a_wallet_batch_is_keyed_with_amounts():
    cycle = voting_cycle(ballot_type="wallet", wallet_amount=100, wallet_block=10)
    station = station_in(cycle)
    paper_voters(station)
    a, b, *_ = on_ballot(cycle)
    client = login(officer_of(station))
    page = client.get(reverse("voting-station:paper-key", kwargs={"station_pk": station.pk})).content.decode()
    assert f'name="b0-amount_{a.pk}"' in page and '<option value="100">' in page
    response = paper(
        client,
        station,
        number="1",
        blank="0",
        void="0",
        rows="1",
        action="save",
        **{f"b0-amount_{a.pk}": "60", f"b0-amount_{b.pk}": "40"},
    )
    assert response.status_code == 302
    assert PaperEntry.objects.get().content["ballots"] == [sorted([[a.pk, 60], [b.pk, 40]])]
