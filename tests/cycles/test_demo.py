"""The demo cycles load through the services, sit in the phases the issue names, and load only once."""

from __future__ import annotations

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from accounts.models import AuditEntry, User
from cycles import demo
from cycles.models import Assembly, AssemblyDecision, Cycle, CycleStep, CycleTerritory, Delegate, Phase, PhaseChange
from cycles.phases import Capability, applicable_steps, running
from cycles.selectors import capability_open, cycle_windows
from cycles.services import cycle_problems
from nodes import demo as nodes_demo
from nodes.models import Territory
from tests.cycles.factories import at

pytestmark = pytest.mark.django_db


def load_all() -> None:
    nodes_demo.load()
    demo.load()


def current(code: str) -> Cycle:
    """The place's latest published cycle."""
    return Cycle.objects.published().filter(municipality_id=code).order_by("-fiscal_year")[0]


def past_cycles() -> list[Cycle]:
    return [c for c in Cycle.objects.published() if c != current(c.municipality_id)]


def running_kinds(cycle: Cycle) -> list[str]:
    return [w.kind for w in running(cycle_windows(cycle), timezone.now())]


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Cycle,
            CycleTerritory,
            Phase,
            PhaseChange,
            CycleStep,
            Assembly,
            AssemblyDecision,
            Delegate,
            Territory,
            AuditEntry,
        )
    )


def assert_current_cycles_in_their_phases() -> None:
    now = timezone.now()
    pasto, barranca, medellin = current("52001"), current("68081"), current("05001")

    assert running_kinds(pasto) == ["assembly_decision"]
    assert capability_open(pasto, Capability.VOTE, now)
    assert capability_open(pasto, Capability.DELIBERATE, now)

    assert running_kinds(barranca) == ["diagnosis"]
    assert capability_open(barranca, Capability.DIAGNOSE, now)
    assert not capability_open(barranca, Capability.VOTE, now)
    assert barranca.convener_organisation.name == "Equipo Multisectorial del Magdalena Medio"

    assert running_kinds(medellin) == ["voting"]
    assert capability_open(medellin, Capability.VOTE, now)
    assert not capability_open(medellin, Capability.PROPOSE, now)


@pytest.mark.parametrize("day", ["2027-01-02", "2027-12-30"])
def test_demo_dates_follow_the_day_it_is_loaded_even_at_the_turn_of_the_year(day):
    with time_machine.travel(at(day, 7), tick=False):
        assert_loads_in_place()


def assert_loads_in_place() -> None:
    load_all()
    assert_current_cycles_in_their_phases()
    now = timezone.now()
    assert len(past_cycles()) == 2
    assert all(max(w.ends_at for w in cycle_windows(c)) <= now for c in past_cycles())


@pytest.fixture(scope="class")
def loaded_demo(shared_rows) -> None:
    """The demo loaded once for the tests below, which only read it (see ``shared_rows``)."""
    with shared_rows():
        load_all()


class TestTheLoadedDemo:
    def test_demo_puts_pasto_in_cabildos_barrancabermeja_in_diagnosis_and_medellin_in_voting(self, loaded_demo):
        assert_current_cycles_in_their_phases()
        assert [current(code).methodology for code in ("52001", "68081", "05001")] == [
            "pasto",
            "barrancabermeja",
            "medellin",
        ]
        assert current("05001").units.count() == 21
        assert current("68081").units.count() == 13
        assert current("52001").units.count() >= 6

    def test_demo_envelopes_never_exceed_totals_and_every_cycle_is_ready_to_publish(self, loaded_demo):
        cycles = list(Cycle.objects.annotate(assigned=Sum("units__amount")))
        assert len(cycles) == 6
        for cycle in cycles:
            assert 0 < cycle.assigned <= cycle.total_amount, cycle.title
            assert cycle.total_amount - cycle.assigned < cycle.units.count() * cycle.rounding_unit, cycle.title
            assert cycle_problems(cycle) == [], cycle.title
        assert Cycle.objects.filter(status="draft").count() == 1

    def test_demo_medellin_envelopes_follow_need_and_population(self, loaded_demo):
        units = {u.territory.name: u.amount for u in current("05001").units.select_related("territory")}
        assert units["Comuna 1 Popular"] > 2 * units["Comuna 14 El Poblado"]
        assert all(amount % 1_000_000 == 0 for amount in units.values())

    def test_demo_past_cycles_are_over_with_every_step_taken(self, loaded_demo):
        now = timezone.now()
        past = past_cycles()
        assert sorted(c.municipality_id for c in past) == ["05001", "52001"]
        for cycle in past:
            windows = cycle_windows(cycle)
            assert cycle.is_published
            assert max(w.ends_at for w in windows) <= now
            steps = set(cycle.steps.values_list("step", flat=True))
            assert steps == {s.value for s in applicable_steps(windows)}
            assert len(steps) == 4
            assert cycle.fiscal_year == current(cycle.municipality_id).fiscal_year - 1
        draft = Cycle.objects.get(status="draft")
        assert (draft.municipality_id, draft.fiscal_year) == ("52001", current("52001").fiscal_year + 1)

    def test_demo_cabildos_record_attendance_a_ranking_within_the_ceiling_and_spokespeople(self, loaded_demo):
        pasto = current("52001")
        cabildos = Assembly.objects.filter(cycle=pasto, kind="cabildo").select_related("unit", "phase")
        assert cabildos.count() == 2
        assert Assembly.objects.filter(cycle=pasto, kind="pre_cabildo").count() == 2
        now = timezone.now()
        for assembly in Assembly.objects.filter(cycle__municipality_id__in=["52001", "68081"]):
            assert assembly.women + assembly.men + assembly.other_gender == assembly.attendance
            assert assembly.age_14_17 + assembly.age_18_28 + assembly.age_29_59 + assembly.age_60_plus == (
                assembly.attendance
            )
            assert assembly.phase.starts_at <= assembly.held_at < min(assembly.phase.ends_at, now)
            assert assembly.minutes
        for cabildo in cabildos:
            decisions = list(cabildo.decisions.all())
            assert 4 <= len(decisions) <= 5
            assert [d.rank for d in decisions] == list(range(1, len(decisions) + 1))
            assert 0 < sum(d.amount for d in decisions) <= cabildo.unit.amount
            assert cabildo.delegates.count() == 2
        assert Delegate.objects.filter(cycle=pasto).count() == 4

    def test_demo_cycles_are_run_by_the_demo_managers_of_each_place(self, loaded_demo):
        for email, code in (
            ("gestor.pasto@demo.redplypp.co", "52001"),
            ("gestora.multisectorial@demo.redplypp.co", "68081"),
            ("coordinador.antioquia@demo.redplypp.co", "05001"),
        ):
            manager = User.objects.get(email=email)
            assert current(code).created_by == manager
            assert manager.has_perm("cycles.change_cycle", current(code))
        assert not User.objects.get(email="gestor.pasto@demo.redplypp.co").has_perm(
            "cycles.change_cycle", current("05001")
        )


def test_demo_load_twice_creates_nothing_new():
    load_all()
    before = counts()
    demo.load()
    assert counts() == before
