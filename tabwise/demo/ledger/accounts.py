"""One demo account lived through two years: a timeline of sales, payments, bank returns, late charges and
write-offs, posted to an in-memory `Book` in date order.

The business's story (`tabwise.demo.ledger.stories`) puts the first events on the timeline (route visits, vehicle
services, orders, monthly statements); the events put the next ones (a statement's payment, a check coming back, a
late-charge check on the day an invoice passes its grace days). Events of one day run in a fixed order: the
overnight late-charge assessment, then bank returns, then sales, payments, and the office's own work.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tabwise.core.money import to_money
from tabwise.customers.models import Customer, Vehicle
from tabwise.demo.behaviour import Behaviour
from tabwise.demo.ledger.books import Book, Due, Posted
from tabwise.demo.ledger.payers import Payer
from tabwise.ledger.models import Account, Entry, Invoice, InvoiceLine, LedgerSettings, Payment, PaymentPlan
from tabwise.ledger.services import plans as plan_services
from tabwise.ledger.services import sales
from tabwise.tenants.models import Business
from tabwise.users.models import Level, User

ZERO = Decimal("0")

# The order of a day's events.
ASSESS, BANK, SALE, PAY, OFFICE = range(5)


@dataclass(frozen=True)
class Life:
    """When a customer's account starts, and when it stops: buying (inactive customers) or everything (skipped)."""

    joins_on: date
    stops_buying_on: date | None = None
    stops_on: date | None = None


@dataclass(slots=True, eq=False)
class Document:
    """An invoice, cash sale or estimate before it is numbered and inserted (the columns of `Invoice` the demo
    sets); `entry` is a posted invoice's entry, `converts` the invoice an estimate was converted into."""

    kind: str
    customer: Customer
    account: Account | None
    vehicle: Vehicle | None
    mileage: int | None
    issued_on: date
    lines: list[InvoiceLine]  # priced by sales.price_lines; shared between documents with the same line
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    cost_total: Decimal
    salesperson: User
    notes: str = ""
    due_on: date | None = None
    entry: Posted | None = None
    converts: Document | None = None
    number: str = ""
    pk: int = 0


@dataclass(slots=True, eq=False)
class Receipt:
    """A payment before it is inserted (the columns of `Payment` the demo sets)."""

    entry: Posted
    amount: Decimal
    method: str
    reference: str
    received_at: datetime
    received_by: User
    received_where: str
    bank_fingerprint: str
    bank_last4: str


@dataclass(eq=False)
class Plan:
    """A payment plan before it is inserted, on the book whose payments count toward it."""

    plan: PaymentPlan
    dues: list[Due]
    book: Book
    document: Document
    for_invoice: bool  # a plan for `document` alone; otherwise for the account's balance (an earlier plan rolled in)
    paid: Decimal = ZERO  # paid toward it so far (plans.paid_toward), kept as payments come and go

    @property
    def invoice_entry(self) -> Posted | None:
        return self.document.entry if self.for_invoice else None

    def refresh_paid(self) -> None:
        self.paid = self.book.paid_toward(counts_from=self.plan.counts_from, invoice=self.invoice_entry)


