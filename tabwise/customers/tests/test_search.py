"""Quick search as you type: every kind of value a customer is found by, in any format, and only in its business."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.testing.factories import VehicleFactory
from tabwise.customers import search, selectors, services
from tabwise.customers.models import Customer, SearchKey
from tabwise.customers.tests.factories import a_customer, phone


@pytest.fixture
def people(in_business, clerk):
    """Maria Lopez (born Garcia, phone (815) 555-0142, an old number 0199, a Ford with a plate and VIN) and others."""
    maria = a_customer(
        clerk,
        first_name="Maria",
        middle_name="Elena",
        last_name="Lopez",
        number="1042",
        phones=[phone("(815) 555-0199")],
        earlier_names=[services.EarlierNameIn(kind="birth", first_name="Maria", last_name="Garcia")],
    )
    old = maria.phones.get()
    services.replace_contact_point(actor=clerk, point=old, data=phone("815-555-0142"))
    VehicleFactory(customer=maria, plate="ABC-1234", vin="1FTFW1ET5DFC10312")
    search.refresh_keys([maria.pk])  # the vehicle was made without a service (vehicles come in part 2)
    ray = a_customer(clerk, first_name="Ray", last_name="Lopez", suffix="Jr.", number="1043")
    ann = a_customer(clerk, first_name="Ann", last_name="de la Cruz", number="2001")
    company = a_customer(clerk, kind="company", company_name="Joliet Diesel & Tire", first_name="", last_name="")
    return {"maria": maria, "ray": ray, "ann": ann, "company": company}


def found(query):
    return [hit.customer.display_name for hit in selectors.quick_search(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lop", ["Maria Elena Lopez", "Ray Lopez Jr."]),
        ("LOPEZ", ["Maria Elena Lopez", "Ray Lopez Jr."]),
        ("elena", ["Maria Elena Lopez"]),  # any part of the name
        ("garc", ["Maria Elena Lopez"]),  # an earlier (birth) name
        ("ray lo", ["Ray Lopez Jr."]),  # several words, each starting a part
        ("lopez maria", ["Maria Elena Lopez"]),
        ("cruz", ["Ann de la Cruz"]),
        ("delacruz", ["Ann de la Cruz"]),
        ("diesel", ["Joliet Diesel & Tire"]),
        ("1042", ["Maria Elena Lopez"]),  # customer number
        ("abc1234", ["Maria Elena Lopez"]),  # plate, typed without its dash
        ("ABC-1234", ["Maria Elena Lopez"]),
        ("1FTFW1ET5DFC10312", ["Maria Elena Lopez"]),  # VIN
        ("C10312", ["Maria Elena Lopez"]),  # the last characters of a VIN
    ],
)
def test_a_customer_is_found_by_what_the_clerk_types(people, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query", ["(815) 555-0142", "815.555.0142", "+1 815 555 0142", "5550142", "0142", "555 0142"])
def test_a_phone_is_found_in_any_format_and_by_its_last_digits(people, query):
    hits = selectors.quick_search(query)

    assert [hit.customer for hit in hits] == [people["maria"]]
    assert hits[0].matched == ["phone"]


def test_an_old_number_still_finds_the_customer_and_says_so(people):
    hits = selectors.quick_search("555-0199")

    assert [(hit.customer, hit.matched) for hit in hits] == [(people["maria"], ["earlier phone"])]


def test_what_matched_is_shown_for_an_earlier_name(people):
    assert selectors.quick_search("garcia")[0].matched == ["earlier name"]


def test_an_account_number_is_found_at_once_and_after_a_refresh_by_its_first_characters(people, clerk):
    from tabwise.ledger import services as ledger

    account = ledger.open_account(
        actor=clerk, customer=people["ray"], name="Tools", number="RT-88", opened_on=date(2026, 1, 2)
    )

    assert found("RT-88") == ["Ray Lopez Jr."]  # exact: the ledger's live lookup
    assert found("rt8") == ["Ray Lopez Jr."]  # a prefix needs the keys: opening the account refreshed them
    search.refresh_keys([people["ray"].pk])
    assert found("rt8") == ["Ray Lopez Jr."]
    assert SearchKey.objects.filter(customer=people["ray"], kind="account").get().value == "RT88"
    assert account.number == "RT-88"


def test_one_letter_finds_nothing_and_an_exact_number_comes_first(people, clerk):
    a_customer(clerk, first_name="Zed", last_name="Zimmer", number="10420")

    assert found("l") == []
    assert found("1042") == ["Maria Elena Lopez", "Zed Zimmer"]


def test_a_rename_and_a_changed_number_update_the_keys(people, clerk):
    services.update_customer(actor=clerk, customer=people["ann"], last_name="Okafor", name_change="married")

    assert found("okaf") == ["Ann Okafor"]
    assert found("cruz") == ["Ann Okafor"]  # the earlier name still finds her


def test_another_businesss_customers_are_never_found(people, other_business, user_at_level):
    theirs = user_at_level(3, business=other_business)
    with tenancy.business_scope(other_business):
        a_customer(theirs, first_name="Lara", last_name="Lopez", phones=[phone("(815) 555-0142")])

        assert found("lopez") == ["Lara Lopez"] and found("0142") == ["Lara Lopez"]

    assert found("lopez") == ["Maria Elena Lopez", "Ray Lopez Jr."] and found("0142") == ["Maria Elena Lopez"]


def test_the_list_filters_by_the_same_search_and_the_other_filters(people, clerk):
    services.update_customer(actor=clerk, customer=people["ray"], status="inactive", credit_limit=Decimal("10.00"))

    lopez = selectors.customer_list(query="lopez")
    assert sorted(c.first_name for c in lopez) == ["Maria", "Ray"]
    assert [c.first_name for c in selectors.customer_list(query="lopez", status="inactive")] == ["Ray"]
    assert selectors.customer_list(query="x").count() == 0


def test_rebuilding_the_keys_indexes_customers_loaded_another_way(in_business, business):
    loaded = Customer.objects.create(first_name="Odile", last_name="Marchand", number="9001")  # not by a service
    assert found("march") == []

    call_command("rebuild_search_keys", "--business", business.slug, stdout=__import__("io").StringIO())

    assert found("march") == ["Odile Marchand"]
    assert SearchKey.objects.filter(customer=loaded).count() == 3


def test_the_quick_search_page_lists_matches_with_what_matched(people, client_as, clerk):
    response = client_as(clerk).get(reverse("customers:search"), {"q": "garcia"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Maria Elena Lopez" in page and "earlier name" in page and "Ray" not in page


def test_a_search_is_a_handful_of_queries_whatever_the_number_of_customers(
    people, clerk, django_assert_max_num_queries
):
    for n in range(30):
        a_customer(clerk, first_name=f"Extra{n}", last_name="Lopez")

    with django_assert_max_num_queries(5):
        hits = selectors.quick_search("lopez")

    assert len(hits) == 20
