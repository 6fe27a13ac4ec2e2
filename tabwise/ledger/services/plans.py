"""Payment plans: agree a schedule, follow it daily, carry overpayments forward."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.money import MoneySum, to_money
from tabwise.ledger.models import Account, Allocation, Entry, Instalment, Invoice, PaymentPlan
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
MAX_INSTALMENTS = 520  # ten years of weekly payments


def add_months(day: date, months: int, anchor_day: int) -> date:
    """`day` moved by whole months, kept on `anchor_day` or the month's last day (Jan 31 -> Feb 28 -> Mar 31)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def schedule_dates(starts_on: date, frequency: str, count: int) -> list[date]:
    if frequency == PaymentPlan.Frequency.MONTHLY:
        return [add_months(starts_on, n, starts_on.day) for n in range(count)]
    step = 7 if frequency == PaymentPlan.Frequency.WEEKLY else 14
    return [starts_on + timedelta(days=step * n) for n in range(count)]


def create_plan(
    *,
    actor: User,
    account: Account,
    amount: Decimal,
    instalment_amount: Decimal,
    frequency: str,
    starts_on: date,
    invoice: Invoice | None = None,
) -> PaymentPlan:
    """Agree a payment plan on an account: equal instalments, the last one the remainder. Atomic; PLAN_CREATED.

    A plan is for the account's balance, or for one posted invoice (then for at most what is open on it, since only
    payments applied to that invoice pay its instalments: see `paid_toward`).
    """
    security.check(actor, "ledger.manage_plans")
    rounding = actor.business.rounding
    if amount <= ZERO or to_money(amount, rounding) != amount:
        raise DomainError(_("Enter the amount the plan covers."), field="amount")
    if instalment_amount <= ZERO or to_money(instalment_amount, rounding) != instalment_amount:
        raise DomainError(_("Enter the instalment amount."), field="instalment_amount")
    if instalment_amount > amount:
        raise DomainError(_("An instalment cannot be more than the plan's amount."), field="instalment_amount")
    if frequency not in PaymentPlan.Frequency.values:
        raise DomainError(_("Choose how often the customer pays."), field="frequency")
    today = business_today(actor.business)
    if starts_on < today:
        raise DomainError(_("The first instalment cannot be due in the past."), field="starts_on")
    if account.status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF):
        raise DomainError(_("This account is %(status)s.") % {"status": account.get_status_display()}, field="account")
    invoice_entry_id = None
    if invoice is not None:
        if invoice.account_id != account.pk:
            raise DomainError(_("That invoice is on another account."), field="invoice")
        if invoice.kind != Invoice.Kind.INVOICE or invoice.entry_id is None:
            raise DomainError(_("Choose an invoice posted to this account."), field="invoice")
        invoice_entry_id = invoice.entry_id
    full, remainder = divmod(amount, instalment_amount)
    if int(full) + (1 if remainder else 0) > MAX_INSTALMENTS:  # counted before the list is built: it can be huge
        raise DomainError(
            _("That plan would take more than %(n)s instalments.") % {"n": MAX_INSTALMENTS}, field="instalment_amount"
        )
    amounts = [instalment_amount] * int(full) + ([remainder] if remainder else [])
    with transaction.atomic():
        Account.objects.select_for_update().get(pk=account.pk)
        if account.plans.filter(status=PaymentPlan.Status.ACTIVE).exists():
            raise Conflict(_("This account already has an active plan."), field="account")
        if invoice is not None and invoice_entry_id is not None:
            open_amount = Entry.objects.values_list("open_amount", flat=True).get(pk=invoice_entry_id)
            if amount > open_amount:
                raise DomainError(
                    _("A plan for invoice %(number)s can cover at most what is open on it: %(open)s.")
                    % {"number": invoice.number, "open": open_amount},
                    field="amount",
                )
        plan = PaymentPlan.objects.create(
            account=account,
            invoice=invoice,
            amount=amount,
            instalment_amount=instalment_amount,
            frequency=frequency,
            starts_on=starts_on,
            counts_from=today,
            created_by=actor,
        )
        Instalment.objects.bulk_create(
            Instalment(plan=plan, sequence=n + 1, due_on=due_on, amount=part)
            for n, (due_on, part) in enumerate(
                zip(schedule_dates(starts_on, frequency, len(amounts)), amounts, strict=True)
            )
        )
        audit.record_event(
            event_type="PLAN_CREATED",
            subject=plan,
            payload={"amount": str(amount), "instalment": str(instalment_amount), "frequency": frequency},
        )
    return plan


def cancel_plan(*, actor: User, plan: PaymentPlan, reason: str) -> PaymentPlan:
    """End a plan early (the debt stays on the account). Atomic; writes PLAN_CANCELLED."""
    security.check(actor, "ledger.manage_plans")
    if not reason.strip():
        raise DomainError(_("Say why the plan is cancelled."), field="reason")
    with transaction.atomic():
        plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PaymentPlan.Status.ACTIVE:
            raise Conflict(_("Only an active plan can be cancelled."), field="plan")
        plan.status = PaymentPlan.Status.CANCELLED
        plan.save(update_fields=["status"])
        audit.record_event(event_type="PLAN_CANCELLED", subject=plan, payload={"reason": reason.strip()})
    return plan