@dataclass
class DemoLedger:
    """One demo business while its ledger is simulated: its clock, policy, people, and everything made so far."""

    business: Business
    today: date
    first_day: date  # two years before today
    now: datetime | None  # payments of today are never timed after the moment of generation
    policy: LedgerSettings
    users: dict[int, User]
    tax_rate: Decimal
    returned_check_fee: Decimal
    routings: list[str]
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    books: list[Book] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    gone: list[tuple[Customer, date]] = field(default_factory=list)  # skipped customers and the day they left
    _priced: dict[sales.LineIn, tuple[InvoiceLine, Decimal]] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.business.time_zone)

    @property
    def has_late_charges(self) -> bool:
        return self.policy.late_fee > ZERO or self.policy.interest_apr > ZERO

    def document(
        self,
        kind: str,
        customer: Customer,
        lines: Sequence[sales.LineIn],
        *,
        on: date,
        by: User,
        account: Account | None = None,
        vehicle: Vehicle | None = None,
        mileage: int | None = None,
        notes: str = "",
    ) -> Document:
        """Price a sale as the ledger does and keep it as a draft.

        Lines go through `sales.price_lines` (amount and tax each rounded once, at line level); a line priced once
        is reused for the same line on later documents, as a line's price depends on nothing else. The totals are
        worked out as `sales._save_document` does.
        """
        priced = []
        for line in lines:
            found = self._priced.get(line)
            if found is None:
                (first,) = sales.price_lines([line], self.business.rounding)
                found = self._priced[line] = (first, to_money(first.unit_cost * first.quantity))
            priced.append(found)
        subtotal = sum((line.amount for line, _cost in priced), ZERO)
        tax_total = sum((line.tax for line, _cost in priced), ZERO)
        document = Document(
            kind=kind,
            customer=customer,
            account=account,
            vehicle=vehicle,
            mileage=mileage,
            issued_on=on,
            lines=[line for line, _cost in priced],
            subtotal=subtotal,
            tax_total=tax_total,
            total=subtotal + tax_total,
            cost_total=sum((cost for _line, cost in priced), ZERO),
            salesperson=by,
            notes=notes,
        )
        self.documents.append(document)
        return document

    def received_at(self, day: date, rng: random.Random, hours: tuple[int, int] = (8, 18)) -> datetime:
        """A time on `day` in the business's zone, never after the moment of generation."""
        moment = datetime.combine(day, time(rng.randint(hours[0], hours[1] - 1), rng.randrange(60)), tzinfo=self.zone)
        if self.now is not None and moment > self.now:
            moment = max(self.now.astimezone(self.zone), datetime.combine(day, time(0), tzinfo=self.zone))
        return moment


