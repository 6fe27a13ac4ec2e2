"""Payments written set-based (posting.Journal): the same results as one by one, in a fixed number of statements,
and dates bounded above so a typo cannot move an account's allocation floor years ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tabwise.core.clock import business_today
from tabwise.core.errors import DomainError
from tabwise.core.testing.factories import CustomerFactory
from tabwise.customers.models import Customer
from tabwise.ledger import posting, selectors, services
from tabwise.ledger.models import Allocation, Entry, Payment

ZONE = ZoneInfo("America/Chicago")


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZONE)


@pytest.fixture
def accounts(in_business, clerk, sell):
    opened = []
    for index in range(6):
        customer = cast(Customer, CustomerFactory(business=in_business))
        account = services.open_account(actor=clerk, customer=customer, name="Tools", opened_on=date(2026, 1, 2))
        sell(account, "30.00", on=date(2026, 1, 5))
        sell(account, "20.00", on=date(2026, 1, 9 + index))
        opened.append(account)
    return opened


def test_a_batch_applies_each_payment_oldest_first_and_numbers_receipts_consecutively(accounts, clerk):
    items = [
        services.PaymentIn(
            account_id=account.pk, amount=Decimal(amount), method="cash", received_at=_noon(date(2026, 2, 1))
        )
        for account, amount in zip(accounts, ["10.00", "30.00", "45.50", "50.00", "60.00", "0.01"], strict=True)
    ]
    # Two payments to one account in one batch: the second applies to what the first left open.
    items.append(
        services.PaymentIn(
            account_id=accounts[0].pk, amount=Decimal("25.00"), method="cash", received_at=_noon(date(2026, 2, 2))
        )
    )

    result = services.record_payments(actor=clerk, payments=items)

    numbers = [payment.entry.number for payment in result.payments]
    first = int(numbers[0].removeprefix("R-"))
    assert numbers == [f"R-{first + i}" for i in range(len(items))]
    balances = []
    for account in accounts:
        account.refresh_from_db()
        balances.append(account.balance)
        assert selectors.verify_account(account) == []
    assert balances == [Decimal(b) for b in ["15.00", "20.00", "4.50", "0.00", "-10.00", "49.99"]]
    # The overpayment left credit; the rest applied to the $30 invoice first.
    first_invoice = Entry.objects.get(account=accounts[2], kind=Entry.Kind.INVOICE, posted_on=date(2026, 1, 5))
    assert first_invoice.open_amount == Decimal("0.00")
    # 10 to the $30 invoice; then 25 = the 20 left on it + 5 of the $20 one.
    assert sorted(Allocation.objects.filter(account=accounts[0]).values_list("amount", flat=True)) == [
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    ]
    assert Allocation.objects.filter(credit__payment__in=result.payments).count() == 11


def test_a_batch_runs_a_fixed_number_of_statements_whatever_its_size(accounts, clerk):
    def statements(count: int, day: int) -> int:
        items = [
            services.PaymentIn(
                account_id=accounts[i % len(accounts)].pk,
                amount=Decimal("1.00"),
                method="cash",
                received_at=_noon(date(2026, 2, day)),
            )
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            services.record_payments(actor=clerk, payments=items)
        return len(queries)

    statements(1, 1)  # the receipt counter's first use inserts its row
    # SQLite takes at most 58 entry rows in one INSERT; PostgreSQL COPYs from 20 rows (core.bulk.COPY_FROM) up.
    small, large = (25, 400) if connection.vendor == "postgresql" else (2, 40)
    assert statements(small, 2) == statements(large, 3)


def test_a_single_payment_says_whether_it_was_new(accounts, clerk):
    item = services.PaymentIn(
        account_id=accounts[0].pk, amount=Decimal("5.00"), method="cash", client_reference="tab-1"
    )

    first = services.record_payment_once(actor=clerk, payment=item)
    again = services.record_payment_once(actor=clerk, payment=item)

    assert (first.created, again.created) == (True, False)
    assert again.payment.pk == first.payment.pk
    assert Payment.objects.filter(client_reference="tab-1").count() == 1


def test_a_payment_dated_days_ahead_is_refused_on_its_field(accounts, clerk, in_business):
    today = business_today(in_business)
    ahead = services.PaymentIn(
        account_id=accounts[0].pk, amount=Decimal("5.00"), method="cash", received_at=_noon(today + timedelta(days=2))
    )

    with pytest.raises(DomainError) as refused:
        services.record_payment(actor=clerk, payment=ahead)
    assert refused.value.field == "received_at"
    with pytest.raises(DomainError) as refused:
        services.record_payments(actor=clerk, payments=[ahead])
    assert refused.value.field == "items.0.received_at"

    tomorrow = services.PaymentIn(
        account_id=accounts[0].pk, amount=Decimal("5.00"), method="cash", received_at=_noon(today + timedelta(days=1))
    )
    assert services.record_payment(actor=clerk, payment=tomorrow).amount == Decimal("5.00")


def test_a_document_may_be_post_dated_a_month_but_not_years(accounts, clerk, in_business):
    today = business_today(in_business)

    with pytest.raises(DomainError) as refused:
        services.post_charge(
            actor=clerk,
            account=accounts[0],
            amount=Decimal("5.00"),
            category="service",
            posted_on=today.replace(year=today.year + 36),
        )
    assert refused.value.field == "posted_on"
    accounts[0].refresh_from_db()
    floor = accounts[0].allocation_floor
    assert floor is None or floor <= today

    charge = services.post_charge(
        actor=clerk,
        account=accounts[0],
        amount=Decimal("5.00"),
        category="service",
        posted_on=today + timedelta(days=31),
    )
    assert charge.posted_on == today + timedelta(days=31)


def test_open_debits_read_for_a_payment_stop_once_they_cover_it(account, sell, clerk):
    invoices = [sell(account, "10.00", on=date(2026, 1, day)) for day in (5, 6, 7, 8, 9)]
    ids = [invoice.entry.pk for invoice in invoices]

    assert [e.pk for e in posting.open_debits_of([account.pk], enough_for=Decimal("25.00"))[account.pk]] == ids[:3]
    assert [e.pk for e in posting.open_debits_of([account.pk], enough_for=Decimal("20.00"))[account.pk]] == ids[:2]
    assert [e.pk for e in posting.open_debits_of([account.pk])[account.pk]] == ids

    services.record_payment(
        actor=clerk, payment=services.PaymentIn(account_id=account.pk, amount=Decimal("25.00"), method="cash")
    )
    account.refresh_from_db()
    assert account.balance == Decimal("25.00")
    assert [e.open_amount for e in posting.open_debits_of([account.pk])[account.pk]] == [
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("10.00"),
    ]
    assert selectors.verify_account(account) == []
