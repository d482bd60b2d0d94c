"""Services writing a cycle's configuration: each success, each refusal (with nothing
saved half-way), the audit entries, and who may call them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import AuditEntry
from cycles.allocation import Figures, cycle_units_set, envelopes_apply_formula, envelopes_set_fixed
from cycles.models import Cycle, CycleStatus, CycleStep, CycleTerritory, EnvelopeMode, Phase, VotingSettings
from cycles.services import cycle_clone, cycle_create, cycle_problems, cycle_publish, cycle_update, voting_update
from tests.cycles.conftest import make_actor
from tests.cycles.factories import make_cycle, secretariat, territories
from tests.nodes.factories import municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def audit_count(action: str, cycle: Cycle) -> int:
    return AuditEntry.objects.filter(action=action, subject=f"cycles.cycle:{cycle.pk}").count()


def update_kwargs(cycle: Cycle, **changes) -> dict:
    values = {
        "title": cycle.title,
        "fiscal_year": cycle.fiscal_year,
        "total_amount": cycle.total_amount,
        "convener_kind": cycle.convener_kind,
        "convener_organisation": cycle.convener_organisation,
    }
    return values | changes


@pytest.fixture
def boss():
    return secretariat()


@pytest.fixture
def cycle(boss):
    """A draft Medellín-style cycle of Pasto: 3 comunas, 3.000 million split equally (1.000 million each)."""
    return make_cycle("52001", actor=boss, total=3_000_000_000)


# --- Creating and basics -----------------------------------------------------------


def test_cycle_create_refuses_an_absurd_fiscal_year_with_a_message(boss):
    territories("52001")
    with pytest.raises(ValidationError) as caught:
        cycle_create(
            actor=boss,
            methodology="blank",
            title="Ciclo",
            fiscal_year=27,
            total_amount=1,
            start_date=date(2027, 1, 1),
            municipality=municipality("52001"),
        )
    assert "fiscal_year" in caught.value.error_dict
    assert not Cycle.objects.exists()


def test_cycle_create_refuses_a_negative_total(boss):
    territories("52001")
    with pytest.raises(ValidationError) as caught:
        cycle_create(
            actor=boss,
            methodology="blank",
            title="Ciclo",
            fiscal_year=2027,
            total_amount=-1,
            start_date=date(2027, 1, 1),
            municipality=municipality("52001"),
        )
    assert codes(caught.value) == {"negative_amount"}
    assert not Cycle.objects.exists()


def test_cycle_create_refuses_an_organisation_convener_without_the_organisation(boss):
    territories("52001")
    with pytest.raises(ValidationError) as caught:
        cycle_create(
            actor=boss,
            methodology="barrancabermeja",
            title="Ciclo",
            fiscal_year=2027,
            total_amount=1,
            start_date=date(2027, 1, 1),
            municipality=municipality("52001"),
        )
    assert "convener_organisation" in caught.value.error_dict
    assert not Cycle.objects.exists()


def test_cycle_update_changes_the_basics_and_audits_the_total(boss, cycle):
    cycle_update(actor=boss, cycle=cycle, **update_kwargs(cycle, title="  Nuevo título ", total_amount=4_000_000_000))
    cycle.refresh_from_db()
    assert (cycle.title, cycle.total_amount) == ("Nuevo título", 4_000_000_000)
    entry = AuditEntry.objects.get(action="cycles.cycle_updated")
    assert entry.data == {"total_amount": [3_000_000_000, 4_000_000_000], "plan": None}


def test_cycle_update_refuses_a_total_below_the_envelopes_and_keeps_the_old_one(boss, cycle):
    with pytest.raises(ValidationError) as caught:
        cycle_update(actor=boss, cycle=cycle, **update_kwargs(cycle, total_amount=2_999_999_999))
    assert codes(caught.value) == {"total_below_envelopes"}
    assert "$ 3,000,000,000" in caught.value.error_dict["total_amount"][0].message % {}
    cycle.refresh_from_db()
    assert cycle.total_amount == 3_000_000_000
    assert audit_count("cycles.cycle_updated", cycle) == 0


def test_cycle_update_accepts_a_total_equal_to_the_envelopes(boss, cycle):
    cycle_update(actor=boss, cycle=cycle, **update_kwargs(cycle, total_amount=3_000_000_000))


def test_cycle_update_refuses_an_empty_title_and_a_bad_year(boss, cycle):
    with pytest.raises(ValidationError):
        cycle_update(actor=boss, cycle=cycle, **update_kwargs(cycle, title="   "))
    with pytest.raises(ValidationError) as caught:
        cycle_update(actor=boss, cycle=cycle, **update_kwargs(cycle, fiscal_year=3000))
    assert "fiscal_year" in caught.value.error_dict
    cycle.refresh_from_db()
    assert cycle.fiscal_year == 2027


# --- Units and envelopes -------------------------------------------------------------


def units_of(cycle: Cycle) -> list[CycleTerritory]:
    return list(cycle.units.order_by("position"))


def test_envelopes_set_fixed_stores_the_amounts_and_audits(boss, cycle):
    a, b, c = units_of(cycle)
    envelopes_set_fixed(actor=boss, cycle=cycle, amounts={a.pk: 1_500_000_000, b.pk: 500_000_000, c.pk: 0})
    assert [u.amount for u in units_of(cycle)] == [1_500_000_000, 500_000_000, 0]
    cycle.refresh_from_db()
    assert cycle.envelope_mode == EnvelopeMode.FIXED
    assert audit_count("cycles.envelopes_set", cycle) == 2  # the formula of make_cycle, then this


def test_envelopes_over_the_total_are_refused_and_nothing_is_saved(boss, cycle):
    a = units_of(cycle)[0]
    with pytest.raises(ValidationError) as caught:
        envelopes_set_fixed(actor=boss, cycle=cycle, amounts={a.pk: 1_000_000_001})  # the others keep 1.000 million
    assert codes(caught.value) == {"over_total"}
    assert "$ 3,000,000,001" in caught.value.messages[0]
    assert [u.amount for u in units_of(cycle)] == [1_000_000_000] * 3
    cycle.refresh_from_db()
    assert cycle.envelope_mode == EnvelopeMode.FORMULA
    assert audit_count("cycles.envelopes_set", cycle) == 1


def test_envelopes_for_a_unit_of_another_cycle_are_refused(boss, cycle):
    stranger = make_cycle("52001", actor=boss).units.first()
    with pytest.raises(ValidationError) as caught:
        envelopes_set_fixed(actor=boss, cycle=cycle, amounts={stranger.pk: 1})
    assert codes(caught.value) == {"unknown_unit"}


def test_a_negative_envelope_is_refused(boss, cycle):
    with pytest.raises(ValidationError) as caught:
        envelopes_set_fixed(actor=boss, cycle=cycle, amounts={units_of(cycle)[0].pk: -5})
    assert codes(caught.value) == {"negative_amount"}


def test_envelopes_cannot_change_once_a_step_was_taken(boss, cycle):
    CycleStep.objects.create(cycle=cycle, step="close_proposals", done_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        envelopes_set_fixed(actor=boss, cycle=cycle, amounts={units_of(cycle)[0].pk: 1})
    assert codes(caught.value) == {"envelopes_closed"}
    with pytest.raises(ValidationError):
        envelopes_apply_formula(actor=boss, cycle=cycle, weights=(100, 0, 0))


def test_envelopes_apply_formula_splits_by_population_in_rounding_units(boss, cycle):
    cycle = make_cycle("52001", actor=boss, total=1_000_000_001)
    a, b, c = units_of(cycle)
    figures = {a.pk: Figures(1, None), b.pk: Figures(1, None), c.pk: Figures(1, None)}
    result = envelopes_apply_formula(actor=boss, cycle=cycle, weights=(0, 100, 0), rounding_unit=1000, figures=figures)
    assert [u.amount for u in units_of(cycle)] == [333_334_000, 333_333_000, 333_333_000]
    assert result.unassigned == 1
    entry = AuditEntry.objects.filter(action="cycles.envelopes_set").last()
    assert entry.data["unassigned"] == 1 and entry.data["weights"] == [0, 100, 0]


def test_envelopes_apply_formula_with_a_citywide_envelope_splits_the_rest(boss, cycle):
    units = cycle_units_set(actor=boss, cycle=cycle, territories=[u.territory for u in units_of(cycle)], citywide=True)
    assert len(units) == 4
    envelopes_apply_formula(actor=boss, cycle=cycle, weights=(100, 0, 0), citywide_amount=300_000_000)
    amounts = sorted(u.amount for u in units_of(cycle))
    assert amounts == [300_000_000, 900_000_000, 900_000_000, 900_000_000]


@pytest.mark.parametrize(
    ("weights", "figures", "code"),
    [
        ((50, 30, 30), None, "weights_not_100"),
        ((0, 100, 0), None, "population_missing"),
        ((0, 0, 100), None, "need_index_missing"),
        ((0, 0, 100), "zero", "need_index_zero"),
        ((100, 0, 0), "negative_population", "bad_population"),
        ((0, 0, 100), "negative_need", "bad_need_index"),
    ],
)
def test_envelopes_apply_formula_refusals_save_nothing(boss, cycle, weights, figures, code):
    a, b, c = units_of(cycle)
    given = {
        None: None,
        "zero": {u.pk: Figures(10, Decimal(0)) for u in (a, b, c)},
        "negative_population": {a.pk: Figures(-3, None)},
        "negative_need": {a.pk: Figures(None, Decimal("-0.5"))},
    }[figures]
    with pytest.raises(ValidationError) as caught:
        envelopes_apply_formula(actor=boss, cycle=cycle, weights=weights, figures=given)
    assert codes(caught.value) == {code}
    cycle.refresh_from_db()
    assert (cycle.weight_equal, cycle.weight_population, cycle.weight_need) == (100, 0, 0)
    assert [(u.amount, u.population, u.need_index) for u in units_of(cycle)] == [(1_000_000_000, None, None)] * 3
    assert audit_count("cycles.envelopes_set", cycle) == 1


def test_need_indices_are_stored_as_they_were_split(boss, cycle):
    a, b, c = units_of(cycle)
    figures = {a.pk: Figures(None, Decimal("0.33333333")), b.pk: Figures(None, 1), c.pk: Figures(None, 1)}
    envelopes_apply_formula(actor=boss, cycle=cycle, weights=(0, 0, 100), figures=figures)
    assert units_of(cycle)[0].need_index == Decimal("0.3333")


def test_cycle_units_set_refuses_territories_of_another_municipality(boss, cycle):
    foreign = territories("68081", 1)
    with pytest.raises(ValidationError) as caught:
        cycle_units_set(actor=boss, cycle=cycle, territories=foreign)
    assert codes(caught.value) == {"other_municipality"}
    assert cycle.units.count() == 3


def test_cycle_units_set_adds_and_removes_units(boss, cycle):
    keep = units_of(cycle)[0].territory
    extra = territories("52001", 1)[0]
    cycle_units_set(actor=boss, cycle=cycle, territories=[keep, extra])
    assert {u.territory for u in cycle.units.all()} == {keep, extra}
    assert audit_count("cycles.units_set", cycle) == 1


def test_the_units_of_a_published_cycle_are_frozen(boss):
    cycle = make_cycle("52001", actor=boss, published=True)
    with pytest.raises(ValidationError) as caught:
        cycle_units_set(actor=boss, cycle=cycle, territories=[units_of(cycle)[0].territory])
    assert codes(caught.value) == {"published"}
    assert cycle.units.count() == 3


# --- Voting settings -----------------------------------------------------------------


def test_voting_update_changes_the_settings_before_voting_opens(boss, cycle):
    voting_update(actor=boss, cycle=cycle, ballot_type="single", max_selections=1, min_age=16)
    cycle.voting.refresh_from_db()
    assert (cycle.voting.ballot_type, cycle.voting.min_age) == ("single", 16)
    assert audit_count("cycles.voting_updated", cycle) == 1


def test_voting_rules_freeze_once_voting_has_opened(boss, cycle):
    vote = cycle.phases.get(kind="voting")
    with pytest.raises(ValidationError) as caught:
        voting_update(actor=boss, cycle=cycle, now=vote.starts_at, min_age=16)
    assert codes(caught.value) == {"voting_started"}
    voting_update(actor=boss, cycle=cycle, now=vote.starts_at - timedelta(seconds=1), min_age=16)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ballot_type": "wallet", "wallet_amount": 1_000_000, "wallet_block": 300_000}, "wallet_block"),
        ({"ballot_type": "wallet", "wallet_amount": None, "wallet_block": None}, "wallet_amount"),
        ({"ballot_type": "single", "max_selections": 3}, "max_selections"),
        ({"min_selections": 5, "max_selections": 2}, "max_selections"),
        ({"min_selections": -1}, "min_selections"),
        ({"min_age": 5}, "min_age"),
        ({"accepted_documents": []}, "accepted_documents"),
        ({"accepted_documents": ["CC", "LIBRETA"]}, "accepted_documents"),
        ({"online": False, "in_person_days": []}, "online"),
    ],
)
def test_voting_update_refuses_inconsistent_settings_and_saves_nothing(boss, cycle, values, field):
    with pytest.raises(ValidationError) as caught:
        voting_update(actor=boss, cycle=cycle, **values)
    assert field in caught.value.error_dict
    cycle.voting.refresh_from_db()
    assert (cycle.voting.ballot_type, cycle.voting.min_age, cycle.voting.online) == ("approval", 14, True)


# --- Publishing ----------------------------------------------------------------------


def test_publish_is_refused_with_the_problems_listed(boss, cycle):
    envelopes_set_fixed(actor=boss, cycle=cycle, amounts={u.pk: 0 for u in units_of(cycle)})
    VotingSettings.objects.filter(cycle=cycle).update(accepted_documents=[])  # as if written past the service
    problems = cycle_problems(Cycle.objects.get(pk=cycle.pk))
    assert "No envelope has money yet: set the envelopes." in problems
    assert "Accept at least one kind of document." in problems
    with pytest.raises(ValidationError) as caught:
        cycle_publish(actor=boss, cycle=cycle)
    assert caught.value.code == "not_ready"
    assert "No envelope has money yet" in caught.value.messages[0]
    assert "Accept at least one kind of document." in caught.value.messages[0]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT and cycle.published_at is None
    assert audit_count("cycles.cycle_published", cycle) == 0


def test_a_cycle_without_phases_cannot_be_published(boss, cycle):
    Phase.objects.filter(cycle=cycle).delete()
    assert "The cycle has no phases." in cycle_problems(cycle)


def test_publish_stamps_the_cycle_once_and_audits(boss, cycle):
    assert cycle_problems(cycle) == []
    moment = timezone.now()
    cycle_publish(actor=boss, cycle=cycle, now=moment)
    cycle_publish(actor=boss, cycle=cycle, now=moment + timedelta(days=1))
    cycle.refresh_from_db()
    assert (cycle.status, cycle.published_at) == (CycleStatus.PUBLISHED, moment)
    assert audit_count("cycles.cycle_published", cycle) == 1


# --- Cloning -------------------------------------------------------------------------


def test_clone_shifts_the_phases_and_copies_units_figures_and_voting(boss, cycle):
    a, b, c = units_of(cycle)
    envelopes_apply_formula(
        actor=boss,
        cycle=cycle,
        weights=(0, 100, 0),
        figures={a.pk: Figures(100, Decimal("0.5")), b.pk: Figures(200, None), c.pk: Figures(700, None)},
    )
    voting_update(actor=boss, cycle=cycle, min_age=16)
    vote = cycle.phases.get(kind="voting")
    territorial = Phase.objects.create(
        cycle=cycle,
        kind="information",
        starts_at=vote.ends_at + timedelta(days=400),
        ends_at=vote.ends_at + timedelta(days=401),
        for_all_units=False,
    )
    territorial.units.set([b])
    cycle_publish(actor=boss, cycle=cycle)
    old_first = cycle.phases.order_by("starts_at").first().starts_at
    new_start = timezone.localtime(old_first).date() + timedelta(days=365)

    copy = cycle_clone(
        actor=boss, cycle=cycle, title="Presupuesto participativo 2028", fiscal_year=2028, start_date=new_start
    )

    assert (copy.status, copy.published_at, copy.cloned_from, copy.fiscal_year) == ("draft", None, cycle, 2028)
    old_phases = list(cycle.phases.order_by("starts_at"))
    new_phases = list(copy.phases.order_by("starts_at"))
    assert [p.kind for p in new_phases] == [p.kind for p in old_phases]
    assert all(n.starts_at - o.starts_at == timedelta(days=365) for o, n in zip(old_phases, new_phases, strict=True))
    assert all(n.ends_at - o.ends_at == timedelta(days=365) for o, n in zip(old_phases, new_phases, strict=True))
    copied = units_of(copy)
    assert [(u.territory_id, u.population, u.need_index, u.amount) for u in copied] == [
        (u.territory_id, u.population, u.need_index, u.amount) for u in units_of(cycle)
    ]
    assert {u.pk for u in copied}.isdisjoint({a.pk, b.pk, c.pk})
    new_territorial = copy.phases.get(for_all_units=False)
    assert [u.territory_id for u in new_territorial.units.all()] == [b.territory_id]
    assert copy.voting.pk != cycle.voting.pk and copy.voting.min_age == 16
    assert copy.voting.in_person_days == [d + timedelta(days=365) for d in cycle.voting.in_person_days]
    assert AuditEntry.objects.get(action="cycles.cycle_cloned").data == {"from": cycle.pk}
    assert [u.pk for u in units_of(cycle)] == [a.pk, b.pk, c.pk], "the source keeps its own units"


# --- Who may call the services -------------------------------------------------------

ROLES = [
    "secretariat",
    "coordinator",
    "manager",
    "organisation_manager",
    "reviewer",
    "station_officer",
    "monitor",
    "plain_user",
]
MAY_CHANGE_OWN = {"secretariat", "coordinator", "manager"}


def side_cycle(scene, side: str, **extra) -> Cycle:
    place = scene.own_municipality if side == "own" else scene.other_municipality
    return make_cycle(place, **extra)


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_a_cycle(scene, role, side):
    cycle = side_cycle(scene, side)
    person = make_actor(role, scene)
    allowed = role == "secretariat" or (side == "own" and role in MAY_CHANGE_OWN)
    calls = [
        lambda: cycle_update(actor=person, cycle=cycle, **update_kwargs(cycle, title="Cambiado")),
        lambda: envelopes_set_fixed(actor=person, cycle=cycle, amounts={}),
        lambda: envelopes_apply_formula(actor=person, cycle=cycle, weights=(100, 0, 0)),
        lambda: voting_update(actor=person, cycle=cycle, min_age=15),
        lambda: cycle_units_set(actor=person, cycle=cycle, territories=[u.territory for u in units_of(cycle)]),
        lambda: cycle_publish(actor=person, cycle=cycle),
        lambda: cycle_clone(actor=person, cycle=cycle, title="Copia", fiscal_year=2028, start_date=date(2028, 1, 1)),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    cycle.refresh_from_db()
    assert (cycle.title == "Cambiado") is allowed
    assert Cycle.objects.count() == (2 if allowed else 1)


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_cycle(scene, role, side):
    place = scene.own_municipality if side == "own" else scene.other_municipality
    territories(place)
    person = make_actor(role, scene)
    allowed = role == "secretariat" or (side == "own" and role in MAY_CHANGE_OWN)

    def call():
        return cycle_create(
            actor=person,
            methodology="blank",
            title="Ciclo",
            fiscal_year=2027,
            total_amount=1,
            start_date=date(2027, 1, 1),
            municipality=place,
        )

    if allowed:
        call()
    else:
        with pytest.raises(PermissionDenied):
            call()
    assert Cycle.objects.count() == (1 if allowed else 0)


def test_the_managers_of_the_convening_organisation_may_change_its_cycle(scene):
    scene.other_organisation.nodes.add(scene.own_node)  # it works in both regions
    person = make_actor("organisation_manager", scene)
    convened = make_cycle(
        scene.own_municipality, convener_kind="organisation", convener_organisation=scene.own_organisation
    )
    cycle_update(actor=person, cycle=convened, **update_kwargs(convened, title="Cambiado"))
    other = make_cycle(
        scene.own_municipality, convener_kind="organisation", convener_organisation=scene.other_organisation
    )
    with pytest.raises(PermissionDenied):
        cycle_update(actor=person, cycle=other, **update_kwargs(other, title="Cambiado"))


def test_an_organisation_manager_creates_only_cycles_their_organisation_convenes(scene):
    from django.core.exceptions import PermissionDenied

    from cycles.models import Cycle

    scene.own_organisation.municipality = scene.own_municipality
    scene.own_organisation.save()
    manager = make_actor("organisation_manager", scene)
    territories(scene.own_municipality)
    common = {
        "actor": manager,
        "methodology": "barrancabermeja",
        "title": "PP comunitario",
        "fiscal_year": 2027,
        "total_amount": 1_000_000,
        "start_date": date(2027, 1, 1),
        "municipality": scene.own_municipality,
    }
    with pytest.raises(PermissionDenied, match="Choose your organisation as the convener"):
        cycle_create(**common, convener_kind="municipal_government")
    assert not Cycle.objects.exists()
    cycle = cycle_create(**common, convener_kind="organisation", convener_organisation=scene.own_organisation)
    assert manager.has_perm("cycles.change_cycle", cycle)


def test_a_convener_must_work_in_the_place_of_the_cycle(scene):
    """Naming an organisation hands the cycle to its managers: only one of the place or its node."""
    from cycles.models import Cycle

    with pytest.raises(ValidationError) as caught:
        make_cycle(scene.own_municipality, convener_kind="organisation", convener_organisation=scene.other_organisation)
    assert codes(caught.value) == {"convener_organisation"}
    assert not Cycle.objects.exists()
