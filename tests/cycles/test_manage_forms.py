"""Forms of the cycle configuration pages: amounts as people type them, dates
and times, lists of days, and places within a person's reach."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django.utils import timezone, translation

from cycles.forms import CycleCreateForm, PesosField
from cycles.forms_settings import PhaseForm, VotingForm, parse_days
from cycles.models import VotingSettings
from tests.cycles.factories import make_cycle


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "pesos"),
    [
        ("1250000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("$ 1.250.000", 1_250_000),
        (" 0 ", 0),
        ("999", 999),
    ],
)
def test_amounts_are_read_with_or_without_thousands_separators(typed, pesos):
    assert PesosField().clean(typed) == pesos


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1.250.000,50", "invalid"),
        ("12.5", "invalid"),
        ("1.25.000", "invalid"),
        ("mil", "invalid"),
        ("-5.000", "negative"),
        ("1" + "0" * 16, "absurd"),
    ],
)
def test_amounts_that_are_not_whole_plausible_pesos_are_refused(typed, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        PesosField().clean(typed)
    assert caught.value.code == code


def test_an_empty_optional_amount_is_none_and_a_stored_one_is_shown_with_dots():
    field = PesosField(required=False)
    assert field.clean("") is None
    assert field.widget.format_value(1_250_000) == "1.250.000"


def test_in_person_days_are_read_from_commas_or_lines_in_either_order_of_writing():
    text = "14/06/2027\n2027-06-13, 14/06/2027;15-06-2027"
    assert parse_days(text) == [date(2027, 6, 13), date(2027, 6, 14), date(2027, 6, 15)]
    assert parse_days("  ") == []


def test_a_day_that_is_not_a_date_is_named_in_the_message():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_days("14/06/2027, el sábado")
    assert "“el sábado” is not a date" in caught.value.messages[0]


def test_voting_form_initial_data_round_trips_the_stored_settings():
    settings = VotingSettings(in_person_days=[date(2027, 6, 14)], accepted_documents=["CC"], min_age=16)
    initial = VotingForm.initial_for(settings)
    assert initial["in_person_days"] == "14/06/2027" and initial["min_age"] == 16
    assert set(initial) == set(VotingForm.base_fields)


def _phase_data(**changes):
    data = {
        "kind": "proposals",
        "start_date": "2027-03-01",
        "start_time": "08:00",
        "end_date": "2027-03-31",
        "end_time": "18:00",
    }
    return {**data, **changes}


def test_a_phase_form_joins_date_and_time_in_the_local_time_zone():
    form = PhaseForm(_phase_data(), units=[], published=False)
    assert form.is_valid(), form.errors
    starts = form.cleaned_data["starts_at"]
    assert timezone.is_aware(starts)
    assert timezone.localtime(starts).replace(tzinfo=None) == datetime(2027, 3, 1, 8, 0)
    assert "reason" not in form.fields


def test_a_published_cycle_asks_for_the_reason_of_a_change():
    form = PhaseForm(_phase_data(), units=[], published=True)
    assert not form.is_valid()
    assert form.errors["reason"] == ["Say why the calendar changes: it is shown publicly."]


@pytest.mark.django_db
def test_a_running_phase_form_keeps_its_kind_and_start_whatever_is_posted():
    cycle = make_cycle("52001")
    phase = cycle.phases.order_by("starts_at").first()
    posted = _phase_data(kind="voting", start_date="2020-01-01", reason="Ampliación")
    form = PhaseForm(posted, initial=PhaseForm.initial_for(phase), units=[], published=True, running=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["kind"] == phase.kind
    assert form.cleaned_data["start_date"] == timezone.localtime(phase.starts_at).date()


@pytest.mark.django_db
def test_the_place_select_offers_only_the_places_given():
    places = [("Municipalities", [("m:52001", "Pasto (Nariño)")])]
    data = {
        "place": "m:68081",
        "methodology": "blank",
        "title": "PP",
        "fiscal_year": "2027",
        "total_amount": "1.000",
        "start_date": "2027-01-01",
    }
    form = CycleCreateForm(data, places=places, organisations=[])
    assert not form.is_valid() and "place" in form.errors
    form = CycleCreateForm({**data, "place": "m:52001"}, places=places, organisations=[])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipality"].code == "52001" and form.cleaned_data["department"] is None


@pytest.mark.django_db
def test_the_secretariat_types_a_municipality_or_picks_a_department_but_not_both():
    data = {
        "methodology": "blank",
        "title": "PP",
        "fiscal_year": "2027",
        "total_amount": "1",
        "start_date": "2027-01-01",
    }
    form = CycleCreateForm({**data, "municipality": "Pasto"}, places=None, organisations=[])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipality"].code == "52001"
    form = CycleCreateForm({**data, "municipality": "52001", "department": "52"}, places=None, organisations=[])
    assert form.errors["department"] == ["Choose a municipality or a department, not both."]
    form = CycleCreateForm(data, places=None, organisations=[])
    assert "municipality" in form.errors
    form = CycleCreateForm({**data, "municipality": "Ciudad Gótica"}, places=None, organisations=[])
    assert "No municipality is called or coded" in form.errors["municipality"][0]


def test_methodologies_are_offered_as_radio_buttons_with_their_summaries():
    html = CycleCreateForm(places=[], organisations=[]).render()
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) == 6 and all('class="form-check-input"' in r and "form-control" not in r for r in radios)
    assert "<strong>Medellín: planning and voting by territory</strong>" in html
    assert "one week of online voting" in html  # the summary is shown, not only the name


def test_a_phase_date_with_an_impossible_year_is_refused_before_it_reaches_the_calendar():
    form = PhaseForm(_phase_data(end_date="9999-12-31"), units=[], published=False)
    assert form.errors["end_date"] == ["Check the year: write a date between 1990 and 2100."]
    assert "ends_at" not in form.cleaned_data


@pytest.mark.django_db
def test_a_rounding_unit_larger_than_the_database_holds_is_refused():
    from cycles.forms import FormulaForm

    data = {"weight_equal": "100", "weight_population": "0", "weight_need": "0", "rounding_unit": "5.000.000.000"}
    form = FormulaForm(data, units=[])
    assert form.errors["rounding_unit"] == ["Round to at most 1.000.000.000 pesos."]
