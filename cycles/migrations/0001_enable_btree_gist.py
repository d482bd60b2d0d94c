"""btree_gist lets an exclusion constraint compare the cycle id with ``=``
next to the overlap of phase windows (cycles.Phase)."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [BtreeGistExtension()]
