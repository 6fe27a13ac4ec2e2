"""The receivables ledger driven by random sequences of everything a business does, checked after every step.

Rules: invoices (random lines, quantities, prices, tax rates; dated today, back-dated a few weeks, now and then
post-dated), charges, payments (oldest first, picked, over- and under-paying, late-evening receipts, re-sent client
references, bad picks), batches, credit notes, re-allocations, refunds of unapplied credit, write-offs (partial,
picked, whole account; a permitted and an unpermitted approver), reversals (bounced checks, invoices, write-offs, and
the ones that must be refused), holds, late-charge runs, and the clock moving forward.

After every step: `verify_account` is clean on each account; each balance matches a model kept here; allocations
are dated on or after both documents, monotonic per account, never take back more than was applied and match the
account's allocation floor; no payment is applied beyond its amount; every open amount is within bounds on past days
too; and the aging report matches the oracle as of today (the total and one grouping in turn) and as of one more
date in turn (the day before, mid-way between a payment and its reversal, a day of the ledger's history, before it
began). The rule `check_aging_in_full` checks every grouping and the drill-down on random dates and around each
reversal. A refusal (DomainError) must leave the database as it was; a service that should succeed must not refuse.

Isolation: see `test_aging_properties`: one savepoint per example, rolled back in `teardown()`, which hypothesis
calls however the example ends. The clock is frozen per example with time-machine (re-allocation dates itself
"today").
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.core.models import AuditEvent
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Allocation, Entry, Invoice, LedgerSettings, Payment
from tabwise.ledger.services import charges
from tabwise.ledger.tests.test_aging_properties import (
    ZONE,
    Ledger,
    World,
    build_world,
    check_aged_items,
    check_aging,
    check_open_on_within_bounds,
)

T = TypeVar("T")
ZERO = Decimal("0")
CENT = Decimal("0.01")
START = date(2026, 3, 2)
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=low, max_value=high).map(lambda n: Decimal(n).scaleb(-2))


amounts = st.one_of(
    cents(1, 100), cents(1, 150_000), st.sampled_from([Decimal("0.10"), Decimal("0.20"), Decimal("0.30")])
)
unit_prices = st.one_of(cents(1, 50_000), st.sampled_from([Decimal("0.01"), Decimal("0.25"), Decimal("2.01")]))
quantities = st.sampled_from([Decimal(q) for q in ("1", "2", "3", "12", "0.5", "1.25", "0.333", "0.001")])
tax_rates = st.sampled_from([Decimal(r) for r in ("0", "0.0825", "0.07", "0.0625", "0.1", "0.09875")])
back_days = st.sampled_from([0, 0, 0, 1, 2, 6, 13, 20, -3])  # negative: post-dated
pick_amounts = cents(1, 200_000)
methods = st.sampled_from(["cash", "check", "card", "ach", "money_order"])
ROTATING = ("customer", "account", "owner", "rep")


class LedgerMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._scope: Any = None
        self._travel: Any = None

    # --- set-up and teardown ----------------------------------------------------------------------------------------

    @initialize(
        rounding=st.sampled_from(["half_up", "half_even"]),
        boundaries=st.sampled_from([[30, 60, 90], [15, 45], [7, 14, 21, 28]]),
        age_by=st.sampled_from(LedgerSettings.AgeBy.values),
        late_fee=st.sampled_from([ZERO, Decimal("5.00")]),
    )
    def set_up(self, rounding: str, boundaries: list[int], age_by: str, late_fee: Decimal) -> None:
        self.today = START
        self._travel = time_machine.travel(self._noon(START), tick=False)
        self._clock = self._travel.start()
        self.world = build_world(
            rounding=rounding, boundaries=boundaries, age_by=age_by, late_fee=late_fee, opened_on=START
        )
        self._scope = tenancy.business_scope(self.world.business)
        self._scope.__enter__()
        self.rounding = rounding
        self.accounts = [account.pk for account in self.world.accounts]
        services.update_account(actor=self.world.clerk, account=self.world.accounts[2], credit_limit=Decimal("4000"))
        self.balances = dict.fromkeys(self.accounts, ZERO)  # the model: what each account should owe
        self.references: dict[str, int] = {}  # client reference -> payment id
        self.reversal_windows: list[tuple[date, date]] = []  # (payment date, its reversal's date)
        self.steps = 0
        self.ready = True

    def teardown(self) -> None:
        if self._scope is not None:
            self._scope.__exit__(None, None, None)
        if self._travel is not None:
            self._travel.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------------------------------

    @staticmethod
    def _noon(day: date) -> datetime:
        return datetime.combine(day, time(12), ZONE)

    def _money(self, value: Decimal) -> Decimal:
        return value.quantize(CENT, rounding=MODES[self.rounding])

    def _account(self, pk: int) -> Account:
        return Account.objects.get(pk=pk)

    def _footprint(self) -> tuple[Any, ...]:
        return (
            Entry.objects.count(),
            Allocation.objects.count(),
            Payment.objects.count(),
            Invoice.objects.count(),
            AuditEvent.objects.count(),
            tuple(Account.objects.order_by("pk").values_list("balance", "status", "allocation_floor")),
        )

    def _attempt(self, action: Callable[[], T], expect: bool | None) -> T | None:
        """Run a service: True must succeed, False must be refused, None either. A refusal must write nothing."""
        before = self._footprint()
        try:
            result = action()
        except DomainError as error:
            assert expect is not True, f"refused unexpectedly: {error.message} ({error.field})"
            assert self._footprint() == before, "a refused request wrote something"
            return None
        assert expect is not False, "this request should have been refused"
        return result

    def _open_debits(self, account_id: int) -> list[Entry]:
        return list(
            Entry.objects.filter(account_id=account_id, open_amount__gt=0).order_by("due_on", "posted_on", "id")
        )

    def _unapplied(self, account_id: int) -> Decimal:
        total = Entry.objects.filter(account_id=account_id, open_amount__lt=0).aggregate(total=Sum("open_amount"))
        return -(total["total"] or ZERO).quantize(CENT)

    def _applied_from(self, credit: Entry) -> dict[int, Decimal]:
        applied: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for debit_id, amount in Allocation.objects.filter(credit=credit).values_list("debit_id", "amount"):
            applied[debit_id] += amount
        return applied

    def _check_oldest_first(
        self, before: list[Entry], picks: dict[int, Decimal], credit: Entry, amount: Decimal
    ) -> None:
        """The credit went to the picked documents first, then to the oldest open ones, greedily."""
        opens = {entry.pk: entry.open_amount for entry in before}
        expected: dict[int, Decimal] = defaultdict(lambda: ZERO)
        left = amount
        for pk, pick in picks.items():
            expected[pk] += pick
            opens[pk] -= pick
            left -= pick
        for entry in before:
            take = min(opens[entry.pk], left)
            if take > ZERO:
                expected[entry.pk] += take
                left -= take
        assert {pk: a for pk, a in self._applied_from(credit).items() if a} == {
            pk: a for pk, a in expected.items() if a
        }

    @staticmethod
    def _reached(entries: list[Entry], picks: dict[int, Decimal], amount: Decimal) -> list[Entry]:
        """The documents a credit (or a refund) of `amount` reaches: the picked ones, then the rest in order."""
        opens = {entry.pk: abs(entry.open_amount) for entry in entries}
        reached = [entry for entry in entries if picks.get(entry.pk)]
        left = amount - sum((min(pick, opens[pk]) for pk, pick in picks.items()), ZERO)
        for entry in entries:
            opens[entry.pk] -= min(picks.get(entry.pk, ZERO), opens[entry.pk])
            take = min(opens[entry.pk], left)
            if take > ZERO:
                reached.append(entry)
                left -= take
        return reached

    # --- rules: time ------------------------------------------------------------------------------------------------

    @rule(days=st.sampled_from([0, 1, 3, 7, 16, 31, 45]))
    def advance_the_clock(self, days: int) -> None:
        self.today += timedelta(days=days)
        self._clock.move_to(self._noon(self.today))

    # --- rules: debits ----------------------------------------------------------------------------------------------

    @rule(
        index=st.integers(0, 2),
        lines=st.lists(st.tuples(unit_prices, quantities, tax_rates), min_size=1, max_size=4),
        back=back_days,
        override=st.booleans(),
        number=st.sampled_from([None, None, None, None, "1001", "1002", "1004"]),  # by hand, as imports do
    )
    def sell(
        self, index: int, lines: list[tuple[Decimal, Decimal, Decimal]], back: int, override: bool, number: str | None
    ) -> None:
        account = self._account(self.accounts[index])
        priced = [(self._money(q * p), r) for p, q, r in lines]
        total = sum((amount + self._money(amount * rate) for amount, rate in priced), ZERO)
        over = account.credit_limit > ZERO and account.balance + total > account.credit_limit
        if account.status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF) or total <= ZERO:
            expect = False
        else:
            expect = not ((over or account.status == Account.Status.ON_HOLD) and not override)
        if number is not None and Invoice.objects.filter(kind=Invoice.Kind.INVOICE, number=number).exists():
            expect = False
        invoice = self._attempt(
            lambda: services.post_invoice(
                actor=self.world.clerk,
                account=account,
                lines=[services.LineIn("Item", p, quantity=q, tax_rate=r) for p, q, r in lines],
                issued_on=self.today - timedelta(days=back),
                override_credit=override,
                number=number,
            ),
            expect,
        )
        if invoice is not None:
            assert invoice.entry is not None
            assert invoice.total == total == invoice.entry.amount == invoice.subtotal + invoice.tax_total
            assert invoice.due_on == invoice.issued_on + timedelta(days=account.terms_days)
            assert number is None or invoice.number == number
            self.balances[account.pk] += total

    @rule(
        index=st.integers(0, 2),
        amount=amounts,
        back=back_days,
        category=st.sampled_from(["late_fee", "interest", "service", "returned_check"]),
    )
    def charge(self, index: int, amount: Decimal, back: int, category: str) -> None:
        account = self._account(self.accounts[index])
        entry = self._attempt(
            lambda: services.post_charge(
                actor=self.world.clerk,
                account=account,
                amount=amount,
                category=category,
                posted_on=self.today - timedelta(days=back),
            ),
            True,
        )
        assert entry is not None
        self.balances[account.pk] += amount

    @rule()
    def assess_late_charges(self) -> None:
        done = charges.assess_late_charges(business=self.world.business, as_of=self.today)
        for assessment in done:
            self.balances[assessment.account.pk] += assessment.late_fee + assessment.interest

    # --- rules: payments --------------------------------------------------------------------------------------------

    @rule(
        data=st.data(),
        index=st.integers(0, 2),
        amount=amounts,
        back=back_days.filter(lambda days: days >= 0),
        hour=st.sampled_from([0, 9, 17, 22, 23]),
        mode=st.sampled_from(["oldest", "oldest", "picked", "too_much", "fraction", "resend"]),
    )
    def pay(self, data: st.DataObject, index: int, amount: Decimal, back: int, hour: int, mode: str) -> None:
        account = self._account(self.accounts[index])
        received_at = datetime.combine(self.today - timedelta(days=back), time(hour, 30), ZONE)
        before = self._open_debits(account.pk)
        picks: dict[int, Decimal] = {}
        expect: bool | None = account.status != Account.Status.CLOSED
        if mode == "picked" and before:
            for position in data.draw(st.lists(st.integers(0, len(before) - 1), max_size=2, unique=True)):
                entry = before[position]
                pick = min(data.draw(pick_amounts), entry.open_amount, amount - sum(picks.values(), ZERO))
                if pick > ZERO:
                    picks[entry.pk] = pick
        elif mode == "too_much" and before:
            picks = {before[-1].pk: before[-1].open_amount + CENT}
            amount = max(amount, picks[before[-1].pk])
            expect = False
        elif mode == "fraction" and before:
            picks = {before[0].pk: Decimal("0.005")}
            expect = False
        reference = ""
        if mode == "resend" and self.references:
            reference = data.draw(st.sampled_from(sorted(self.references)))
        elif data.draw(st.booleans()):
            reference = f"phone-{len(self.references) + 1}"

        method = data.draw(methods)
        footprint = self._footprint()
        payment = self._attempt(
            lambda: services.record_payment(
                actor=self.world.clerk,
                payment=services.PaymentIn(
                    account_id=account.pk,
                    amount=amount,
                    method=method,
                    received_at=received_at,
                    client_reference=reference,
                    allocations=list(picks.items()),
                ),
            ),
            None if reference in self.references else expect,
        )
        if payment is None:
            return
        if reference in self.references:  # a re-sent payment: the first one back, nothing written
            assert payment.pk == self.references[reference]
            assert self._footprint() == footprint
            return
        if reference:
            self.references[reference] = payment.pk
        # The payment is dated on the business's calendar day, whatever time zone the caller runs in.
        assert payment.entry.posted_on == received_at.astimezone(ZONE).date()
        self._check_oldest_first(before, picks, payment.entry, amount)
        self.balances[account.pk] -= amount

    @rule(
        items=st.lists(st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=4),
        bad_item=st.sampled_from([None, None, "zero", "method"]),
    )
    def pay_in_a_batch(self, items: list[tuple[int, Decimal]], bad_item: str | None) -> None:
        payments = [
            services.PaymentIn(account_id=self.accounts[i], amount=a, method="cash", received_at=self._noon(self.today))
            for i, a in items
        ]
        if bad_item == "zero":
            payments.append(services.PaymentIn(account_id=self.accounts[0], amount=ZERO, method="cash"))
        elif bad_item == "method":
            payments.insert(0, services.PaymentIn(account_id=self.accounts[1], amount=CENT, method="barter"))
        closed = any(self._account(p.account_id).status == Account.Status.CLOSED for p in payments)
        result = self._attempt(
            lambda: services.record_payments(actor=self.world.clerk, payments=payments),
            bad_item is None and not closed,
        )
        if result is not None:
            assert [p.amount for p in result.payments] == [p.amount for p in payments]
            for i, a in items:
                self.balances[self.accounts[i]] -= a

    # --- rules: other credits ---------------------------------------------------------------------------------------

    @rule(data=st.data(), index=st.integers(0, 2), amount=amounts, back=back_days, pick=st.booleans())
    def credit_note(self, data: st.DataObject, index: int, amount: Decimal, back: int, pick: bool) -> None:
        account = self._account(self.accounts[index])
        before = self._open_debits(account.pk)
        apply_to = [data.draw(st.sampled_from(before)).pk] if pick and before else []
        posted_on = self.today - timedelta(days=back)
        first_picks = {pk: amount for pk in apply_to}
        # A credit note dated before a document it would settle is refused.
        expect = all(debit.posted_on <= posted_on for debit in self._reached(before, first_picks, amount))
        entry = self._attempt(
            lambda: services.issue_credit_note(
                actor=self.world.clerk,
                account=account,
                amount=amount,
                reason="Returned a wrench",
                apply_to=apply_to,
                posted_on=posted_on,
            ),
            expect,
        )
        if entry is None:
            return
        picks = {pk: min(amount, next(e.open_amount for e in before if e.pk == pk)) for pk in apply_to}
        self._check_oldest_first(before, picks, entry, amount)
        self.balances[account.pk] -= amount

    @rule(data=st.data(), index=st.integers(0, 2), oversize=st.booleans())
    def reallocate(self, data: st.DataObject, index: int, oversize: bool) -> None:
        credits = list(
            Entry.objects.filter(
                account_id=self.accounts[index],
                kind__in=[Entry.Kind.PAYMENT, Entry.Kind.CREDIT_NOTE, Entry.Kind.WRITE_OFF],
                reversed_by__isnull=True,
            ).order_by("pk")
        )
        if not credits:
            return
        credit = data.draw(st.sampled_from(credits))
        applied = self._applied_from(credit)
        # Only what the credit paid on invoices and charges moves: what was refunded out of it has left for good.
        sold = {Entry.Kind.INVOICE, Entry.Kind.CHARGE}
        debits = list(Entry.objects.filter(account_id=credit.account_id, amount__gt=0))
        refunded = sum((applied.get(e.pk, ZERO) for e in debits if e.kind not in sold), ZERO)
        # What is open on each invoice and charge once this credit's applications to them are taken back.
        freed = {e.pk: e.open_amount + applied.get(e.pk, ZERO) for e in debits if e.kind in sold}
        freed = {pk: amount for pk, amount in freed.items() if amount > ZERO}
        picks: dict[int, Decimal] = {}
        if freed:
            for pk in data.draw(st.lists(st.sampled_from(sorted(freed)), max_size=2, unique=True)):
                room = -credit.amount - refunded - sum(picks.values(), ZERO)
                pick = min(data.draw(pick_amounts), freed[pk], room)
                if pick > ZERO:
                    picks[pk] = pick
        expect: bool | None = True
        if oversize:
            picks = {pk: freed[pk] + CENT for pk in picks} or {0: CENT}  # more than open, or nothing open
            expect = False
        result = self._attempt(
            lambda: services.reallocate(actor=self.world.clerk, credit=credit, allocations=list(picks.items())),
            expect,
        )
        if result is not None:
            now = self._applied_from(credit)
            assert all(now.get(pk, ZERO) >= pick for pk, pick in picks.items())

    @rule(index=st.integers(0, 2), fraction=st.sampled_from(["all", "part", "more"]), back=back_days)
    def refund(self, index: int, fraction: str, back: int) -> None:
        account = self._account(self.accounts[index])
        available = self._unapplied(account.pk)
        amount = {"all": available, "part": self._money(available / 3), "more": available + CENT}[fraction]
        posted_on = self.today - timedelta(days=back)
        if amount <= ZERO:
            amount, expect = Decimal("1.00"), False
        else:
            credits = list(Entry.objects.filter(account_id=account.pk, open_amount__lt=0).order_by("posted_on", "id"))
            # A refund dated before a credit it pays back (oldest credit first) is refused.
            reached = self._reached(credits, {}, min(amount, available))
            expect = fraction != "more" and all(credit.posted_on <= posted_on for credit in reached)
        entry = self._attempt(
            lambda: services.refund_credit(
                actor=self.world.clerk,
                account=account,
                amount=amount,
                method="check",
                posted_on=posted_on,
            ),
            expect,
        )
        if entry is not None:
            assert entry.open_amount == ZERO  # a refund is always paid for by the credit it pays back
            self.balances[account.pk] += amount

    @rule(
        data=st.data(),
        index=st.integers(0, 2),
        how=st.sampled_from(["whole", "part", "picked", "too_much"]),
        permitted=st.booleans(),
    )
    def write_off(self, data: st.DataObject, index: int, how: str, permitted: bool) -> None:
        account = self._account(self.accounts[index])
        before = self._open_debits(account.pk)
        owed = sum((e.open_amount for e in before), ZERO)
        amount: Decimal | None = None
        apply_to: list[int] = []
        expect = permitted and owed > ZERO
        if how == "part" and owed > ZERO:
            amount = self._money(owed * data.draw(st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal("1")])))
            expect = expect and amount > ZERO
        elif how == "picked" and before:
            apply_to = [data.draw(st.sampled_from(before)).pk]
        elif how == "too_much":
            amount, expect = owed + CENT, False
        # A write-off dated before a document it would settle (a post-dated invoice) is refused.
        picked = {e.pk: e.open_amount for e in before if e.pk in apply_to}
        settling = amount if amount is not None else sum(picked.values(), ZERO) if picked else owed
        if any(debit.posted_on > self.today for debit in self._reached(before, picked, settling)):
            expect = False
        entry = self._attempt(
            lambda: services.write_off(
                actor=self.world.clerk,
                account=account,
                approver=self.world.boss if permitted else self.world.junior,
                reason="Skipped town",
                amount=amount,
                apply_to=apply_to,
                posted_on=self.today,
            ),
            expect,
        )
        if entry is None:
            return
        assert entry.approved_by_id == self.world.boss.pk
        written = -entry.amount
        if amount is not None:
            assert written == amount
        elif apply_to:
            assert written == next(e.open_amount for e in before if e.pk == apply_to[0])
        else:
            assert written == owed
        self.balances[account.pk] -= written
        fresh = self._account(account.pk)
        if fresh.balance <= ZERO:
            assert fresh.status == Account.Status.WRITTEN_OFF

    # --- rules: reversals and status --------------------------------------------------------------------------------

    @rule(data=st.data(), when=st.sampled_from(["today", "today", "default", "before_floor", "before_document"]))
    def reverse(self, data: st.DataObject, when: str) -> None:
        candidates = list(
            Entry.objects.exclude(kind=Entry.Kind.REVERSAL).filter(reversed_by__isnull=True).order_by("pk")
        )
        if not candidates:
            return
        original = data.draw(st.sampled_from(candidates))
        account = self._account(original.account_id)
        floor = account.allocation_floor
        posted_on: date | None = {
            "today": self.today,
            "default": None,
            "before_floor": (floor or original.posted_on) - timedelta(days=1),
            "before_document": original.posted_on - timedelta(days=1),
        }[when]
        effective = posted_on or self.today
        expect = effective >= original.posted_on and (floor is None or effective >= floor)
        reversal = self._attempt(
            lambda: services.reverse_entry(
                actor=self.world.clerk, entry=original, reason="Bounced", posted_on=posted_on
            ),
            expect,
        )
        if reversal is None:
            return
        assert reversal.amount == -original.amount and reversal.posted_on == effective
        self.balances[account.pk] -= original.amount
        # What the original paid (or was paid by) is all taken back: only its reversal is applied to it now.
        side = "credit" if original.amount < ZERO else "debit"
        other = "debit" if side == "credit" else "credit"
        net: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for pk, amount in Allocation.objects.filter(**{side: original}).values_list(f"{other}_id", "amount"):
            net[pk] += amount
        assert {pk: a for pk, a in net.items() if a} == {reversal.pk: abs(original.amount)}
        if original.kind == Entry.Kind.PAYMENT:
            self.reversal_windows.append((original.posted_on, reversal.posted_on))
        if original.kind == Entry.Kind.WRITE_OFF:
            assert self._account(account.pk).status != Account.Status.WRITTEN_OFF

    @rule(data=st.data())
    def reverse_what_cannot_be_reversed(self, data: st.DataObject) -> None:
        done = list(Entry.objects.filter(reversed_by__isnull=False).order_by("pk")) + list(
            Entry.objects.filter(kind=Entry.Kind.REVERSAL).order_by("pk")
        )
        if not done:
            return
        entry = data.draw(st.sampled_from(done))
        self._attempt(
            lambda: services.reverse_entry(actor=self.world.clerk, entry=entry, reason="Again", posted_on=self.today),
            False,
        )

    @rule(index=st.integers(0, 2), status=st.sampled_from(["open", "open", "on_hold", "closed"]))
    def set_status(self, index: int, status: str) -> None:
        services.update_account(actor=self.world.clerk, account=self._account(self.accounts[index]), status=status)

    # --- invariants -------------------------------------------------------------------------------------------------

    @invariant()
    def every_account_is_exact(self) -> None:
        if not self.ready:
            return
        self.steps += 1
        for account in self.world.accounts:
            assert selectors.verify_account(account) == [], account.number
        assert dict(Account.objects.values_list("pk", "balance")) == self.balances

    @invariant()
    def allocations_are_dated_and_bounded_and_aging_matches(self) -> None:
        if not self.ready:
            return
        ledger = Ledger.load()
        self._check_allocations(ledger)
        # Aging after every step, as of today and one more date taken in turn from: the day before, the middle of the
        # latest payment-to-reversal window, a day of the ledger's history (or the day before it), before anything.
        # "total" on both, the other groupings in rotation on today (every grouping is checked on random dates and
        # around every reversal by `check_aging_in_full`, a rule); about 10 ms a report, so not all of them each step.
        history = sorted({e.posted_on for e in ledger.entries.values()} | {a.applied_on for a in ledger.allocations})
        extra = [self.today - timedelta(days=1), START - timedelta(days=1)]
        if history:
            extra.append(history[self.steps % len(history)] - timedelta(days=self.steps % 2))
        if self.reversal_windows:
            paid_on, reversed_on = self.reversal_windows[-1]
            extra.append(paid_on + (reversed_on - paid_on) / 2)
        other = extra[self.steps % len(extra)]
        check_open_on_within_bounds(ledger, self.today)
        check_aging(ledger, self.today, self.world.policy, groupings=("total", ROTATING[self.steps % len(ROTATING)]))
        check_open_on_within_bounds(ledger, other)
        check_aging(ledger, other, self.world.policy, groupings=("total",), pass_settings=False)

    @rule(data=st.data())
    def check_aging_in_full(self, data: st.DataObject) -> None:
        """Every grouping and the drill-down on a few dates, each drawn from the whole history (and past today)."""
        ledger = Ledger.load()
        span = (self.today - START).days
        for offset in data.draw(st.lists(st.integers(-5, span + 10), min_size=1, max_size=3, unique=True)):
            as_of = START + timedelta(days=offset)
            check_aging(ledger, as_of, self.world.policy)
            check_aged_items(ledger, as_of, self.world.policy)
        for paid_on, reversed_on in self.reversal_windows[-2:]:
            for as_of in (paid_on, reversed_on - timedelta(days=1), reversed_on):
                check_aging(ledger, as_of, self.world.policy)

    def _check_allocations(self, ledger: Ledger) -> None:
        by_pair: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        from_credit: dict[int, Decimal] = defaultdict(lambda: ZERO)
        last_date: dict[int, date] = {}
        for allocation in ledger.allocations:  # in id order: the order they were written
            debit, credit = ledger.entries[allocation.debit_id], ledger.entries[allocation.credit_id]
            assert debit.amount > ZERO > credit.amount
            assert allocation.account_id == debit.account_id == credit.account_id
            assert allocation.applied_on >= max(debit.posted_on, credit.posted_on)
            # The allocation floor: dates never go back on an account.
            assert allocation.applied_on >= last_date.get(allocation.account_id, allocation.applied_on)
            last_date[allocation.account_id] = allocation.applied_on
            by_pair[allocation.debit_id, allocation.credit_id] += allocation.amount
            assert by_pair[allocation.debit_id, allocation.credit_id] >= ZERO, "took back more than was applied"
            from_credit[allocation.credit_id] += allocation.amount
            assert from_credit[allocation.credit_id] <= -credit.amount
        floors = dict(Account.objects.values_list("pk", "allocation_floor"))
        assert {pk: floors[pk] for pk in last_date} == last_date
        # For every payment, what is applied never exceeds it, and the document matches its entry.
        for entry_id, amount in Payment.objects.values_list("entry_id", "amount"):
            assert ledger.entries[entry_id].amount == -amount
            assert ZERO <= from_credit.get(entry_id, ZERO) <= amount
        for entry in ledger.entries.values():
            if entry.reverses_id is not None:
                assert entry.amount == -ledger.entries[entry.reverses_id].amount


@pytest.mark.django_db
def test_the_ledger_holds_its_invariants_under_random_operations() -> None:
    # 15 sequences of up to 30 steps keep this near 30 s of CPU on SQLite; hunt longer with, e.g.,
    # LEDGER_MACHINE_EXAMPLES=500 (every step is fully checked either way).
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=int(os.environ.get("LEDGER_MACHINE_EXAMPLES", "15")),
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
