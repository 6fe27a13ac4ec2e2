"""Accounts and sales: open an account, write estimates, post invoices (with the credit limit and hold enforced).

Numbers a user may choose (an account's, an invoice's) are unique per business in the database. The services check
first, to say "in use" plainly; two requests taking the same new number at the same moment both pass that check,
and the second insert breaks the constraint. `number_taken_is_conflict` turns that into the same Conflict on the
field (409 in the API, the field's error on a form), in a savepoint, so the caller's transaction stays usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tabwise.core import audit, sequences
from tabwise.core.clock import business_today
from tabwise.core.constraints import number_taken_is_conflict
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.money import to_money
from tabwise.customers import search as customer_search
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer, Vehicle
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Entry, Invoice, InvoiceLine, LedgerSettings
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")


class CreditRefused(DomainError):
    """A sale would break the account's credit limit or hold; a permitted user may override it."""

    code = "credit_refused"
    status = 409


@dataclass(frozen=True)
class LineIn:
    """One line of a sale as entered: quantity x unit price, with an optional cost (for margin) and tax rate."""

    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    unit_cost: Decimal = ZERO
    tax_rate: Decimal = ZERO
    item_code: str = ""


def _account_number_taken(number: str) -> bool:
    return Account.objects.filter(number=number).exists()


def _invoice_number_taken(number: str) -> bool:
    return Invoice.objects.filter(kind=Invoice.Kind.INVOICE, number=number).exists()


def ledger_settings() -> LedgerSettings:
    """The current business's ledger settings, created with the defaults on first use."""
    found = LedgerSettings.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LedgerSettings.objects.create(aging_boundaries=[30, 60, 90])
    except IntegrityError:  # a concurrent first reader created it
        return LedgerSettings.objects.get()


def open_account(
    *,
    actor: User,
    customer: Customer,
    name: str = "General",
    terms_days: int | None = None,
    credit_limit: Decimal = ZERO,
    owner: User | None = None,
    number: str | None = None,
    opened_on: date | None = None,
) -> Account:
    """Open a receivable account for an A/R customer. Atomic; writes ACCOUNT_OPENED.

    Numbered `number` when given, else the customer's number and the next of the business's account series (past
    any taken by hand). Raises Conflict(field="number") for a number in use, also when a concurrent request takes it
    first; DomainError on the field at fault otherwise.
    """
    security.check(actor, "ledger.manage_accounts")
    if not customer.is_ar:
        raise DomainError(_("This is a cash customer: make them an A/R customer first."), field="customer")
    if credit_limit < ZERO:
        raise DomainError(_("The credit limit cannot be negative."), field="credit_limit")
    if owner is not None and owner.business_id != actor.business_id:
        raise DomainError(_("Choose a user of your business."), field="owner")
    in_use = _("That account number is in use.")
    with transaction.atomic():
        number = (number or "").strip()
        if number and _account_number_taken(number):
            raise Conflict(in_use, field="number")
        while not number or _account_number_taken(number):  # the series' next number not taken by hand
            number = f"{customer.number}-{sequences.next_value('account')}"
        account = Account(
            customer=customer,
            number=number,
            name=name.strip() or "General",
            terms_days=ledger_settings().default_terms_days if terms_days is None else terms_days,
            credit_limit=to_money(credit_limit),
            owner=owner,
            opened_on=opened_on or business_today(actor.business),
        )
        with number_taken_is_conflict(Account, "account_number_unique_per_business", field="number", message=in_use):
            account.save()
        audit.record_event(event_type="ACCOUNT_OPENED", subject=account, payload={"number": number})
        # The account number is a search key of the customer (ledger.customer_panels): findable at once.
        customer_search.refresh_keys([customer.pk])
    return account


