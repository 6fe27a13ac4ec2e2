"""A plan's calendar shows a payment at once (the daily check writes the statuses and the events later)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import time_machine

from tabwise.ledger import selectors_ui
from tabwise.ledger.models import Instalment
from tabwise.ledger.tests.test_plans import CHICAGO, make_plan


def test_the_calendar_counts_a_payment_before_the_daily_check_runs(in_business, clerk, account, sell, pay) -> None:
    sell(account, "100.00", on=date(2026, 1, 5))
    plan = make_plan(clerk, account, "100.00", "25.00", "weekly", starts_on=date(2026, 1, 12))
    pay(account, "30.00", on=date(2026, 1, 12))

    with time_machine.travel(datetime(2026, 1, 20, 12, tzinfo=CHICAGO), tick=False):
        calendar = selectors_ui.plan_calendar(plan.pk)

    shown = [(i.status, i.paid_amount) for i in calendar.instalments]
    assert shown == [
        (Instalment.Status.PAID, Decimal("25.00")),
        (Instalment.Status.SHORT, Decimal("5.00")),  # due on the 19th, 5 of 25 paid
        (Instalment.Status.PENDING, Decimal("0.00")),
        (Instalment.Status.PENDING, Decimal("0.00")),
    ]
    assert (calendar.paid, calendar.left) == (Decimal("30.00"), Decimal("70.00"))
    assert calendar.next_due is not None and calendar.next_due.sequence == 2
    # Nothing was written: the stored statuses are the daily check's.
    assert set(plan.instalments.values_list("status", flat=True)) == {Instalment.Status.PENDING}
