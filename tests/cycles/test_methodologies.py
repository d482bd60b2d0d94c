"""Methodology templates become editable cycles through ``cycles.services.cycle_create``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import AuditEntry
from cycles.methodologies import METHODOLOGIES
from cycles.models import BallotType, CountingMethod, Cycle, DecidedBy, Phase, VotingSettings
from cycles.phases import PHASE_KINDS, conflicts
from cycles.selectors import cycle_windows
from cycles.services import cycle_create
from nodes.models import Territory
from tests.cycles.factories import secretariat, territories
from tests.nodes.factories import OrganisationFactory, municipality

pytestmark = pytest.mark.django_db

START = date(2027, 2, 1)


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def create(key: str, place="52001", **extra) -> Cycle:
    place = municipality(place) if isinstance(place, str) else place
    if not Territory.objects.filter(municipality=place).exists():
        territories(place)
    if key in METHODOLOGIES and METHODOLOGIES[key].convener_kind == "organisation":
        extra.setdefault("convener_organisation", OrganisationFactory(municipality=place))
    return cycle_create(
        actor=secretariat(),
        methodology=key,
        title=f"Ciclo {key}",
        fiscal_year=2027,
        total_amount=1_000_000_000,
        start_date=START,
        municipality=place,
        **extra,
    )


@pytest.mark.parametrize("key", list(METHODOLOGIES))
def test_every_template_creates_a_draft_with_its_phases_dated_from_the_start(key):
    template = METHODOLOGIES[key]
    cycle = create(key)
    phases = list(cycle.phases.order_by("starts_at"))
    assert [(p.kind, p.title) for p in phases] == [(t.kind, str(t.title)) for t in template.phases]
    for phase, planned in zip(phases, template.phases, strict=True):
        assert phase.starts_at == midnight(START + timedelta(days=planned.offset_days))
        assert phase.ends_at == midnight(START + timedelta(days=planned.offset_days + planned.duration_days))
        assert phase.for_all_units
    assert cycle.status == "draft"
    assert cycle.methodology == key
    assert cycle.units.count() == 3
    assert (cycle.weight_equal, cycle.weight_population, cycle.weight_need) == template.weights


@pytest.mark.parametrize("key", list(METHODOLOGIES))
def test_no_template_has_overlapping_or_unknown_phases(key):
    assert all(p.kind in PHASE_KINDS and p.duration_days > 0 for p in METHODOLOGIES[key].phases)
    assert conflicts(cycle_windows(create(key))) == []


@pytest.mark.parametrize("key", list(METHODOLOGIES))
def test_every_template_writes_one_creation_audit_entry(key):
    cycle = create(key)
    entries = AuditEntry.objects.filter(action="cycles.cycle_created", subject=f"cycles.cycle:{cycle.pk}")
    assert entries.count() == 1


def test_template_phases_are_editable_rows_of_the_cycle():
    first = create("medellin")
    second = create("medellin")
    phase = first.phases.order_by("starts_at").first()
    Phase.objects.filter(pk=phase.pk).update(title="Planeación local 2027")
    assert second.phases.order_by("starts_at").first().title == str(METHODOLOGIES["medellin"].phases[0].title)


def test_bogota_defaults_to_a_wallet_of_a_million_in_blocks_of_100000_over_up_to_10():
    voting = create("bogota").voting
    assert voting.ballot_type == BallotType.WALLET
    assert (voting.wallet_amount, voting.wallet_block, voting.max_selections) == (1_000_000, 100_000, 10)
    assert voting.min_age == 14 and voting.online


def test_risaralda_defaults_to_a_single_choice_with_one_winner_on_the_voting_day():
    cycle = create("risaralda")
    voting = cycle.voting
    assert voting.ballot_type == BallotType.SINGLE
    assert voting.max_selections == 1
    assert voting.counting_method == CountingMethod.ONE_WINNER
    assert not voting.online
    vote_day = cycle.phases.get(kind="voting_and_delegates")
    assert voting.in_person_days == [timezone.localtime(vote_day.starts_at).date()]


def test_medellin_defaults_to_14_and_over_online_plus_an_in_person_last_day():
    cycle = create("medellin")
    voting = cycle.voting
    assert voting.min_age == 14
    assert voting.online
    vote = cycle.phases.get(kind="voting")
    assert vote.ends_at - vote.starts_at == timedelta(days=7)
    assert voting.in_person_days == [timezone.localtime(vote.ends_at).date() - timedelta(days=1)]
    assert voting.max_selections == 13


@pytest.mark.parametrize("key", ["pasto", "barrancabermeja"])
def test_assembly_templates_decide_in_person_on_the_last_deciding_assembly(key):
    cycle = create(key)
    voting = cycle.voting
    assert voting.decided_by in (DecidedBy.ASSEMBLY, DecidedBy.DELEGATES)
    assert not voting.online
    deciding = cycle.phases.get(kind="assembly_decision")
    assert voting.in_person_days == [timezone.localtime(deciding.ends_at).date() - timedelta(days=1)]


@translation.override("en")
def test_a_municipality_without_territories_is_refused_and_nothing_is_created():
    bare = municipality("68081")
    assert not Territory.objects.filter(municipality=bare).exists()
    with pytest.raises(ValidationError) as caught:
        cycle_create(
            actor=secretariat(),
            methodology="pasto",
            title="Sin territorios",
            fiscal_year=2027,
            total_amount=1_000,
            start_date=START,
            municipality=bare,
        )
    assert caught.value.code == "no_territories"
    assert "has no territories yet" in caught.value.messages[0]
    assert str(bare) in caught.value.messages[0]
    assert not Cycle.objects.exists()
    assert not Phase.objects.exists()
    assert not VotingSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="cycles.cycle_created").exists()


def test_an_unknown_methodology_is_refused():
    with pytest.raises(ValidationError) as caught:
        create("porto_alegre")
    assert "methodology" in caught.value.error_dict
    assert not Cycle.objects.exists()