def _places(value: Decimal) -> int:
    if not isinstance(value, Decimal):
        raise TypeError("money is never a float")
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def price_lines(lines: Sequence[LineIn], rounding: str) -> list[InvoiceLine]:
    """Price each line: net amount and tax each rounded once, at line level, with the business's rule."""
    if not lines:
        raise DomainError(_("Add at least one line."), field="lines")
    priced = []
    for position, line in enumerate(lines):
        field = f"lines.{position}"
        if not line.description.strip():
            raise DomainError(_("Describe the item."), field=f"{field}.description")
        if line.quantity <= ZERO:
            raise DomainError(_("The quantity must be more than zero."), field=f"{field}.quantity")
        if line.unit_price < ZERO or line.unit_cost < ZERO:
            raise DomainError(_("Prices and costs cannot be negative."), field=f"{field}.unit_price")
        if not ZERO <= line.tax_rate < 1:
            raise DomainError(_("Enter the tax rate as a fraction, e.g. 0.0825."), field=f"{field}.tax_rate")
        amount = to_money(line.quantity * line.unit_price, rounding)
        if _places(line.unit_price) > 4 or _places(line.unit_cost) > 4:
            raise DomainError(_("Prices have at most four decimal places."), field=f"{field}.unit_price")
        priced.append(
            InvoiceLine(
                position=position,
                item_code=line.item_code.strip(),
                description=line.description.strip(),
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_cost=line.unit_cost,
                tax_rate=line.tax_rate,
                amount=amount,
                tax=to_money(amount * line.tax_rate, rounding),
            )
        )
    return priced


def _save_document(invoice: Invoice, lines: list[InvoiceLine]) -> Invoice:
    invoice.subtotal = sum((line.amount for line in lines), ZERO)
    invoice.tax_total = sum((line.tax for line in lines), ZERO)
    invoice.total = invoice.subtotal + invoice.tax_total
    invoice.cost_total = sum((to_money(line.unit_cost * line.quantity) for line in lines), ZERO)
    invoice.save()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    return invoice


def _check_vehicle(
    customer: Customer, vehicle: Vehicle | None, mileage: int | None = None, *, bought_by: Customer | None = None
) -> None:
    if vehicle is not None and vehicle.customer_id not in {customer.pk, bought_by.pk if bought_by else None}:
        raise DomainError(_("That vehicle belongs to another customer."), field="vehicle")
    if vehicle is not None and not vehicle.is_active:
        raise DomainError(_("That vehicle is disabled: enable it on its page to sell for it."), field="vehicle")
    if mileage is not None and not 0 <= mileage <= 9_999_999:
        raise DomainError(_("Enter the odometer reading in whole miles."), field="mileage")


def _check_credit(*, actor: User, account: Account, total: Decimal, override: bool) -> dict[str, str] | None:
    """Refuse a sale the account cannot take; with `override` (a permitted user) allow it and say why."""
    if account.status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF):
        raise CreditRefused(_("This account is %(status)s: no new sales.") % {"status": account.get_status_display()})
    reasons = []
    if account.status == Account.Status.ON_HOLD:
        reasons.append("on_hold")
    if account.credit_limit > ZERO and account.balance + total > account.credit_limit:
        reasons.append("over_limit")
    if not reasons:
        return None
    if not override:
        if "on_hold" in reasons:
            raise CreditRefused(_("This account is on hold."), field="account")
        raise CreditRefused(
            _("This sale would take the balance to %(new)s, over the credit limit of %(limit)s.")
            % {"new": account.balance + total, "limit": account.credit_limit},
            field="account",
        )
    security.check(actor, "ledger.override_credit")
    return {"reasons": ",".join(reasons), "balance": str(account.balance), "limit": str(account.credit_limit)}


