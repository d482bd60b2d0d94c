"""``manage.py load_divipola``: bring departments and municipalities in line with the shipped file (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from nodes.services import divipola_load


class Command(BaseCommand):
    help = "Load the 33 departments and 1,122 municipalities of DIVIPOLA (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = divipola_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"DIVIPOLA: {result.departments_created} departments created, {result.departments_renamed} renamed; "
                f"{result.municipalities_created} municipalities created, {result.municipalities_updated} updated."
            )
        )
