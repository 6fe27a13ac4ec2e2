"""Every money sum the ledger reads comes back as exact cents (`core.money.MoneySum`), on SQLite too.

SQLite sums decimals in binary floating point: 0.10 + 0.70 is 0.7999999999999999 there, read back as
0.800000000000000, and 0.10 + 0.20 - 0.30 is 5.6E-17, which a `total > 0` filter takes for a debt. Each selector
below sums such amounts and must give exactly 0.80 (or 1.00, or nothing owed), the way PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F, Q

from tabwise.core.money import MoneySum
from tabwise.ledger import aging, metrics, selectors, selectors_ui, services, statements
from tabwise.ledger.models import Account, Entry, LedgerSettings
from tabwise.ledger.services import plans
from tabwise.users.models import User

CHICAGO = ZoneInfo("America/Chicago")


def exactly(value: Any) -> str:
    """A Decimal as written: "0.80" only if it is 0.80 with two places (0.800000000000000 == 0.80 in Python)."""
    assert isinstance(value, Decimal), value
    return str(value)


@pytest.fixture
def cents_account(account: Account, sell: Callable[..., Any]) -> Account:
    """Owes 0.10 + 0.70 + 0.20 = 1.00 on three invoices of January (due 30 days later)."""
    for amount, day in (("0.10", 5), ("0.70", 6), ("0.20", 7)):
        sell(account, amount, on=date(2026, 1, day))
    return account


def test_money_sum_is_exact_cents_and_zero_when_nothing_is_summed(in_business, cents_account) -> None:
    entries = Entry.objects.filter(account=cents_account)

    assert exactly(entries.aggregate(total=MoneySum("amount"))["total"]) == "1.00"
    assert exactly(entries.exclude(amount=Decimal("0.20")).aggregate(total=MoneySum("amount"))["total"]) == "0.80"
    assert exactly(entries.aggregate(total=MoneySum("amount", filter=~Q(amount=Decimal("0.20"))))["total"]) == "0.80"
    assert exactly(entries.filter(amount__gt=5).aggregate(total=MoneySum("amount"))["total"]) == "0.00"
    grouped = entries.values("account_id").annotate(total=MoneySum("amount")).filter(total__gt=Decimal("0.99"))
    assert [exactly(row["total"]) for row in grouped] == ["1.00"]


def test_a_running_money_sum_is_exact_cents_after_each_row(in_business, account, sell, pay) -> None:
    # What the API's account history needs (`running_balance`): 0.10, 0.30, then exactly 0.00, not 5.6E-17.
    sell(account, "0.10", on=date(2026, 1, 5))
    sell(account, "0.20", on=date(2026, 1, 6))
    pay(account, "0.30", on=date(2026, 1, 20))

    rows = Entry.objects.filter(account=account).annotate(
        running=MoneySum("amount", order_by=[F("posted_on").asc(), F("id").asc()])
    )

    assert [exactly(row.running) for row in rows.order_by("posted_on", "id")] == ["0.10", "0.30", "0.00"]


def test_an_account_that_nets_to_zero_owes_nothing(in_business, clerk, account, sell, pay) -> None:
    sell(account, "0.10", on=date(2026, 1, 5))
    sell(account, "0.20", on=date(2026, 1, 6))
    pay(account, "0.30", on=date(2026, 1, 20))

    assert list(statements.customers_owing(date(2026, 1, 31))) == []
    assert exactly(selectors.customer_balance(account.customer)) == "0.00"


def test_statement_opening_balance_is_exact(in_business, cents_account) -> None:
    period = statements.Period(date(2026, 2, 1), date(2026, 2, 28))

    statement = statements.statement(of=cents_account, period=period)

    assert exactly(statement.opening_balance) == "1.00"
    assert exactly(statement.closing_balance) == "1.00"
    assert list(statements.customers_owing(period.end)) == [cents_account.customer]


def test_customer_balance_is_exact_over_accounts(in_business, clerk, cents_account, sell) -> None:
    second = services.open_account(actor=clerk, customer=cents_account.customer, opened_on=date(2026, 1, 2))
    sell(second, "0.70", on=date(2026, 1, 8))

    assert exactly(selectors.customer_balance(cents_account.customer)) == "1.70"


def test_unapplied_credit_and_reallocation_candidates_are_exact(in_business, clerk, account, sell, pay) -> None:
    invoice = sell(account, "0.20", on=date(2026, 1, 5))
    pay(account, "0.10", on=date(2026, 1, 20))
    payment = pay(account, "0.80", on=date(2026, 1, 21))  # 0.10 to the invoice, 0.70 unapplied

    assert exactly(selectors_ui.unapplied_credit(account)) == "0.70"

    pay(account, "0.10", on=date(2026, 1, 22))  # 0.80 of credit unapplied: 0.70 + 0.10
    assert exactly(selectors_ui.unapplied_credit(account)) == "0.80"
    [candidate] = selectors_ui.reallocation_candidates(payment.entry)
    assert candidate.entry == invoice.entry
    assert exactly(candidate.available) == "0.10"


def test_what_was_paid_toward_a_plan_is_exact(in_business, clerk, cents_account, pay) -> None:
    with time_machine.travel(datetime(2026, 1, 10, 12, tzinfo=CHICAGO), tick=False):
        plan = services.create_plan(
            actor=clerk,
            account=cents_account,
            amount=Decimal("1.00"),
            instalment_amount=Decimal("0.50"),
            frequency="weekly",
            starts_on=date(2026, 1, 12),
        )
    pay(cents_account, "0.10", on=date(2026, 1, 11))
    pay(cents_account, "0.70", on=date(2026, 1, 11))

    assert exactly(plans.paid_toward(plan)) == "0.80"


def test_aging_totals_are_exact(in_business, cents_account) -> None:
    report = aging.aging(as_of=date(2026, 1, 31), grouping="account")

    assert exactly(report.totals[0]) == "1.00"
    assert report.totals[1:] == [0, 0, 0, 0]
    assert exactly(report.rows[0].total) == "1.00"


def test_metrics_and_roll_rates_are_exact(in_business, clerk: User, cents_account, pay) -> None:
    pay(cents_account, "0.10", on=date(2026, 2, 20))  # pays the first invoice in February
    settings = LedgerSettings(aging_boundaries=[30, 60, 90])

    result = metrics.receivables_metrics(
        first=date(2026, 1, 1), last=date(2026, 2, 28), today=date(2026, 3, 2), settings=settings
    )

    january, february = result.months
    assert [exactly(january.ar), exactly(january.credit_sales), exactly(january.current_ar)] == ["1.00"] * 3
    assert [exactly(february.opening_ar), exactly(february.ar), exactly(february.credit_sales)] == [
        "1.00",
        "0.90",
        "0.00",
    ]
    roll = result.rolls[1]
    assert exactly(roll.opening[0]) == "1.00"
    assert roll.opening[1:] == [0, 0, 0, 0]
    assert exactly(roll.moved[0][1]) == "0.90"  # 0.70 + 0.20 now 1-30 days past due
    assert exactly(roll.paid[0]) == "0.10"
