"""Audit: who changed what, when, from where, and the readable domain events services write.

Row history comes from django-simple-history on every business model (`history = audit.history()`), with the
actor, address and channel taken from one context that the middleware (web and API) and the task wrapper set once.
Bulk writes through `TenantQuerySet` (update, bulk_create, bulk_update) record history too. Domain events
(`PAYMENT_RECORDED`, `SKIP_CLEARED`, ...) are written by services through `record_event` in their transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

if TYPE_CHECKING:
    from tabwise.users.models import User


@dataclass(frozen=True)
class AuditContext:
    """Who is acting: a user (or None for the system), from which address, through which channel."""

    user: User | None = None
    ip_address: str | None = None
    via: str = "system"


_context: ContextVar[AuditContext] = ContextVar("tabwise_audit_context", default=AuditContext())  # noqa: B039 (frozen)


def current_context() -> AuditContext:
    return _context.get()


@contextmanager
def acting(user: User | None, *, ip_address: str | None = None, via: str = "system") -> Iterator[AuditContext]:
    """Attribute every change in the block to `user` (None: the system) via `via` (web, api, task:..., command)."""
    token = _context.set(AuditContext(user=user, ip_address=ip_address, via=via))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


class AuditFields(models.Model):
    """Extra columns on every historical row: the address and channel of the change."""

    history_ip_address = models.GenericIPAddressField(null=True, blank=True)
    history_via = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        abstract = True


def _history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    user = _context.get().user
    return user if user is not None and user.pk is not None else None


def history(**kwargs: Any) -> HistoricalRecords:
    """The HistoricalRecords every business model declares as `history = audit.history()`."""
    kwargs.setdefault("bases", [AuditFields])
    kwargs.setdefault("get_user", _history_user)
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)


def _fill_context(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    context = _context.get()
    history_instance.history_ip_address = context.ip_address
    history_instance.history_via = context.via[:100]


pre_create_historical_record.connect(_fill_context, dispatch_uid="tabwise.audit.fill_context")


def is_audited(model: type[models.Model]) -> bool:
    return getattr(model, "history", None) is not None


def record_bulk_change(model: type[models.Model], pks: Iterable[Any], *, created: bool = False) -> None:
    """Write history rows for a bulk write that bypassed save() (the rows as they are now)."""
    manager = getattr(model, "history", None)
    pks = list(pks)
    if manager is None or not pks:
        return
    objs = list(model._base_manager.filter(pk__in=pks))
    context = _context.get()
    # The address and channel go in with the rows (one INSERT per batch): bulk_create sends no signal to fill them.
    manager.bulk_history_create(
        objs,
        update=not created,
        default_user=_history_user(),
        default_change_reason="bulk",
        custom_historical_attrs={"history_ip_address": context.ip_address, "history_via": context.via[:100]},
    )


def changes_of(record: Any) -> list[dict[str, Any]]:
    """A record's history, newest first, each entry with who, when, where and the field-level before/after."""
    entries: list[dict[str, Any]] = []
    rows = list(record.history.select_related("history_user").order_by("-history_date", "-history_id"))
    for index, row in enumerate(rows):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        diffs = []
        if previous is not None and row.history_type == "~":
            delta = row.diff_against(previous)
            diffs = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "ip_address": row.history_ip_address,
                "via": row.history_via,
                "kind": {"+": "created", "~": "changed", "-": "deleted"}[row.history_type],
                "changes": diffs,
            }
        )
    return entries


def record_event(*, event_type: str, subject: models.Model | None = None, payload: dict[str, Any] | None = None) -> Any:
    """Write a readable domain event in the caller's transaction, attributed to the current actor."""
    from tabwise.core.models import AuditEvent

    context = _context.get()
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=context.user if context.user is not None and context.user.pk else None,
        ip_address=context.ip_address,
        via=context.via[:100],
        subject_type=subject._meta.label if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=payload or {},
    )
