"""Tenancy, enforced in one place.

Every business-owned model subclasses `TenantModel`. Its default manager filters to the *current business*, which is
set once per unit of work: by `TenancyMiddleware` for web requests and API calls, and by `business_scope()` for
tasks and commands. A tenant query with no current business raises `NoBusinessInScope`; it never returns everyone's
rows. Crossing businesses is explicit: `with all_businesses():` (network, demo data, operator commands only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from tabwise.tenants.models import Business


class NoBusinessInScope(RuntimeError):
    """A tenant-scoped query ran with no business in scope (a bug, never a user error)."""


_ALL = object()
_current: ContextVar[Any] = ContextVar("tabwise_current_business", default=None)


def current_business() -> Business | None:
    """The business of the current unit of work, or None (also None inside `all_businesses()`)."""
    value = _current.get()
    return None if value is _ALL else value


def current_business_id() -> int | None:
    business = current_business()
    return business.pk if business is not None else None


def activate(business: Business | None) -> None:
    """Set the current business for the rest of this context (the middleware resets it after the request)."""
    _current.set(business)


@contextmanager
def business_scope(business: Business) -> Iterator[Business]:
    """Run a block as `business`: tasks and commands enter a business this way."""
    token = _current.set(business)
    try:
        yield business
    finally:
        _current.reset(token)


@contextmanager
def all_businesses() -> Iterator[None]:
    """Run a block that deliberately reads across businesses (grep for this)."""
    token = _current.set(_ALL)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def no_business() -> Iterator[None]:
    """Run a block with no business in scope (the middleware's starting state)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


class TenantQuerySet(models.QuerySet):
    """A queryset whose bulk writes still leave an audit trail (see `tabwise.core.audit`)."""

    def update(self, **kwargs: Any) -> int:
        from tabwise.core import audit

        if not audit.is_audited(self.model):
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        audit.record_bulk_change(self.model, pks)
        return count

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        from tabwise.core import audit

        objs = list(objs)
        business = current_business()
        for obj in objs:  # as in TenantModel.save: new rows take the current business, never another's
            if obj.business_id is None:
                if business is None:
                    raise NoBusinessInScope(f"cannot create {self.model.__name__} with no business in scope")
                obj.business_id = business.pk
            elif business is not None and obj.business_id != business.pk:
                raise NoBusinessInScope(f"{self.model.__name__} belongs to another business")
        created = super().bulk_create(objs, *args, **kwargs)
        audit.record_bulk_change(self.model, [obj.pk for obj in created if obj.pk is not None], created=True)
        return created

    # bulk_update needs no override: Django runs it as filter(...).update(...), and update() above records history.


class TenantManager(models.Manager):
    """The default manager of every business-owned model: it filters to the current business or raises."""

    _queryset_class = TenantQuerySet

    def get_queryset(self) -> TenantQuerySet:
        queryset: TenantQuerySet = super().get_queryset()  # type: ignore[assignment]
        value = _current.get()
        if value is _ALL:
            return queryset
        if value is None:
            raise NoBusinessInScope(
                f"{self.model.__name__} queried with no business in scope; "
                "use the request's business, business_scope() or all_businesses()"
            )
        return queryset.filter(business_id=value.pk)  # type: ignore[return-value]


class TenantModel(models.Model):
    """A row that belongs to one business. Its default manager only ever sees the current business."""

    business = models.ForeignKey("tenants.Business", on_delete=models.PROTECT, related_name="+", editable=False)

    objects = TenantManager()
    # Unscoped access, for operator commands and the network only (grep for it, like all_businesses()).
    unscoped = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new row takes the current business; a row can never be saved into another business's scope.
        business = current_business()
        if self.business_id is None:  # type: ignore[attr-defined]
            if business is None:
                raise NoBusinessInScope(f"cannot create {type(self).__name__} with no business in scope")
            self.business = business
        elif business is not None and self.business_id != business.pk:  # type: ignore[attr-defined]
            raise NoBusinessInScope(f"{type(self).__name__} belongs to another business")
        super().save(*args, **kwargs)
