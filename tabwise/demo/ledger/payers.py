"""How a demo customer pays over time, by behaviour (`tabwise.demo.behaviour.Behaviour`), and what with.

A `Payer` answers three questions for any day: does the customer miss this payment, how many days late is it, and
what share of what is asked do they pay. The answers are drawn from the customer's own random stream, so they are
fixed by the seed.

- steady: rarely misses, pays about on time and in full;
- slow: misses a quarter of the time, pays one to five weeks late, often part of what is asked;
- seasonal: steady in season; in the business's off months misses half the time and pays late and short, then
  catches up (tax-refund season for mechanics, autumn for Houston's shops after the summer and hurricanes);
- slowing: steady until four to seven months ago, then later, smaller and more often missed, a little more each week;
- changed_bank: steady, paying by check; a few months ago they moved to another bank, and the first check after
  the move was written on the closed account: it came back and was paid again late;
- skipped: slow-ish until the day they disappear (4 to 14 months ago); nothing is paid or bought after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tabwise.demo.behaviour import Behaviour
from tabwise.ledger import bank
from tabwise.ledger.models import Payment
from tabwise.tenants.models import Business

ONE = Decimal("1")
HUNDREDTH = Decimal("0.01")

# Months a seasonal payer falls behind, and months they catch up, by kind of business.
SEASONS: dict[str, tuple[frozenset[int], frozenset[int]]] = {
    Business.Kind.TOOL_DISTRIBUTOR: (frozenset({12, 1, 2}), frozenset({3, 4})),  # winter; tax refunds in spring
    Business.Kind.AUTO_SERVICE: (frozenset({1, 2}), frozenset({3, 4})),  # after the holidays
    Business.Kind.WHOLESALER: (frozenset({7, 8, 9}), frozenset({10, 11})),  # summer heat and hurricane season
}

# The first four digits of the region's routing numbers (Federal Reserve district and office); the rest is drawn.
ROUTING_PREFIXES: dict[str, tuple[str, ...]] = {
    "IL": ("0710", "0719", "2710", "0712"),
    "OH": ("0420", "0410", "2420", "0440"),
    "TX": ("1110", "1130", "3110", "1131"),
}


def routing_number(prefix: str, rng: random.Random) -> str:
    """A nine-digit ABA routing number in the given district with a valid check digit (weights 3, 7, 1)."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix)))
    weighted = sum(int(digit) * weight for digit, weight in zip(body, (3, 7, 1, 3, 7, 1, 3, 7), strict=True))
    routing = body + str((10 - weighted % 10) % 10)
    assert bank.is_valid_routing_number(routing)
    return routing


def local_banks(state: str, rng: random.Random, count: int = 8) -> list[str]:
    """The routing numbers of the banks a region's customers use (a few, shared, as in a real town)."""
    prefixes = ROUTING_PREFIXES.get(state, ("0710",))
    return [routing_number(prefixes[n % len(prefixes)], rng) for n in range(count)]


@dataclass
class BankAccount:
    """A customer's checking account: its keyed fingerprint (never the number) and the next check number."""

    routing: str
    fingerprint: str
    last4: str
    next_check: int

    @classmethod
    def open(cls, routings: list[str], rng: random.Random) -> BankAccount:
        routing = rng.choice(routings)
        number = str(rng.randrange(10**7, 10**10))
        mark = bank.fingerprint(routing, number)
        return cls(routing, mark.digest, mark.last4, rng.randint(1001, 4800))

    def write_check(self) -> str:
        number = self.next_check
        self.next_check += 1 if self.next_check < 9999 else -8000
        return f"Check {number}"


@dataclass
class Payer:
    """One customer's way of paying (see the module docstring)."""

    behaviour: Behaviour
    rng: random.Random
    kind: str
    stops_on: date | None = None  # skipped: gone from this day
    slows_from: date | None = None  # slowing: the first day of it
    bank_changes_on: date | None = None  # changed bank: the day they moved
    settles_from: date | None = None  # inactive: a month after their last purchase they pay off what is left
    today: date = date.max
    method: str = Payment.Method.CASH  # the usual way they pay
    card_last4: str = ""
    banks: list[BankAccount] = field(default_factory=list)  # the old one, then (changed bank) the new one
    _late_habit: int = 0

    def __post_init__(self) -> None:
        self._late_habit = self.rng.randint(8, 20) if self.behaviour == Behaviour.SLOW else self.rng.randint(0, 5)

    def is_gone(self, day: date) -> bool:
        return self.stops_on is not None and day >= self.stops_on

    def progress(self, day: date) -> float:
        """Slowing: 0 before it started, rising to 1 by today."""
        if self.slows_from is None or day < self.slows_from:
            return 0.0
        return min(1.0, (day - self.slows_from).days / max((self.today - self.slows_from).days, 1))

    def _season(self, day: date) -> str:
        if self.behaviour != Behaviour.SEASONAL:
            return ""
        off, catch_up = SEASONS.get(self.kind, (frozenset(), frozenset()))
        return "off" if day.month in off else "catch_up" if day.month in catch_up else ""

    def is_settling(self, day: date) -> bool:
        return self.settles_from is not None and day >= self.settles_from

    def misses(self, day: date) -> bool:
        """Whether the customer lets this payment go by."""
        if self.is_settling(day):
            return False
        if self.stops_on is not None and (self.stops_on - day).days <= 30:
            return True  # already on the way out: the last month goes unpaid
        chance = {Behaviour.SLOW: 0.25, Behaviour.SKIPPED: 0.15}.get(self.behaviour, 0.03)
        if self._season(day) == "off":
            chance = 0.55
        elif self._season(day) == "catch_up":
            chance = 0.0
        chance += 0.45 * self.progress(day)
        return self.rng.random() < chance

    def days_late(self, day: date) -> int:
        """How long after it is asked for the customer pays (steady payers within a few days)."""
        if self.behaviour == Behaviour.SLOW:
            late = self._late_habit + self.rng.randint(5, 20)
        elif self.behaviour == Behaviour.SKIPPED:
            late = self._late_habit + self.rng.randint(3, 15)
        else:
            late = self.rng.randint(0, 2)
        if self._season(day) == "off":
            late += self.rng.randint(20, 45)
        return late + int(50 * self.progress(day))

    def share(self, day: date) -> Decimal:
        """The share of what is asked that is paid: 1 in full; more than 1 pays off the whole balance."""
        if self.is_settling(day):
            return Decimal("2")
        if self._season(day) == "catch_up":
            return Decimal("2")
        if self._season(day) == "off":
            return Decimal("0.5")
        low = {Behaviour.SLOW: 0.6, Behaviour.SKIPPED: 0.7}.get(self.behaviour, 1.0)
        share = self.rng.uniform(low, 1.0) if low < 1.0 else 1.0
        share *= 1 - 0.6 * self.progress(day)
        return Decimal(str(round(share, 2))) if share < 1.0 else ONE

    def bank_on(self, day: date) -> BankAccount | None:
        """The account their checks are drawn on that day (the new one once they have moved)."""
        if not self.banks:
            return None
        if len(self.banks) > 1 and self.bank_changes_on is not None and day >= self.bank_changes_on:
            return self.banks[1]
        return self.banks[0]