def post_invoice(
    *,
    actor: User,
    account: Account,
    lines: Sequence[LineIn],
    issued_on: date | None = None,
    due_on: date | None = None,
    vehicle: Vehicle | None = None,
    mileage: int | None = None,
    notes: str = "",
    override_credit: bool = False,
    source: str = Entry.Source.OFFICE,
    number: str | None = None,
    bought_by: Customer | None = None,
) -> Invoice:
    """Post a sale on account. Atomic, under the account's lock; writes INVOICE_POSTED (and CREDIT_OVERRIDDEN).

    `bought_by`: a family member of the account's customer who bought on the family's account (the vehicle may be
    the member's); anyone else is refused on the field.

    Raises CreditRefused if the account is on hold or the sale would pass its credit limit, unless
    `override_credit` and the actor may override; Conflict(field="number") for a `number` in use, also when a
    concurrent request takes it first; DomainError on the field at fault for bad lines.
    """
    security.check(actor, "ledger.post_sales")
    business = actor.business
    priced = price_lines(lines, business.rounding)
    issued_on = issued_on or business_today(business)
    with transaction.atomic():
        locked = posting.lock_accounts([account.pk])[account.pk]
        if bought_by is not None and bought_by.family_main_id != locked.customer_id:
            raise DomainError(
                _("%(name)s is not a family member of this account's customer.") % {"name": bought_by},
                field="bought_by",
            )
        _check_vehicle(locked.customer, vehicle, mileage, bought_by=bought_by)
        total = sum((line.amount + line.tax for line in priced), ZERO)
        if total <= ZERO:
            raise DomainError(_("The invoice total must be more than zero."), field="lines")
        override = _check_credit(actor=actor, account=locked, total=total, override=override_credit)
        in_use = _("That invoice number is in use.")
        number = (number or "").strip()
        if not number:  # the series' next free number: an imported or hand-numbered invoice may hold the next one
            number = posting.next_number(Entry.Kind.INVOICE)
            while _invoice_number_taken(number):
                number = posting.next_number(Entry.Kind.INVOICE)
        elif _invoice_number_taken(number):
            raise Conflict(in_use, field="number")
        due_on = due_on or issued_on + timedelta(days=locked.terms_days)
        if due_on < issued_on:
            raise DomainError(_("The due date cannot be before the invoice date."), field="due_on")
        target = posting.Posting(locked)
        entry = posting.append_entry(
            target,
            kind=Entry.Kind.INVOICE,
            amount=total,
            posted_on=issued_on,
            due_on=due_on,
            actor=actor,
            number=number,
            source=source,
        )
        posting.settle(target, actor=actor, debits=[entry])
        posting.finish(target)
        with number_taken_is_conflict(Invoice, "invoice_number_unique_per_business", field="number", message=in_use):
            invoice = _save_document(
                Invoice(
                    kind=Invoice.Kind.INVOICE,
                    number=number,
                    customer=locked.customer,
                    account=locked,
                    entry=entry,
                    vehicle=vehicle,
                    mileage=mileage,
                    bought_by=bought_by,
                    issued_on=issued_on,
                    due_on=due_on,
                    salesperson=actor,
                    notes=notes,
                ),
                priced,
            )
        audit.record_event(event_type="INVOICE_POSTED", subject=invoice, payload={"total": str(total)})
        if vehicle is not None and mileage is not None:  # the odometer on the invoice is a reading of the vehicle
            customer_services.record_invoice_mileage(
                actor=actor, vehicle=vehicle, mileage=mileage, read_on=issued_on, number=number
            )
        if override is not None:
            audit.record_event(event_type="CREDIT_OVERRIDDEN", subject=locked, payload={**override, "invoice": number})
    return invoice


def _unposted_sale(
    *,
    actor: User,
    kind: str,
    series: tuple[str, str],
    event_type: str,
    customer: Customer,
    lines: Sequence[LineIn],
    issued_on: date | None,
    vehicle: Vehicle | None,
    mileage: int | None,
    notes: str,
) -> Invoice:
    """A priced sale document that touches no account (an estimate or a cash sale). Atomic; writes `event_type`."""
    security.check(actor, "ledger.post_sales")
    _check_vehicle(customer, vehicle, mileage)
    priced = price_lines(lines, actor.business.rounding)
    prefix, sequence = series
    with transaction.atomic():
        document = _save_document(
            Invoice(
                kind=kind,
                number=f"{prefix}{sequences.next_value(sequence)}",
                customer=customer,
                vehicle=vehicle,
                mileage=mileage,
                issued_on=issued_on or business_today(actor.business),
                salesperson=actor,
                notes=notes,
            ),
            priced,
        )
        audit.record_event(event_type=event_type, subject=document, payload={"total": str(document.total)})
        if kind == Invoice.Kind.CASH_SALE and vehicle is not None and mileage is not None:
            customer_services.record_invoice_mileage(
                actor=actor, vehicle=vehicle, mileage=mileage, read_on=document.issued_on, number=document.number
            )
    return document


