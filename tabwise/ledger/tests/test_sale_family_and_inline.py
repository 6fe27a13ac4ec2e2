"""Sale screens and customers: an invoice for a family member goes on the main customer's account; a new customer
added on the sale screen with the sale (all or nothing, errors on the inline fields); disabled vehicles are not
offered; an account number is found by quick search as soon as the account is opened; the top-bar quick search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.core.errors import DomainError
from tabwise.core.models import AuditEvent
from tabwise.customers import selectors as customer_selectors
from tabwise.customers.models import Customer, Phone, SearchKey
from tabwise.customers.services import family
from tabwise.ledger import sale_forms, services
from tabwise.ledger.models import Account, Entry, Invoice
from tabwise.ledger.tests.web import NOW, a_customer, a_vehicle, has_error, sale_data, text

pytestmark = pytest.mark.usefixtures("in_business")


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def main_account(clerk) -> Account:
    main = a_customer(first_name="Juan", last_name="Lopez", number="C-1")
    return services.open_account(actor=clerk, customer=main, name="Tools", opened_on=date(2026, 1, 2))


@pytest.fixture
def member(clerk, main_account) -> Customer:
    ana = a_customer(first_name="Ana", last_name="Lopez", number="C-2")
    return family.add_family_member(actor=clerk, main=main_account.customer, member=ana, relationship="spouse")


def _inline(**fields: str) -> dict[str, str]:
    customer = {"customer-full_name": "Rosa Diaz", "customer-is_ar": "ar", **fields}
    return sale_data({"description": "Impact wrench", "unit_price": "250.00"}, **customer)


# --- a family member's invoice -------------------------------------------------------------------------------------


def test_a_members_invoice_goes_on_the_main_customers_account(main_account, member, client_as, clerk):
    own = services.open_account(actor=clerk, customer=member, name="Ana's own")
    url = reverse("ledger:customer-invoice-create", args=[member.pk])
    client = client_as(clerk)

    page = client.get(url)
    response = client.post(url, sale_data({"description": "Socket set", "unit_price": "120.00"}, account=str(own.pk)))
    refused = Invoice.objects.count()
    posted = client.post(
        url, sale_data({"description": "Socket set", "unit_price": "120.00"}, account=str(main_account.pk))
    )

    assert "for Ana Lopez, on Juan Lopez's account" in text(page)
    assert f'value="{main_account.pk}"' in text(page) and f'value="{own.pk}"' not in text(page)
    assert response.status_code == 200 and has_error(response, "account") and refused == 0
    invoice = Invoice.objects.get()
    main_account.refresh_from_db()
    assert posted.status_code == 302 and posted["Location"] == main_account.get_absolute_url()
    assert (invoice.account, invoice.customer, invoice.bought_by, main_account.balance) == (
        main_account,
        main_account.customer,
        member,
        Decimal("120.00"),
    )
    shown = text(client.get(reverse("ledger:invoice-detail", args=[invoice.pk])))
    assert "Bought by" in shown and "Ana Lopez" in shown


def test_a_member_may_buy_for_their_own_vehicle_on_the_family_account(main_account, member, clerk):
    car = a_vehicle(member)
    neighbour = a_vehicle(a_customer(last_name="Next"))
    oil = [services.LineIn(description="Oil change", unit_price=Decimal("49.99"))]

    with pytest.raises(DomainError) as not_theirs:
        services.post_invoice(actor=clerk, account=main_account, lines=oil, vehicle=neighbour, bought_by=member)
    invoice = services.post_invoice(actor=clerk, account=main_account, lines=oil, vehicle=car, bought_by=member)

    assert not_theirs.value.field == "vehicle"
    assert (invoice.vehicle, invoice.bought_by, invoice.customer) == (car, member, main_account.customer)


def test_only_a_family_member_of_the_accounts_customer_is_taken_as_the_buyer(main_account, member, clerk):
    stranger = a_customer(last_name="Stranger")
    oil = [services.LineIn(description="Oil change", unit_price=Decimal("49.99"))]

    with pytest.raises(DomainError) as caught:
        services.post_invoice(actor=clerk, account=main_account, lines=oil, bought_by=stranger)

    assert caught.value.field == "bought_by"
    assert not Invoice.objects.exists()


def test_after_separation_the_invoices_stay_with_the_main(main_account, member, client_as, clerk):
    url = reverse("ledger:customer-invoice-create", args=[member.pk])
    client_as(clerk).post(
        url, sale_data({"description": "Creeper", "unit_price": "80.00"}, account=str(main_account.pk))
    )

    family.separate_family_member(actor=clerk, member=member)

    main_account.refresh_from_db()
    assert list(Invoice.objects.values_list("customer_id", flat=True)) == [main_account.customer_id]
    assert main_account.balance == Decimal("80.00")
    assert not Invoice.objects.filter(customer=member).exists() and not Account.objects.filter(customer=member).exists()
    page = text(client_as(clerk).get(reverse("ledger:customer-invoice-create", args=[member.pk])))
    assert "has no open account" in page and "on Juan Lopez's account" not in page


def test_a_customer_in_no_family_invoices_on_their_own_accounts(main_account, client_as, clerk):
    page = text(client_as(clerk).get(reverse("ledger:customer-invoice-create", args=[main_account.customer.pk])))

    assert f'value="{main_account.pk}"' in page and "on Juan Lopez's account" not in page


def test_disabled_vehicles_are_not_offered_or_accepted(main_account, client_as, clerk):
    kept, disabled = a_vehicle(main_account.customer), a_vehicle(main_account.customer)
    disabled.is_active = False
    disabled.save()
    url = reverse("ledger:invoice-create", args=[main_account.pk])

    form = sale_forms.SaleForm(vehicles=main_account.customer.vehicles.all())
    response = client_as(clerk).post(
        url, sale_data({"description": "Brake job", "unit_price": "240.00"}, vehicle=str(disabled.pk))
    )

    assert list(form.fields["vehicle"].queryset) == [kept]  # type: ignore[attr-defined]
    assert has_error(response, "vehicle") and not Invoice.objects.exists()


# --- a new customer on the sale screen -----------------------------------------------------------------------------


def test_an_ar_sale_to_a_new_customer_opens_an_account_and_posts_the_invoice(client_as, clerk):
    response = client_as(clerk).post(reverse("ledger:sale-create"), _inline(**{"customer-phone": "(815) 555-0142"}))

    customer = Customer.objects.get()
    account = Account.objects.get()
    invoice = Invoice.objects.get()
    assert (customer.display_name, customer.is_ar, account.customer, invoice.account) == (
        "Rosa Diaz",
        True,
        customer,
        account,
    )
    assert account.balance == Decimal("250.00") and list(customer.phones.values_list("number", flat=True)) == [
        "+18155550142"
    ]
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    assert [hit.customer for hit in customer_selectors.quick_search(account.number)] == [customer]


def test_the_sale_screen_asks_for_the_new_customer_with_the_lines(client_as, clerk):
    page = text(client_as(clerk).get(reverse("ledger:sale-create")))

    for field in (
        "customer-full_name",
        "customer-phone",
        "customer-address",
        "customer-is_ar_0",
        "lines-0-description",
    ):
        assert f'id="id_{field}"' in page


def test_a_cash_sale_to_a_new_customer_opens_no_account(client_as, clerk):
    client_as(clerk).post(reverse("ledger:sale-create"), _inline(**{"customer-is_ar": "cash"}))

    invoice = Invoice.objects.get()
    assert (invoice.kind, invoice.customer.is_ar, Account.objects.count()) == (Invoice.Kind.CASH_SALE, False, 0)


def test_a_bad_phone_on_the_inline_customer_is_its_field_error_and_writes_nothing(client_as, clerk):
    events = AuditEvent.objects.count()

    response = client_as(clerk).post(reverse("ledger:sale-create"), _inline(**{"customer-phone": "555-01"}))

    assert response.status_code == 200 and has_error(response, "customer-phone")
    assert not has_error(response, "customer-full_name")
    assert (Customer.objects.count(), Phone.objects.count(), Account.objects.count()) == (0, 0, 0)
    assert (Invoice.objects.count(), Entry.objects.count(), AuditEvent.objects.count()) == (0, 0, events)


def test_a_bad_line_after_a_good_customer_writes_no_customer(client_as, clerk):
    data = _inline()
    data["lines-0-unit_price"] = "0.00"

    response = client_as(clerk).post(reverse("ledger:sale-create"), data)

    assert response.status_code == 200 and Customer.objects.count() == 0 and Account.objects.count() == 0


def test_a_missing_name_is_an_error_on_the_inline_name(client_as, clerk):
    response = client_as(clerk).post(reverse("ledger:sale-create"), _inline(**{"customer-full_name": "Dr."}))

    assert has_error(response, "customer-full_name") and Customer.objects.count() == 0


def test_a_level_that_cannot_open_accounts_cannot_sell_on_account_to_a_new_customer(client_as, user_at_level):
    response = client_as(user_at_level(4)).post(reverse("ledger:sale-create"), _inline())

    assert response.status_code == 200 and "errors" in text(response)
    assert (Customer.objects.count(), Account.objects.count(), Invoice.objects.count()) == (0, 0, 0)


# --- search keys and the quick search box --------------------------------------------------------------------------


def test_an_account_number_is_a_search_key_as_soon_as_the_account_is_opened(clerk):
    customer = a_customer(first_name="Luis", last_name="Ortiz", number="C-9")

    account = services.open_account(actor=clerk, customer=customer, number="TRK-4471")

    assert SearchKey.objects.filter(customer=customer, kind=SearchKey.Kind.ACCOUNT, value="TRK4471").exists()
    assert [hit.customer for hit in customer_selectors.quick_search("TRK-44")] == [customer]
    assert account.number == "TRK-4471"


def test_the_top_bar_has_the_quick_search_box_and_it_finds_customers(main_account, client_as, clerk, user_at_level):
    page = text(client_as(clerk).get(reverse("home")))
    results = text(client_as(clerk).get(reverse("customers:search"), {"q": "lope"}))

    assert 'id="topbar-q"' in page and reverse("customers:search") in page
    assert main_account.customer.get_absolute_url() in results
