"""Adjustments: charges, credit notes, refunds, write-offs and reversals. Nothing posted is ever edited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.money import to_money
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Entry, Payment
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")


def _amount(value: Decimal, rounding: str) -> Decimal:
    if value <= ZERO:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if to_money(value, rounding) != value:
        raise DomainError(_("The amount cannot have fractions of a cent."), field="amount")
    return value


def post_charge(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    category: str = Entry.Category.SERVICE,
    memo: str = "",
    posted_on: date | None = None,
    due_on: date | None = None,
    source: str = Entry.Source.OFFICE,
) -> Entry:
    """Charge the account a fee (late fee, interest, returned check, service). Atomic; writes CHARGE_POSTED."""
    security.check(actor, "ledger.post_adjustments")
    amount = _amount(amount, actor.business.rounding)
    if category not in Entry.Category.values or category in ("", Entry.Category.BAD_DEBT, Entry.Category.SETTLEMENT):
        raise DomainError(_("Choose what the charge is for."), field="category")
    posted_on = posted_on or business_today(actor.business)
    if due_on is not None and due_on < posted_on:
        raise DomainError(_("The due date cannot be before the charge's date."), field="due_on")
    with transaction.atomic():
        target = posting.Posting(posting.lock_accounts([account.pk])[account.pk])
        entry = posting.append_entry(
            target,
            kind=Entry.Kind.CHARGE,
            amount=amount,
            posted_on=posted_on,
            actor=actor,
            category=category,
            due_on=due_on or posted_on,
            memo=memo,
            source=source,
        )
        posting.settle(target, actor=actor, debits=[entry])
        posting.finish(target)
        audit.record_event(
            event_type="CHARGE_POSTED", subject=entry, payload={"amount": str(amount), "category": category}
        )
    return entry


def _credit(
    *,
    actor: User,
    account: Account,
    kind: str,
    amount: Decimal | None,
    memo: str,
    posted_on: date,
    apply_to: Sequence[int],
    category: str = "",
    approved_by: User | None = None,
) -> Entry:
    """Post a credit (credit note, write-off) and apply it to the picked debits first, then oldest first."""
    target = posting.Posting(posting.lock_accounts([account.pk])[account.pk])
    debits = posting.open_debits(target.account)
    picked = [debit for debit in debits if debit.pk in set(apply_to)]
    if len(picked) != len(set(apply_to)):
        raise DomainError(_("Pick documents that are open on this account."), field="apply_to")
    if amount is None:  # the whole of the picked documents, or of the account's open debits
        amount = sum((debit.open_amount for debit in (picked or debits)), ZERO)
        if amount <= ZERO:
            raise DomainError(_("Nothing is open on this account."), field="amount")
    entry = posting.append_entry(
        target,
        kind=kind,
        amount=-amount,
        posted_on=posted_on,
        actor=actor,
        memo=memo,
        category=category,
        approved_by=approved_by,
    )
    posting.settle(target, actor=actor, debits=picked, credits=[entry])
    posting.settle(target, actor=actor, debits=debits, credits=[entry])
    posting.finish(target)
    return entry


def issue_credit_note(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    reason: str,
    apply_to: Sequence[int] = (),
    posted_on: date | None = None,
) -> Entry:
    """Credit the account (a return, a price adjustment). Atomic; writes CREDIT_NOTE_ISSUED."""
    security.check(actor, "ledger.post_adjustments")
    amount = _amount(amount, actor.business.rounding)
    if not reason.strip():
        raise DomainError(_("Say why the credit is given."), field="reason")
    with transaction.atomic():
        entry = _credit(
            actor=actor,
            account=account,
            kind=Entry.Kind.CREDIT_NOTE,
            amount=amount,
            memo=reason.strip(),
            posted_on=posted_on or business_today(actor.business),
            apply_to=apply_to,
        )
        audit.record_event(event_type="CREDIT_NOTE_ISSUED", subject=entry, payload={"amount": str(amount)})
    return entry


def write_off(
    *,
    actor: User,
    account: Account,
    approver: User,
    reason: str,
    amount: Decimal | None = None,
    apply_to: Sequence[int] = (),
    posted_on: date | None = None,
) -> Entry:
    """Write off bad debt: the picked documents, `amount` oldest first, or (neither) everything open.

    Needs an approver allowed to approve write-offs (who may be the actor). Writing off the whole balance marks the
    account written off. Atomic; writes WRITE_OFF_POSTED with the approver.
    """
    security.check(actor, "ledger.write_off")
    if approver.business_id != actor.business_id or not security.can(approver, "ledger.approve_write_off"):
        raise DomainError(_("The approver's level does not allow approving write-offs."), field="approver")
    if amount is not None:
        amount = _amount(amount, actor.business.rounding)
    if not reason.strip():
        raise DomainError(_("Say why the debt is written off."), field="reason")
    with transaction.atomic():
        entry = _credit(
            actor=actor,
            account=account,
            kind=Entry.Kind.WRITE_OFF,
            amount=amount,
            memo=reason.strip(),
            posted_on=posted_on or business_today(actor.business),
            apply_to=apply_to,
            category=Entry.Category.BAD_DEBT,
            approved_by=approver,
        )
        if entry.open_amount != ZERO:
            raise DomainError(_("You cannot write off more than is owed."), field="amount")
        fresh = Account.objects.get(pk=account.pk)
        if fresh.balance <= ZERO:
            Account.unscoped.filter(pk=account.pk).update(status=Account.Status.WRITTEN_OFF)
        audit.record_event(
            event_type="WRITE_OFF_POSTED",
            subject=entry,
            payload={"amount": str(-entry.amount), "approver": approver.username, "reason": reason.strip()},
        )
    return entry


def refund_credit(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    method: str,
    reference: str = "",
    posted_on: date | None = None,
) -> Entry:
    """Pay back unapplied credit to the customer (an overpayment). Atomic; writes REFUND_POSTED."""
    security.check(actor, "ledger.post_adjustments")
    amount = _amount(amount, actor.business.rounding)
    if method not in Payment.Method.values:
        raise DomainError(_("Choose how the money is paid back."), field="method")
    with transaction.atomic():
        target = posting.Posting(posting.lock_accounts([account.pk])[account.pk])
        credits = posting.open_credits(target.account)
        available = -sum((credit.open_amount for credit in credits), ZERO)
        if amount > available:
            raise DomainError(
                _("Only %(available)s of credit is unapplied on this account.") % {"available": available},
                field="amount",
            )
        posted_on = posted_on or business_today(actor.business)
        entry = posting.append_entry(
            target,
            kind=Entry.Kind.REFUND,
            amount=amount,
            posted_on=posted_on,
            due_on=posted_on,
            actor=actor,
            memo=f"{method} {reference}".strip(),
        )
        posting.settle(target, actor=actor, debits=[entry], credits=credits)
        posting.finish(target)
        audit.record_event(event_type="REFUND_POSTED", subject=entry, payload={"amount": str(amount), "method": method})
    return entry


def reverse_entry(*, actor: User, entry: Entry, reason: str, posted_on: date | None = None) -> Entry:
    """Reverse a posted document (a bounced check, an invoice raised in error) with an equal and opposite entry.

    Its applications are taken back (dated the reversal's date), the reversal is applied to it, and any credit set
    free is applied oldest first. The original is never edited. A reversal cannot itself be reversed. Atomic;
    writes ENTRY_REVERSED.
    """
    security.check(actor, "ledger.reverse")
    if not reason.strip():
        raise DomainError(_("Say why the document is reversed."), field="reason")
    if entry.kind == Entry.Kind.REVERSAL:
        raise DomainError(_("A reversal cannot be reversed: post a new document instead."), field="entry")
    with transaction.atomic():
        target = posting.Posting(posting.lock_accounts([entry.account_id])[entry.account_id])
        original = Entry.objects.get(pk=entry.pk)
        if Entry.objects.filter(reverses=original).exists():
            raise Conflict(_("This document was already reversed."), field="entry")
        floor = target.account.allocation_floor
        posted_on = posted_on or business_today(actor.business)
        if posted_on < original.posted_on or (floor is not None and posted_on < floor):
            raise DomainError(
                _("A reversal cannot be dated before the document or its applications."), field="posted_on"
            )
        posting.unapply_all(target, original, actor=actor, on=posted_on)
        reversal = posting.append_entry(
            target,
            kind=Entry.Kind.REVERSAL,
            amount=-original.amount,
            posted_on=posted_on,
            actor=actor,
            due_on=posted_on,
            memo=reason.strip(),
            reverses=original,
        )
        if original.amount > ZERO:
            posting.apply(target, [(original, reversal, original.amount)], actor=actor, on=posted_on)
        else:
            posting.apply(target, [(reversal, original, reversal.amount)], actor=actor, on=posted_on)
        posting.settle(target, actor=actor, on=posted_on)
        posting.finish(target)
        if original.kind == Entry.Kind.WRITE_OFF and target.account.status == Account.Status.WRITTEN_OFF:
            Account.unscoped.filter(pk=target.account.pk).update(status=Account.Status.OPEN)
        audit.record_event(
            event_type="ENTRY_REVERSED",
            subject=original,
            payload={"reversal": reversal.number, "amount": str(original.amount), "reason": reason.strip()},
        )
    return reversal
