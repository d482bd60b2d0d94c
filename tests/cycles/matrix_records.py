"""Rows of tests/permission_matrix.py for the cycles URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

The record pages are management pages: people without a role are refused. Who of the
role holders may open each one (role × own/other municipality) is in
tests/cycles/test_records_views.py. Imports happen inside the functions: this module is
read by tests/permission_matrix.py before Django is set up.
"""

MANAGE = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}


def a_cycle():
    from tests.cycles.factories import make_cycle

    return {"cycle_pk": make_cycle().pk}


def _an_assembly():
    from django.utils import timezone

    from cycles.models import Assembly
    from tests.cycles.factories import make_cycle

    cycle = make_cycle()
    now = timezone.now()
    return Assembly.objects.create(
        cycle=cycle, unit=cycle.units.first(), kind="cabildo", held_at=now, place="Salón comunal", recorded_at=now
    )


def an_assembly():
    return {"pk": _an_assembly().pk}


def a_delegate():
    from datetime import date

    from cycles.models import Delegate

    assembly = _an_assembly()
    delegate = Delegate.objects.create(
        cycle=assembly.cycle,
        unit=assembly.unit,
        assembly=assembly,
        name="Delegada",
        term_start=date(2027, 1, 1),
        term_end=date(2027, 12, 31),
    )
    return {"pk": delegate.pk}


def a_plan():
    from cycles.models import DevelopmentPlan
    from tests.nodes.factories import municipality

    plan = DevelopmentPlan.objects.create(
        municipality=municipality("52001"), name="Plan de desarrollo", start_year=2024, end_year=2027
    )
    return {"pk": plan.pk}


ROWS: dict = {
    "cycles-records:assembly-list": (a_cycle, MANAGE),
    "cycles-records:assembly-create": (a_cycle, MANAGE),
    "cycles-records:assembly-edit": (an_assembly, MANAGE),
    "cycles-records:assembly-decisions": (an_assembly, MANAGE),
    "cycles-records:assembly-scan": (an_assembly, MANAGE),
    "cycles-records:delegate-list": (a_cycle, MANAGE),
    "cycles-records:delegate-remove": (a_delegate, MANAGE),
    "cycles-records:plan-list": ({"code": "52001"}, MANAGE),
    "cycles-records:plan-detail": (a_plan, MANAGE),
    "cycles-records:plan-import": (a_plan, MANAGE),
}
