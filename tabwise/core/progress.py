"""A long task's progress, written where a polling page can read it before the task's transaction commits.

A task that does all of its work in one transaction (an import, a clean-up run) cannot show progress through that
transaction: nothing of it is visible until it commits. `ProgressWriter` writes the counters to the task's row
through a second connection of its own, in autocommit, so each write is visible at once. Only on PostgreSQL
(`live`): SQLite holds its one write lock until the task commits, so there the progress is known only at the end.

Best effort: a write that fails (or would wait more than two seconds for the row) is logged and skipped, and never
fails the task. Each write names the task's attempt and running status, so a late write of an attempt that was
given up changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone

logger = logging.getLogger(__name__)


def is_live() -> bool:
    """Whether progress can be written from outside: PostgreSQL, with the task's transaction the outermost (inside a
    caller's transaction the task's claim is not committed and holds its row, so the second connection would wait)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class ProgressWriter:
    """Writes columns of one row (`model`, `pk`) while it is `running_status` in attempt `attempt`, with
    `progress_at` = now, through a second connection named `alias`."""

    def __init__(
        self, model: type[models.Model], pk: int, *, attempt: int, running_status: str, alias: str, live: bool
    ) -> None:
        self.model, self.pk, self.attempt, self.running_status = model, pk, attempt, running_status
        self.alias, self.live = alias, live
        self._connection: BaseDatabaseWrapper | None = None

    def write(self, **columns: Any) -> None:
        if not self.live:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in [*columns, "progress_at"])
        try:
            with self._side().cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE id = %s AND attempt = %s AND status = %s",  # noqa: S608
                    [*columns.values(), timezone.now(), self.pk, self.attempt, self.running_status],
                )
        except DatabaseError:
            logger.warning("%s %s: progress not written", self.model.__name__, self.pk, exc_info=True)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _side(self) -> BaseDatabaseWrapper:
        if self._connection is None:
            default = connections[DEFAULT_DB_ALIAS]
            backend = load_backend(default.settings_dict["ENGINE"])
            self._connection = backend.DatabaseWrapper({**default.settings_dict}, alias=self.alias)
            with self._connection.cursor() as cursor:
                # Never wait long for the row (a retry's check holds it for a moment): skip a write instead.
                cursor.execute("SET lock_timeout = '2s'")
        return self._connection
