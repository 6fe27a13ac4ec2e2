"""One account's ledger kept in memory by the rules of `tabwise.ledger.posting`, so the demo can post two years of
documents without a query per document and insert the result in bulk afterwards.

What is mirrored, service by service (see `tabwise.ledger.posting` and `tabwise.ledger.services`):

- entries carry signed amounts (positive: the customer owes more) and an open amount, `amount - allocations`;
- credits are applied to debits oldest first with `posting.match_oldest_first` itself: debits by due date, then
  date, then posting order; credits by date, then posting order;
- every allocation is dated `max(debit date, credit date, the account's allocation floor, the service's day)`, and
  the floor moves to that date, so allocation dates never go back in time;
- after every posting the account has open debits or open credits, never both;
- a reversal takes back the original's applications (dated the reversal's day), is applied to the original, and
  the credit it frees is applied oldest first at once.

Entries here are `Posted` records, light stand-ins for `Entry` rows (a Django model instance costs more to make
than everything else the demo does with it). `match_oldest_first` reads only `pk` and `open_amount`, so each
carries a provisional id (its posting order in the business) until `tabwise.demo.ledger.writer` gives it the real
one; allocations are `Applied` records until then.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from tabwise.ledger import posting
from tabwise.ledger.models import Account, Entry, Instalment, LedgerSettings, PaymentPlan
from tabwise.ledger.services import charges, plans
from tabwise.users.models import User

ZERO = Decimal("0")


class BookError(AssertionError):
    """The demo tried something the ledger's services would refuse (a bug in the demo, never in the data)."""


@dataclass(slots=True, eq=False)
class Posted:
    """An entry before it is inserted: the columns of `Entry` that the demo sets (see its model for meanings)."""

    pk: int
    account: Account
    kind: str
    amount: Decimal
    open_amount: Decimal
    posted_on: date
    due_on: date | None
    posted_by: User | None
    source: str
    memo: str = ""
    category: str = ""
    approved_by: User | None = None
    assessment: str = ""
    reverses: Posted | None = None
    is_reversed: bool = False
    number: str = ""


@dataclass(slots=True, eq=False)
class Applied:
    """An allocation before it is inserted: `amount` of `credit` applied to `debit` from `applied_on`."""

    debit: Posted
    credit: Posted
    amount: Decimal
    applied_on: date
    by: User | None


