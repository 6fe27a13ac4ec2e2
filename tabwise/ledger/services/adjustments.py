"""Adjustments: charges, credit notes, refunds, write-offs and reversals. Nothing posted is ever edited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.models import AuditEvent
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
    """Post a credit (credit note, write-off) and apply it to the picked debits first, then oldest first.

    Refused on `posted_on` if it would settle a document dated after it (a credit cannot settle what did not exist).
    """
    target = posting.Posting(posting.lock_accounts([account.pk])[account.pk])
    debits = posting.open_debits(target.account)
    picked = [debit for debit in debits if debit.pk in set(apply_to)]
    if len(picked) != len(set(apply_to)):
        raise DomainError(_("Pick documents that are open on this account."), field="apply_to")
    _refuse_settling_later(kind, posted_on, picked)
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
    allocations = posting.settle(target, actor=actor, debits=picked, credits=[entry])
    allocations += posting.settle(target, actor=actor, debits=debits, credits=[entry])
    # Oldest first may reach a later document: refused too (the transaction rolls back what was written).
    _refuse_settling_later(kind, posted_on, [allocation.debit for allocation in allocations])
    posting.finish(target)
    return entry


def _refuse_settling_later(kind: str, posted_on: date, debits: Sequence[Entry]) -> None:
    """Refuse (on `posted_on`) a credit note or write-off dated before a document it would settle."""
    later = [debit for debit in debits if debit.posted_on > posted_on]
    if not later:
        return
    first = min(later, key=lambda debit: (debit.posted_on, debit.pk))
    values = {"number": first.number, "date": first.posted_on.isoformat()}
    if kind == Entry.Kind.WRITE_OFF:
        message = _("A write-off cannot be dated before the document it settles: %(number)s is dated %(date)s.")
    else:
        message = _("A credit note cannot be dated before the document it settles: %(number)s is dated %(date)s.")
    raise DomainError(message % values, field="posted_on")


def issue_credit_note(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    reason: str,
    apply_to: Sequence[int] = (),
    posted_on: date | None = None,
) -> Entry:
    """Credit the account (a return, a price adjustment). Atomic; writes CREDIT_NOTE_ISSUED.

    Refused on `posted_on` if dated before a document it would settle (picked, or reached oldest first).
    """
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
    account written off. Refused on `posted_on` if dated before a document it would settle. Atomic; writes
    WRITE_OFF_POSTED with the approver and the account's status before and after.
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
        fresh = Account.objects.get(pk=account.pk)  # locked by _credit
        status = fresh.status
        if fresh.balance <= ZERO:
            status = _set_status(fresh, Account.Status.WRITTEN_OFF)
        audit.record_event(
            event_type="WRITE_OFF_POSTED",
            subject=entry,
            payload={
                "amount": str(-entry.amount),
                "approver": approver.username,
                "reason": reason.strip(),
                # What reversing this write-off restores (see reverse_entry); old == new: it changed nothing.
                "account_status": {"old": fresh.status, "new": status},
            },
        )
    return entry


def _set_status(account: Account, status: str) -> str:
    """Change a locked account's status through the audited manager (a row-history entry with who and where)."""
    if account.status != status:
        Account.objects.filter(pk=account.pk).update(status=status)
    return status


def refund_credit(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    method: str,
    reference: str = "",
    posted_on: date | None = None,
) -> Entry:
    """Pay back unapplied credit to the customer (an overpayment), the oldest credit first. Atomic; REFUND_POSTED.

    Refused on `amount` beyond the unapplied credit, and on `posted_on` if dated before a credit it pays back.
    """
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
        _refuse_refunding_later(posted_on, amount, credits)
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


def _refuse_refunding_later(posted_on: date, amount: Decimal, credits: Sequence[Entry]) -> None:
    """Refuse (on `posted_on`) a refund dated before a credit it pays back: the credits are used oldest first, as
    `posting.settle` will, so the ones it reaches are exactly those it refunds."""
    left = amount
    for credit in credits:
        if left <= ZERO:
            return
        if credit.posted_on > posted_on:
            raise DomainError(
                _("A refund cannot be dated before the credit it pays back: %(number)s is dated %(date)s.")
                % {"number": credit.number, "date": credit.posted_on.isoformat()},
                field="posted_on",
            )
        left -= min(left, -credit.open_amount)


def reverse_entry(*, actor: User, entry: Entry, reason: str, posted_on: date | None = None) -> Entry:
    """Reverse a posted document (a bounced check, an invoice raised in error) with an equal and opposite entry.

    Its applications are taken back (dated the reversal's date), the reversal is applied to it, and any credit set
    free is applied oldest first. The original is never edited. A reversal cannot itself be reversed. Reversing a
    write-off that marked the account written off gives it back the status it had. Atomic; writes ENTRY_REVERSED
    (with the account's status change, if any).
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
        payload: dict[str, Any] = {"reversal": reversal.number, "amount": str(original.amount)}
        payload["reason"] = reason.strip()
        if original.kind == Entry.Kind.WRITE_OFF:
            current = target.account.status
            restored = _status_before_write_off(original, current=current)
            if restored is not None and restored != current:
                _set_status(target.account, restored)
                payload["account_status"] = {"old": current, "new": restored}
        audit.record_event(event_type="ENTRY_REVERSED", subject=original, payload=payload)
    return reversal


def _status_before_write_off(write_off: Entry, *, current: str) -> str | None:
    """The status reversing `write_off` gives the account back, or None to leave it as it is.

    The write-off's event records the status it found and the one it set. Only a write-off that changed the status
    changes it back, and only while the account still has the status it set (a status changed by hand since then
    stays). A write-off recorded without them (before they were) reopens a written-off account, as it used to.
    """
    event = (
        AuditEvent.objects.filter(
            event_type="WRITE_OFF_POSTED", subject_type=Entry._meta.label, subject_id=str(write_off.pk)
        )
        .order_by("id")
        .first()
    )
    change = event.payload.get("account_status") if event is not None else None
    if not isinstance(change, dict):
        return Account.Status.OPEN if current == Account.Status.WRITTEN_OFF else None
    if change.get("old") == change.get("new") or current != change.get("new"):
        return None
    restored = change.get("old")
    return restored if restored in Account.Status.values else None
