"""The clean-up utilities, one module each; every module registers its `Utility` at import (see cleanup.registry)."""

from __future__ import annotations

from collections.abc import Iterable

from tabwise.customers import search
from tabwise.customers.models import Customer


def customer_label(customer: Customer) -> str:
    """How a preview names a customer: the name and the customer number."""
    return f"{customer.display_name or '—'} ({customer.number})"


def refresh_search(customer_ids: Iterable[int]) -> None:
    """Rebuild the quick-search keys of the customers a utility changed (in the run's transaction)."""
    ids = sorted({pk for pk in customer_ids if pk is not None})
    if ids:
        search.refresh_keys(ids)
