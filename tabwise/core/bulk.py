"""Fast inserts: ids reserved up front, rows as tuples, one `executemany` (SQLite) or `COPY` (PostgreSQL) per
table. The demo's generated data and volume seeding go through `insert`; the ledger's set-based posting
(a batch of payments) through `create`, which takes model instances.

`QuerySet.bulk_create` spends most of its time compiling SQL value by value (and, on SQLite, in statements of at
most 999 variables); for the hundreds of thousands of rows of the demo's ledger that is most of a minute, and for a
batch of 500 payments most of the request. These inserts skip the ORM, so they also skip what it would do for us,
and do it here instead:

- tenancy: every row must carry the business in scope (`business_id`), checked row by row, as
  `TenantQuerySet.bulk_create` checks it;
- ids: `reserve_ids` hands out ids the database will not give to anyone else (PostgreSQL: from the table's
  sequence; SQLite: above the current maximum, under the write lock the transaction already holds);
- defaults: columns a caller leaves out get the field's default (`auto_now_add`: the current time);
- history: none is written (see `tabwise.demo.ledger.writer` for when the demo wants it, and how); `create`
  refuses a model that keeps history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from tabwise.core.tenancy import current_business_id

CHUNK = 5000  # rows per executemany on SQLite
SQLITE_CACHE_KIB = 200_000  # while generating: inserting into tables with many indexes wants the pages at hand


@contextmanager
def roomy_cache() -> Iterator[None]:
    """On SQLite, a page cache large enough for the generated tables and their indexes while the block runs
    (the default 2 MB makes every index insert a trip to the file: twice as slow); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for new rows of `model`, never handed out again. Must run inside a transaction."""
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_ids must run inside the transaction that inserts the rows")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction has written already (the demo's earlier steps), so it holds the database's only
        # write lock and nobody else can take these ids; AUTOINCREMENT tables move sqlite_sequence past them.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _default(field: models.Field[Any, Any]) -> Any:
    if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        return timezone.now()
    return field.get_default()


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples of values for `columns`, by attname: "account_id", not "account") into `model`.

    Every concrete column not named takes its default. `business_id` must be among the columns and equal to the
    business in scope (when one is). Returns the number of rows.
    """
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    rest = [name for name in fields if name not in columns and not (name == "id" and "id" not in columns)]
    defaults = tuple(_default(fields[name]) for name in rest)
    names = [*columns, *rest]
    sqlite = connection.vendor == "sqlite"
    if sqlite:  # SQLite takes naive UTC datetimes (Django's adapter); Decimal and date have registered adapters
        defaults = tuple(
            connection.ops.adapt_datetimefield_value(value) if isinstance(fields[name], models.DateTimeField) else value
            for name, value in zip(rest, defaults, strict=True)
        )
    datetimes = [i for i, name in enumerate(columns) if sqlite and isinstance(fields[name], models.DateTimeField)]
    if "business_id" in fields and "business_id" not in columns:
        raise ValueError("rows of a business-owned table must say their business")
    business_at = list(columns).index("business_id") if "business_id" in fields else None
    scope = current_business_id()

    def prepared() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            if business_at is not None and (row[business_at] is None or (scope and row[business_at] != scope)):
                raise ValueError(f"a {model.__name__} row belongs to another business, or to none")
            if datetimes:
                listed = list(row)
                for i in datetimes:
                    listed[i] = connection.ops.adapt_datetimefield_value(listed[i])
                row = listed
            yield (*row, *defaults)

    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(fields[name].column) for name in names)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for values in prepared():
                    copy.write_row(values)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for values in prepared():
            batch.append(values)
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


COPY_FROM = 20  # rows: below this, one INSERT ... RETURNING beats reserving ids and a COPY


def create(objs: Sequence[models.Model]) -> None:
    """Insert new model instances of one model, like `bulk_create`, setting their primary keys; by COPY on
    PostgreSQL from COPY_FROM rows (ids reserved first), else through `bulk_create`.

    A foreign key given as an object saved after it was assigned (an entry inserted just before its allocations)
    takes that object's key. For models without row history only: nothing here writes it.
    """
    if not objs:
        return
    model = type(objs[0])
    if getattr(model, "history", None) is not None:
        raise ValueError(f"{model.__name__} keeps row history: use its manager's bulk_create")
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs)  # type: ignore[attr-defined]
        return
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    fields = list(model._meta.concrete_fields)

    def value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
        if field.is_relation and field.is_cached(obj):  # type: ignore[attr-defined]
            related = getattr(obj, field.name)
            return None if related is None else related.pk
        return field.pre_save(obj, add=True)  # auto_now_add and the like

    insert(model, [field.attname for field in fields], ([value(obj, f) for f in fields] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
