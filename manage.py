#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Commands that use the database need DATABASE_URL; `make manage ARGS="..."`
runs them against the same database as `make run` (the embedded one by default).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
    if not os.environ.get("DATABASE_URL"):
        print(
            "[redplypp] DATABASE_URL is not set: commands that use the database will fail. "
            'Use `make manage ARGS="..."` to run against the local database.',
            file=sys.stderr,
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
