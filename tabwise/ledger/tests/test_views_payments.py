"""The payment pages: record a payment (oldest first, picked invoices, checks), its preview, a document's page with
its allocations, and re-allocating a credit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.ledger import selectors
from tabwise.ledger.models import Allocation, Entry, Payment
from tabwise.ledger.tests.web import NOW, a_user, flashed, has_error, text

ROUTING = "011000015"  # a valid ABA routing number (weighted digit sum 20)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def _open(*entries: Entry) -> list[Decimal]:
    return [Entry.objects.get(pk=entry.pk).open_amount for entry in entries]


def test_a_payment_goes_to_the_oldest_invoice_first(account, sell, client_as, user_at_level):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    response = client_as(user_at_level(4)).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "150.00", "method": "cash", "received_where": "Route 3, Gus's Garage"},
    )

    payment = Payment.objects.get()
    account.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == account.get_absolute_url()
    assert _open(older.entry, newer.entry) == [Decimal("0.00"), Decimal("50.00")]
    assert account.balance == Decimal("50.00")
    assert payment.received_where == "Route 3, Gus's Garage" and payment.received_at == NOW
    assert flashed(response) == [f"Payment of $150.00 recorded as receipt {payment.entry.number}."]
    assert selectors.verify_account(account) == []


def test_a_payment_can_go_to_the_invoices_the_clerk_picks(account, sell, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "60.00", "method": "cash", f"apply_{newer.entry.pk}": "60.00"},
    )

    assert _open(older.entry, newer.entry) == [Decimal("100.00"), Decimal("40.00")]
    assert selectors.verify_account(account) == []


def test_a_check_keeps_only_the_last_four_digits_of_the_bank_account(account, sell, client_as, clerk):
    sell(account, "100.00")
    client = client_as(clerk)

    client.post(
        reverse("ledger:payment-create", args=[account.pk]),
        {
            "amount": "100.00",
            "method": "check",
            "reference": "1042",
            "bank_routing": ROUTING,
            "bank_account": "123456789",
        },
    )

    payment = Payment.objects.get()
    assert payment.bank_last4 == "6789" and payment.bank_fingerprint
    assert "123456789" not in str(Payment.objects.values().get())
    assert "bank ···6789" in text(client.get(account.get_absolute_url()))


def test_the_time_received_is_read_in_the_business_time_zone(account, sell, client_as, clerk):
    sell(account, "100.00")

    client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "10.00", "method": "cash", "received_at": "2026-03-01T21:30"},
    )

    payment = Payment.objects.get()
    # 9:30 pm in Chicago (CST, UTC-6) on 1 March is 3:30 am UTC on 2 March; the payment is dated 1 March.
    assert payment.received_at == datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    assert payment.entry.posted_on == date(2026, 3, 1)


def test_bank_numbers_sent_with_a_cash_payment_are_dropped(account, sell, client_as, clerk):
    sell(account, "100.00")

    client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "20.00", "method": "cash", "bank_routing": "123", "bank_account": "99"},
    )

    assert Payment.objects.get().bank_last4 == ""


def test_a_bad_routing_number_is_shown_on_its_field_and_nothing_is_written(account, sell, client_as, clerk):
    sell(account, "100.00")

    response = client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "100.00", "method": "ach", "bank_routing": "123456789", "bank_account": "123456789"},
    )

    account.refresh_from_db()
    assert response.status_code == 200 and has_error(response, "bank_routing")
    assert not Payment.objects.exists() and account.balance == Decimal("100.00")


def test_an_amount_of_zero_is_an_error_on_the_amount(account, client_as, clerk):
    response = client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]), {"amount": "0", "method": "cash"}
    )

    assert has_error(response, "amount")
    assert not Payment.objects.exists()


def test_picking_more_than_the_payment_is_an_error_on_the_picks(account, sell, client_as, clerk):
    first = sell(account, "100.00", on=date(2026, 1, 5))
    second = sell(account, "100.00", on=date(2026, 1, 10))

    response = client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "50.00", "method": "cash", f"apply_{first.entry.pk}": "40", f"apply_{second.entry.pk}": "40"},
    )

    assert has_error(response, "allocations")
    assert not Payment.objects.exists()


def test_picking_more_than_is_open_is_an_error_on_that_invoice(account, sell, client_as, clerk):
    invoice = sell(account, "100.00")

    response = client_as(clerk).post(
        reverse("ledger:payment-create", args=[account.pk]),
        {"amount": "150.00", "method": "cash", f"apply_{invoice.entry.pk}": "150.00"},
    )

    assert has_error(response, f"apply_{invoice.entry.pk}")
    assert "Only $100.00 is open." in text(response)
    assert not Payment.objects.exists()


def test_the_preview_shows_how_the_payment_will_apply(account, sell, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    response = client_as(clerk).get(
        reverse("ledger:payment-preview", args=[account.pk]), {"amount": "250.00", "method": "cash"}
    )

    page = text(response)
    assert f"$100.00 to Invoice {older.number}, leaving $0.00 open" in page
    assert f"$100.00 to Invoice {newer.number}, leaving $0.00 open" in page
    assert "$50.00 kept as credit on the account" in page
    assert not Payment.objects.exists()


def test_the_preview_puts_picked_invoices_first(account, sell, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))

    page = text(
        client_as(clerk).get(
            reverse("ledger:payment-preview", args=[account.pk]),
            {"amount": "120.00", f"apply_{newer.entry.pk}": "100.00"},
        )
    )

    assert f"$100.00 to Invoice {newer.number}, leaving $0.00 open" in page
    assert f"$20.00 to Invoice {older.number}, leaving $80.00 open" in page


def test_the_payment_page_shows_where_it_was_applied(account, sell, pay, client_as, user_at_level):
    invoice = sell(account, "100.00")
    payment = pay(account, "40.00", reference="MO 7781")

    response = client_as(user_at_level(5)).get(reverse("ledger:entry-detail", args=[payment.entry.pk]))

    page = text(response)
    assert response.status_code == 200
    assert "MO 7781" in page and "$40.00 credit" in page
    assert f"Invoice {invoice.number}" in page and "$40.00" in page


def test_a_credit_is_reallocated_to_another_invoice(account, sell, pay, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))
    payment = pay(account, "100.00")  # went to the older one
    assert _open(older.entry, newer.entry) == [Decimal("0.00"), Decimal("100.00")]

    response = client_as(clerk).post(
        reverse("ledger:entry-reallocate", args=[payment.entry.pk]), {f"apply_{newer.entry.pk}": "100.00"}
    )

    account.refresh_from_db()
    assert response.status_code == 302
    assert _open(older.entry, newer.entry) == [Decimal("100.00"), Decimal("0.00")]
    assert account.balance == Decimal("100.00")
    assert Allocation.objects.filter(credit=payment.entry, amount__lt=0).count() == 1  # taken back, never edited
    assert selectors.verify_account(account) == []


def test_reallocating_more_than_the_credit_is_an_error_and_changes_nothing(account, sell, pay, client_as, clerk):
    older = sell(account, "100.00", on=date(2026, 1, 5))
    newer = sell(account, "100.00", on=date(2026, 1, 10))
    payment = pay(account, "50.00")
    allocations = Allocation.objects.count()

    response = client_as(clerk).post(
        reverse("ledger:entry-reallocate", args=[payment.entry.pk]),
        {f"apply_{older.entry.pk}": "50.00", f"apply_{newer.entry.pk}": "50.00"},
    )

    assert has_error(response, "allocations")
    assert Allocation.objects.count() == allocations
    assert _open(older.entry, newer.entry) == [Decimal("50.00"), Decimal("100.00")]


def test_a_document_of_another_business_is_not_found(account, sell, other_business, client_as):
    invoice = sell(account, "10.00")
    stranger = client_as(a_user(other_business, 1))

    assert stranger.get(reverse("ledger:entry-detail", args=[invoice.entry.pk])).status_code == 404
    assert stranger.get(reverse("ledger:payment-preview", args=[account.pk]), {"amount": "1"}).status_code == 404
