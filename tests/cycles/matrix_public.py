"""Rows of tests/permission_matrix.py for the cycles URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

Every public page of a published cycle answers 200 to everybody; drafts (404 for
people who do not manage them) are covered in tests/cycles/test_public_views.py.
"""

EVERYBODY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 200)


def a_published_cycle():
    from tests.cycles.factories import make_cycle

    return {"pk": make_cycle(published=True).pk}


def _an_assembly(*, with_scan: bool):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cycles.models import Assembly
    from tests.cycles.factories import make_cycle

    cycle = make_cycle(published=True)
    assembly = Assembly(
        cycle=cycle,
        unit=cycle.units.first(),
        kind="cabildo",
        held_at=timezone.now(),
        place="Salón comunal",
        recorded_at=timezone.now(),
    )
    if with_scan:
        assembly.minutes_scan_type, assembly.minutes_scan_name = "application/pdf", "acta.pdf"
        assembly.minutes_scan.save("acta.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    assembly.save()
    return {"pk": cycle.pk, "assembly_pk": assembly.pk}


def an_assembly():
    return _an_assembly(with_scan=False)


def an_assembly_with_a_scan():
    return _an_assembly(with_scan=True)


ROWS: dict = {
    "cycles:cycle-list": ({}, EVERYBODY),
    "cycles:cycle-detail": (a_published_cycle, EVERYBODY),
    "cycles:assembly-detail": (an_assembly, EVERYBODY),
    "cycles:assembly-scan": (an_assembly_with_a_scan, EVERYBODY),
}
