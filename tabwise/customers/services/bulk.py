"""Many customers at once: an import from another system."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers import parsing, search
from tabwise.customers.models import Address, Customer, Email, Phone
from tabwise.customers.services.customers import check_name
from tabwise.customers.services.inputs import AddressIn, CustomerIn
from tabwise.users import security
from tabwise.users.models import User

BULK_SIZE = 500


def _address(customer: Customer, address: AddressIn, today: date) -> Address:
    """The address as the other system had it (its ZIP is not checked: the import reports what it read), with the
    street's normalised parts for matching when usaddress can read it."""
    street = address.street.strip()
    try:
        house, street_name, unit = parsing.normalised_street(f"{street} {address.line2}".strip())
    except DomainError:
        house = street_name = unit = ""
    return Address(
        customer=customer,
        street=street,
        line2=address.line2.strip(),
        city=address.city.strip(),
        state=address.state.strip().upper(),
        zip_code=address.zip_code.strip(),
        house_number=house,
        street_name=street_name,
        unit=unit,
        is_primary=True,
        valid_from=today,
    )


def create_customers(*, actor: User, customers: Sequence[CustomerIn]) -> list[Customer]:
    """Add many customers at once (an import from another system), with their phone, email and address.

    All or nothing, in one transaction of bulk inserts (row history and search keys included); one
    CUSTOMERS_CREATED event. Raises DomainError naming the item (`items.N.field`): a missing name or number, or a
    number in use or given twice.
    """
    security.check(actor, "customers.edit")
    numbers = [item.number.strip() for item in customers]
    for index, (item, number) in enumerate(zip(customers, numbers, strict=True)):
        if item.kind not in Customer.Kind.values:
            raise DomainError(_("Choose person or company."), field=f"items.{index}.kind")
        if not number:
            raise DomainError(_("Enter the customer number."), field=f"items.{index}.number")
        names = {"last_name": item.last_name.strip(), "company_name": item.company_name.strip()}
        check_name(item.kind, **names, prefix=f"items.{index}.")
    if len(set(numbers)) != len(numbers):
        raise DomainError(_("Two customers share a number."), field="items")
    today = business_today(actor.business)
    with transaction.atomic():
        taken: set[str] = set()
        for start in range(0, len(numbers), BULK_SIZE):  # in slices: SQLite caps the parameters of one query
            chunk = numbers[start : start + BULK_SIZE]
            taken.update(Customer.objects.filter(number__in=chunk).values_list("number", flat=True))
        if taken:
            index = next(i for i, number in enumerate(numbers) if number in taken)
            raise Conflict(_("That customer number is in use."), field=f"items.{index}.number")
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
            [
                Phone(customer=c, number=item.phone, is_primary=True, valid_from=today)
                for c, item in pairs
                if item.phone
            ],
            batch_size=BULK_SIZE,
        )
        Email.objects.bulk_create(
            [
                Email(customer=c, address=item.email.strip(), is_primary=True, valid_from=today)
                for c, item in pairs
                if item.email
            ],
            batch_size=BULK_SIZE,
        )
        Address.objects.bulk_create(
            [_address(c, a, today) for c, item in pairs if (a := item.address) is not None], batch_size=BULK_SIZE
        )
        search.refresh_keys(customer.pk for customer in created)
        audit.record_event(event_type="CUSTOMERS_CREATED", payload={"count": len(created)})
    return created
