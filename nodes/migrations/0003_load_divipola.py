"""Load the 33 departments and 1,122 municipal units from the shipped DIVIPOLA file.

Runs the same code as ``manage.py load_divipola`` (``nodes.divipola_sync``),
on the historical models. Reversing leaves the rows in place: later data
(territories, memberships, cycles) points at them, and re-running is harmless.
"""

from django.db import migrations


def load(apps, schema_editor):
    from nodes.divipola_sync import sync_divipola

    sync_divipola(apps.get_model("nodes", "Department"), apps.get_model("nodes", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("nodes", "0002_unaccent_extension")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
