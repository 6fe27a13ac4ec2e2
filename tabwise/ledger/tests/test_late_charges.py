"""Late fees and interest: charged once per account per month, only on overdue invoices past the grace days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tabwise.core.models import AuditEvent
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Entry
from tabwise.ledger.services import charges


def _policy(late_fee: str = "15.00", apr: str = "18", minimum: str = "1.00", grace: int = 10) -> None:
    policy = services.ledger_settings()
    policy.late_fee, policy.interest_apr = Decimal(late_fee), Decimal(apr)
    policy.minimum_interest, policy.late_fee_grace_days = Decimal(minimum), grace
    policy.save()


def test_an_overdue_account_is_charged_a_late_fee_and_a_month_of_interest(in_business, account, sell):
    _policy()
    sell(account, "1000.00", on=date(2026, 1, 5))  # due 2026-02-04

    done = charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 20))

    assert [(a.overdue, a.late_fee, a.interest) for a in done] == [
        (Decimal("1000.00"), Decimal("15.00"), Decimal("15.00"))  # 1000 x 18% / 12
    ]
    fees = Entry.objects.filter(kind="charge").order_by("category")
    assert [(e.category, e.amount, e.source) for e in fees] == [
        ("interest", Decimal("15.00"), "system"),
        ("late_fee", Decimal("15.00"), "system"),
    ]
    assert AuditEvent.objects.filter(event_type="CHARGE_POSTED").count() == 2
    assert selectors.verify_account(account) == []


def test_running_the_assessment_again_in_the_same_month_charges_nothing_more(in_business, account, sell):
    _policy()
    sell(account, "1000.00", on=date(2026, 1, 5))

    charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 20))
    again = charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 27))
    next_month = charges.assess_late_charges(business=in_business, as_of=date(2026, 3, 2))

    assert again == []
    assert len(next_month) == 1
    account.refresh_from_db()
    # Interest is never charged on fees: March's interest is on the 1,000 sold, not on February's charges.
    assert account.balance == Decimal("1000.00") + 2 * Decimal("30.00")


def test_nothing_is_charged_within_the_grace_days_or_without_a_policy(in_business, account, sell):
    sell(account, "1000.00", on=date(2026, 1, 5))  # due 2026-02-04

    assert charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 20)) == []  # no policy yet
    _policy(grace=10)
    assert charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 14)) == []  # day 10 of grace
    assert Entry.objects.filter(kind="charge").count() == 0


def test_minimum_interest_applies_to_a_small_overdue_balance(in_business, account, sell):
    _policy(late_fee="0", apr="18", minimum="2.00")
    sell(account, "20.00", on=date(2026, 1, 5))

    done = charges.assess_late_charges(business=in_business, as_of=date(2026, 2, 20))

    assert [(a.late_fee, a.interest) for a in done] == [(Decimal("0"), Decimal("2.00"))]


def test_the_daily_task_assesses_the_business_it_is_given(in_business, account, sell):
    from tabwise.ledger import tasks

    _policy()
    sell(account, "1000.00", on=date(2026, 1, 5))

    assert tasks.assess_late_charges.call(business_id=in_business.pk, run_on="2026-02-20") == 1
    assert tasks.assess_late_charges.call(business_id=in_business.pk, run_on="2026-02-21") == 0
