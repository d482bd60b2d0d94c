"""DIVIPOLA: loaded by migrate, reloaded idempotently by the service and the command."""

import pytest
from django.core.management import call_command

from accounts.models import AuditEntry
from nodes.models import Department, Municipality
from nodes.services import divipola_load

pytestmark = pytest.mark.django_db


def test_migrate_loads_every_department_and_municipality():
    assert Department.objects.count() == 33
    assert Municipality.objects.count() == 1122


def test_codes_keep_leading_zeros_and_names_are_title_case():
    medellin = Municipality.objects.select_related("department").get(code="05001")
    assert medellin.name == "Medellín"
    assert medellin.department.code == "05"
    assert medellin.department.name == "Antioquia"
    assert Municipality.objects.get(code="54001").name == "San José de Cúcuta"
    assert Municipality.objects.get(code="11001").name == "Bogotá, D.C."


def test_divipola_load_twice_changes_nothing_and_audits_nothing():
    first = divipola_load()
    second = divipola_load()
    assert not first.changed
    assert not second.changed
    assert Municipality.objects.count() == 1122
    assert not AuditEntry.objects.filter(action="nodes.divipola_loaded").exists()


def test_divipola_load_restores_names_and_missing_rows_but_keeps_tags():
    Municipality.objects.filter(code="52001").update(name="Pasto (mal)", is_pdet=True, population=400_000)
    Municipality.objects.filter(code="99773").delete()
    result = divipola_load()
    assert result.municipalities_created == 1
    assert result.municipalities_updated == 1
    pasto = Municipality.objects.get(code="52001")
    assert (pasto.name, pasto.is_pdet, pasto.population) == ("Pasto", True, 400_000)
    assert Municipality.objects.count() == 1122
    assert AuditEntry.objects.filter(action="nodes.divipola_loaded").count() == 1


def test_load_divipola_command_reports_counts(capsys):
    call_command("load_divipola")
    assert "0 municipalities created" in capsys.readouterr().out
