"""Changes to customers. Every change is audited (row history) and writes a domain event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from tabwise.core import audit, sequences
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers.models import Address, Customer, Email, Phone
from tabwise.users import security
from tabwise.users.models import User

BULK_SIZE = 500
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


def _check_name(kind: str, *, last_name: str, company_name: str, prefix: str = "") -> None:
    if kind == Customer.Kind.PERSON and not last_name:
        raise DomainError("Enter the customer's last name.", field=f"{prefix}last_name")
    if kind == Customer.Kind.COMPANY and not company_name:
        raise DomainError("Enter the company name.", field=f"{prefix}company_name")


def create_customer(*, actor: User, kind: str = Customer.Kind.PERSON, **fields: Any) -> Customer:
    """Add a customer to the actor's business. Atomic; writes CUSTOMER_CREATED."""
    security.check(actor, "customers.edit")
    fields = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"number", "date_of_birth"}
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    _check_name(kind, last_name=fields.get("last_name", ""), company_name=fields.get("company_name", ""))
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


@dataclass(frozen=True)
class AddressIn:
    street: str
    city: str
    state: str
    zip_code: str = ""


@dataclass(frozen=True)
class CustomerIn:
    """A new customer with its first contact points, for `create_customers`. `phone` is E.164."""

    number: str
    kind: str = Customer.Kind.PERSON
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    company_name: str = ""
    is_ar: bool = True
    credit_limit: Decimal = Decimal("0")
    phone: str = ""
    email: str = ""
    address: AddressIn | None = None


def create_customers(*, actor: User, customers: Sequence[CustomerIn]) -> list[Customer]:
    """Add many customers at once (an import from another system), with their phone, email and address.

    All or nothing, in one transaction of bulk inserts (row history included); one CUSTOMERS_CREATED event. Raises
    DomainError naming the item (`items.N.field`): a missing name or number, or a number in use or given twice.
    """
    security.check(actor, "customers.edit")
    numbers = [item.number.strip() for item in customers]
    for index, (item, number) in enumerate(zip(customers, numbers, strict=True)):
        if item.kind not in Customer.Kind.values:
            raise DomainError("Choose person or company.", field=f"items.{index}.kind")
        if not number:
            raise DomainError("Enter the customer number.", field=f"items.{index}.number")
        names = {"last_name": item.last_name.strip(), "company_name": item.company_name.strip()}
        _check_name(item.kind, **names, prefix=f"items.{index}.")
    if len(set(numbers)) != len(numbers):
        raise DomainError("Two customers share a number.", field="items")
    with transaction.atomic():
        taken: set[str] = set()
        for start in range(0, len(numbers), BULK_SIZE):  # in slices: SQLite caps the parameters of one query
            chunk = numbers[start : start + BULK_SIZE]
            taken.update(Customer.objects.filter(number__in=chunk).values_list("number", flat=True))
        if taken:
            index = next(i for i, number in enumerate(numbers) if number in taken)
            raise Conflict("That customer number is in use.", field=f"items.{index}.number")
        created = Customer.objects.bulk_create(
            [
                Customer(
                    number=number,
                    kind=item.kind,
                    first_name=item.first_name.strip(),
                    middle_name=item.middle_name.strip(),
                    last_name=item.last_name.strip(),
                    company_name=item.company_name.strip(),
                    is_ar=item.is_ar,
                    credit_limit=item.credit_limit,
                )
                for item, number in zip(customers, numbers, strict=True)
            ],
            batch_size=BULK_SIZE,
        )
        pairs = list(zip(created, customers, strict=True))
        Phone.objects.bulk_create(
            [Phone(customer=c, number=item.phone, is_primary=True) for c, item in pairs if item.phone],
            batch_size=BULK_SIZE,
        )
        Email.objects.bulk_create(
            [Email(customer=c, address=item.email.strip(), is_primary=True) for c, item in pairs if item.email],
            batch_size=BULK_SIZE,
        )
        Address.objects.bulk_create(
            [
                Address(
                    customer=c,
                    street=a.street.strip(),
                    city=a.city.strip(),
                    state=a.state.strip().upper(),
                    zip_code=a.zip_code.strip(),
                    is_primary=True,
                )
                for c, item in pairs
                if (a := item.address) is not None
            ],
            batch_size=BULK_SIZE,
        )
        audit.record_event(event_type="CUSTOMERS_CREATED", payload={"count": len(created)})
    return created
