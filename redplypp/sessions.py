"""Django's database sessions, read with one prepared statement.

Every signed-in request reads its session before anything else. Django's
``db`` backend does it through the ORM (``Session.objects.get(...)``), and
building and compiling that query cost more of the web process's CPU than
PostgreSQL spends answering it. This store reads the one column it needs
with a fixed statement; everything else (writing, expiry, cycling the key,
clearing expired rows) is Django's, on the same table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        if not self.session_key:
            return {}
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a missing or expired session starts anew
            return {}
        return self.decode(row[0])
