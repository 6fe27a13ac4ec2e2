"""The sales pages: post an invoice (lines, credit limit, override), add a line, estimates, cash sales, an invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Entry, Invoice
from tabwise.ledger.templatetags import ledger_ui
from tabwise.ledger.tests.web import NOW, a_customer, a_user, a_vehicle, flashed, has_error, sale_data, text


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_posting_an_invoice_raises_the_balance_by_its_taxed_total(account, client_as, user_at_level):
    counter = user_at_level(4)
    data = sale_data(
        {"description": "Ratchet", "quantity": "2", "unit_price": "19.99", "unit_cost": "11.00", "tax_rate": "8.25"},
        {"description": "Labour", "unit_price": "45.00"},
    )

    response = client_as(counter).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    invoice = Invoice.objects.get(account=account)
    account.refresh_from_db()
    # 2 x 19.99 = 39.98, tax 8.25% = 3.298... -> 3.30; labour 45.00 untaxed.
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("84.98"),
        Decimal("3.30"),
        Decimal("88.28"),
    )
    assert [line.tax_rate for line in invoice.lines.all()] == [Decimal("0.08250"), Decimal("0")]
    assert invoice.entry is not None and invoice.entry.open_amount == Decimal("88.28")
    assert account.balance == Decimal("88.28")
    assert invoice.due_on == date(2026, 4, 1)  # 2 March + 30 days
    assert response.status_code == 302 and response["Location"] == account.get_absolute_url()
    assert flashed(response) == [f"Invoice {invoice.number} posted."]
    assert selectors.verify_account(account) == []


def test_a_blank_added_line_is_not_posted(account, client_as, clerk):
    data = sale_data({"description": "Creeper", "unit_price": "80.00"}, {"description": "", "unit_price": ""})

    client_as(clerk).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    assert [line.description for line in Invoice.objects.get(account=account).lines.all()] == ["Creeper"]


def test_an_invoice_records_the_customers_vehicle_and_mileage(account, client_as, clerk):
    vehicle = a_vehicle(account.customer)
    data = sale_data({"description": "Brake job", "unit_price": "240.00"}, vehicle=str(vehicle.pk), mileage="84210")

    client_as(clerk).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    invoice = Invoice.objects.get(account=account)
    assert (invoice.vehicle, invoice.mileage) == (vehicle, 84210)


def test_a_bad_line_is_shown_on_its_own_row_and_nothing_is_written(account, client_as, clerk):
    data = sale_data({"description": "Socket", "unit_price": "10.00"}, {"description": "Bits", "quantity": "0"})

    response = client_as(clerk).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    assert response.status_code == 200
    assert has_error(response, "lines-1-quantity") and has_error(response, "lines-1-unit_price")
    assert not has_error(response, "lines-0-quantity")
    assert not Invoice.objects.exists() and not Entry.objects.exists()


def test_a_zero_total_is_the_services_error_on_the_lines(account, client_as, clerk):
    data = sale_data({"description": "Free sticker", "unit_price": "0.00"})

    response = client_as(clerk).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    assert has_error(response, "lines")
    assert "The invoice total must be more than zero." in text(response)
    assert not Invoice.objects.exists()


def test_a_sale_over_the_credit_limit_is_refused_clearly_and_nothing_is_written(account, client_as, clerk):
    services.update_account(actor=clerk, account=account, credit_limit=Decimal("100.00"))

    response = client_as(clerk).post(
        reverse("ledger:invoice-create", args=[account.pk]),
        sale_data({"description": "Impact gun", "unit_price": "150"}),
    )

    account.refresh_from_db()
    assert response.status_code == 200
    assert 'id="credit-refused"' in text(response) and "over the credit limit" in text(response)
    assert account.balance == Decimal("0.00") and not Invoice.objects.exists()


def test_override_box_follows_the_level(account, client_as, user_at_level):
    url = reverse("ledger:invoice-create", args=[account.pk])

    office = text(client_as(user_at_level(3)).get(url))
    manager = text(client_as(user_at_level(2)).get(url))

    assert 'name="override_credit"' not in office
    assert 'name="override_credit"' in manager


def test_a_manager_can_override_the_credit_limit(account, client_as, clerk, user_at_level):
    services.update_account(actor=clerk, account=account, credit_limit=Decimal("100.00"))
    data = sale_data({"description": "Impact gun", "unit_price": "150"}, override_credit="on")

    client_as(user_at_level(2)).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    account.refresh_from_db()
    assert account.balance == Decimal("150.00")


def test_an_override_sent_by_a_user_who_may_not_override_is_ignored(account, client_as, clerk):
    services.update_account(actor=clerk, account=account, credit_limit=Decimal("100.00"))
    data = sale_data({"description": "Impact gun", "unit_price": "150"}, override_credit="on")

    response = client_as(clerk).post(reverse("ledger:invoice-create", args=[account.pk]), data)

    assert 'id="credit-refused"' in text(response)
    assert not Invoice.objects.exists()


def test_add_line_returns_the_next_row_and_moves_the_count_on(client_as, clerk):
    response = client_as(clerk).get(reverse("ledger:invoice-line"), {"lines-TOTAL_FORMS": "2"})

    page = text(response)
    assert 'id="id_lines-2-description"' in page and "Line 3" in page
    assert 'name="lines-TOTAL_FORMS" value="3" id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in page


def test_an_estimate_is_saved_then_converted_to_an_invoice_on_account(account, client_as, clerk):
    client = client_as(clerk)
    response = client.post(
        reverse("ledger:estimate-create", args=[account.customer_id]),
        sale_data({"description": "Tool chest", "unit_price": "900.00"}),
    )
    estimate = Invoice.objects.get(kind=Invoice.Kind.ESTIMATE)
    assert response["Location"] == estimate.get_absolute_url()
    assert "Convert to invoice" in text(client.get(estimate.get_absolute_url()))

    response = client.post(reverse("ledger:estimate-convert", args=[estimate.pk]), {"account": str(account.pk)})

    estimate.refresh_from_db()
    account.refresh_from_db()
    assert response["Location"] == account.get_absolute_url()
    assert estimate.converted_to is not None and estimate.converted_to.total == Decimal("900.00")
    assert account.balance == Decimal("900.00")
    assert selectors.verify_account(account) == []


def test_converting_onto_another_customers_account_is_refused(account, clerk, client_as):
    other = services.open_account(actor=clerk, customer=a_customer())
    estimate = services.create_estimate(
        actor=clerk, customer=account.customer, lines=[services.LineIn("Creeper", Decimal("80"))]
    )

    response = client_as(clerk).post(reverse("ledger:estimate-convert", args=[estimate.pk]), {"account": str(other.pk)})

    assert has_error(response, "account")  # not one of the estimate customer's accounts
    assert not Invoice.objects.filter(kind=Invoice.Kind.INVOICE).exists()


def test_a_cash_sale_is_recorded_for_the_customer_and_touches_no_account(account, client_as, clerk):
    response = client_as(clerk).post(
        reverse("ledger:cash-sale-create", args=[account.customer_id]),
        sale_data({"description": "Gloves", "unit_price": "12.50", "tax_rate": "6.25"}),
    )

    sale = Invoice.objects.get(kind=Invoice.Kind.CASH_SALE)
    account.refresh_from_db()
    assert response["Location"] == sale.get_absolute_url()
    assert sale.total == Decimal("13.28") and sale.account is None
    assert account.balance == Decimal("0.00") and not Entry.objects.exists()


def test_the_invoice_page_shows_lines_totals_and_what_was_applied(account, sell, pay, client_as, user_at_level):
    invoice = sell(account, "1200.00")
    payment = pay(account, "25.00")

    response = client_as(user_at_level(5)).get(invoice.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert "Socket set" in page and "$1,200.00" in page
    assert "$1,175.00" in page  # still open
    assert payment.entry.number in page


def test_margin_is_shown_only_to_levels_allowed_to_see_costs(account, clerk, client_as, user_at_level):
    invoice = services.post_invoice(
        actor=clerk,
        account=account,
        lines=[services.LineIn("Wrench set", Decimal("100.00"), unit_cost=Decimal("62.50"))],
    )

    office = text(client_as(user_at_level(3)).get(invoice.get_absolute_url()))
    field = text(client_as(user_at_level(4)).get(invoice.get_absolute_url()))

    assert 'id="margin">$37.50<' in office
    assert "Margin" not in field and "$62.50" not in field


@pytest.mark.parametrize(("rate", "shown"), [("0.0825", "8.25%"), ("0.1", "10%"), ("0", "0%"), ("0.07000", "7%")])
def test_tax_rates_are_shown_as_percentages(rate, shown):
    assert ledger_ui.percent(Decimal(rate)) == shown


@pytest.mark.parametrize(("value", "shown"), [("1.000", "1"), ("10.000", "10"), ("2.500", "2.5"), ("1200", "1,200")])
def test_quantities_are_shown_without_trailing_zeros(value, shown):
    assert ledger_ui.quantity(Decimal(value)) == shown


def test_an_invoice_of_another_business_is_not_found(account, sell, other_business, client_as):
    invoice = sell(account, "10.00")

    response = client_as(a_user(other_business, 1)).get(invoice.get_absolute_url())

    assert response.status_code == 404


def test_no_sale_on_a_closed_account(account, clerk, client_as):
    services.update_account(actor=clerk, account=account, status=Account.Status.CLOSED)

    response = client_as(clerk).post(
        reverse("ledger:invoice-create", args=[account.pk]), sale_data({"description": "Socket", "unit_price": "5"})
    )

    assert 'id="credit-refused"' in text(response) and "Closed" in text(response)
    assert not Invoice.objects.exists()
