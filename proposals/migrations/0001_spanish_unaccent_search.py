"""Full-text search in Spanish that ignores accents: "educacion" finds "Educación".

A text search configuration ``spanish_unaccent``: a copy of ``spanish`` whose
words pass through ``unaccent`` before the Spanish stemmer.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(
            sql=[
                "CREATE TEXT SEARCH CONFIGURATION spanish_unaccent ( COPY = spanish )",
                "ALTER TEXT SEARCH CONFIGURATION spanish_unaccent "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
            ],
            reverse_sql=["DROP TEXT SEARCH CONFIGURATION IF EXISTS spanish_unaccent"],
        ),
    ]
