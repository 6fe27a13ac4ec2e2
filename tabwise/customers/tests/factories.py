"""Customers made the way the app makes them: through the services, so their history, events and search keys are
what a clerk's would be."""

from __future__ import annotations

from typing import Any

from tabwise.customers import services
from tabwise.customers.models import Customer
from tabwise.users.models import User


def a_customer(actor: User, **fields: Any) -> Customer:
    """A person (Maria Lopez unless said otherwise) created by `actor`'s services, in the actor's business."""
    fields.setdefault("first_name", "Maria")
    fields.setdefault("last_name", "Lopez")
    return services.create_customer(actor=actor, **fields)


def phone(number: str, **fields: Any) -> services.PhoneIn:
    return services.PhoneIn(number=number, **fields)


def address(line: str = "", **fields: Any) -> services.AddressIn:
    return services.AddressIn(line=line, **fields)