def create_estimate(
    *,
    actor: User,
    customer: Customer,
    lines: Sequence[LineIn],
    issued_on: date | None = None,
    vehicle: Vehicle | None = None,
    mileage: int | None = None,
    notes: str = "",
) -> Invoice:
    """Write an estimate (a quote): priced like an invoice, never posted. Atomic; writes ESTIMATE_CREATED."""
    return _unposted_sale(
        actor=actor,
        kind=Invoice.Kind.ESTIMATE,
        series=("E-", "estimate"),
        event_type="ESTIMATE_CREATED",
        customer=customer,
        lines=lines,
        issued_on=issued_on,
        vehicle=vehicle,
        mileage=mileage,
        notes=notes,
    )


def convert_estimate(*, actor: User, estimate: Invoice, account: Account, override_credit: bool = False) -> Invoice:
    """Post an estimate as an invoice on `account` (the estimate stays, pointing to the invoice). Atomic."""
    if estimate.kind != Invoice.Kind.ESTIMATE:
        raise DomainError(_("Only an estimate can be converted."), field="estimate")
    if estimate.converted_to_id is not None:
        raise Conflict(_("This estimate was already converted."), field="estimate")
    if account.customer_id != estimate.customer_id:
        raise DomainError(_("Choose an account of the estimate's customer."), field="account")
    lines = [
        LineIn(
            description=line.description,
            unit_price=line.unit_price,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            tax_rate=line.tax_rate,
            item_code=line.item_code,
        )
        for line in estimate.lines.all()
    ]
    with transaction.atomic():
        invoice = post_invoice(
            actor=actor,
            account=account,
            lines=lines,
            vehicle=estimate.vehicle,
            mileage=estimate.mileage,
            notes=estimate.notes,
            override_credit=override_credit,
        )
        updated = Invoice.objects.filter(pk=estimate.pk, converted_to__isnull=True).update(converted_to=invoice)
        if not updated:
            raise Conflict(_("This estimate was already converted."), field="estimate")
    return invoice


def record_cash_sale(
    *,
    actor: User,
    customer: Customer,
    lines: Sequence[LineIn],
    issued_on: date | None = None,
    vehicle: Vehicle | None = None,
    mileage: int | None = None,
    notes: str = "",
) -> Invoice:
    """Record a sale paid in full at the counter: history for the customer, nothing on any account. Atomic."""
    return _unposted_sale(
        actor=actor,
        kind=Invoice.Kind.CASH_SALE,
        series=("C-", "cash_sale"),
        event_type="CASH_SALE_RECORDED",
        customer=customer,
        lines=lines,
        issued_on=issued_on,
        vehicle=vehicle,
        mileage=mileage,
        notes=notes,
    )


def update_account(*, actor: User, account: Account, **fields: object) -> Account:
    """Change an account's line name, owner, terms, credit limit or status. Atomic; writes ACCOUNT_UPDATED."""
    security.check(actor, "ledger.manage_accounts")
    allowed = {"name", "owner", "terms_days", "credit_limit", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "credit_limit" in fields:
        limit = to_money(fields["credit_limit"])  # type: ignore[arg-type]  # as in open_account: a float raises
        if limit < ZERO:
            raise DomainError(_("The credit limit cannot be negative."), field="credit_limit")
        fields["credit_limit"] = limit
    if "status" in fields and fields["status"] not in Account.Status.values:
        raise DomainError(_("Choose a valid status."), field="status")
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            raise DomainError(_("Name the account line."), field="name")
    if "terms_days" in fields and not (isinstance(fields["terms_days"], int) and 0 <= fields["terms_days"] <= 3650):
        raise DomainError(_("Terms are a number of days from 0 to 3650."), field="terms_days")
    owner = fields.get("owner")
    if owner is not None and (not isinstance(owner, User) or owner.business_id != actor.business_id):
        raise DomainError(_("Choose a user of your business."), field="owner")
    with transaction.atomic():
        locked = posting.lock_accounts([account.pk])[account.pk]
        changes = {}
        for name, value in fields.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = {"old": str(old), "new": str(value)}
                setattr(locked, name, value)
        if changes:
            locked.save(update_fields=list(changes))
            audit.record_event(event_type="ACCOUNT_UPDATED", subject=locked, payload=changes)
    return locked
