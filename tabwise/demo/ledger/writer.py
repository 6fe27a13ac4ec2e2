"""Number one business's simulated ledger as the services would have, and insert it in bulk.

Numbers follow the ledger's own series (`posting.NUMBER_SERIES`: invoices from 1001, receipts R-1, charges CH-1,
...; estimates E-1 and cash sales C-1 as `services.sales` numbers them; accounts `<customer number>-<n>`), given in
date order across the business, and each `Sequence` row is left at the last number used, so the next real posting
continues the series instead of colliding with it.

History rows: ledger rows are their own record (entries, allocations and payments carry who posted them and when,
and have no history table). Accounts, invoices, their lines, plans and instalments are audited models, but the demo
inserts them without a "created" history row each: they would all say "created by the demo at generation time",
which tells nobody anything, and writing them (through `audit.record_bulk_change`) would cost more than the rows.
The ledger settings and the office's note on a skipped customer are ordinary audited writes. Later real changes
(an account put on hold, a plan cancelled, an instalment marked missed) write history as usual.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Case, TextField, Value, When

from tabwise.core import bulk
from tabwise.core.models import Sequence as NumberSequence
from tabwise.customers.models import Customer, Email, Phone
from tabwise.demo.ledger.accounts import DemoLedger
from tabwise.demo.ledger.books import instalment_states
from tabwise.demo.run import BusinessSummary
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Allocation, Entry, Instalment, Invoice, InvoiceLine, Payment, PaymentPlan
from tabwise.notifications.models import OutboxMessage, SmsConsent
from tabwise.users.models import User


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None  # `.id`, not `.pk`: the property costs, a million times over


def write(ledger: DemoLedger, summary: BusinessSummary) -> None:
    """Number and insert everything `ledger` holds, then advance the business's number sequences."""
    last: dict[str, int] = {}
    ledger.policy.save()
    _write_accounts(ledger, last)
    _write_entries(ledger, last)
    business_id = ledger.business.pk
    bulk.insert(
        Allocation,
        ["business_id", "account_id", "debit_id", "credit_id", "amount", "applied_on", "created_by_id"],
        (
            (business_id, book.account.id, a.debit.pk, a.credit.pk, a.amount, a.applied_on, _id(a.by))
            for book in ledger.books
            for a in book.applied
        ),
    )
    _write_documents(ledger, last)
    bulk.insert(
        Payment,
        [
            "business_id",
            "account_id",
            "entry_id",
            "amount",
            "method",
            "reference",
            "received_at",
            "received_by_id",
            "received_where",
            "bank_fingerprint",
            "bank_last4",
        ],
        (
            (
                business_id,
                r.entry.account.id,
                r.entry.pk,
                r.amount,
                r.method,
                r.reference,
                r.received_at,
                r.received_by.id,
                r.received_where,
                r.bank_fingerprint,
                r.bank_last4,
            )
            for r in ledger.receipts
        ),
    )
    _write_plans(ledger)
    _mark_gone(ledger)
    NumberSequence.objects.bulk_create(
        [NumberSequence(business_id=business_id, name=name, last_value=value) for name, value in last.items()]
    )
    _summarise(ledger, summary)


def _write_accounts(ledger: DemoLedger, last: dict[str, int]) -> None:
    """Accounts numbered `<customer number>-<n>` in the order they were opened."""
    books = sorted(ledger.books, key=lambda b: (b.account.opened_on, int(b.account.customer.number)))
    for book, pk in zip(books, bulk.reserve_ids(Account, len(books)), strict=True):
        book.account.pk = pk
    if books:
        last["account"] = len(books)
    business_id = ledger.business.pk
    bulk.insert(
        Account,
        [
            "id",
            "business_id",
            "customer_id",
            "number",
            "name",
            "owner_id",
            "terms_days",
            "credit_limit",
            "status",
            "balance",
            "allocation_floor",
            "opened_on",
        ],
        (
            (
                a.id,
                business_id,
                a.customer.id,
                f"{a.customer.number}-{n}",
                a.name,
                _id(a.owner),
                a.terms_days,
                a.credit_limit,
                a.status,
                book.balance,
                book.floor,
                a.opened_on,
            )
            for n, (book, a) in enumerate(((book, book.account) for book in books), start=1)
        ),
    )