class AccountLife:
    """One customer's account and the timeline that fills it."""

    def __init__(
        self,
        ledger: DemoLedger,
        customer: Customer,
        payer: Payer,
        rng: random.Random,
        life: Life,
        *,
        name: str,
        owner: User | None,
        terms_days: int = 30,
        source: str = Entry.Source.OFFICE,
        clerk: User | None = None,
    ) -> None:
        self.ledger = ledger
        self.customer = customer
        self.payer = payer
        self.rng = rng
        self.source = source
        self.life = life
        self.clerk = clerk or ledger.users[Level.OFFICE]
        account = Account(
            business_id=ledger.business.pk,
            customer=customer,
            number="",
            name=name,
            owner=owner,
            terms_days=terms_days,
            credit_limit=customer.credit_limit,
            opened_on=life.joins_on,
        )
        self.book = Book(account, ledger.ids)
        ledger.books.append(self.book)
        self.plan: Plan | None = None
        self._queue: list[tuple[date, int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._old_check_written = False
        if ledger.has_late_charges:
            month = life.joins_on.replace(day=1)
            while month <= ledger.today:
                self.at(month, ASSESS, self.assess)
                month = (month + timedelta(days=32)).replace(day=1)

    @property
    def account(self) -> Account:
        return self.book.account

    # -- the timeline --

    def at(self, day: date, order: int, action: Callable[..., None], *args: Any) -> None:
        """Put an event on the timeline (events after the business's today never happen)."""
        if day <= self.ledger.today:
            heapq.heappush(self._queue, (day, order, next(self._order), action, args))

    def live(self) -> None:
        while self._queue:
            day, _order, _n, action, args = heapq.heappop(self._queue)
            action(day, *args)

    # -- sales --

    def sell(
        self,
        day: date,
        lines: Sequence[sales.LineIn],
        *,
        by: User,
        due_on: date | None = None,
        vehicle: Vehicle | None = None,
        mileage: int | None = None,
        notes: str = "",
        ignore_limit: bool = False,
    ) -> Document | None:
        """services.post_invoice: refused (None) if the account is closed or written off or the sale would pass
        its credit limit; the demo takes no overrides."""
        ledger = self.ledger
        document = ledger.document(
            Invoice.Kind.INVOICE,
            self.customer,
            lines,
            on=day,
            by=by,
            account=self.account,
            vehicle=vehicle,
            mileage=mileage,
            notes=notes,
        )
        total = document.total
        limit = self.account.credit_limit
        refused = self.account.status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF) or (
            not ignore_limit and limit > ZERO and self.book.balance + total > limit
        )
        if refused or total <= ZERO:
            ledger.documents.pop()
            return None
        due_on = due_on or day + timedelta(days=self.account.terms_days)
        document.due_on = due_on
        document.entry = self.book.post_debit(
            kind=Entry.Kind.INVOICE, amount=total, on=day, due_on=due_on, by=by, source=self.source
        )
        self._watch_due(due_on)
        return document

    def _watch_due(self, due_on: date) -> None:
        """Look at late charges again on the first day this debit can count as overdue."""
        if self.ledger.has_late_charges:
            self.at(due_on + timedelta(days=self.ledger.policy.late_fee_grace_days + 1), ASSESS, self.assess)

    def assess(self, day: date) -> None:
        self.book.assess_late_charges(on=day, policy=self.ledger.policy, rounding=self.ledger.business.rounding)

    # -- payments --

    def pay(
        self, day: date, amount: Decimal, *, method: str | None = None, where: str = "", by: User | None = None
    ) -> None:
        """services.record_payment, with the check's bank fingerprint; some checks come back a few days later."""
        if amount <= ZERO:
            return
        rng, payer = self.rng, self.payer
        method = method or payer.method
        account = payer.bank_on(day) if method in (Payment.Method.CHECK, Payment.Method.ACH) else None
        bounce = ""
        if method == Payment.Method.CHECK and account is not None:
            if (
                payer.behaviour == Behaviour.CHANGED_BANK
                and account is not payer.banks[0]
                and not self._old_check_written
            ):
                account, bounce = payer.banks[0], "Account closed"  # a check from the old book, after the move
                self._old_check_written = True
            elif rng.random() < 0.001:
                bounce = "Insufficient funds"
        reference = ""
        if method == Payment.Method.CHECK and account is not None:
            reference = account.write_check()
        elif method == Payment.Method.CARD:
            reference = f"Card {payer.card_last4}"
        elif method == Payment.Method.ACH:
            reference = f"ACH {rng.randrange(10**14, 10**15)}"
        elif method == Payment.Method.MONEY_ORDER:
            reference = f"Money order {rng.randrange(10**9, 10**10)}"
        by = by or self.clerk
        entry = self.book.pay(amount=amount, on=day, by=by, source=self.source, memo=reference)
        if self.plan is not None:
            self.plan.refresh_paid()
        receipt = Receipt(
            entry=entry,
            amount=amount,
            method=method,
            reference=reference,
            received_at=self.ledger.received_at(day, rng),
            received_by=by,
            received_where=where,
            bank_fingerprint=account.fingerprint if account else "",
            bank_last4=account.last4 if account else "",
        )
        self.ledger.receipts.append(receipt)
        done_buying = self.life.stops_buying_on is not None and day >= self.life.stops_buying_on
        if self.book.balance < ZERO and done_buying and rng.random() < 0.5:
            self.at(day + timedelta(days=rng.randint(20, 60)), OFFICE, self.refund_credit)
        if bounce:
            self.at(day + timedelta(days=rng.randint(4, 8)), BANK, self.check_returned, receipt, bounce)

    def check_returned(self, day: date, receipt: Receipt, reason: str) -> None:
        """services.reverse_entry of a returned check, a returned-check fee, and (unless they are gone) the money
        paid again a few weeks later."""
        manager = self.ledger.users[Level.MANAGER]
        self.book.reverse(receipt.entry, on=day, by=manager, memo=f"{receipt.reference} returned: {reason}")
        if self.plan is not None:
            self.plan.refresh_paid()
        self.book.post_debit(
            kind=Entry.Kind.CHARGE,
            amount=self.ledger.returned_check_fee,
            on=day,
            due_on=day,
            by=self.clerk,
            category=Entry.Category.RETURNED_CHECK,
            memo=f"Returned check fee ({receipt.reference})",
        )
        self._watch_due(day)
        later = day + timedelta(days=self.rng.randint(12, 35))
        if not self.payer.is_gone(later):
            method = (
                Payment.Method.CHECK if self.payer.behaviour == Behaviour.CHANGED_BANK else Payment.Method.MONEY_ORDER
            )
            self.at(later, PAY, self._pay_again, receipt.amount + self.ledger.returned_check_fee, method)

    def _pay_again(self, day: date, amount: Decimal, method: str) -> None:
        self.pay(day, min(amount, self.book.balance), method=method)

    def round_payment(self, day: date, asked: Decimal, share: Decimal) -> Decimal:
        """What is handed over when `asked` is due: part of it, or all of the balance; cash in whole dollars; now
        and then a round figure over the balance, which leaves a credit on the account."""
        balance = self.book.balance
        if balance <= ZERO:
            return ZERO
        amount = balance if share > 1 else min(to_money(asked * share), balance)
        if self.payer.method == Payment.Method.CASH:
            amount = min(amount.quantize(Decimal("1"), rounding=ROUND_CEILING), balance)
        if balance - amount < Decimal("5"):
            amount = balance
        done_buying = self.life.stops_buying_on is not None and day >= self.life.stops_buying_on
        if amount == balance and self.rng.random() < (0.25 if done_buying else 0.03):
            amount = (balance / 10).quantize(Decimal("1"), rounding=ROUND_CEILING) * 10 + 10  # "call it even"
        return amount

    # -- monthly statements (the shop's house accounts, fleets, the wholesaler) --

    def statements(self, first: date, *, pay_after: tuple[int, int]) -> None:
        """A statement on the 1st of every month from `first`; each is paid `pay_after` days later, plus lateness."""
        month = (first + timedelta(days=31)).replace(day=1)
        while month <= self.ledger.today:
            self.at(month, OFFICE, self._statement, pay_after)
            month = (month + timedelta(days=32)).replace(day=1)

    def _statement(self, day: date, pay_after: tuple[int, int]) -> None:
        payer = self.payer
        if payer.is_gone(day) or self.book.balance <= ZERO or payer.misses(day):
            return
        pay_on = day + timedelta(days=self.rng.randint(*pay_after) + payer.days_late(day))
        self.at(pay_on, PAY, self._pay_statement, day, payer.share(day))

    def _pay_statement(self, day: date, cut: date, share: Decimal) -> None:
        if self.payer.is_gone(day):
            return
        owed = self.book.owed_from(cut)
        if owed <= ZERO and share <= 1:
            return
        amount = self.round_payment(day, owed, share)
        self.pay(day, amount)
        if amount == owed and self.rng.random() < 0.01:  # the same statement paid twice: a credit until used
            self.at(day + timedelta(days=self.rng.randint(3, 12)), PAY, self._pay_twice, amount)

    def _pay_twice(self, day: date, amount: Decimal) -> None:
        if not self.payer.is_gone(day):
            self.pay(day, amount)

    # -- the office's own work --

    def credit_note(self, day: date, document: Document, amount: Decimal, reason: str) -> None:
        """services.issue_credit_note applied to `document` first (a return, a price adjustment)."""
        if document.entry is None or self.account.status == Account.Status.WRITTEN_OFF:
            return
        self.book.credit(
            kind=Entry.Kind.CREDIT_NOTE, amount=amount, on=day, by=self.clerk, memo=reason, apply_to=[document.entry]
        )

    def refund_credit(self, day: date) -> None:
        """services.refund_credit of what is left over when a customer who has stopped buying is owed money."""
        credit = -self.book.balance
        if credit > ZERO:
            self.book.refund(amount=credit, on=day, by=self.clerk, memo=f"Check refund of credit {credit}")

    def write_off(self, day: date) -> None:
        """services.write_off of everything open: posted by the manager, approved by the owner."""
        if self.book.balance <= ZERO:
            return
        last = self.payer.stops_on or day
        self.book.write_off(
            on=day,
            by=self.ledger.users[Level.MANAGER],
            approver=self.ledger.users[Level.OWNER],
            memo=f"Skipped: no payment or contact since {last:%B %Y}; phone disconnected, mail returned.",
        )
        if self.plan is not None and self.plan.plan.status == PaymentPlan.Status.ACTIVE:
            self.plan.plan.status = PaymentPlan.Status.CANCELLED

    def small_sale(self, day: date) -> None:
        """A small purchase on account (each business says what): a skipped customer's last one, a few weeks before
        they disappear; the one a customer who changed banks pays with the first check after the move."""

    def gone(self, day: date) -> None:
        """A skipped customer's last day: the office notes it, and (some) write the balance off months later."""
        self.ledger.gone.append((self.customer, day))
        if self.account.status == Account.Status.OPEN:
            self.account.status = Account.Status.ON_HOLD
        if (self.ledger.today - day).days >= 200 and self.rng.random() < 0.6:
            self.at(day + timedelta(days=self.rng.randint(150, 195)), OFFICE, self.write_off)

    # -- payment plans (the tool truck) --

    def agree_plan(self, day: date, document: Document, instalment: Decimal, by: User) -> None:
        """services.create_plan for what the sale added (an active plan is cancelled and re-agreed with the new
        sale on top, as one plan per account is the rule)."""
        amount = document.total
        rolled_in = False
        if self.plan is not None and self.plan.plan.status == PaymentPlan.Status.ACTIVE:
            old = self.plan.plan
            left = old.amount - self.plan.paid
            if left > ZERO:
                old.status = PaymentPlan.Status.CANCELLED
                amount += left
                instalment += old.instalment_amount
                rolled_in = True
            else:
                old.status = PaymentPlan.Status.COMPLETED
        instalment = min(instalment, amount)
        full, remainder = divmod(amount, instalment)
        amounts = [instalment] * int(full) + ([remainder] if remainder else [])
        starts_on = day + timedelta(days=7)
        plan = PaymentPlan(
            business_id=self.ledger.business.pk,
            account=self.account,
            amount=amount,
            instalment_amount=instalment,
            frequency=PaymentPlan.Frequency.WEEKLY,
            starts_on=starts_on,
            counts_from=day,
            created_by=by,
        )
        dues = [
            Due(sequence=n + 1, due_on=due_on, amount=part)
            for n, (due_on, part) in enumerate(
                zip(plan_services.schedule_dates(starts_on, plan.frequency, len(amounts)), amounts, strict=True)
            )
        ]
        # A plan for the new sale alone is on that invoice; one with an earlier plan rolled in is on the balance.
        self.plan = Plan(plan, dues, self.book, document, for_invoice=not rolled_in)
        self.plan.refresh_paid()
        self.ledger.plans.append(self.plan)

    def plan_instalment(self, day: date) -> Decimal:
        """This week's instalment of the active plan (0 once it is paid off, which completes it)."""
        if self.plan is None or self.plan.plan.status != PaymentPlan.Status.ACTIVE:
            return ZERO
        plan = self.plan.plan
        if self.plan.paid >= plan.amount:
            plan.status = PaymentPlan.Status.COMPLETED
            return ZERO
        return plan.instalment_amount if day >= plan.starts_on else ZERO
