"""Race-free per-business numbering.

Two kinds of series:

- **Gapless** (the default: invoices, customer numbers, credit notes): a counter row in `core_sequence`, advanced by
  UPDATE ... RETURNING inside the caller's transaction. A rollback gives the number back, so the series has no holes,
  but the row stays locked until the caller commits: concurrent callers of one business queue on it.
- **Gaps allowed** (`gapless=False`: receipts, where payments arrive many at once): on PostgreSQL a database
  SEQUENCE per business and name (`nextval`, never locked, never rolled back, so a failed payment leaves a hole);
  elsewhere (SQLite, one writer at a time anyway) the counter row as above. It starts after the counter row's value,
  so a business that has numbered with the counter goes on from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence as Numbers

from django.db import DatabaseError, IntegrityError, connection, transaction

from tabwise.core import tenancy
from tabwise.core.models import Sequence


def next_value(name: str, *, start: int = 1) -> int:
    """The next number of the business's sequence `name` (the first is `start`).

    Must run inside the caller's transaction: the counter row stays locked until it commits, so concurrent callers
    queue on it; a rollback gives the number back. One statement in the common case (UPDATE ... RETURNING, which
    both SQLite and PostgreSQL support); the first use of a name inserts the row.
    """
    return next_values(name, 1, start=start)[0]


def next_values(name: str, count: int, *, start: int = 1, gapless: bool = True) -> Numbers[int]:
    """The next `count` numbers of the business's sequence `name`, increasing, in one statement (see the module's
    docstring for `gapless`). Gapless numbers are consecutive; the others may interleave with a concurrent caller's."""
    if count < 1:
        raise ValueError("count must be at least 1")
    business = tenancy.current_business()
    if business is None:
        raise tenancy.NoBusinessInScope(f"sequence {name!r} used with no business in scope")
    if not gapless and connection.vendor == "postgresql":
        return _from_database_sequence(business.pk, name, count, start)
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


_NEXTVAL = (
    "SELECT nextval(c.oid) FROM pg_class c CROSS JOIN generate_series(1, %s) "
    "WHERE c.relname = %s AND c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
)


def _from_database_sequence(business_id: int, name: str, count: int, start: int) -> list[int]:
    if not re.fullmatch(r"[a-z_]{1,40}", name):
        raise ValueError(f"sequence name {name!r}: lower-case letters and underscores only")
    relation = f"tabwise_{name}_{business_id}"
    with connection.cursor() as cursor:
        # One statement, no error when the sequence does not exist yet (no rows), so the caller's transaction is
        # never aborted by a missing sequence.
        cursor.execute(_NEXTVAL, [count, relation])
        values = sorted(int(row[0]) for row in cursor.fetchall())
        if values:
            return values
        last = Sequence.objects.filter(name=name).values_list("last_value", flat=True).first()
        first = max(start, (last or 0) + 1)
        try:
            with transaction.atomic():  # a savepoint: a concurrent first use wins the race without harm
                cursor.execute(
                    f"CREATE SEQUENCE IF NOT EXISTS {connection.ops.quote_name(relation)} START WITH {first:d}"
                )
        except DatabaseError:
            pass  # created by the concurrent caller: it is visible once that one commits
        cursor.execute(_NEXTVAL, [count, relation])
        values = sorted(int(row[0]) for row in cursor.fetchall())
    if not values:
        raise RuntimeError(f"sequence {relation} could not be created")
    return values
