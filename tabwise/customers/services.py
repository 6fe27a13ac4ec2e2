"""Changes to customers. Every change is audited (row history) and writes a domain event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tabwise.core import audit, sequences
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers.models import Customer
from tabwise.users import security
from tabwise.users.models import User

EDITABLE_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "company_name",
    "employer",
    "is_ar",
    "status",
    "credit_limit",
    "preferred_language",
    "notes",
)


def _next_number() -> str:
    # Skip numbers already taken (customers imported or numbered by hand).
    while True:
        number = str(sequences.next_value("customer_number", start=1001))
        if not Customer.objects.filter(number=number).exists():
            return number


def create_customer(*, actor: User, kind: str = Customer.Kind.PERSON, **fields: Any) -> Customer:
    """Add a customer to the actor's business. Atomic; writes CUSTOMER_CREATED."""
    security.check(actor, "customers.edit")
    fields = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"number", "date_of_birth"}
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if kind == Customer.Kind.PERSON and not fields.get("last_name"):
        raise DomainError("Enter the customer's last name.", field="last_name")
    if kind == Customer.Kind.COMPANY and not fields.get("company_name"):
        raise DomainError("Enter the company name.", field="company_name")
    with transaction.atomic():
        number = fields.pop("number", None) or _next_number()
        if Customer.objects.filter(number=number).exists():
            raise Conflict("That customer number is in use.", field="number")
        customer = Customer.objects.create(kind=kind, number=number, **fields)
        audit.record_event(event_type="CUSTOMER_CREATED", subject=customer, payload={"number": number})
    return customer


def update_customer(*, actor: User, customer: Customer, **fields: Any) -> Customer:
    """Change a customer's editable fields. Atomic; writes CUSTOMER_UPDATED with the old and new values."""
    security.check(actor, "customers.edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        changes = {}
        for name, value in fields.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = {"old": str(old), "new": str(value)}
                setattr(locked, name, value)
        if changes:
            locked.save()
            audit.record_event(event_type="CUSTOMER_UPDATED", subject=locked, payload=changes)
    return locked
