"""Late fees and interest, assessed by the business's policy (LedgerSettings) once per account per month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from tabwise.core import audit
from tabwise.core.money import MoneySum, to_money
from tabwise.ledger import posting
from tabwise.ledger.models import Account, Entry, LedgerSettings
from tabwise.tenants.models import Business

ZERO = Decimal("0")
# Fees are never charged on fees: only what was sold (and refunds) counts as overdue for the policy.
CHARGEABLE_KINDS = (Entry.Kind.INVOICE, Entry.Kind.REFUND)


@dataclass(frozen=True)
class Assessment:
    account: Account
    overdue: Decimal
    late_fee: Decimal
    interest: Decimal


def overdue_balance(account: Account, *, as_of: date, grace_days: int) -> Decimal:
    """What is still open on the account's invoices due more than `grace_days` before `as_of`."""
    cutoff = as_of - timedelta(days=grace_days)
    overdue = account.entries.filter(kind__in=CHARGEABLE_KINDS, open_amount__gt=0, due_on__lt=cutoff)
    return overdue.aggregate(total=MoneySum("open_amount"))["total"]


def assess(policy: LedgerSettings, overdue: Decimal, rounding: str) -> tuple[Decimal, Decimal]:
    """(late fee, interest) for one month on `overdue`: a flat fee, and APR / 12 with the minimum charge."""
    if overdue <= ZERO:
        return ZERO, ZERO
    interest = ZERO
    if policy.interest_apr > ZERO:
        interest = max(to_money(overdue * policy.interest_apr / 100 / 12, rounding), policy.minimum_interest)
    return policy.late_fee, interest


def assess_late_charges(*, business: Business, as_of: date) -> list[Assessment]:
    """Charge each open account its late fee and interest for `as_of`'s month, if it has overdue invoices.

    Safe to run every day: each (account, kind, month) is charged at most once, held by a unique constraint.
    Each account is its own transaction, under its lock; writes CHARGE_POSTED for each charge.
    """
    from tabwise.ledger.services.sales import ledger_settings

    policy = ledger_settings()
    if policy.late_fee <= ZERO and policy.interest_apr <= ZERO:
        return []
    period = f"{as_of:%Y-%m}"
    done = []
    candidates = Account.objects.filter(status__in=[Account.Status.OPEN, Account.Status.ON_HOLD], balance__gt=0)
    for account_id in candidates.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                target = posting.Posting(posting.lock_accounts([account_id])[account_id])
                overdue = overdue_balance(target.account, as_of=as_of, grace_days=policy.late_fee_grace_days)
                fee, interest = assess(policy, overdue, business.rounding)
                charges = []
                for category, amount in ((Entry.Category.LATE_FEE, fee), (Entry.Category.INTEREST, interest)):
                    if amount > ZERO:
                        charges.append(
                            posting.append_entry(
                                target,
                                kind=Entry.Kind.CHARGE,
                                amount=amount,
                                posted_on=as_of,
                                due_on=as_of,
                                actor=None,
                                category=category,
                                source=Entry.Source.SYSTEM,
                                memo=f"{Entry.Category(category).label} {period}",
                                assessment=f"{category}:{period}",
                            )
                        )
                if not charges:
                    continue
                posting.settle(target, actor=None, debits=charges)
                posting.finish(target)
                for charge in charges:
                    audit.record_event(
                        event_type="CHARGE_POSTED",
                        subject=charge,
                        payload={"amount": str(charge.amount), "category": charge.category, "overdue": str(overdue)},
                    )
                done.append(Assessment(target.account, overdue, fee, interest))
        except IntegrityError:
            continue  # this month was already charged (another run got there first)
    return done
