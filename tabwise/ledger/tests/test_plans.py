"""Payment plans: the schedule, the daily check (paid, short, missed, carried forward, once only) and completion."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tabwise.core.errors import Conflict, DomainError
from tabwise.core.models import AuditEvent
from tabwise.ledger import services
from tabwise.ledger.models import Account, Instalment, Invoice, PaymentPlan
from tabwise.ledger.services import plans
from tabwise.users.models import User

CHICAGO = ZoneInfo("America/Chicago")
AGREED_ON = date(2026, 1, 10)  # a Saturday


def make_plan(
    clerk: User,
    account: Account,
    amount: str = "100.00",
    instalment: str = "25.00",
    frequency: str = "weekly",
    starts_on: date = date(2026, 1, 12),
    today: date = AGREED_ON,
    invoice: Invoice | None = None,
) -> PaymentPlan:
    with time_machine.travel(datetime(today.year, today.month, today.day, 12, tzinfo=CHICAGO), tick=False):
        return services.create_plan(
            actor=clerk,
            account=account,
            amount=Decimal(amount),
            instalment_amount=Decimal(instalment),
            frequency=frequency,
            starts_on=starts_on,
            invoice=invoice,
        )


def states(plan: PaymentPlan) -> list[tuple[int, str, Decimal]]:
    return [(i.sequence, i.status, i.paid_amount) for i in plan.instalments.order_by("sequence")]


def events(event_type: str) -> list[dict[str, str]]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id").values_list("payload", flat=True))


# --- The schedule ----------------------------------------------------------------------------------------------------


def test_weekly_and_fortnightly_schedules_step_by_seven_and_fourteen_days() -> None:
    assert plans.schedule_dates(date(2026, 12, 21), "weekly", 3) == [
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 4),
    ]
    assert plans.schedule_dates(date(2026, 1, 5), "fortnightly", 3) == [
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 2),
    ]


def test_monthly_schedule_keeps_the_day_or_the_month_end_without_drifting() -> None:
    assert plans.schedule_dates(date(2026, 1, 31), "monthly", 5) == [
        date(2026, 1, 31),
        date(2026, 2, 28),  # no Feb 31: the month's last day
        date(2026, 3, 31),  # and back to the 31st, not stuck on the 28th
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert plans.schedule_dates(date(2027, 12, 31), "monthly", 3) == [
        date(2027, 12, 31),
        date(2028, 1, 31),
        date(2028, 2, 29),  # leap year
    ]
    assert plans.schedule_dates(date(2026, 2, 28), "monthly", 2) == [date(2026, 2, 28), date(2026, 3, 28)]


def test_a_plan_is_equal_instalments_with_the_remainder_last(in_business, clerk, account, sell) -> None:
    sell(account, "100.00")

    plan = make_plan(clerk, account, "100.00", "30.00", "monthly", starts_on=date(2026, 1, 31))

    assert [(i.due_on, i.amount) for i in plan.instalments.order_by("sequence")] == [
        (date(2026, 1, 31), Decimal("30.00")),
        (date(2026, 2, 28), Decimal("30.00")),
        (date(2026, 3, 31), Decimal("30.00")),
        (date(2026, 4, 30), Decimal("10.00")),
    ]
    assert plan.counts_from == AGREED_ON
    assert len(events("PLAN_CREATED")) == 1


@pytest.mark.parametrize(
    ("amount", "instalment", "starts_on", "field"),
    [
        ("100.00", "100.01", date(2026, 1, 12), "instalment_amount"),
        ("100.00", "0.001", date(2026, 1, 12), "instalment_amount"),
        ("100.00", "25.00", date(2026, 1, 9), "starts_on"),  # the day before it was agreed
        ("100.00", "0.10", date(2026, 1, 12), "instalment_amount"),  # 1,000 instalments
    ],
)
def test_a_plan_that_cannot_be_followed_is_refused(in_business, clerk, account, amount, instalment, starts_on, field):
    with pytest.raises(DomainError) as refused:
        make_plan(clerk, account, amount, instalment, starts_on=starts_on)

    assert refused.value.field == field
    assert PaymentPlan.objects.count() == Instalment.objects.count() == 0


def test_a_huge_plan_is_refused_before_its_schedule_is_built(in_business, clerk, account) -> None:
    # Regression: the instalment list was built before it was counted; 999,999,999,999.99 at 0.01 is 10^14 of them.
    with pytest.raises(DomainError) as refused:
        make_plan(clerk, account, "999999999999.99", "0.01")

    assert refused.value.field == "instalment_amount"
    assert PaymentPlan.objects.count() == 0


def test_an_account_has_one_active_plan_at_a_time(in_business, clerk, account) -> None:
    first = make_plan(clerk, account)

    with pytest.raises(Conflict):
        make_plan(clerk, account)
    services.cancel_plan(actor=clerk, plan=first, reason="Renegotiated")
    second = make_plan(clerk, account)

    assert second.status == PaymentPlan.Status.ACTIVE
    assert PaymentPlan.objects.count() == 2


# --- The daily check -------------------------------------------------------------------------------------------------


def test_a_missed_instalment_is_reported_once_however_often_the_check_runs(in_business, clerk, account, sell):
    sell(account, "100.00")
    plan = make_plan(clerk, account)  # 25.00 due Jan 12, 19, 26, Feb 2

    first = plans.check_plan(plan=plan, today=date(2026, 1, 13))
    again = plans.check_plan(plan=plan, today=date(2026, 1, 13))
    daily = services.check_plans(today=date(2026, 1, 14))

    assert [i.sequence for i in first.newly_missed] == [1]
    assert again.newly_missed == [] and daily[0].newly_missed == []
    assert states(plan) == [
        (1, "missed", Decimal("0")),
        (2, "pending", Decimal("0")),
        (3, "pending", Decimal("0")),
        (4, "pending", Decimal("0")),
    ]
    assert events("INSTALMENT_MISSED") == [{"sequence": 1, "due_on": "2026-01-12", "due": "25.00", "paid": "0.00"}]


def test_an_instalment_due_today_is_not_missed_yet(in_business, clerk, account, sell) -> None:
    sell(account, "100.00")
    plan = make_plan(clerk, account)

    plans.check_plan(plan=plan, today=date(2026, 1, 12))

    assert states(plan)[0] == (1, "pending", Decimal("0"))
    assert events("INSTALMENT_MISSED") == []


def test_a_part_payment_leaves_the_instalment_short(in_business, clerk, account, sell, pay) -> None:
    sell(account, "100.00")
    plan = make_plan(clerk, account)
    pay(account, "10.00", on=date(2026, 1, 11))

    result = plans.check_plan(plan=plan, today=date(2026, 1, 13))

    assert [i.sequence for i in result.newly_short] == [1] and result.newly_missed == []
    assert states(plan)[0] == (1, "short", Decimal("10.00"))
    assert events("INSTALMENT_SHORT") == [{"sequence": 1, "due_on": "2026-01-12", "due": "25.00", "paid": "10.00"}]


def test_an_overpayment_is_carried_forward_to_the_next_instalments(in_business, clerk, account, sell, pay) -> None:
    sell(account, "100.00")
    plan = make_plan(clerk, account)
    pay(account, "60.00", on=date(2026, 1, 11))

    plans.check_plan(plan=plan, today=date(2026, 1, 20))

    assert states(plan) == [
        (1, "paid", Decimal("25.00")),
        (2, "paid", Decimal("25.00")),  # due Jan 19, paid ahead
        (3, "pending", Decimal("10.00")),  # due Jan 26: 10 of it already there
        (4, "pending", Decimal("0")),
    ]
    assert events("INSTALMENT_MISSED") == events("INSTALMENT_SHORT") == []

    plans.check_plan(plan=plan, today=date(2026, 1, 27))

    assert states(plan)[2] == (3, "short", Decimal("10.00"))


def test_a_late_payment_turns_a_missed_instalment_paid_and_a_bounced_one_turns_it_back(
    in_business, clerk, owner, account, sell, pay
) -> None:
    sell(account, "100.00")
    plan = make_plan(clerk, account)
    plans.check_plan(plan=plan, today=date(2026, 1, 13))
    payment = pay(account, "25.00", on=date(2026, 1, 14))

    plans.check_plan(plan=plan, today=date(2026, 1, 15))
    assert states(plan)[0] == (1, "paid", Decimal("25.00"))

    services.reverse_entry(actor=owner, entry=payment.entry, reason="Check bounced", posted_on=date(2026, 1, 16))
    result = plans.check_plan(plan=plan, today=date(2026, 1, 16))

    assert [i.sequence for i in result.newly_missed] == [1]
    assert states(plan)[0] == (1, "missed", Decimal("0"))
    assert len(events("INSTALMENT_MISSED")) == 2  # missed, paid, missed again: a new miss each time


def test_payments_before_the_plan_was_agreed_do_not_count(in_business, clerk, account, sell, pay) -> None:
    sell(account, "200.00")
    pay(account, "50.00", on=date(2026, 1, 9))
    plan = make_plan(clerk, account)

    plans.check_plan(plan=plan, today=date(2026, 1, 13))

    assert states(plan)[0] == (1, "missed", Decimal("0"))


def test_paying_the_whole_plan_completes_it_once(in_business, clerk, account, sell, pay) -> None:
    sell(account, "100.00")
    plan = make_plan(clerk, account)
    pay(account, "40.00", on=date(2026, 1, 11))
    pay(account, "60.00", on=date(2026, 1, 18))

    result = plans.check_plan(plan=plan, today=date(2026, 1, 20))
    again = services.check_plans(today=date(2026, 1, 21))

    plan.refresh_from_db()
    assert result.completed and plan.status == PaymentPlan.Status.COMPLETED
    assert again == []  # only active plans are checked
    assert [status for _seq, status, _paid in states(plan)] == ["paid"] * 4
    assert events("PLAN_COMPLETED") == [{"paid": "100.00"}]


def test_what_was_paid_toward_a_plan_is_exact_cents(in_business, clerk, account, sell, pay) -> None:
    # Regression: on SQLite the sum came back as 0.800000000000000 (binary floating point) and went into the event.
    sell(account, "0.80")
    plan = make_plan(clerk, account, "0.80", "0.80")
    pay(account, "0.10", on=date(2026, 1, 11))
    pay(account, "0.70", on=date(2026, 1, 11))

    assert str(plans.paid_toward(plan)) == "0.80"
    plans.check_plan(plan=plan, today=date(2026, 1, 13))
    assert events("PLAN_COMPLETED") == [{"paid": "0.80"}]


# --- What counts toward a plan ---------------------------------------------------------------------------------------


def test_a_plan_on_an_invoice_counts_only_what_is_applied_to_that_invoice(
    in_business, clerk, account, sell, pay
) -> None:
    # Regression: every payment on the account counted, so money that went to an older invoice paid the tool set's
    # instalments too.
    sell(account, "100.00", on=date(2026, 1, 5))  # older: oldest first, payments go here before the tool set
    tool_set = sell(account, "1200.00", on=date(2026, 1, 6))
    plan = make_plan(clerk, account, "1200.00", "25.00", invoice=tool_set)

    pay(account, "25.00", on=date(2026, 1, 12))  # to the older invoice
    plans.check_plan(plan=plan, today=date(2026, 1, 13))
    assert plans.paid_toward(plan) == Decimal("0.00")
    assert states(plan)[0] == (1, "missed", Decimal("0"))

    pay(account, "100.00", on=date(2026, 1, 14))  # 75.00 finishes the older invoice, 25.00 reaches the tool set
    pay(account, "30.00", on=date(2026, 1, 16), allocations=[(tool_set.entry.pk, Decimal("30.00"))])
    plans.check_plan(plan=plan, today=date(2026, 1, 20))

    assert str(plans.paid_toward(plan)) == "55.00"
    assert states(plan)[:3] == [
        (1, "paid", Decimal("25.00")),
        (2, "paid", Decimal("25.00")),  # due Jan 19
        (3, "pending", Decimal("5.00")),  # carried forward
    ]


def test_a_payment_moved_off_the_plan_invoice_no_longer_counts(in_business, clerk, account, sell, pay) -> None:
    tool_set = sell(account, "1200.00", on=date(2026, 1, 5))
    other = sell(account, "80.00", on=date(2026, 1, 6))
    plan = make_plan(clerk, account, "1200.00", "25.00", invoice=tool_set)
    payment = pay(account, "50.00", on=date(2026, 1, 11))
    assert plans.paid_toward(plan) == Decimal("50.00")

    with time_machine.travel(datetime(2026, 1, 12, 12, tzinfo=CHICAGO), tick=False):
        services.reallocate(actor=clerk, credit=payment.entry, allocations=[(other.entry.pk, Decimal("30.00"))])

    assert plans.paid_toward(plan) == Decimal("20.00")  # 30.00 of it now pays the other invoice


def test_credit_notes_lower_a_plan_invoice_but_pay_no_instalment(in_business, clerk, account, sell, pay) -> None:
    tool_set = sell(account, "1200.00", on=date(2026, 1, 5))
    plan = make_plan(clerk, account, "1200.00", "25.00", invoice=tool_set)

    services.issue_credit_note(
        actor=clerk,
        account=account,
        amount=Decimal("100.00"),
        reason="Returned the creeper",
        apply_to=[tool_set.entry.pk],
        posted_on=date(2026, 1, 11),
    )
    pay(account, "25.00", on=date(2026, 1, 11))

    assert plans.paid_toward(plan) == Decimal("25.00")


def test_a_plan_on_the_balance_counts_payments_to_the_debt_it_was_agreed_for(
    in_business, clerk, account, sell, pay
) -> None:
    sell(account, "100.00", on=date(2026, 1, 5))
    plan = make_plan(clerk, account)  # agreed Jan 10 for the 100.00 owed then
    later = sell(account, "40.00", on=date(2026, 1, 15))

    pay(account, "40.00", on=date(2026, 1, 16), allocations=[(later.entry.pk, Decimal("40.00"))])  # the new sale
    pay(account, "25.00", on=date(2026, 1, 16))  # oldest first: the debt under the plan

    assert plans.paid_toward(plan) == Decimal("25.00")
    plans.check_plan(plan=plan, today=date(2026, 1, 20))
    assert states(plan)[:2] == [(1, "paid", Decimal("25.00")), (2, "missed", Decimal("0"))]


def test_what_was_paid_toward_a_plan_is_counted_on_each_payment_date(in_business, clerk, account, sell, pay) -> None:
    sell(account, "100.00", on=date(2026, 1, 5))
    plan = make_plan(clerk, account)
    pay(account, "25.00", on=date(2026, 1, 12))
    pay(account, "30.00", on=date(2026, 1, 19))

    days = (date(2026, 1, 11), date(2026, 1, 12), date(2026, 1, 31))
    assert [plans.paid_toward(plan, through=day) for day in days] == [Decimal("0"), Decimal("25"), Decimal("55")]


def test_a_plan_on_an_invoice_covers_at_most_what_is_open_on_it(in_business, clerk, account, sell, pay) -> None:
    invoice = sell(account, "1200.00", on=date(2026, 1, 5))
    pay(account, "200.00", on=date(2026, 1, 9))
    estimate = services.create_estimate(
        actor=clerk, customer=account.customer, lines=[services.LineIn("Creeper", Decimal("80.00"))]
    )

    with pytest.raises(DomainError) as too_much:
        make_plan(clerk, account, "1000.01", "25.00", invoice=invoice)
    with pytest.raises(DomainError) as not_posted:
        make_plan(clerk, account, "80.00", "20.00", invoice=estimate)
    plan = make_plan(clerk, account, "1000.00", "25.00", invoice=invoice)

    assert (too_much.value.field, not_posted.value.field) == ("amount", "invoice")
    assert "1000.00" in too_much.value.message
    assert PaymentPlan.objects.get() == plan
