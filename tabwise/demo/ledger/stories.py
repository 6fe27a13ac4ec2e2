"""Two years of business, per kind of business: what is sold, when, and how it is paid.

- The tool truck (`tool_truck`) visits each mechanic's shop on its route day every week. Mechanics buy small
  tools on account and, now and then, a big-ticket item on a weekly payment plan (the $1,200 tool set at $25 a
  week); they pay on the truck each week: the plan's instalment plus part of the rest.
- The auto-service shop (`auto_shop`) services each customer's vehicles every few months (mileage readings rise
  with time); house-account customers and fleets are invoiced (some after an estimate) and pay monthly
  statements; everyone else pays at the counter (cash sales). Late fees on overdue house accounts.
- The wholesaler (`wholesale`) takes parts orders, invoices them net 30 (quotes first for big orders), issues
  credit notes for returns, and is paid monthly by check or ACH. Interest on overdue balances.

Who joins when, who stops buying (status "inactive") and who disappears (status "skipped") is decided here; how
each customer pays is `payers.Payer`'s part.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from tabwise.customers.models import Customer, Vehicle
from tabwise.demo.behaviour import Behaviour, behaviour_for
from tabwise.demo.ledger import catalog
from tabwise.demo.ledger.accounts import OFFICE, SALE, AccountLife, DemoLedger, Document, Life
from tabwise.demo.ledger.payers import BankAccount, Payer
from tabwise.demo.run import digest
from tabwise.ledger.models import Entry, Invoice, Payment, PaymentPlan
from tabwise.ledger.services.sales import LineIn
from tabwise.tenants.models import Business
from tabwise.users.models import Level

ZERO = Decimal("0")
RngFor = Callable[[Customer], random.Random]


def life_of(customer: Customer, behaviour: Behaviour, rng: random.Random, ledger: DemoLedger) -> Life:
    """Most customers were there two years ago; the rest join along the way. Those who change how they pay
    (slowing, seasonal, changed bank) have the whole two years; skipped ones leave 3 to 18 months ago, after at
    least half a year; inactive ones stopped buying 4 to 14 months ago."""
    first, today = ledger.first_day, ledger.today
    stops_on = None
    if behaviour == Behaviour.SKIPPED and customer.status == Customer.Status.SKIPPED:
        stops_on = today - timedelta(days=rng.randint(100, 540))
        joins_on = first + timedelta(days=rng.randint(0, max((stops_on - first).days - 200, 0)))
    elif behaviour in (Behaviour.SLOWING, Behaviour.CHANGED_BANK, Behaviour.SEASONAL) or rng.random() < 0.6:
        joins_on = first + timedelta(days=rng.randint(0, 45))  # a customer from before the two years
    else:
        joins_on = first + timedelta(days=rng.randint(0, (today - first).days - 45))
    stops_buying_on = None
    if customer.status == Customer.Status.INACTIVE:
        stops_buying_on = today - timedelta(days=rng.randint(120, 420))
        joins_on = min(joins_on, stops_buying_on - timedelta(days=90))
    return Life(max(joins_on, first), stops_buying_on, stops_on)


def payer_of(
    behaviour: Behaviour, rng: random.Random, ledger: DemoLedger, life: Life, methods: Sequence[tuple[str, int]]
) -> Payer:
    """A payer with their usual method (by the business's mix) and, for checks and ACH, a bank account; those who
    change banks get a second account and always pay by check."""
    today = ledger.today
    method = rng.choices([m for m, _ in methods], weights=[w for _, w in methods])[0]
    if behaviour == Behaviour.CHANGED_BANK:
        method = Payment.Method.CHECK
    payer = Payer(
        behaviour=behaviour,
        rng=rng,
        kind=ledger.business.kind,
        stops_on=life.stops_on,
        slows_from=today - timedelta(days=rng.randint(120, 210)) if behaviour == Behaviour.SLOWING else None,
        bank_changes_on=today - timedelta(days=rng.randint(90, 200)) if behaviour == Behaviour.CHANGED_BANK else None,
        settles_from=life.stops_buying_on + timedelta(days=30) if life.stops_buying_on else None,
        today=today,
        method=method,
        card_last4=f"{rng.randrange(10_000):04d}",
    )
    if method in (Payment.Method.CHECK, Payment.Method.ACH):
        payer.banks.append(BankAccount.open(ledger.routings, rng))
        if behaviour == Behaviour.CHANGED_BANK:
            payer.banks.append(BankAccount.open(ledger.routings, rng))
    return payer


def _weekly(start: date, weekday: int, end: date) -> list[date]:
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += timedelta(days=7)
    return days


def _lines(rng: random.Random, items: Sequence[catalog.Item], count: int, tax_rate: Decimal) -> list[LineIn]:
    return [
        LineIn(
            description=item.description,
            unit_price=item.price,
            quantity=Decimal(rng.randint(1, item.max_quantity)),
            unit_cost=item.cost,
            tax_rate=tax_rate,
            item_code=item.code,
        )
        for item in rng.sample(list(items), count)
    ]


def _finish(account: AccountLife) -> None:
    """Put a skipped customer's last purchase and disappearance, or the purchase right after a customer moved banks,
    on the timeline; then live it all."""
    stops_on, moved_on = account.life.stops_on, account.payer.bank_changes_on
    if stops_on is not None:
        account.at(stops_on - timedelta(days=account.rng.randint(5, 25)), SALE, account.small_sale)
        account.at(stops_on, OFFICE, account.gone)
    if moved_on is not None:
        account.at(moved_on + timedelta(days=account.rng.randint(0, 10)), SALE, account.small_sale)
    account.live()


# --- the tool truck --------------------------------------------------------------------------------------------


class TruckAccount(AccountLife):
    """A mechanic's account on the truck: weekly visits, small sales, plans for big items, weekly payments."""

    intensity: float  # chance of a small sale on a visit
    big_rate: float  # chance of a plan sale on a visit
    plan_entries: set[int]

    def visit(self, day: date) -> None:
        if self.payer.is_gone(day):
            return
        field = self.ledger.users[Level.FIELD]
        buying = self.life.stops_buying_on is None or day < self.life.stops_buying_on
        vanishing = self.life.stops_on is not None and (self.life.stops_on - day).days < 60
        rng = self.rng
        if buying and rng.random() < self.big_rate * (4 if vanishing else 1):
            item = rng.choices(catalog.TRUCK_PLAN, weights=[8, 2, 3, 2, 5, 2, 3])[0]
            weeks = math.ceil(item.price * (1 + self.ledger.tax_rate) / item.weekly)
            lines = [LineIn(item.description, item.price, Decimal("1"), item.cost, self.ledger.tax_rate, item.code)]
            document = self.sell(day, lines, by=field, due_on=day + timedelta(days=7 * weeks))
            if document is not None and document.entry is not None:
                if not self._on_plan(day):
                    self.plan_entries = set()
                self.plan_entries.add(document.entry.pk)  # a re-agreed plan covers the old plan's invoice too
                self.agree_plan(day, document, item.weekly, field)
        elif buying and rng.random() < self.intensity * (2 if vanishing else 1):
            self.sell(
                day, _lines(rng, catalog.TRUCK_SMALL, rng.choice([1, 1, 1, 2, 3]), self.ledger.tax_rate), by=field
            )
        self.weekly_payment(day)

    def small_sale(self, day: date) -> None:
        tax = self.ledger.tax_rate
        self.sell(day, _lines(self.rng, catalog.TRUCK_SMALL, 2, tax), by=self.ledger.users[Level.FIELD])

    def _on_plan(self, day: date) -> bool:
        self.plan_instalment(day)  # completes the plan if it is paid off
        return self.plan is not None and self.plan.plan.status == PaymentPlan.Status.ACTIVE

    def weekly_payment(self, day: date) -> None:
        """The instalment of the plan, plus a quarter (at least $10) of what is not on the plan."""
        if self.book.balance <= ZERO or self.payer.misses(day):
            return
        instalment = self.plan_instalment(day)
        # What the plan covers is paid by its instalments; once it is over, what is left of it is asked like the rest
        # (payments count toward a plan whatever they were applied to, so it can end with its invoice still open).
        covered = self.plan_entries if self._on_plan(day) else set()
        off_plan = sum((e.open_amount for e in self.book.open_debits() if e.pk not in covered), ZERO)
        part = min(off_plan, max(Decimal("10"), (off_plan / 20).quantize(Decimal("1"), rounding=ROUND_CEILING) * 5))
        asked = instalment + part
        if asked > ZERO:
            where = self.customer.employer or "On the route"
            self.pay(
                day,
                self.round_payment(day, asked, self.payer.share(day)),
                where=where,
                by=self.ledger.users[Level.FIELD],
            )


def tool_truck(ledger: DemoLedger, customers: Sequence[Customer], rng_for: RngFor, seed: int) -> None:
    field = ledger.users[Level.FIELD]
    methods = [(Payment.Method.CASH, 50), (Payment.Method.CHECK, 30), (Payment.Method.CARD, 20)]
    for customer in customers:
        rng = rng_for(customer)
        behaviour = behaviour_for(customer.number, seed)
        life = life_of(customer, behaviour, rng, ledger)
        account = TruckAccount(
            ledger,
            customer,
            payer_of(behaviour, rng, ledger, life, methods),
            rng,
            life,
            name="Tools",
            owner=field,
            source=Entry.Source.FIELD,
            clerk=field,
        )
        account.intensity = rng.triangular(0.03, 0.35, 0.10)  # most buy something every month or two
        account.big_rate = 1 / 40 if rng.random() < 0.35 else 1 / 250  # a third buy big tools about yearly
        account.plan_entries = set()
        shop = customer.employer or customer.number  # the truck calls at each shop on one weekday
        weekday = digest(seed, "route", shop)[0] % 5
        for day in _weekly(life.joins_on, weekday, ledger.today):
            account.at(day, SALE, account.visit)
        _finish(account)


# --- the auto-service shop -------------------------------------------------------------------------------------


class Garage:
    """What the shop does when a vehicle comes in: the job's lines, the mileage reading, maybe an estimate first."""

    def __init__(self, ledger: DemoLedger) -> None:
        self.ledger = ledger

    def job_lines(self, rng: random.Random) -> list[LineIn]:
        jobs = rng.choices(catalog.SHOP_JOBS, weights=[j.weight for j in catalog.SHOP_JOBS], k=rng.choice([1, 1, 1, 2]))
        lines: list[LineIn] = []
        tax = self.ledger.tax_rate
        for job in dict.fromkeys(jobs):
            lines += [LineIn(i.description, i.price, Decimal(q), i.cost, tax, i.code) for i, q in job.parts]
            hours = Decimal(str(round(rng.uniform(float(job.hours[0]), float(job.hours[1])) * 10) / 10))
            if hours > ZERO:
                lines.append(LineIn(f"Labor: {job.name.lower()}", catalog.SHOP_LABOR_RATE, hours, ZERO, tax, "LABOR"))
        return lines

    @staticmethod
    def mileage(vehicle: Vehicle, day: date, today: date) -> int:
        """The odometer on `day`: the vehicle's mileage (read today) less what it has been driven since."""
        since = date((vehicle.year or today.year) - 1, 10, 1)
        per_day = (vehicle.mileage or 0) / max((today - since).days, 120)
        return max(int((vehicle.mileage or 0) - per_day * (today - day).days), 5)

    def estimate(
        self, customer: Customer, lines: list[LineIn], day: date, vehicle: Vehicle, rng: random.Random
    ) -> Document:
        on = max(day - timedelta(days=rng.randint(0, 3)), self.ledger.first_day)
        return self.ledger.document(
            Invoice.Kind.ESTIMATE,
            customer,
            lines,
            on=on,
            by=self.ledger.users[Level.OFFICE],
            vehicle=vehicle,
            mileage=self.mileage(vehicle, on, self.ledger.today),
            notes="Estimate valid for 30 days.",
        )


def _service_days(vehicle: Vehicle, life: Life, rng: random.Random, ledger: DemoLedger, fleet: bool) -> list[date]:
    """When a vehicle comes in: every two to five months (fleets more often) while the customer and car are around."""
    start = max(life.joins_on, date((vehicle.year or 2000) - 1, 10, 1))
    end = min(life.stops_buying_on or ledger.today, life.stops_on or ledger.today)
    if not vehicle.is_active:
        end = min(end, ledger.today - timedelta(days=rng.randint(120, 500)))  # sold since
    low, high = (35, 80) if fleet else (60, 150)
    days = []
    day = start + timedelta(days=rng.randint(0, high))
    while day < end:
        if day.weekday() == 6:
            day += timedelta(days=1)
        days.append(day)
        day += timedelta(days=rng.randint(low, high))
    return days


class ShopAccount(AccountLife):
    """A house account or a fleet at the shop: services invoiced (or paid at the counter), monthly statements."""

    garage: Garage
    fleet: bool
    vehicles: list[Vehicle]

    def small_sale(self, day: date) -> None:
        if self.vehicles:
            vehicle, oil_change = self.vehicles[0], catalog.SHOP_JOBS[0]
            tax = self.ledger.tax_rate
            lines = [LineIn(i.description, i.price, Decimal(q), i.cost, tax, i.code) for i, q in oil_change.parts]
            mileage = self.garage.mileage(vehicle, day, self.ledger.today)
            self.sell(day, lines, by=self.ledger.users[Level.OFFICE], vehicle=vehicle, mileage=mileage)

    def service(self, day: date, vehicle: Vehicle) -> None:
        if self.payer.is_gone(day):
            return
        rng, garage, office = self.rng, self.garage, self.ledger.users[Level.OFFICE]
        lines = garage.job_lines(rng)
        mileage = garage.mileage(vehicle, day, self.ledger.today)
        estimate = None
        if sum((line.unit_price * line.quantity for line in lines), ZERO) > 600 and rng.random() < 0.45:
            estimate = garage.estimate(self.customer, lines, day, vehicle, rng)
            if rng.random() < 0.25:
                return  # declined: the customer had it done elsewhere
        if self.fleet or estimate is not None or rng.random() < 0.8:
            reading = estimate.mileage if estimate is not None else mileage
            document = self.sell(
                day,
                lines,
                by=office,
                vehicle=vehicle,
                mileage=reading,
                notes=estimate.notes if estimate is not None else "",
            )
            if document is not None and estimate is not None:
                estimate.converts = document
            elif document is not None and rng.random() < 0.01:
                self.at(
                    day + timedelta(days=rng.randint(2, 20)),
                    OFFICE,
                    self.credit_note,
                    document,
                    Decimal(rng.choice([20, 25, 40, 50])),
                    "Goodwill adjustment: comeback repair",
                )
            if document is not None or estimate is not None:
                return
        self.ledger.document(
            Invoice.Kind.CASH_SALE, self.customer, lines, on=day, by=office, vehicle=vehicle, mileage=mileage
        )


def auto_shop(ledger: DemoLedger, customers: Sequence[Customer], rng_for: RngFor, seed: int) -> None:
    garage = Garage(ledger)
    office = ledger.users[Level.OFFICE]
    vehicles: dict[int, list[Vehicle]] = {}
    for vehicle in Vehicle.objects.filter(customer__in=[c.pk for c in customers]).order_by("id"):
        vehicles.setdefault(vehicle.customer_id, []).append(vehicle)
    for customer in customers:
        rng = rng_for(customer)
        behaviour = behaviour_for(customer.number, seed)
        life = life_of(customer, behaviour, rng, ledger)
        fleet = customer.kind == Customer.Kind.COMPANY
        if not customer.is_ar:
            for vehicle in vehicles.get(customer.pk, []):
                for day in _service_days(vehicle, life, rng, ledger, fleet):
                    lines = garage.job_lines(rng)
                    mileage = garage.mileage(vehicle, day, ledger.today)
                    if sum((li.unit_price * li.quantity for li in lines), ZERO) > 600 and rng.random() < 0.45:
                        garage.estimate(customer, lines, day, vehicle, rng)
                        if rng.random() < 0.4:
                            continue
                    ledger.document(
                        Invoice.Kind.CASH_SALE, customer, lines, on=day, by=office, vehicle=vehicle, mileage=mileage
                    )
            continue
        methods = (
            [(Payment.Method.CHECK, 60), (Payment.Method.ACH, 40)]
            if fleet
            else [(Payment.Method.CHECK, 40), (Payment.Method.CARD, 45), (Payment.Method.CASH, 15)]
        )
        account = ShopAccount(
            ledger,
            customer,
            payer_of(behaviour, rng, ledger, life, methods),
            rng,
            life,
            name="Fleet" if fleet else "House account",
            owner=office,
        )
        account.garage, account.fleet, account.vehicles = garage, fleet, vehicles.get(customer.pk, [])
        for vehicle in vehicles.get(customer.pk, []):
            for day in _service_days(vehicle, life, rng, ledger, fleet):
                account.at(day, SALE, account.service, vehicle)
        account.statements(life.joins_on, pay_after=(3, 8))
        _finish(account)


# --- the wholesaler --------------------------------------------------------------------------------------------


class WholesaleAccount(AccountLife):
    """A trade customer of the wholesaler: orders on net 30, quotes for big ones, returns, monthly payments."""

    per_week: float
    taxable: bool

    def order(self, day: date) -> None:
        rng = self.rng
        nxt = day + timedelta(days=max(1, round(rng.expovariate(self.per_week / 7))))
        nxt += timedelta(days=(7 - nxt.weekday()) % 7 if nxt.weekday() >= 5 else 0)
        self.at(nxt, SALE, self.order)
        if self.payer.is_gone(day) or (self.life.stops_buying_on is not None and day >= self.life.stops_buying_on):
            return
        self.place_order(day)

    def small_sale(self, day: date) -> None:
        self.place_order(day, count=1, quote=False)

    def place_order(self, day: date, count: int | None = None, quote: bool = True) -> None:
        rng, ledger = self.rng, self.ledger
        rep = self.customer.assigned_rep or ledger.users[Level.OFFICE]
        tax = ledger.tax_rate if self.taxable else ZERO
        lines = _lines(rng, catalog.WHOLESALE_PARTS, count or rng.choice([1, 1, 2, 2, 3, 4, 6]), tax)
        estimate = None
        if quote and sum((line.unit_price * line.quantity for line in lines), ZERO) > 2000 and rng.random() < 0.3:
            on = max(day - timedelta(days=rng.randint(1, 7)), ledger.first_day)
            estimate = ledger.document(
                Invoice.Kind.ESTIMATE, self.customer, lines, on=on, by=rep, notes="Quote valid for 14 days."
            )
            if rng.random() < 0.3:
                return  # not taken up
        document = self.sell(day, lines, by=rep, notes=estimate.notes if estimate else "")
        if document is None:
            return
        if estimate is not None:
            estimate.converts = document
        if rng.random() < 0.03:
            line = rng.choice(document.lines)
            reason = rng.choice(["Returned unused", "Warranty return", "Wrong part shipped"])
            self.at(
                day + timedelta(days=rng.randint(3, 20)),
                OFFICE,
                self.credit_note,
                document,
                line.amount + line.tax,
                f"{reason}: {line.description}",
            )


def wholesale(ledger: DemoLedger, customers: Sequence[Customer], rng_for: RngFor, seed: int) -> None:
    methods = [(Payment.Method.CHECK, 55), (Payment.Method.ACH, 45)]
    for customer in customers:
        rng = rng_for(customer)
        behaviour = behaviour_for(customer.number, seed)
        life = life_of(customer, behaviour, rng, ledger)
        account = WholesaleAccount(
            ledger,
            customer,
            payer_of(behaviour, rng, ledger, life, methods),
            rng,
            life,
            name="Parts",
            owner=customer.assigned_rep,
        )
        account.per_week = rng.triangular(0.2, 2.0, 0.5)  # orders a week
        account.taxable = customer.kind == Customer.Kind.PERSON
        account.at(life.joins_on, SALE, account.order)
        account.statements(life.joins_on, pay_after=(2, 7))
        _finish(account)


STORIES: dict[str, Callable[[DemoLedger, Sequence[Customer], RngFor, int], None]] = {
    Business.Kind.TOOL_DISTRIBUTOR: tool_truck,
    Business.Kind.AUTO_SERVICE: auto_shop,
    Business.Kind.WHOLESALER: wholesale,
}
