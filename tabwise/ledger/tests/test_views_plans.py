"""The payment plan pages: preview the schedule, agree a plan, see its calendar, cancel it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.ledger import services
from tabwise.ledger.models import Instalment, PaymentPlan
from tabwise.ledger.tests.web import NOW, a_user, flashed, has_error, text


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


PLAN = {"amount": "1200.00", "instalment_amount": "25.00", "frequency": "weekly", "starts_on": "2026-03-09"}


def test_the_preview_shows_the_schedule_before_anything_is_saved(account, sell, client_as, clerk):
    sell(account, "1210.00")

    response = client_as(clerk).get(reverse("ledger:plan-preview", args=[account.pk]), {**PLAN, "amount": "1210.00"})

    page = text(response)
    assert "49 instalments, the last due Feb. 8, 2027." in page  # 48 x $25 and a last $10
    assert "Mon 9 Mar 2026" in page and "$10.00" in page
    assert not PaymentPlan.objects.exists()


def test_the_preview_asks_for_what_is_missing(account, client_as, clerk):
    page = text(client_as(clerk).get(reverse("ledger:plan-preview", args=[account.pk]), {"amount": "100"}))

    assert "to see the schedule" in page


def test_agreeing_a_plan_writes_its_instalments_and_the_account_shows_the_calendar(
    account, sell, client_as, clerk, user_at_level
):
    invoice = sell(account, "1200.00")

    response = client_as(clerk).post(
        reverse("ledger:plan-create", args=[account.pk]), {**PLAN, "invoice": str(invoice.pk)}
    )

    plan = PaymentPlan.objects.get()
    assert response["Location"] == account.get_absolute_url()
    assert flashed(response) == ["Payment plan agreed: 48 instalments."]
    assert (plan.amount, plan.instalment_amount, plan.invoice) == (Decimal("1200.00"), Decimal("25.00"), invoice)
    assert plan.instalments.count() == 48
    assert list(plan.instalments.order_by("sequence").values_list("due_on", flat=True))[-1] == date(2027, 2, 1)

    page = text(client_as(user_at_level(5)).get(account.get_absolute_url()))
    assert "March 2026" in page and "Mon 9 Mar" in page and "pill-pending" in page
    assert "Next: $25.00 due March 9, 2026." in page


def test_a_plan_cannot_start_in_the_past(account, sell, client_as, clerk):
    sell(account, "1200.00")

    response = client_as(clerk).post(
        reverse("ledger:plan-create", args=[account.pk]), {**PLAN, "starts_on": "2026-03-01"}
    )

    assert has_error(response, "starts_on")
    assert not PaymentPlan.objects.exists() and not Instalment.objects.exists()


def test_an_account_has_one_active_plan_at_a_time(account, sell, client_as, clerk):
    sell(account, "1200.00")
    client = client_as(clerk)
    client.post(reverse("ledger:plan-create", args=[account.pk]), PLAN)

    response = client.post(reverse("ledger:plan-create", args=[account.pk]), PLAN)

    assert "This account already has an active plan." in text(response)
    assert PaymentPlan.objects.count() == 1


def test_the_plan_page_shows_every_instalment(account, sell, client_as, clerk, user_at_level):
    sell(account, "100.00")
    plan = services.create_plan(
        actor=clerk,
        account=account,
        amount=Decimal("100.00"),
        instalment_amount=Decimal("40.00"),
        frequency="monthly",
        starts_on=date(2026, 3, 31),
    )

    page = text(client_as(user_at_level(5)).get(reverse("ledger:plan-detail", args=[plan.pk])))

    assert "Tue 31 Mar" in page and "Thu 30 Apr" in page and "Sun 31 May" in page
    assert page.count("pill-pending") == 3
    assert "Cancel the plan" not in page  # level 5 may not


def test_a_plan_is_cancelled_with_a_reason(account, sell, client_as, clerk):
    sell(account, "100.00")
    plan = services.create_plan(
        actor=clerk,
        account=account,
        amount=Decimal("100.00"),
        instalment_amount=Decimal("25.00"),
        frequency="weekly",
        starts_on=date(2026, 3, 9),
    )

    response = client_as(clerk).post(reverse("ledger:plan-cancel", args=[plan.pk]), {"reason": "Paid by the employer"})

    plan.refresh_from_db()
    assert response["Location"] == account.get_absolute_url()
    assert plan.status == PaymentPlan.Status.CANCELLED


def test_a_plan_of_another_business_is_not_found(account, sell, clerk, other_business, client_as):
    sell(account, "100.00")
    plan = services.create_plan(
        actor=clerk,
        account=account,
        amount=Decimal("100.00"),
        instalment_amount=Decimal("25.00"),
        frequency="weekly",
        starts_on=date(2026, 3, 9),
    )
    stranger = client_as(a_user(other_business, 1))

    assert stranger.get(reverse("ledger:plan-detail", args=[plan.pk])).status_code == 404
    assert stranger.post(reverse("ledger:plan-cancel", args=[plan.pk]), {"reason": "x"}).status_code == 404
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.ACTIVE
