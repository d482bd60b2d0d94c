"""``manage.py loaddemo``: demo data of every app, in dependency order, idempotently.

Each app that has demo data has a ``demo`` module with ``load()`` returning
the accounts it wants printed; this command calls them in the order of
INSTALLED_APPS (accounts before nodes before cycles ...).
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts: list[tuple[str, str]] = []
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(config.name) is None or find_spec(module_name) is None:
                continue
            accounts += import_module(module_name).load() or []
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo accounts (password: {DEMO_PASSWORD}):"))
        for email, description in accounts:
            self.stdout.write(f"  {email:<34} {description}")