def _write_entries(ledger: DemoLedger, last: dict[str, int]) -> None:
    """Number every entry in date order and give it its real id in the same order, then insert them all."""
    entries = sorted((e for book in ledger.books for e in book.entries), key=lambda e: (e.posted_on, e.pk))
    # Within an account, date order is posting order, so the real ids keep the provisional ids' tie-breaking.
    for entry, pk in zip(entries, bulk.reserve_ids(Entry, len(entries)), strict=True):
        name, prefix, start = posting.NUMBER_SERIES[entry.kind]
        last[name] = last.get(name, start - 1) + 1
        entry.number, entry.pk = f"{prefix}{last[name]}", pk
    business_id = ledger.business.pk
    bulk.insert(
        Entry,
        [
            "id",
            "business_id",
            "account_id",
            "kind",
            "category",
            "number",
            "amount",
            "open_amount",
            "posted_on",
            "due_on",
            "posted_by_id",
            "approved_by_id",
            "source",
            "via",
            "reverses_id",
            "memo",
            "assessment",
        ],
        (
            (
                e.pk,
                business_id,
                e.account.id,
                e.kind,
                e.category,
                e.number,
                e.amount,
                e.open_amount,
                e.posted_on,
                e.due_on,
                _id(e.posted_by),
                _id(e.approved_by),
                e.source,
                "demo",
                e.reverses.pk if e.reverses is not None else None,
                e.memo,
                e.assessment,
            )
            for e in entries
        ),
    )


def _write_documents(ledger: DemoLedger, last: dict[str, int]) -> None:
    """Invoices take their entry's number; cash sales (C-) and estimates (E-) are numbered in date order."""
    order = sorted(range(len(ledger.documents)), key=lambda n: (ledger.documents[n].issued_on, n))
    documents = [ledger.documents[n] for n in order]
    for document, pk in zip(documents, bulk.reserve_ids(Invoice, len(documents)), strict=True):
        document.pk = pk
        if document.entry is not None:
            document.number = document.entry.number
        else:
            series, prefix = ("estimate", "E") if document.kind == Invoice.Kind.ESTIMATE else ("cash_sale", "C")
            last[series] = last.get(series, 0) + 1
            document.number = f"{prefix}-{last[series]}"
    business_id = ledger.business.pk
    bulk.insert(
        Invoice,
        [
            "id",
            "business_id",
            "kind",
            "number",
            "customer_id",
            "account_id",
            "entry_id",
            "vehicle_id",
            "mileage",
            "issued_on",
            "due_on",
            "subtotal",
            "tax_total",
            "total",
            "cost_total",
            "salesperson_id",
            "converted_to_id",
            "notes",
        ],
        (
            (
                d.pk,
                business_id,
                d.kind,
                d.number,
                d.customer.id,
                d.account.id if d.account else None,
                d.entry.pk if d.entry else None,
                d.vehicle.id if d.vehicle else None,
                d.mileage,
                d.issued_on,
                d.due_on,
                d.subtotal,
                d.tax_total,
                d.total,
                d.cost_total,
                d.salesperson.id,
                d.converts.pk if d.converts else None,
                d.notes,
            )
            for d in documents
        ),
    )
    bulk.insert(
        InvoiceLine,
        [
            "business_id",
            "invoice_id",
            "position",
            "item_code",
            "description",
            "quantity",
            "unit_price",
            "unit_cost",
            "tax_rate",
            "amount",
            "tax",
        ],
        (
            (
                business_id,
                d.pk,
                position,
                line.item_code,
                line.description,
                line.quantity,
                line.unit_price,
                line.unit_cost,
                line.tax_rate,
                line.amount,
                line.tax,
            )
            for d in documents
            for position, line in enumerate(d.lines)
        ),
    )


def _write_plans(ledger: DemoLedger) -> None:
    """Plans and instalments with the statuses the daily check (`plans.check_plan`) gives them today."""
    for draft, pk in zip(ledger.plans, bulk.reserve_ids(PaymentPlan, len(ledger.plans)), strict=True):
        plan = draft.plan
        plan.pk = pk
        completed, states = instalment_states(
            plan,
            draft.dues,
            paid=draft.book.paid_toward(counts_from=plan.counts_from, invoice=draft.invoice_entry),
            today=ledger.today,
        )
        if completed:
            plan.status = PaymentPlan.Status.COMPLETED
        for due, (status, covered) in zip(draft.dues, states, strict=True):
            due.status, due.paid_amount = status, covered
    business_id = ledger.business.pk
    bulk.insert(
        PaymentPlan,
        [
            "id",
            "business_id",
            "account_id",
            "invoice_id",
            "amount",
            "instalment_amount",
            "frequency",
            "starts_on",
            "counts_from",
            "status",
            "created_by_id",
        ],
        (
            (
                d.plan.pk,
                business_id,
                d.book.account.id,
                d.document.pk if d.for_invoice else None,
                d.plan.amount,
                d.plan.instalment_amount,
                d.plan.frequency,
                d.plan.starts_on,
                d.plan.counts_from,
                d.plan.status,
                _id(d.plan.created_by),
            )
            for d in ledger.plans
        ),
    )
    bulk.insert(
        Instalment,
        ["business_id", "plan_id", "sequence", "due_on", "amount", "paid_amount", "status"],
        (
            (business_id, d.plan.pk, due.sequence, due.due_on, due.amount, due.paid_amount, due.status)
            for d in ledger.plans
            for due in d.dues
        ),
    )


