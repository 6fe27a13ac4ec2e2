"""A sale to a customer added at the counter: the customer, their account (for a sale on account) and the sale,
all in one transaction, so an error anywhere leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from tabwise.core.errors import DomainError
from tabwise.customers import services as customer_services
from tabwise.ledger.models import Invoice
from tabwise.ledger.services.sales import LineIn, open_account, post_invoice, record_cash_sale
from tabwise.users import security
from tabwise.users.models import User

PREFIX = "customer."


@dataclass(frozen=True)
class NewCustomer:
    """A customer as a counter clerk types them: a name, a phone, an address on one line, A/R or cash."""

    full_name: str
    phone: str = ""
    address: str = ""
    is_ar: bool = True


def _customer_field(field: str | None) -> str:
    """The field of `NewCustomer` a customer service's error concerns (`phones.0.number` -> `customer.phone`)."""
    name = field or ""
    if name.startswith("phones."):
        name = "phone"
    elif name.startswith("addresses."):
        name = "address"
    elif name in ("first_name", "middle_name", "last_name", "title", "suffix", "company_name"):
        name = "full_name"
    return PREFIX + name if name else ""


def sell_to_new_customer(
    *,
    actor: User,
    customer: NewCustomer,
    lines: Sequence[LineIn],
    issued_on: date | None = None,
    due_on: date | None = None,
    notes: str = "",
    override_credit: bool = False,
) -> Invoice:
    """Add `customer` and record the sale: for an A/R customer, open an account and post an invoice on it; for a
    cash customer, record a cash sale. One transaction: all or nothing.

    Writes CUSTOMER_CREATED (and ACCOUNT_OPENED) with the sale's events. Raises DomainError naming the field:
    `customer.full_name`, `customer.phone`, `customer.address` for the customer, as `post_invoice` for the rest.
    """
    security.check(actor, "ledger.post_sales")
    security.check(actor, "customers.edit")
    if customer.is_ar:
        security.check(actor, "ledger.manage_accounts")
    with transaction.atomic():
        try:
            created = customer_services.create_customer(
                actor=actor,
                full_name=customer.full_name,
                is_ar=customer.is_ar,
                phones=[customer_services.PhoneIn(number=customer.phone)] if customer.phone.strip() else [],
                addresses=[customer_services.AddressIn(line=customer.address)] if customer.address.strip() else [],
            )
        except DomainError as error:
            raise type(error)(error.message, field=_customer_field(error.field), code=error.code) from None
        if not customer.is_ar:
            return record_cash_sale(actor=actor, customer=created, lines=lines, issued_on=issued_on, notes=notes)
        account = open_account(actor=actor, customer=created)
        return post_invoice(
            actor=actor,
            account=account,
            lines=lines,
            issued_on=issued_on,
            due_on=due_on,
            notes=notes,
            override_credit=override_credit,
        )