@dataclass
class Book:
    """The entries, allocations, balance and allocation floor of one account, posted in date order."""

    account: Account
    ids: Iterator[int]  # provisional ids, shared by the business's books so they also order across accounts
    entries: list[Posted] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)
    balance: Decimal = ZERO
    floor: date | None = None
    assessed: set[str] = field(default_factory=set)  # the months late charges were assessed ("2026-01")
    _open: dict[int, Posted] = field(default_factory=dict)  # provisional id -> entry with something open

    # -- the posting engine (posting.append_entry / apply / settle / unapply_all) --

    def _append(
        self,
        *,
        kind: str,
        amount: Decimal,
        on: date,
        by: User | None,
        due_on: date | None = None,
        source: str = Entry.Source.OFFICE,
        memo: str = "",
        category: str = "",
        approved_by: User | None = None,
        assessment: str = "",
        reverses: Posted | None = None,
    ) -> Posted:
        if amount == ZERO:
            raise BookError("an amount of zero cannot be posted")
        if self.entries and on < self.entries[-1].posted_on:
            raise BookError("the demo posts each account's documents in date order")
        entry = Posted(
            pk=next(self.ids),
            account=self.account,
            kind=kind,
            amount=amount,
            open_amount=amount,
            posted_on=on,
            due_on=due_on if amount > ZERO else None,
            posted_by=by,
            source=source,
            memo=memo[:200],
            category=category,
            approved_by=approved_by,
            assessment=assessment,
            reverses=reverses,
        )
        self.entries.append(entry)
        self._open[entry.pk] = entry
        self.balance += amount
        return entry

    def _apply(
        self, pairs: Sequence[tuple[Posted, Posted, Decimal]], *, by: User | None, on: date | None = None
    ) -> None:
        for debit, credit, amount in pairs:
            if amount == ZERO:
                continue
            debit.open_amount -= amount
            credit.open_amount += amount
            if not (ZERO <= debit.open_amount <= debit.amount) or not (credit.amount <= credit.open_amount <= ZERO):
                raise BookError("an allocation left an open amount out of its bounds")
            days = [debit.posted_on, credit.posted_on]
            days += [d for d in (on, self.floor) if d is not None]
            self.floor = max(days)
            self.applied.append(Applied(debit, credit, amount, self.floor, by))
            for entry in (debit, credit):
                if entry.open_amount == ZERO:
                    self._open.pop(entry.pk, None)
                else:
                    self._open[entry.pk] = entry

    def open_debits(self) -> list[Posted]:
        """posting.open_debits: oldest first by due date, then date, then posting order."""
        debits = [entry for entry in self._open.values() if entry.open_amount > ZERO]
        debits.sort(key=lambda entry: (entry.due_on, entry.posted_on, entry.pk))
        return debits

    def open_credits(self) -> list[Posted]:
        credits = [entry for entry in self._open.values() if entry.open_amount < ZERO]
        credits.sort(key=lambda entry: (entry.posted_on, entry.pk))
        return credits

    def _settle(
        self,
        *,
        by: User | None,
        debits: list[Posted] | None = None,
        credits: list[Posted] | None = None,
        on: date | None = None,
    ) -> None:
        debits = [e for e in (self.open_debits() if debits is None else debits) if e.open_amount > ZERO]
        credits = [e for e in (self.open_credits() if credits is None else credits) if e.open_amount < ZERO]
        # match_oldest_first reads only .pk and .open_amount, which Posted has as Entry does.
        pairs = posting.match_oldest_first(cast(list[Entry], debits), cast(list[Entry], credits))
        self._apply(cast(list[tuple[Posted, Posted, Decimal]], pairs), by=by, on=on)

    # -- the services --

    def post_debit(
        self,
        *,
        kind: str,
        amount: Decimal,
        on: date,
        due_on: date,
        by: User | None,
        source: str = Entry.Source.OFFICE,
        memo: str = "",
        category: str = "",
        assessment: str = "",
    ) -> Posted:
        """services.post_invoice / post_charge: a debit, then any unapplied credit applied to it."""
        if due_on < on:
            raise BookError("the due date cannot be before the document's date")
        entry = self._append(
            kind=kind,
            amount=amount,
            on=on,
            by=by,
            due_on=due_on,
            source=source,
            memo=memo,
            category=category,
            assessment=assessment,
        )
        if self.balance < amount:  # there was unapplied credit (never open debits and credits both)
            self._settle(by=by, debits=[entry])
        return entry

    def pay(self, *, amount: Decimal, on: date, by: User | None, source: str, memo: str = "") -> Posted:
        """services.record_payment with no picked documents: a credit applied to the oldest open debits."""
        if amount <= ZERO:
            raise BookError("a payment must be more than zero")
        debits = self.open_debits()
        entry = self._append(kind=Entry.Kind.PAYMENT, amount=-amount, on=on, by=by, source=source, memo=memo)
        if debits:
            self._settle(by=by, debits=debits, credits=[entry])
        return entry

    def credit(
        self,
        *,
        kind: str,
        amount: Decimal | None,
        on: date,
        by: User,
        memo: str,
        apply_to: Sequence[Posted] = (),
        category: str = "",
        approved_by: User | None = None,
    ) -> Posted:
        """services.issue_credit_note / write_off (`_credit`): the picked debits first, then oldest first."""
        debits = self.open_debits()
        picked = [debit for debit in debits if any(debit is chosen for chosen in apply_to)]
        if amount is None:
            amount = sum((debit.open_amount for debit in (picked or debits)), ZERO)
        entry = self._append(
            kind=kind, amount=-amount, on=on, by=by, memo=memo, category=category, approved_by=approved_by
        )
        self._settle(by=by, debits=picked, credits=[entry])
        self._settle(by=by, debits=debits, credits=[entry])
        return entry

    def write_off(self, *, on: date, by: User, approver: User, memo: str) -> Posted:
        """services.write_off of everything open; the account is then written off."""
        entry = self.credit(
            kind=Entry.Kind.WRITE_OFF,
            amount=None,
            on=on,
            by=by,
            memo=memo,
            category=Entry.Category.BAD_DEBT,
            approved_by=approver,
        )
        if entry.open_amount != ZERO or self.balance > ZERO:
            raise BookError("a write-off of everything open leaves nothing open")
        self.account.status = Account.Status.WRITTEN_OFF
        return entry

    def refund(self, *, amount: Decimal, on: date, by: User, memo: str) -> Posted:
        """services.refund_credit: pay back unapplied credit."""
        credits = self.open_credits()
        if amount > -sum((credit.open_amount for credit in credits), ZERO):
            raise BookError("only unapplied credit can be refunded")
        entry = self._append(kind=Entry.Kind.REFUND, amount=amount, on=on, by=by, due_on=on, memo=memo)
        self._settle(by=by, debits=[entry], credits=credits)
        return entry

    def reverse(self, original: Posted, *, on: date, by: User, memo: str) -> Posted:
        """services.reverse_entry: take back the original's applications, post and apply the reversal, settle."""
        if original.kind == Entry.Kind.REVERSAL or original.is_reversed:
            raise BookError("a reversal cannot be reversed, nor a document twice")
        if on < original.posted_on or (self.floor is not None and on < self.floor):
            raise BookError("a reversal cannot be dated before the document or its applications")
        side_is_debit = original.amount > ZERO
        totals: dict[int, tuple[Posted, Decimal]] = {}
        for applied in self.applied:
            if (applied.debit if side_is_debit else applied.credit) is original:
                other = applied.credit if side_is_debit else applied.debit
                totals[other.pk] = (other, totals.get(other.pk, (other, ZERO))[1] + applied.amount)
        pairs = [
            (original, other, -amount) if side_is_debit else (other, original, -amount)
            for other, amount in totals.values()
            if amount != ZERO
        ]
        self._apply(pairs, by=by, on=on)
        reversal = self._append(
            kind=Entry.Kind.REVERSAL, amount=-original.amount, on=on, by=by, due_on=on, memo=memo, reverses=original
        )
        original.is_reversed = True
        if side_is_debit:
            self._apply([(original, reversal, original.amount)], by=by, on=on)
        else:
            self._apply([(reversal, original, reversal.amount)], by=by, on=on)
        self._settle(by=by, on=on)
        return reversal

    def assess_late_charges(self, *, on: date, policy: LedgerSettings, rounding: str) -> list[Posted]:
        """services.charges.assess_late_charges for this account on `on`: this month's late fee and interest, once."""
        if self.account.status not in (Account.Status.OPEN, Account.Status.ON_HOLD) or self.balance <= ZERO:
            return []
        period = f"{on:%Y-%m}"
        if period in self.assessed:  # the unique (account, assessment) row: once a month, however often it runs
            return []
        cutoff = on - timedelta(days=policy.late_fee_grace_days)
        overdue = sum(
            (
                entry.open_amount
                for entry in self._open.values()
                if entry.kind in charges.CHARGEABLE_KINDS
                and entry.open_amount > ZERO
                and entry.due_on is not None
                and entry.due_on < cutoff
            ),
            ZERO,
        )
        fee, interest = charges.assess(policy, overdue, rounding)
        posted = []
        for category, amount in ((Entry.Category.LATE_FEE, fee), (Entry.Category.INTEREST, interest)):
            if amount > ZERO:
                posted.append(
                    self._append(
                        kind=Entry.Kind.CHARGE,
                        amount=amount,
                        on=on,
                        by=None,
                        due_on=on,
                        source=Entry.Source.SYSTEM,
                        memo=f"{Entry.Category(category).label} {period}",
                        category=category,
                        assessment=f"{category}:{period}",
                    )
                )
        if posted:
            self.assessed.add(period)
            self._settle(by=None, debits=posted)
        return posted

    # -- reads --

    def paid_toward(self, *, counts_from: date, invoice: Posted | None) -> Decimal:
        """plans.paid_toward: what payments dated from `counts_from` applied to the plan's debt (the invoice, or
        the debits dated on or before `counts_from`), net of applications taken back."""
        return sum(
            (
                applied.amount
                for applied in self.applied
                if applied.credit.kind == Entry.Kind.PAYMENT
                and applied.credit.posted_on >= counts_from
                and (applied.debit is invoice if invoice is not None else applied.debit.posted_on <= counts_from)
            ),
            ZERO,
        )

    def owed_from(self, before: date) -> Decimal:
        """What is still open on debits dated before `before` (what a statement cut on that day still asks for)."""
        return sum((e.open_amount for e in self._open.values() if e.open_amount > ZERO and e.posted_on < before), ZERO)


@dataclass(slots=True)
class Due:
    """An instalment before it is inserted."""

    sequence: int
    due_on: date
    amount: Decimal
    status: str = Instalment.Status.PENDING
    paid_amount: Decimal = ZERO


def instalment_states(
    plan: PaymentPlan, instalments: Sequence[Due], *, paid: Decimal, today: date
) -> tuple[bool, list[tuple[str, Decimal]]]:
    """What `plans.check_plan` makes of a plan on `today` given `paid` toward it: (completed, [(status, paid)])."""
    states = plans.instalment_states(instalments, paid=paid, today=today)
    return paid >= plan.amount and plan.status == PaymentPlan.Status.ACTIVE, states