def paid_toward(plan: PaymentPlan, *, through: date | None = None) -> Decimal:
    """Money paid toward the plan by payments dated from the day it was agreed (`counts_from`) up to `through`.

    Toward the plan means applied to the debt the plan is for: for a plan on an invoice, that invoice; for a plan on
    the account's balance, the debits dated on or before the day it was agreed (not later sales, charges, or
    returned checks). It is what payments applied to them, net of the applications taken back (a reversed, i.e.
    bounced, payment, or a payment re-allocated elsewhere). Credit notes, write-offs and reversals lower the debt
    but are not payments, so they pay no instalment. Each payment counts on its own date.
    """
    applied = Allocation.objects.filter(credit__kind=Entry.Kind.PAYMENT, credit__posted_on__gte=plan.counts_from)
    if plan.invoice_id is not None:
        applied = applied.filter(debit__invoice__id=plan.invoice_id)
    else:
        applied = applied.filter(account_id=plan.account_id, debit__posted_on__lte=plan.counts_from)
    if through is not None:
        applied = applied.filter(credit__posted_on__lte=through)
    return applied.aggregate(total=MoneySum("amount"))["total"]


class Scheduled(Protocol):
    due_on: date
    amount: Decimal


def instalment_states(instalments: Sequence[Scheduled], *, paid: Decimal, today: date) -> list[tuple[str, Decimal]]:
    """What a plan's instalments are on `today` given `paid` toward the plan: [(status, amount covered)].

    Payments fill instalments in order, so paying ahead covers the next ones; an instalment due before `today`
    that is not covered is short (partly paid) or missed (nothing). Pure: the daily check writes what it gives,
    and the plan's calendar shows it live.
    """
    remaining = paid
    states = []
    for instalment in instalments:
        covered = min(max(remaining, ZERO), instalment.amount)
        remaining -= covered
        if covered == instalment.amount:
            status = Instalment.Status.PAID
        elif instalment.due_on >= today:
            status = Instalment.Status.PENDING
        else:
            status = Instalment.Status.SHORT if covered > ZERO else Instalment.Status.MISSED
        states.append((str(status), covered))
    return states


@dataclass(frozen=True)
class PlanCheck:
    newly_short: list[Instalment]
    newly_missed: list[Instalment]
    completed: bool


def check_plan(*, plan: PaymentPlan, today: date) -> PlanCheck:
    """Bring a plan's instalments up to date: paid (overpayments carried forward), short or missed.

    Payments fill instalments in order, so paying ahead covers the next instalments. An instalment due before
    `today` that is not covered is short (partly paid) or missed (nothing). Safe to run twice: an event is written
    only when an instalment first becomes short or missed. Atomic.
    """
    with transaction.atomic():
        plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PaymentPlan.Status.CANCELLED:
            return PlanCheck([], [], completed=False)
        paid = paid_toward(plan)
        newly_short, newly_missed, changed = [], [], []
        instalments = list(plan.instalments.order_by("sequence"))
        for instalment, (status, covered) in zip(
            instalments, instalment_states(instalments, paid=paid, today=today), strict=True
        ):
            if (status, covered) != (instalment.status, instalment.paid_amount):
                if status == Instalment.Status.SHORT and instalment.status != status:
                    newly_short.append(instalment)
                if status == Instalment.Status.MISSED and instalment.status != status:
                    newly_missed.append(instalment)
                instalment.status, instalment.paid_amount = status, covered
                changed.append(instalment)
        if changed:
            Instalment.objects.bulk_update(changed, ["status", "paid_amount"])
        for instalment in newly_short + newly_missed:
            audit.record_event(
                event_type="INSTALMENT_SHORT" if instalment.status == Instalment.Status.SHORT else "INSTALMENT_MISSED",
                subject=plan,
                payload={
                    "sequence": instalment.sequence,
                    "due_on": instalment.due_on.isoformat(),
                    "due": str(instalment.amount),
                    "paid": str(instalment.paid_amount),
                },
            )
        completed = paid >= plan.amount and plan.status == PaymentPlan.Status.ACTIVE
        if completed:
            plan.status = PaymentPlan.Status.COMPLETED
            plan.save(update_fields=["status"])
            audit.record_event(event_type="PLAN_COMPLETED", subject=plan, payload={"paid": str(paid)})
    return PlanCheck(newly_short, newly_missed, completed)


def check_plans(*, today: date) -> list[PlanCheck]:
    """The daily check of every active plan of the business in scope."""
    return [check_plan(plan=plan, today=today) for plan in PaymentPlan.objects.filter(status="active")]
