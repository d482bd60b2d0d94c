"""Rows written once for many tests: a transaction held open around them and rolled back
after the last one, each test running in its own savepoint inside it (see the
``shared_rows`` fixture in tests/conftest.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from django.db import transaction


@contextlib.contextmanager
def rows_kept_open(django_db_blocker) -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """A transaction (a savepoint when one is already open) held open until the block ends,
    then rolled back. Yields what unblocks the database to write in it: pytest-django
    blocks it outside tests, and the tests themselves get it through ``db`` as usual."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block._from_testcase = True  # as Django's TestCase marks its class-wide block
        block.__enter__()
    try:
        yield django_db_blocker.unblock
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
