"""A customer's statement for a period: what they owed at the start, every entry in the period with the running
balance, what they owe at the end, and the aging of that closing balance.

A statement covers all of a customer's accounts, or one account. Its closing balance is the opening balance plus
the period's entries, which is the sum of every entry posted up to the end date, which is the aging report's total
as of that day for those accounts (`ledger.aging`): the three always agree to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from tabwise.core.errors import DomainError
from tabwise.core.money import MoneySum
from tabwise.customers.models import Address, Customer
from tabwise.ledger import aging
from tabwise.ledger.models import Account, Entry

ZERO = Decimal("0")
MAX_PERIOD_DAYS = 366 * 3


@dataclass(frozen=True)
class Period:
    """The calendar days a statement covers, both included."""

    start: date
    end: date

    @classmethod
    def checked(cls, start: date | None, end: date | None) -> Period:
        """A period from user input. Raises DomainError on the field at fault."""
        if start is None:
            raise DomainError(_("Give the first day of the period."), field="start")
        if end is None:
            raise DomainError(_("Give the last day of the period."), field="end")
        if end < start:
            raise DomainError(_("The period cannot end before it starts."), field="end")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise DomainError(_("A statement covers at most three years."), field="start")
        return cls(start, end)

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"


def last_month(today: date) -> Period:
    """The calendar month before `today`'s: the usual statement period."""
    end = today.replace(day=1) - timedelta(days=1)
    return Period(end.replace(day=1), end)


@dataclass(frozen=True)
class StatementLine:
    entry: Entry
    balance: Decimal  # the running balance after this entry

    @property
    def charge(self) -> Decimal | None:
        return self.entry.amount if self.entry.amount > ZERO else None

    @property
    def credit(self) -> Decimal | None:
        return -self.entry.amount if self.entry.amount < ZERO else None


@dataclass(frozen=True)
class Statement:
    customer: Customer
    account: Account | None  # None: every account of the customer
    accounts: list[Account]
    period: Period
    opening_balance: Decimal
    lines: list[StatementLine]
    aging: aging.AgingReport
    address: Address | None
    email: str | None
    charges: Decimal = field(default=ZERO)
    credits: Decimal = field(default=ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening_balance

    @property
    def aging_amounts(self) -> list[Decimal]:
        """The closing balance by bucket (one amount per bucket), whatever the report's rows."""
        return self.aging.totals

    @property
    def filename(self) -> str:
        who = self.account.number if self.account is not None else self.customer.number
        return f"statement-{who}-{self.period.end:%Y-%m-%d}.pdf"


def statement(*, of: Customer | Account, period: Period) -> Statement:
    """The statement of a customer (all their accounts) or of one account for `period`, in the business in scope.

    Five queries besides the aging: the accounts, the opening balance, the period's entries, the customer's
    primary email and address.
    """
    if isinstance(of, Account):
        owner, account, accounts = of.customer, of, Account.objects.filter(pk=of.pk)
    else:
        owner, account, accounts = of, None, Account.objects.filter(customer=of)
    entries = Entry.objects.filter(account__in=accounts)
    opening = entries.filter(posted_on__lt=period.start).aggregate(total=MoneySum("amount"))["total"]
    in_period = entries.filter(posted_on__gte=period.start, posted_on__lte=period.end)
    lines, balance, charges, credits = [], opening, ZERO, ZERO
    for entry in in_period.select_related("account", "reverses").order_by("posted_on", "id"):
        balance += entry.amount
        if entry.amount > ZERO:
            charges += entry.amount
        else:
            credits -= entry.amount
        lines.append(StatementLine(entry=entry, balance=balance))
    email = owner.emails.order_by("-is_primary", "id").values_list("address", flat=True).first()
    return Statement(
        customer=owner,
        account=account,
        accounts=list(accounts.order_by("number")),
        period=period,
        opening_balance=opening,
        lines=lines,
        aging=aging.aging(as_of=period.end, grouping="total", accounts=accounts),
        address=owner.addresses.order_by("-is_primary", "id").first(),
        email=email,
        charges=charges,
        credits=credits,
    )


def customers_owing(as_of: date) -> QuerySet[Customer]:
    """Customers of the business in scope who owed something at the end of `as_of` (the sum of their accounts'
    entries posted by then is more than zero): those a statement ending that day has a balance for."""
    owing = (
        Entry.objects.filter(posted_on__lte=as_of)
        .values("account__customer_id")
        .annotate(total=MoneySum("amount"))  # rounded in the database: a zero balance is 0 there, not 5.6E-17
        .filter(total__gt=0)
        .values("account__customer_id")
    )
    return Customer.objects.filter(pk__in=owing).order_by("number")


def statement_list(period: Period) -> QuerySet[Customer]:
    """The customers owing at the end of `period`, each with `has_email` (whether a statement can be emailed)."""
    from tabwise.customers.models import Email

    return customers_owing(period.end).annotate(has_email=Exists(Email.objects.filter(customer=OuterRef("pk"))))
