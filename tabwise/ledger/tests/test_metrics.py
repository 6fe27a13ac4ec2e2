"""Receivables metrics on a small ledger worked out by hand: every figure exact, months without sales shown as "—".

The ledger (one account, 30-day terms, buckets Current, 1-30, 31-60, 61-90, 90+ by due date):

    Jan 05  invoice A 1,000.00 due Feb 04        Feb 20  payment 800.00 -> A
    Jan 20  invoice B   500.00 due Feb 19        Mar 10  payment 100.00 -> fee 25.00, B 75.00
    Jan 25  payment 200.00 -> A                  Mar 20  write-off 100.00 of B
    Feb 10  invoice C   300.00 due Mar 12        Apr 05  invoice D 400.00 due May 05
    Feb 15  late fee     25.00 due Feb 15        Apr 10  the write-off reversed (B open 425.00 again)
    (no sales in March)                          Apr 12  invoice E 50.00, reversed Apr 15

A/R at month end: Dec 0, Jan 1,300, Feb 825, Mar 625, Apr 1,125. Credit sales: Jan 1,500, Feb 325, Mar 0, Apr 400.
Current (not yet due) A/R: Jan 1,300, Feb 300 (C), Mar 0, Apr 400 (D). Bad debt: Mar 100, Apr -100.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tabwise.ledger import aging, metrics, services
from tabwise.ledger.models import LedgerSettings
from tabwise.ledger.services.sales import ledger_settings

D = Decimal
TODAY = date(2026, 5, 15)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def ledger(account, clerk, owner, sell, pay):
    """The ledger of the module docstring; returns the invoices by letter."""
    a = sell(account, "1000.00", on=date(2026, 1, 5))
    b = sell(account, "500.00", on=date(2026, 1, 20))
    pay(account, "200.00", on=date(2026, 1, 25))
    c = sell(account, "300.00", on=date(2026, 2, 10))
    services.post_charge(
        actor=clerk, account=account, amount=D("25.00"), category="late_fee", posted_on=date(2026, 2, 15)
    )
    pay(account, "800.00", on=date(2026, 2, 20))
    pay(account, "100.00", on=date(2026, 3, 10))
    write_off = services.write_off(
        actor=owner,
        account=account,
        approver=owner,
        reason="Skipped",
        amount=D("100.00"),
        apply_to=[b.entry.pk],
        posted_on=date(2026, 3, 20),
    )
    d = sell(account, "400.00", on=date(2026, 4, 5))
    services.reverse_entry(actor=owner, entry=write_off, reason="Found him", posted_on=date(2026, 4, 10))
    e = sell(account, "50.00", on=date(2026, 4, 12))
    services.reverse_entry(actor=owner, entry=e.entry, reason="Raised in error", posted_on=date(2026, 4, 15))
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def compute(first=date(2026, 1, 1), last=date(2026, 4, 1)):
    return metrics.receivables_metrics(first=first, last=last, today=TODAY)


def by_month(result):
    return {row.month.label: row for row in result.months}


def test_month_end_ar_credit_sales_current_ar_and_bad_debt_are_exact(ledger):
    result = compute()

    rows = by_month(result)
    assert list(rows) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [row.opening_ar for row in result.months] == [D("0"), D("1300.00"), D("825.00"), D("625.00")]
    assert [row.ar for row in result.months] == [D("1300.00"), D("825.00"), D("625.00"), D("1125.00")]
    assert [row.credit_sales for row in result.months] == [D("1500.00"), D("325.00"), D("0"), D("400.00")]
    assert [row.current_ar for row in result.months] == [D("1300.00"), D("300.00"), D("0"), D("400.00")]
    assert [row.bad_debt for row in result.months] == [D("0"), D("0"), D("100.00"), D("-100.00")]


def test_dso_best_dso_cei_and_bad_debt_share_by_month(ledger):
    rows = compute().months

    # Jan: 1,300 / 1,500 x 31; Feb: 825 / 325 x 28; Mar: no sales; Apr: 1,125 / 400 x 30.
    assert [row.dso for row in rows] == [D("26.9"), D("71.1"), None, D("84.4")]
    # Current A/R instead: Jan 1,300 / 1,500 x 31; Feb 300 / 325 x 28; Apr 400 / 400 x 30.
    assert [row.best_dso for row in rows] == [D("26.9"), D("25.8"), None, D("30.0")]
    # (opening + sales - ending) / (opening + sales - current): 200/200, 800/1,325, 200/825, -100/625.
    assert [row.cei for row in rows] == [D("100.0"), D("60.4"), D("24.2"), D("-16.0")]
    # Write-offs net of reversals over credit sales: March has bad debt but no sales, so no ratio.
    assert [row.bad_debt_percent for row in rows] == [D("0.0"), D("0.0"), None, D("-25.0")]


def test_the_whole_range(ledger):
    total = compute().total

    assert (total.opening_ar, total.ar, total.current_ar) == (D("0"), D("1125.00"), D("400.00"))
    assert (total.credit_sales, total.bad_debt, total.days) == (D("2225.00"), D("0.00"), 120)
    assert total.dso == D("60.7")  # 1,125 / 2,225 x 120 = 60.67
    assert total.best_dso == D("21.6")  # 400 / 2,225 x 120 = 21.57
    assert total.cei == D("60.3")  # 1,100 / 1,825 = 60.27%
    assert total.bad_debt_percent == D("0.0")


def test_roll_rates_follow_each_buckets_money_to_the_next_month_end(ledger):
    rolls = {roll.month.label: roll for roll in compute().rolls}
    z = D("0")

    # Nothing was posted by the end of December.
    assert rolls["2026-01"].opening == [z] * 5 and rolls["2026-01"].roll_rates == [None] * 5
    # End of Jan: A 800 and B 500 current. End of Feb: A paid; B 9 days past due.
    feb = rolls["2026-02"]
    assert feb.opening == [D("1300.00"), z, z, z, z]
    assert feb.moved[0] == [z, D("500.00"), z, z, z]
    assert (feb.paid[0], feb.written_off[0]) == (D("800.00"), z)
    assert feb.roll_rates[0] == D("38.5") and feb.paid_rates[0] == D("61.5")
    assert feb.rollover_percent == D("38.5")
    # End of Feb: C 300 current; B 500 and the fee 25 in 1-30. End of Mar: C 19 days, B 40 days past due.
    mar = rolls["2026-03"]
    assert mar.opening == [D("300.00"), D("525.00"), z, z, z]
    assert mar.moved[0] == [z, D("300.00"), z, z, z]
    assert mar.moved[1] == [z, z, D("325.00"), z, z]
    assert (mar.paid[1], mar.written_off[1]) == (D("100.00"), D("100.00"))  # fee 25 + B 75 paid; B 100 written off
    assert mar.roll_rates[:2] == [D("100.0"), D("61.9")]
    assert (mar.paid_rates[1], mar.written_off_rates[1]) == (D("19.0"), D("19.0"))
    assert mar.rollover_percent == D("75.8")  # (300 + 325) / 825
    # April: the write-off is reversed, so B comes back: more than all of its 31-60 money moved on.
    apr = rolls["2026-04"]
    assert apr.opening == [z, D("300.00"), D("325.00"), z, z]
    assert apr.moved[1][2] == D("300.00") and apr.moved[2][3] == D("425.00")
    assert apr.written_off[2] == D("-100.00")
    assert apr.roll_rates[1:3] == [D("100.0"), D("130.8")]
    assert apr.matrix[2] == [z, z, z, D("130.8"), z]


def test_each_buckets_opening_is_the_aging_of_the_month_before_and_balances_to_the_cent(ledger):
    result = compute()

    for roll, previous_end in zip(
        result.rolls, [date(2025, 12, 31), *[r.month.end for r in result.months]], strict=False
    ):
        report = aging.aging(as_of=previous_end, grouping="total")
        assert roll.opening == report.totals
        for bucket, row in enumerate(roll.moved):
            assert roll.opening[bucket] == sum(row, D("0")) + roll.paid[bucket] + roll.written_off[bucket]


def test_month_end_ar_and_current_ar_agree_with_the_aging_report(ledger):
    due_date_aging = LedgerSettings(aging_boundaries=[30, 60, 90], age_by=LedgerSettings.AgeBy.DUE_DATE)

    for row in compute().months:
        report = aging.aging(as_of=row.month.end, grouping="total", settings=due_date_aging)
        assert row.ar == report.total
        assert row.current_ar == report.totals[0]


def test_roll_rates_use_the_business_buckets(ledger, in_business):
    policy = ledger_settings()
    policy.aging_boundaries = [60]
    policy.save()

    mar = {roll.month.label: roll for roll in compute().rolls}["2026-03"]

    # Buckets Current, 1-60, 60+: B (40 days) stays in 1-60 at the end of March.
    assert len(mar.buckets) == 3
    assert mar.opening == [D("300.00"), D("525.00"), D("0")]
    assert mar.moved[1] == [D("0"), D("325.00"), D("0")]
    assert mar.roll_rates[1] == D("0.0")


def test_a_month_in_progress_is_counted_to_today(ledger):
    result = metrics.receivables_metrics(first=date(2026, 4, 1), last=date(2026, 4, 1), today=date(2026, 4, 10))

    april = result.months[0]
    assert (april.month.end, april.month.days, april.month.in_progress) == (date(2026, 4, 10), 10, True)
    assert april.credit_sales == D("400.00")  # E (Apr 12) is not posted yet on the 10th
    assert april.dso == D("28.1")  # A/R 1,125 / 400 x 10 = 28.125


def test_no_sales_at_all_gives_dashes_not_errors(in_business):
    result = metrics.receivables_metrics(first=date(2026, 1, 1), last=date(2026, 2, 1), today=TODAY)

    assert all(row.dso is None and row.best_dso is None and row.cei is None for row in result.months)
    assert result.total.dso is None and result.total.bad_debt_percent is None
    assert all(roll.rollover_percent is None for roll in result.rolls)


def test_the_metrics_page_shows_each_metric_with_a_dash_for_march(
    ledger, business, user_at_level, client_as, time_machine
):
    time_machine.move_to(datetime(2026, 5, 15, 12, tzinfo=CHICAGO), tick=False)
    client = client_as(user_at_level(3))

    response = client.get(reverse("ledger:metrics"), {"first": "2026-01", "last": "2026-04"})

    assert response.status_code == 200
    page = response.content.decode()
    march = page.split('data-month="2026-03"')[1].split("</tr>")[0]
    assert '<td class="num" data-dso>—</td>' in march
    assert '<td class="num" data-cei>24.2%</td>' in march
    feb = page.split('data-month="2026-02"')[1].split("</tr>")[0]
    assert '<td class="num" data-dso>71.1</td>' in feb and '<td class="num" data-best-dso>25.8</td>' in feb
    assert "How it&#x27;s computed" in page or "How it's computed" in page
    assert page.count("<svg") >= 6


def test_the_metrics_csv_has_the_same_numbers(ledger, business, user_at_level, client_as, time_machine):
    time_machine.move_to(datetime(2026, 5, 15, 12, tzinfo=CHICAGO), tick=False)
    client = client_as(user_at_level(3))

    response = client.get(reverse("ledger:metrics"), {"first": "2026-01", "last": "2026-04", "format": "csv"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[2] == "2026-02,825.00,300.00,325.00,71.10,25.80,60.4%,0.00,0%,38.5%"
    assert lines[3] == "2026-03,625.00,0.00,0.00,,,24.2%,100.00,,75.8%"
    assert lines[-1].startswith("2026-01..2026-04,1125.00,400.00,2225.00,60.70,21.60,60.3%")


def test_a_range_after_this_month_is_refused_on_the_form(business, user_at_level, client_as, time_machine):
    time_machine.move_to(datetime(2026, 5, 15, 12, tzinfo=CHICAGO), tick=False)

    response = client_as(user_at_level(3)).get(reverse("ledger:metrics"), {"first": "2026-01", "last": "2026-07"})

    assert response.status_code == 200
    assert "Choose a month up to this one." in response.content.decode()


def test_the_page_opens_on_the_last_thirteen_months_in_a_bounded_number_of_queries(
    ledger, business, user_at_level, client_as, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(datetime(2026, 5, 15, 12, tzinfo=CHICAGO), tick=False)
    client = client_as(user_at_level(3))

    # Per month: two queries for current A/R and three for the roll rates; one for every sum of the range.
    with django_assert_max_num_queries(13 * 5 + 15):
        response = client.get(reverse("ledger:metrics"))

    page = response.content.decode()
    assert 'value="2025-05"' in page and 'value="2026-05"' in page
    assert 'data-month="2025-05"' in page and 'data-month="2026-05"' in page
    assert "(to date)" in page
