"""The aged receivables report on a ledger worked out by hand, as of past days, and its drill-down."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tabwise.core.testing.factories import CustomerFactory
from tabwise.customers.models import Customer
from tabwise.ledger import aging, services
from tabwise.ledger.models import Account

D = Decimal
ZERO = D("0")
AS_OF = date(2026, 4, 30)


@pytest.fixture
def ledger(in_business, clerk, owner, account, sell, pay) -> dict[str, Any]:
    """Two customers. Account terms are 30 days, so each invoice is due 30 days after its date.

    Tools (customer 1, owned by `owner`):
      A  100.00  2026-01-05, due 02-04: 85 days past due on 04-30      -> 61-90
      B  200.00  2026-03-01, due 03-31: 30 days; 50.00 paid on 04-25   -> 1-30 (150.00)
      C   75.00  2026-04-20, due 05-20: not yet due                    -> current
      D   40.00  2025-10-01, due 10-31: 181 days                       -> 90+
      charge 10.00 2026-04-01, due the same day: 29 days               -> 1-30
    Second (customer 2, no owner): sold 30.00 and paid 50.00           -> 20.00 unapplied credit
    """
    services.update_account(actor=clerk, account=account, owner=owner)
    entries = {
        "A": sell(account, "100.00", on=date(2026, 1, 5)).entry,
        "B": sell(account, "200.00", on=date(2026, 3, 1)).entry,
        "C": sell(account, "75.00", on=date(2026, 4, 20)).entry,
        "D": sell(account, "40.00", on=date(2025, 10, 1)).entry,
    }
    entries["charge"] = services.post_charge(
        actor=clerk, account=account, amount=D("10.00"), category="service", posted_on=date(2026, 4, 1)
    )
    pay(account, "50.00", on=date(2026, 4, 25), allocations=[(entries["B"].pk, D("50.00"))])
    other = services.open_account(
        actor=clerk,
        customer=cast(Customer, CustomerFactory(business=in_business)),
        name="Second",
        opened_on=date(2026, 1, 2),
    )
    sell(other, "30.00", on=date(2026, 4, 2))
    pay(other, "50.00", on=date(2026, 4, 3))
    return {"tools": account, "other": other, **entries}


def test_the_report_buckets_a_known_ledger_as_worked_out_by_hand(ledger):
    report = aging.aging(as_of=AS_OF, grouping="total")

    assert [bucket.label for bucket in report.buckets] == ["Current", "1-30", "31-60", "61-90", "90+"]
    assert report.totals == [D("75.00"), D("160.00"), ZERO, D("100.00"), D("40.00")]
    assert report.credit == D("-20.00")
    assert report.total == D("355.00")
    assert report.percentages() == [D("20.0"), D("42.7"), D("0.0"), D("26.7"), D("10.7")]  # of the 375.00 owed


def test_each_grouping_splits_the_same_total(ledger, owner):
    tools, other = ledger["tools"], ledger["other"]

    by_customer = aging.aging(as_of=AS_OF, grouping="customer")
    by_account = aging.aging(as_of=AS_OF, grouping="account")
    by_owner = aging.aging(as_of=AS_OF, grouping="owner")

    assert [(row.key, row.amounts, row.credit) for row in by_customer.rows] == [
        (tools.customer_id, [D("75.00"), D("160.00"), ZERO, D("100.00"), D("40.00")], ZERO),
        (other.customer_id, [ZERO] * 5, D("-20.00")),
    ]
    assert [(row.key, row.total) for row in by_account.rows] == [(tools.pk, D("375.00")), (other.pk, D("-20.00"))]
    assert [(row.key, row.label, row.total) for row in by_owner.rows] == [
        (owner.pk, owner.get_full_name(), D("375.00")),
        (None, "(none)", D("-20.00")),
    ]
    assert {r.total for r in (by_customer, by_account, by_owner, aging.aging(as_of=AS_OF, grouping="rep"))} == {
        D("355.00")
    }


def test_as_of_a_day_before_a_payment_the_invoice_is_still_open(ledger):
    before = aging.aging(
        as_of=date(2026, 4, 24), grouping="account", accounts=Account.objects.filter(pk=ledger["tools"].pk)
    )
    after = aging.aging(
        as_of=date(2026, 4, 25), grouping="account", accounts=Account.objects.filter(pk=ledger["tools"].pk)
    )

    # On 04-24 B (due 03-31, 24 days past due) still had all of its 200.00 open, the charge was 23 days old.
    assert before.totals == [D("75.00"), D("210.00"), ZERO, D("100.00"), D("40.00")]
    assert after.totals == [D("75.00"), D("160.00"), ZERO, D("100.00"), D("40.00")]


def test_as_of_a_day_before_anything_was_posted_the_report_is_empty(ledger):
    report = aging.aging(as_of=date(2025, 9, 30), grouping="customer")

    assert report.rows == [] and report.total == ZERO


def test_the_drill_down_lists_the_documents_behind_each_bucket(ledger):
    items = aging.aged_items(as_of=AS_OF)
    report = aging.aging(as_of=AS_OF, grouping="total")

    assert {i.entry.number: (i.open_on, i.days, i.bucket) for i in items} == {
        "1004": (D("40.00"), 181, 4),
        "1001": (D("100.00"), 85, 3),
        "1002": (D("150.00"), 30, 1),
        "CH-1": (D("10.00"), 29, 1),
        "1003": (D("75.00"), -20, 0),
        "R-2": (D("-20.00"), 0, aging.CREDIT_BUCKET),
    }
    for index in range(len(report.buckets)):
        assert sum((i.open_on for i in items if i.bucket == index), ZERO) == report.totals[index]
    assert sum((i.open_on for i in items if i.bucket == aging.CREDIT_BUCKET), ZERO) == report.credit


def test_the_drill_down_before_a_payment_shows_what_was_open_then(ledger):
    items = aging.aged_items(as_of=date(2026, 4, 24), accounts=Account.objects.filter(pk=ledger["tools"].pk))

    assert {i.entry.number: i.open_on for i in items}["1002"] == D("200.00")


def test_report_amounts_are_exact_cents(in_business, account, sell, pay):
    # Regression: on SQLite the sums came back in binary floating point ("0.300000000000000", a zero as -3E-16).
    sell(account, "0.30", on=date(2026, 1, 5))
    pay(account, "0.10", on=date(2026, 1, 20))
    pay(account, "0.20", on=date(2026, 1, 21))

    for as_of in (date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 21)):
        report = aging.aging(as_of=as_of, grouping="account")
        amounts = [amount for row in report.rows for amount in (*row.amounts, row.credit)]
        assert all(amount == ZERO or amount.as_tuple().exponent == -2 for amount in amounts), amounts
    assert str(aging.aging(as_of=date(2026, 1, 10), grouping="total").totals[0]) == "0.30"
    assert aging.aging(as_of=date(2026, 1, 21), grouping="total").rows == []


def test_a_payment_taken_late_in_the_evening_counts_on_the_business_day(in_business, clerk, account, sell):
    # Regression: the payment's date came from whatever time zone was active (UTC in tasks and imports), so a
    # payment at 20:00 in Chicago was dated the next day and the day's aging still showed the invoice open.
    sell(account, "100.00", on=date(2026, 1, 5))
    evening = datetime(2026, 1, 20, 20, 0, tzinfo=ZoneInfo("America/Chicago"))  # 02:00 UTC on the 21st

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        payment = services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(account_id=account.pk, amount=D("100.00"), method="cash", received_at=evening),
        )

    assert payment.entry.posted_on == date(2026, 1, 20)
    assert aging.aging(as_of=date(2026, 1, 20), grouping="total").total == ZERO


def test_custom_buckets_are_sorted_and_nothing_is_dropped(in_business, account, sell):
    settings = services.ledger_settings()
    settings.aging_boundaries = [45, 15]
    settings.save()
    sell(account, "10.00", on=date(2026, 1, 5))  # due 02-04
    sell(account, "20.00", on=date(2024, 1, 5))  # two years overdue

    report = aging.aging(as_of=date(2026, 3, 1), grouping="total")

    assert [bucket.label for bucket in report.buckets] == ["Current", "1-15", "16-45", "45+"]
    assert report.totals == [ZERO, ZERO, D("10.00"), D("20.00")]  # 25 days; 2 years in the last bucket
