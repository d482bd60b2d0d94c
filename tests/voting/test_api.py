"""The voting JSON API: every status it answers, every refusal with its message, CSRF,
language, and the number of queries a cast costs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import Participation
from tests.proposals.factories import citizen, unit_of
from tests.voting.factories import on_ballot, submission, voter_in, voting_cycle
from voting.api import MAX_BODY_BYTES
from voting.models import Ballot, VoterRollEntry

pytestmark = pytest.mark.django_db

JSON = "application/json"


def cast_url(cycle) -> str:
    return reverse("voting-api:cast", kwargs={"cycle_pk": cycle.pk})


def ballot_url(cycle) -> str:
    return reverse("voting-api:ballot", kwargs={"cycle_pk": cycle.pk})


def signed_in(person, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post(client: Client, cycle, body, **extra):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(cast_url(cycle), data=data, content_type=extra.pop("content_type", JSON), **extra)


def body_of(*proposals, key: str | None = None) -> dict:
    return {"submission_id": key or submission(), "choices": [{"proposal": p.pk, "value": 1} for p in proposals]}


@pytest.fixture
def cycle():
    return voting_cycle()


@pytest.fixture
def person(cycle):
    return voter_in(cycle)


@pytest.fixture
def client(person):
    return signed_in(person)


def nothing_written() -> bool:
    return not Ballot.objects.exists() and not VoterRollEntry.objects.exists()


# --- The ballot --------------------------------------------------------------------


def test_ballot_lists_the_territory_proposals_rules_and_a_csrf_token(cycle, client):
    response = client.get(ballot_url(cycle))

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["csrf_token"] and data["voted"] is False and data["open"] is True
    assert data["territory"] == {"id": unit_of(cycle).pk, "name": unit_of(cycle).name}
    assert data["rules"]["kind"] == "approval" and data["rules"]["max_selections"] == 3
    assert data["rules"]["min_selections"] == 1
    expected = {p.pk: p.estimated_cost for p in on_ballot(cycle)}
    assert {p["id"]: p["cost"] for p in data["proposals"]} == expected
    assert all(p["title"] for p in data["proposals"])


def test_ballot_order_is_stable_for_one_person_and_differs_between_people(cycle, client):
    first = [p["id"] for p in client.get(ballot_url(cycle)).json()["proposals"]]
    assert first == [p["id"] for p in client.get(ballot_url(cycle)).json()["proposals"]]
    orders = {tuple(p["id"] for p in signed_in(voter_in(cycle)).get(ballot_url(cycle)).json()["proposals"])}
    for _ in range(6):
        orders.add(tuple(p["id"] for p in signed_in(voter_in(cycle)).get(ballot_url(cycle)).json()["proposals"]))
    assert len(orders) > 1


def test_ballot_says_voted_after_casting(cycle, client):
    a, *_ = on_ballot(cycle)
    assert post(client, cycle, body_of(a)).status_code == 201
    assert client.get(ballot_url(cycle)).json()["voted"] is True


def test_ballot_needs_a_session_and_answers_401_json(cycle):
    response = Client().get(ballot_url(cycle))
    assert response.status_code == 401
    assert response.json()["error"] == "not_signed_in"


def test_ballot_refuses_post_with_405_json(cycle, client):
    response = client.post(ballot_url(cycle), data="{}", content_type=JSON)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed" and response["Allow"] == "GET"


def test_ballot_of_someone_without_territory_asks_to_choose_one(cycle):
    response = signed_in(citizen(municipality_code=cycle.municipality_id)).get(ballot_url(cycle))
    assert response.status_code == 409
    assert response.json()["error"] == "choose_territory"


def test_ballot_of_an_unknown_or_draft_cycle_is_404(client, cycle):
    assert client.get(reverse("voting-api:ballot", kwargs={"cycle_pk": 999_999})).status_code == 404
    cycle.status = "draft"
    cycle.save(update_fields=["status"])
    response = client.get(ballot_url(cycle))
    assert response.status_code == 404 and response.json()["error"] == "not_found"


# --- Casting: success and retries -----------------------------------------------------


def test_cast_returns_201_with_the_receipt_and_the_choices(cycle, client):
    a, b, *_ = on_ballot(cycle)
    response = post(client, cycle, body_of(b, a))

    assert response.status_code == 201
    data = response.json()
    assert data["repeated"] is False and len(data["receipt"]) == 24
    assert data["choices"] == [{"proposal": a.pk, "value": 1}, {"proposal": b.pk, "value": 1}]
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.count() == 1
    assert "no-store" in response["Cache-Control"]


def test_a_retry_of_the_same_submission_gets_200_and_the_same_receipt(cycle, client):
    a, *_ = on_ballot(cycle)
    body = body_of(a)
    first = post(client, cycle, body)
    again = post(client, cycle, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "repeated": True}
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.count() == 1


def test_value_may_be_left_out_for_a_mark(cycle, client):
    a, *_ = on_ballot(cycle)
    response = post(client, cycle, {"submission_id": submission(), "choices": [{"proposal": a.pk}]})
    assert response.status_code == 201


def test_a_second_submission_is_refused_as_already_voted(cycle, client):
    a, b, *_ = on_ballot(cycle)
    assert post(client, cycle, body_of(a)).status_code == 201
    response = post(client, cycle, body_of(b))

    assert response.status_code == 409
    assert response.json()["error"] == "already_voted"
    assert "already voted" in response.json()["message"] or "votaste" in response.json()["message"].lower()
    assert Ballot.objects.count() == 1 and VoterRollEntry.objects.count() == 1


# --- Casting: what is not a request ------------------------------------------------


def test_cast_answers_405_json_to_get(cycle, client):
    response = client.get(cast_url(cycle))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed" and response["Allow"] == "POST"


def test_cast_answers_401_json_not_a_redirect_when_signed_out(cycle):
    a, *_ = on_ballot(cycle)
    response = post(Client(), cycle, body_of(a))
    assert response.status_code == 401
    assert response.json()["error"] == "not_signed_in"
    assert nothing_written()


def test_cast_answers_415_to_a_form(cycle, client):
    a, *_ = on_ballot(cycle)
    response = client.post(cast_url(cycle), data={"submission_id": submission(), "proposal": a.pk})
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_cast_answers_413_to_a_declared_oversized_body_without_reading_it(cycle, client):
    response = post(client, cycle, b"{}", CONTENT_LENGTH=str(MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_cast_answers_413_to_an_oversized_body(cycle, client):
    a, *_ = on_ballot(cycle)
    body = body_of(a)
    body["padding"] = "x" * MAX_BODY_BYTES
    response = post(client, cycle, body)
    assert response.status_code == 413
    assert nothing_written()


ID = {"submission_id": "abcdefgh" * 4}
SHAPES = [
    ("not json", b"{not json", "malformed_json", "JSON"),
    ("a list", [], "bad_shape", "submission_id"),
    ("missing submission", {"choices": []}, "missing_field", "submission_id"),
    ("missing choices", ID, "missing_field", "choices"),
    ("short submission", {"submission_id": "abc", "choices": []}, "bad_submission_id", "submission_id"),
    ("odd submission", {"submission_id": "abc def ghi", "choices": []}, "bad_submission_id", "submission_id"),
    ("long submission", {"submission_id": "a" * 65, "choices": []}, "bad_submission_id", "submission_id"),
    ("number submission", {"submission_id": 12345678, "choices": []}, "bad_submission_id", "submission_id"),
    ("choices not a list", {**ID, "choices": {}}, "bad_choices", "choices"),
    ("choice not an object", {**ID, "choices": [3]}, "bad_choices", "choices[0]"),
    ("choice without proposal", {**ID, "choices": [{"value": 1}]}, "missing_field", "choices[0].proposal"),
    ("proposal as text", {**ID, "choices": [{"proposal": "7"}]}, "bad_type", "choices[0].proposal"),
    ("value as bool", {**ID, "choices": [{"proposal": 7, "value": True}]}, "bad_type", "choices[0].value"),
    ("value as float", {**ID, "choices": [{"proposal": 7, "value": 1.5}]}, "bad_type", "choices[0].value"),
    ("unknown field", {**ID, "choices": [], "voter": 1}, "unknown_field", "voter"),
    ("unknown choice field", {**ID, "choices": [{"proposal": 7, "rank": 1}]}, "unknown_field", "choices[0].rank"),
    ("too many items", {**ID, "choices": [{"proposal": i} for i in range(101)]}, "bad_choices", "choices"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "code", "field"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_cast_answers_400_naming_what_is_wrong(cycle, client, body, code, field):
    response = post(client, cycle, body)

    assert response.status_code == 400
    assert response.json()["error"] == code
    assert field in response.json()["message"]
    assert nothing_written()


# --- Casting: refusals of the ballot and of the voter ---------------------------------


def _over_envelope():
    cycle = voting_cycle(ballot_type="knapsack")
    unit = unit_of(cycle)
    unit.amount = 150_000_000
    unit.save(update_fields=["amount"])
    a, b, *_ = on_ballot(cycle)
    return cycle, voter_in(cycle), [a, b]


def _too_many():
    cycle = voting_cycle(max_selections=2)
    return cycle, voter_in(cycle), on_ballot(cycle)[:3]


def _too_few():
    cycle = voting_cycle(min_selections=2)
    return cycle, voter_in(cycle), on_ballot(cycle)[:1]


def _duplicated():
    cycle = voting_cycle()
    a, *_ = on_ballot(cycle)
    return cycle, voter_in(cycle), [a, a]


def _other_territory():
    cycle = voting_cycle()
    return cycle, voter_in(cycle), [on_ballot(cycle, unit_of(cycle, 1))[0]]


def _other_cycle():
    cycle = voting_cycle()
    other = voting_cycle("05001")
    return cycle, voter_in(cycle), [on_ballot(other)[0]]


def _closed():
    cycle = voting_cycle(opened_days_ago=5, closes_in_days=-1)
    return cycle, voter_in(cycle), on_ballot(cycle)[:1]


def _unverified():
    cycle = voting_cycle()
    return cycle, voter_in(cycle, verified=False), on_ballot(cycle)[:1]


def _too_young():
    cycle = voting_cycle(min_age=30)
    return cycle, voter_in(cycle, birth_date=date(2005, 1, 1)), on_ballot(cycle)[:1]


def _no_identity():
    cycle = voting_cycle()
    return cycle, voter_in(cycle, identity=False), on_ballot(cycle)[:1]


def _other_municipality():
    cycle = voting_cycle()
    return cycle, voter_in(cycle, municipality_code="52001"), on_ballot(cycle)[:1]


def _no_territory():
    cycle = voting_cycle()
    person = voter_in(cycle)
    Participation.objects.filter(user=person).delete()
    return cycle, person, on_ballot(cycle)[:1]


def _in_person_only():
    cycle = voting_cycle(online=False, in_person_days=[date.today().isoformat()])
    return cycle, voter_in(cycle), on_ballot(cycle)[:1]


REFUSALS = [
    ("over the envelope", _over_envelope, 422, "over_envelope", "more than the"),
    ("too many", _too_many, 422, "too_many", "at most 2"),
    ("too few", _too_few, 422, "too_few", "at least 2"),
    ("duplicated", _duplicated, 422, "duplicate", "only once"),
    ("other territory", _other_territory, 422, "not_on_ballot", "not on your ballot"),
    ("other cycle", _other_cycle, 422, "not_on_ballot", "not on your ballot"),
    ("voting closed", _closed, 409, "closed", "not open"),
    ("unverified e-mail", _unverified, 403, "not_eligible", "Confirm your e-mail"),
    ("too young", _too_young, 403, "not_eligible", "aged 30 or more"),
    ("no identity", _no_identity, 403, "not_eligible", "citizen profile"),
    ("lives elsewhere", _other_municipality, 403, "not_eligible", "who live in"),
    ("no territory", _no_territory, 409, "choose_territory", "Choose the territory"),
    ("in person only", _in_person_only, 403, "in_person_only", "polling station"),
]


@pytest.mark.parametrize(("scene", "status", "code", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_cast_refusal_has_its_status_code_and_message_and_writes_nothing(scene, status, code, words):
    cycle, person, proposals = scene()
    response = post(signed_in(person), cycle, body_of(*proposals), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == status, response.content
    assert response.json()["error"] == code
    assert words in response.json()["message"]
    assert nothing_written()


def test_over_envelope_message_writes_pesos_in_the_reader_language(cycle):
    cycle, person, proposals = _over_envelope()
    english = post(signed_in(person), cycle, body_of(*proposals), HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    spanish = post(signed_in(person), cycle, body_of(*proposals), HTTP_ACCEPT_LANGUAGE="es").json()["message"]
    assert "150,000,000" in english
    assert "150.000.000" in spanish


def test_refusal_messages_follow_accept_language():
    cycle, person, proposals = _too_young()
    client = signed_in(person)

    english = post(client, cycle, body_of(*proposals), HTTP_ACCEPT_LANGUAGE="en")
    spanish = post(client, cycle, body_of(*proposals), HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9")

    assert english.json()["message"] == "This cycle is for people aged 30 or more."
    assert spanish.json()["message"] == "Este ciclo es para personas de 30 años o más."
    assert english["Content-Language"] == "en" and spanish["Content-Language"].startswith("es")


def test_the_english_url_prefix_wins_over_accept_language():
    cycle, person, proposals = _too_young()
    url = "/en" + cast_url(cycle)
    response = signed_in(person).post(
        url, data=json.dumps(body_of(*proposals)), content_type=JSON, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.json()["message"] == "This cycle is for people aged 30 or more."


# --- CSRF ----------------------------------------------------------------------------


def test_cast_without_the_csrf_header_is_refused_with_403(cycle, person):
    client = signed_in(person, enforce_csrf_checks=True)
    client.get(ballot_url(cycle))  # sets the CSRF cookie
    a, *_ = on_ballot(cycle)

    response = post(client, cycle, body_of(a))

    assert response.status_code == 403
    assert nothing_written()


def test_cast_with_the_token_of_the_ballot_in_the_header_passes_csrf(cycle, person):
    client = signed_in(person, enforce_csrf_checks=True)
    token = client.get(ballot_url(cycle)).json()["csrf_token"]
    a, *_ = on_ballot(cycle)

    assert post(client, cycle, body_of(a), HTTP_X_CSRFTOKEN="wrong" * 8).status_code == 403
    assert nothing_written()
    assert post(client, cycle, body_of(a), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_the_proposed_csrf_failure_view_answers_json_on_the_api_only(cycle, person, settings):
    settings.CSRF_FAILURE_VIEW = "voting.api.csrf_failure"
    client = signed_in(person, enforce_csrf_checks=True)
    client.get(ballot_url(cycle))
    a, *_ = on_ballot(cycle)

    response = post(client, cycle, body_of(a))
    assert response.status_code == 403 and response.json()["error"] == "csrf"
    page = client.post(reverse("account_logout"))
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


# --- Cost ----------------------------------------------------------------------------

# session, user, the person's eligibility facts, the roll insert, the ballot insert (with
# the close check and the reminder marker); plus the transaction's SAVEPOINT and RELEASE
# (a test runs inside a transaction).
CAST_QUERIES = 7
# what this process keeps for VOTING_CONTEXT_SECONDS: the cycle (+ its voting settings),
# the territory, and its ballot (proposals' costs, the phases and their territories)
CONTEXT_QUERIES = 5


def test_a_cast_costs_a_fixed_number_of_queries(cycle, client, settings, django_assert_num_queries):
    settings.VOTING_CONTEXT_SECONDS = 60
    a, b, c, *_ = on_ballot(cycle)
    with django_assert_num_queries(CAST_QUERIES + CONTEXT_QUERIES):
        assert post(client, cycle, body_of(a, b)).status_code == 201
    another = signed_in(voter_in(cycle))
    with django_assert_num_queries(CAST_QUERIES):
        assert post(another, cycle, body_of(c)).status_code == 201


def test_the_ballot_costs_a_fixed_number_of_queries(cycle, client, settings, django_assert_num_queries):
    settings.VOTING_CONTEXT_SECONDS = 60
    client.get(ballot_url(cycle))
    # session, user, eligibility facts, "voted?" (the cycle, the territory, its ballot and
    # the proposals' titles are kept for VOTING_CONTEXT_SECONDS)
    with django_assert_num_queries(4):
        assert client.get(ballot_url(cycle)).status_code == 200