_UNREACHABLE_SMS = "30005: Unknown destination handset (the number is no longer in service)"
_BOUNCED_EMAIL = "550 5.1.1 The email account that you tried to reach does not exist"


def _mark_gone(ledger: DemoLedger) -> None:
    """Skipped customers' contact points go stale: the reminder text and email sent three weeks after they left
    bounced, and the office noted the returned mail on the customer."""
    if not ledger.gone:
        return
    business, zone = ledger.business, ledger.zone
    ids = [customer.pk for customer, _ in ledger.gone]
    mobiles = {
        phone.customer_id: phone.number
        for phone in Phone.objects.filter(customer_id__in=ids, type=Phone.Type.MOBILE).order_by("-id")
    }
    consented = set(SmsConsent.objects.filter(number__in=mobiles.values()).values_list("number", flat=True))
    emails = {email.customer_id: email.address for email in Email.objects.filter(customer_id__in=ids).order_by("-id")}
    messages, noted = [], []
    for customer, day in ledger.gone:
        sent_at = datetime.combine(day + timedelta(days=21), time(10, 0), tzinfo=zone)
        reminder = f"{business.name}: your account {customer.number} is past due. Please call {business.phone}."
        number = mobiles.get(customer.pk)
        if number in consented:
            messages.append(_bounced(ledger, customer, OutboxMessage.Channel.SMS, number, reminder, sent_at))
        if customer.pk in emails:
            messages.append(
                _bounced(ledger, customer, OutboxMessage.Channel.EMAIL, emails[customer.pk], reminder, sent_at)
            )
        note = (
            f"{day + timedelta(days=21):%b %Y}: phone disconnected; statement returned (moved, no forwarding address)."
        )
        customer.notes = f"{customer.notes}\n{note}".strip()
        noted.append(customer)
    OutboxMessage.unscoped.bulk_create(messages)  # no history rows, like the ledger's documents
    # The office's note, as one audited update (one history row per customer, like any edit).
    Customer.objects.filter(pk__in=[c.pk for c in noted]).update(
        notes=Case(*(When(pk=c.pk, then=Value(c.notes)) for c in noted), output_field=TextField())
    )


def _bounced(ledger: DemoLedger, customer: Customer, channel: str, recipient: str, body: str, at: datetime) -> Any:
    return OutboxMessage(
        business_id=ledger.business.pk,
        channel=channel,
        status=OutboxMessage.Status.BOUNCED,
        recipient=recipient,
        customer=customer,
        subject="Your account is past due" if channel == OutboxMessage.Channel.EMAIL else "",
        body=body,
        caused_by_service="demo",
        attempts=1,
        last_error=_UNREACHABLE_SMS if channel == OutboxMessage.Channel.SMS else _BOUNCED_EMAIL,
        sent_at=at,
    )


def _summarise(ledger: DemoLedger, summary: BusinessSummary) -> None:
    kinds: dict[str, int] = {}
    for book in ledger.books:
        for entry in book.entries:
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    documents: dict[str, int] = {}
    for document in ledger.documents:
        documents[document.kind] = documents.get(document.kind, 0) + 1
    summary.accounts = len(ledger.books)
    summary.invoices = documents.get(Invoice.Kind.INVOICE, 0)
    summary.cash_sales = documents.get(Invoice.Kind.CASH_SALE, 0)
    summary.estimates = documents.get(Invoice.Kind.ESTIMATE, 0)
    summary.converted_estimates = sum(1 for d in ledger.documents if d.converts is not None)
    summary.payments = len(ledger.receipts)
    summary.plans = len(ledger.plans)
    summary.instalments = sum(len(draft.dues) for draft in ledger.plans)
    summary.charges = kinds.get(Entry.Kind.CHARGE, 0)
    summary.credit_notes = kinds.get(Entry.Kind.CREDIT_NOTE, 0)
    summary.refunds = kinds.get(Entry.Kind.REFUND, 0)
    summary.returned_checks = kinds.get(Entry.Kind.REVERSAL, 0)
    summary.write_offs = kinds.get(Entry.Kind.WRITE_OFF, 0)
    summary.allocations = sum(len(book.applied) for book in ledger.books)
