"""The PostgreSQL ``unaccent`` extension, for accent-insensitive municipality search
("bogota" finds "Bogotá, D.C."). Trusted since PostgreSQL 13: the database owner can create it."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("nodes", "0001_network_registry")]

    operations = [UnaccentExtension()]
