"""Unique constraints broken by a race: told apart from other integrity errors, on PostgreSQL and SQLite alike.

Two requests can both find a number free and both insert it; the second breaks the unique constraint. Services check
first (a clear error in the common case) and wrap the insert in `number_taken_is_conflict`, so the race ends in the
same Conflict instead of a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, models, transaction

from tabwise.core.errors import Conflict


def violates(error: IntegrityError, model: type[models.Model], constraint: str) -> bool:
    """Whether `error` is a violation of `model`'s unique constraint named `constraint`."""
    diagnostics = getattr(error.__cause__, "diag", None)
    name = getattr(diagnostics, "constraint_name", None)
    if name:  # PostgreSQL (psycopg) names the constraint
        return bool(name == constraint)
    # SQLite names the columns instead: "UNIQUE constraint failed: ledger_account.business_id, ledger_account.number"
    unique = next(c for c in model._meta.constraints if c.name == constraint)
    assert isinstance(unique, models.UniqueConstraint)
    fields = [model._meta.get_field(name) for name in unique.fields]
    columns = ", ".join(f"{model._meta.db_table}.{field.column}" for field in fields if isinstance(field, models.Field))
    return str(error) == f"UNIQUE constraint failed: {columns}"


@contextmanager
def number_taken_is_conflict(model: type[models.Model], constraint: str, *, field: str, message: str) -> Iterator[None]:
    """Run an insert in a savepoint; its violation of the unique constraint `constraint` (a concurrent request took
    the same number after this one found it free) becomes Conflict(message, field). The savepoint is rolled back,
    so the caller's transaction stays usable; any other integrity error passes through unchanged."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not violates(error, model, constraint):
            raise
        raise Conflict(message, field=field) from error
