"""Gap-tolerant, race-free per-business numbering."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from tabwise.core import tenancy
from tabwise.core.models import Sequence


def next_value(name: str, *, start: int = 1) -> int:
    """The next number of the business's sequence `name` (the first is `start`).

    Must run inside the caller's transaction: the counter row stays locked until it commits, so concurrent callers
    queue on it; a rollback gives the number back. One statement in the common case (UPDATE ... RETURNING, which
    both SQLite and PostgreSQL support); the first use of a name inserts the row.
    """
    return next_values(name, 1, start=start)[0]


def next_values(name: str, count: int, *, start: int = 1) -> range:
    """The next `count` consecutive numbers of the business's sequence `name`, in one statement (see next_value)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    business = tenancy.current_business()
    if business is None:
        raise tenancy.NoBusinessInScope(f"sequence {name!r} used with no business in scope")
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s WHERE business_id = %s AND name = %s "  # noqa: S608
            "RETURNING last_value",
            [count, business.pk, name],
        )
        row = cursor.fetchone()
    if row is not None:
        last = int(row[0])
        return range(last - count + 1, last + 1)
    try:
        with transaction.atomic():
            Sequence.objects.create(name=name, last_value=start + count - 1)
            return range(start, start + count)
    except IntegrityError:  # a concurrent first use created it: take the next ones after theirs
        return next_values(name, count, start=start)
