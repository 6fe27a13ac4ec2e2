"""The accounts pages: the list, an account's page, a customer's receivables, opening and editing an account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account
from tabwise.ledger.tests.web import NOW, a_customer, a_user, flashed, has_error, text
from tabwise.users import menu


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_account_list_shows_each_account_with_its_balance(account, sell, client_as, user_at_level):
    sell(account, "1200.00")

    response = client_as(user_at_level(5)).get(reverse("ledger:account-list"))

    assert response.status_code == 200
    assert account.number in text(response)
    assert "$1,200.00" in text(response)


def test_account_list_filters_by_status_and_searches_customers(in_business, clerk, client_as):
    smith = a_customer(last_name="Smithers", number="C-77")
    jones = a_customer(last_name="Jonesy", number="C-78")
    held = services.open_account(actor=clerk, customer=smith)
    other = services.open_account(actor=clerk, customer=jones)
    services.update_account(actor=clerk, account=held, status=Account.Status.ON_HOLD)
    client = client_as(clerk)

    on_hold = text(client.get(reverse("ledger:account-list"), {"status": "on_hold"}))
    found = text(client.get(reverse("ledger:account-list"), {"q": "jones"}))

    assert held.number in on_hold and other.number not in on_hold
    assert other.number in found and held.number not in found


def test_account_list_answers_htmx_with_the_results_only(account, client_as, clerk):
    response = client_as(clerk).get(reverse("ledger:account-list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert text(response).lstrip().startswith('<div id="results"')
    assert account.number in text(response)


def test_account_list_keeps_to_its_query_budget(in_business, clerk, client_as, django_assert_max_num_queries):
    for number in range(60):
        customer = a_customer(number=f"Q-{number}")
        services.open_account(actor=clerk, customer=customer, owner=clerk)
    client = client_as(clerk)
    client.get(reverse("ledger:account-list"))  # warm the session and the security table

    with django_assert_max_num_queries(7):  # session, user, unread count, count, page: not one per row
        response = client.get(reverse("ledger:account-list"), {"page": "2"})

    assert response.status_code == 200
    assert "Page 2 of 2" in text(response)


def test_account_page_shows_open_items_ledger_and_payments(account, sell, pay, client_as, user_at_level):
    invoice = sell(account, "1200.00")
    pay(account, "25.00", reference="CHK 1042")

    response = client_as(user_at_level(5)).get(reverse("ledger:account-detail", args=[account.pk]))

    page = text(response)
    assert response.status_code == 200
    assert f"Invoice {invoice.number}" in page
    assert "$1,175.00" in page  # the balance and the invoice's open amount
    assert "<strong>26</strong>" in page  # days past due on 2 March (due 4 February)
    assert "CHK 1042" in page
    # Level 5 may look, not act.
    assert "Record payment" not in page and "Write off" not in page and ">Reverse<" not in page


def test_account_page_offers_each_action_only_to_levels_allowed(account, sell, client_as, user_at_level):
    sell(account, "100.00")
    url = reverse("ledger:account-detail", args=[account.pk])

    field = text(client_as(user_at_level(4)).get(url))
    manager = text(client_as(user_at_level(2)).get(url))

    assert "Post invoice" in field and "Record payment" in field
    assert "Edit account" not in field and "Write off" not in field and "Payment plan" not in field
    assert "Edit account" in manager and "Write off" in manager and "Payment plan" in manager


def test_account_page_keeps_to_its_query_budget_however_long_the_ledger(
    account, sell, pay, client_as, clerk, django_assert_max_num_queries
):
    for day in range(1, 21):
        sell(account, "50.00", on=date(2026, 1, day))
        pay(account, "20.00", on=date(2026, 1, day), reference=f"CHK {day}")
    client = client_as(clerk)
    client.get(account.get_absolute_url())

    with django_assert_max_num_queries(11):  # a fixed number of reads, none per entry, payment or instalment
        response = client.get(account.get_absolute_url())

    assert response.status_code == 200
    assert text(response).count("CHK ") == 40  # each payment's reference, in the payments and the ledger


def test_every_page_a_viewer_may_see_renders_for_level_5(account, sell, pay, clerk, client_as, user_at_level):
    invoice = sell(account, "1200.00")
    payment = pay(account, "25.00")
    estimate = services.create_estimate(
        actor=clerk, customer=account.customer, lines=[services.LineIn("Creeper", Decimal("80"))]
    )
    plan = services.create_plan(
        actor=clerk,
        account=account,
        amount=Decimal("1175.00"),
        instalment_amount=Decimal("25.00"),
        frequency="weekly",
        starts_on=date(2026, 3, 9),
    )
    viewer = client_as(user_at_level(5))
    pages = [
        reverse("ledger:account-list"),
        reverse("ledger:account-detail", args=[account.pk]),
        reverse("ledger:customer-receivables", args=[account.customer_id]),
        reverse("ledger:invoice-detail", args=[invoice.pk]),
        reverse("ledger:invoice-detail", args=[estimate.pk]),
        reverse("ledger:entry-detail", args=[invoice.entry.pk]),
        reverse("ledger:entry-detail", args=[payment.entry.pk]),
        reverse("ledger:plan-detail", args=[plan.pk]),
    ]

    statuses = {url: viewer.get(url).status_code for url in pages}

    assert statuses == dict.fromkeys(pages, 200)
    assert viewer.get(reverse("ledger:payment-create", args=[account.pk])).status_code == 403


def test_account_of_another_business_is_not_found(account, other_business, client_as):
    stranger = a_user(other_business, 1)

    response = client_as(stranger).get(reverse("ledger:account-detail", args=[account.pk]))

    assert response.status_code == 404


def test_customer_receivables_lists_accounts_open_items_and_offers_to_open_one(account, sell, client_as, clerk):
    invoice = sell(account, "300.00")
    url = reverse("ledger:customer-receivables", args=[account.customer_id])

    response = client_as(clerk).get(url, HTTP_HX_REQUEST="true")

    page = text(response)
    assert page.lstrip().startswith('<div id="receivables"')
    assert account.number in page and f"Invoice {invoice.number}" in page and "$300.00" in page
    assert reverse("ledger:account-open", args=[account.customer_id]) in page


def test_customer_page_loads_its_receivables_section(account, client_as, clerk):
    response = client_as(clerk).get(reverse("customers:detail", args=[account.customer_id]))

    page = text(response)
    assert 'id="receivables"' in page
    assert account.number in page


def test_no_open_account_button_for_a_cash_customer(in_business, client_as, clerk):
    customer = a_customer(is_ar=False)

    page = text(client_as(clerk).get(reverse("ledger:customer-receivables", args=[customer.pk])))

    assert reverse("ledger:account-open", args=[customer.pk]) not in page
    assert "A cash customer" in page


def test_opening_an_account_sets_terms_limit_and_owner(in_business, client_as, user_at_level):
    office = user_at_level(3)
    customer = a_customer(number="C-9")

    response = client_as(office).post(
        reverse("ledger:account-open", args=[customer.pk]),
        {"name": "Tools", "terms_days": "14", "credit_limit": "1500.00", "owner": str(office.pk)},
    )

    account = Account.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == account.get_absolute_url()
    assert (account.name, account.terms_days, account.credit_limit, account.owner) == (
        "Tools",
        14,
        Decimal("1500.00"),
        office,
    )
    assert flashed(response) == [f"Account {account.number} opened."]


def test_opening_an_account_for_a_cash_customer_is_refused_and_writes_nothing(in_business, client_as, clerk):
    customer = a_customer(is_ar=False)

    response = client_as(clerk).post(reverse("ledger:account-open", args=[customer.pk]), {"name": "General"})

    assert response.status_code == 200
    assert "This is a cash customer" in text(response)
    assert not Account.objects.filter(customer=customer).exists()


def test_an_account_number_in_use_is_shown_on_the_number_field(account, client_as, clerk):
    customer = a_customer(number="C-10")

    response = client_as(clerk).post(
        reverse("ledger:account-open", args=[customer.pk]), {"name": "General", "number": account.number}
    )

    assert has_error(response, "number")
    assert not Account.objects.filter(customer=customer).exists()


def test_editing_an_account_changes_terms_limit_status_and_owner(account, client_as, user_at_level):
    manager = user_at_level(2)

    response = client_as(manager).post(
        reverse("ledger:account-edit", args=[account.pk]),
        {"name": "Tools", "terms_days": "7", "credit_limit": "250.00", "status": "on_hold", "owner": str(manager.pk)},
    )

    account.refresh_from_db()
    assert response.status_code == 302
    assert (account.terms_days, account.credit_limit, account.status, account.owner) == (
        7,
        Decimal("250.00"),
        Account.Status.ON_HOLD,
        manager,
    )
    assert selectors.verify_account(account) == []


def test_a_negative_credit_limit_is_an_error_on_its_field_and_nothing_changes(account, client_as, clerk):
    response = client_as(clerk).post(
        reverse("ledger:account-edit", args=[account.pk]),
        {"name": "Tools", "terms_days": "30", "credit_limit": "-5", "status": "open"},
    )

    account.refresh_from_db()
    assert has_error(response, "credit_limit")
    assert account.credit_limit == Decimal("0.00")


def test_a_field_user_cannot_edit_an_account(account, client_as, user_at_level):
    response = client_as(user_at_level(4)).post(
        reverse("ledger:account-edit", args=[account.pk]), {"name": "X", "terms_days": "1", "status": "closed"}
    )

    account.refresh_from_db()
    assert response.status_code == 403
    assert account.status == Account.Status.OPEN


def test_the_menu_has_receivables_accounts_for_every_level(business):
    viewer = a_user(business, 5)

    sections = dict(menu.menu_for(viewer))

    assert [item.url for item in sections["Receivables"]] == [reverse("ledger:account-list")]


def test_opened_on_is_the_business_day(in_business, client_as, clerk):
    customer = a_customer()

    client_as(clerk).post(reverse("ledger:account-open", args=[customer.pk]), {"name": "General"})

    with tenancy.business_scope(in_business):
        assert Account.objects.get(customer=customer).opened_on == date(2026, 3, 2)
