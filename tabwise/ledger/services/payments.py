"""Payments: record one, record a batch (the field app's sync), and re-allocate a credit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tabwise.core import audit, bulk
from tabwise.core.clock import business_today, business_zone
from tabwise.core.errors import Conflict, DomainError, NotFound
from tabwise.core.money import to_money
from tabwise.ledger import bank, posting
from tabwise.ledger.models import Account, Entry, Payment
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
MAX_BATCH = 1000


@dataclass(frozen=True)
class PaymentIn:
    """A payment as received. `allocations` (entry id, amount) picks invoices; otherwise oldest first."""

    account_id: int
    amount: Decimal
    method: str
    received_at: datetime | None = None
    reference: str = ""
    received_where: str = ""
    bank_routing: str = ""
    bank_account: str = ""
    client_reference: str = ""
    allocations: Sequence[tuple[int, Decimal]] = field(default_factory=tuple)


def _validate(payment: PaymentIn, rounding: str) -> Decimal:
    if payment.amount <= ZERO:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if to_money(payment.amount, rounding) != payment.amount:
        raise DomainError(_("The amount cannot have fractions of a cent."), field="amount")
    if payment.method not in Payment.Method.values:
        raise DomainError(_("Choose a payment method."), field="method")
    if payment.received_at is not None and timezone.is_naive(payment.received_at):
        raise DomainError(_("Give the time with its UTC offset."), field="received_at")
    if sum((amount for _entry, amount in payment.allocations), ZERO) > payment.amount:
        raise DomainError(_("The allocations add up to more than the payment."), field="allocations")
    # Refused rather than cut: a cut client reference would never match its re-sent twin.
    for name, limit in (("client_reference", 64), ("reference", 60), ("received_where", 200)):
        if len(getattr(payment, name).strip()) > limit:
            raise DomainError(_("At most %(limit)s characters.") % {"limit": limit}, field=name)
    return payment.amount


def _post_one(
    journal: posting.Journal, target: posting.Posting, payment: PaymentIn, *, source: str, debits: list[Entry]
) -> Payment:
    """Post one payment to a locked account in the journal and apply it (picked documents first, then oldest
    first); returns the payment document, unsaved (it is inserted once the journal is written)."""
    actor = journal.actor
    assert actor is not None
    received_at = payment.received_at or timezone.now()
    # The business's calendar day, whoever calls (a web request, the field sync, a task, an import).
    posted_on = timezone.localtime(received_at, business_zone(actor.business)).date()
    if posted_on > posting.latest_posting_date(days_ahead=1):  # a day's grace for a clock or time zone ahead
        raise DomainError(_("A payment cannot be dated in the future."), field="received_at")
    fingerprint = None
    if payment.method in (Payment.Method.CHECK, Payment.Method.ACH) and (payment.bank_routing or payment.bank_account):
        fingerprint = bank.fingerprint(payment.bank_routing, payment.bank_account)
    by_id = {debit.pk: debit for debit in debits}
    picked = []
    for entry_id, amount in payment.allocations:
        debit = by_id.get(entry_id)
        if debit is None:
            raise DomainError(_("Document %(id)s is not open on this account.") % {"id": entry_id}, field="allocations")
        if amount <= ZERO:
            raise DomainError(_("Each allocation must be more than zero."), field="allocations")
        picked.append((debit, amount))
    entry = journal.post(
        target,
        kind=Entry.Kind.PAYMENT,
        amount=-payment.amount,
        posted_on=posted_on,
        debits=debits,
        picked=picked,
        source=source,
        memo=payment.reference,
    )
    return Payment(
        business_id=target.account.business_id,
        account=target.account,
        entry=entry,
        amount=payment.amount,
        method=payment.method,
        reference=payment.reference.strip()[:60],
        received_at=received_at,
        received_by=actor,
        received_where=payment.received_where.strip()[:200],
        bank_fingerprint=fingerprint.digest if fingerprint else "",
        bank_last4=fingerprint.last4 if fingerprint else "",
        client_reference=payment.client_reference.strip()[:64],
    )


def _reference_race() -> Conflict:
    # The account lock serialises two sends of one payment to one account, so the second finds the first; only the
    # same client reference sent at the same moment for two different accounts can still meet at the insert.
    return Conflict(
        _("A payment with this client reference was being recorded at the same moment; send it again."),
        field="client_reference",
    )


@dataclass(frozen=True)
class Recorded:
    payment: Payment
    created: bool  # False: the client reference was already recorded, and nothing was written


def record_payment(*, actor: User, payment: PaymentIn, source: str = Entry.Source.OFFICE) -> Payment:
    """Record money received on an account and apply it. Atomic, under the account's lock; writes PAYMENT_RECORDED.

    A payment larger than what is open leaves unapplied credit. A `client_reference` already recorded returns
    that payment and writes nothing. Raises DomainError on the field at fault.
    """
    return record_payment_once(actor=actor, payment=payment, source=source).payment


def record_payment_once(*, actor: User, payment: PaymentIn, source: str = Entry.Source.OFFICE) -> Recorded:
    """record_payment, also telling whether the payment is new or its client reference was already recorded."""
    security.check(actor, "ledger.record_payments")
    try:
        with transaction.atomic():
            try:
                target = posting.Posting(posting.lock_accounts([payment.account_id])[payment.account_id])
            except NotFound as error:
                raise NotFound(error.message, field="account_id") from error
            _validate(payment, actor.business.rounding)  # after the lookup: no such account is a 404 first
            if payment.client_reference:
                # Read under the lock: a concurrent send of the same payment has committed by now, and is seen.
                existing = Payment.objects.filter(client_reference=payment.client_reference.strip()).first()
                if existing is not None:
                    return Recorded(existing, created=False)
            _refuse_closed(target.account)
            journal = posting.Journal(actor)
            reach = None if payment.allocations else payment.amount  # picked documents may be anywhere
            debits = posting.open_debits_of([target.account.pk], enough_for=reach)[target.account.pk]
            document = _post_one(journal, target, payment, source=source, debits=debits)
            journal.write()
            document.save(force_insert=True)
            audit.record_event(
                event_type="PAYMENT_RECORDED",
                subject=document,
                payload={"amount": str(payment.amount), "method": payment.method, "account": target.account.number},
            )
    except IntegrityError as error:
        raise _reference_race() from error
    return Recorded(document, created=True)


def _refuse_closed(account: Account) -> None:
    if account.status == Account.Status.CLOSED:
        raise DomainError(_("Account %(number)s is closed.") % {"number": account.number}, field="account_id")


@dataclass(frozen=True)
class BatchResult:
    payments: list[Payment]  # recorded now, in item order
    already_recorded: int
    earlier: dict[str, Payment] = field(default_factory=dict)  # client reference -> the payment recorded before


def record_payments(*, actor: User, payments: Sequence[PaymentIn], source: str = Entry.Source.FIELD) -> BatchResult:
    """Record a batch of payments all-or-nothing (the field app's sync). Atomic; one PAYMENTS_RECORDED event.

    Accounts are locked once each, in id order. Payments whose `client_reference` is already recorded are skipped
    (a re-sent sync posts nothing twice). Raises DomainError naming the item (`items.N.field`) at fault. Written
    set-based (posting.Journal): a handful of statements whatever the batch's size.
    """
    security.check(actor, "ledger.record_payments")
    if not payments:
        raise DomainError(_("The batch is empty."), field="items")
    if len(payments) > MAX_BATCH:
        raise DomainError(_("Send at most %(max)s payments at once.") % {"max": MAX_BATCH}, field="items")
    try:
        with transaction.atomic():
            # Lock every account named before reading which references are recorded: a concurrent batch sharing
            # references (same payments, same accounts) has then committed, so they are seen here, not hit at insert.
            try:
                accounts = posting.lock_accounts(p.account_id for p in payments)
            except NotFound as error:
                index = next(i for i, p in enumerate(payments) if not Account.objects.filter(pk=p.account_id).exists())
                raise NotFound(error.message, field=f"items.{index}.account_id") from error
            # Checked after the lookup, as for one payment: an unknown account answers 404 first.
            rounding = actor.business.rounding
            for index, payment in enumerate(payments):
                try:
                    _validate(payment, rounding)
                except DomainError as error:
                    raise DomainError(error.message, field=f"items.{index}.{error.field}") from error
            references = [p.client_reference.strip() for p in payments if p.client_reference.strip()]
            if len(references) != len(set(references)):
                raise DomainError(_("Two items share a client reference."), field="items")
            earlier = {}
            if references:
                found = Payment.objects.filter(client_reference__in=references).select_related("entry")
                earlier = {payment.client_reference: payment for payment in found}
            todo = [(i, p) for i, p in enumerate(payments) if p.client_reference.strip() not in earlier]
            targets = {pk: posting.Posting(account) for pk, account in accounts.items()}
            # What the largest total paid to one account can reach, unless an item picks its documents.
            paid: dict[int, Decimal] = {}
            for _index, payment in todo:
                paid[payment.account_id] = paid.get(payment.account_id, ZERO) + payment.amount
            picks = any(payment.allocations for _index, payment in todo)
            reach = None if picks or not paid else max(paid.values())
            debits = posting.open_debits_of(list(accounts), enough_for=reach)
            journal = posting.Journal(actor)
            recorded = []
            for index, payment in todo:
                target = targets[payment.account_id]
                try:
                    _refuse_closed(target.account)
                    recorded.append(
                        _post_one(journal, target, payment, source=source, debits=debits[payment.account_id])
                    )
                except DomainError as error:
                    raise DomainError(error.message, field=f"items.{index}.{error.field or 'account_id'}") from error
            if recorded:
                journal.write()
                bulk.create(recorded)
            total = sum((p.amount for p in recorded), ZERO)
            audit.record_event(
                event_type="PAYMENTS_RECORDED",
                subject=None,
                payload={"count": len(recorded), "total": str(total), "skipped": len(payments) - len(todo)},
            )
    except IntegrityError as error:
        raise _reference_race() from error
    return BatchResult(payments=recorded, already_recorded=len(payments) - len(todo), earlier=earlier)


def reallocate(*, actor: User, credit: Entry, allocations: Sequence[tuple[int, Decimal]]) -> Entry:
    """Apply a credit (payment, credit note) to other documents without editing anything posted.

    Takes back the credit's current applications (dated today), applies it to the picked debits, and the rest
    oldest first. Atomic, under the account's lock; writes CREDIT_REALLOCATED.
    """
    security.check(actor, "ledger.record_payments")
    if credit.amount >= ZERO or credit.kind == Entry.Kind.REVERSAL:
        raise DomainError(_("Only a payment, credit note or write-off can be re-allocated."), field="credit")
    if hasattr(credit, "reversed_by"):
        raise Conflict(_("This document was reversed."), field="credit")
    with transaction.atomic():
        target = posting.Posting(posting.lock_accounts([credit.account_id])[credit.account_id])
        credit = Entry.objects.get(pk=credit.pk)
        today = business_today(actor.business)
        # Only what it paid on invoices and charges moves: money refunded out of it has left for good.
        posting.unapply_all(
            target, credit, actor=actor, on=today, counterpart_kinds=(Entry.Kind.INVOICE, Entry.Kind.CHARGE)
        )
        debits = {entry.pk: entry for entry in posting.open_debits(target.account)}
        if sum((amount for _pk, amount in allocations), ZERO) > -credit.open_amount:
            raise DomainError(_("The allocations add up to more than the credit."), field="allocations")
        pairs = []
        for entry_id, amount in allocations:
            if entry_id not in debits or amount <= ZERO:
                raise DomainError(
                    _("Document %(id)s is not open on this account.") % {"id": entry_id}, field="allocations"
                )
            pairs.append((debits[entry_id], credit, amount))
        posting.apply(target, pairs, actor=actor, on=today)
        posting.settle(target, actor=actor, on=today)
        posting.finish(target)
        audit.record_event(
            event_type="CREDIT_REALLOCATED",
            subject=credit,
            payload={"allocations": [[pk, str(amount)] for pk, amount in allocations]},
        )
    return credit
