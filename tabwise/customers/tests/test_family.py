"""Families: the rules of linking (one level deep, not oneself, not a merged customer, rows locked), adding a new
customer as a member, separating a member, the family section and pages, and the family API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.customers import family_selectors
from tabwise.customers.models import Customer, Phone
from tabwise.customers.services import family
from tabwise.customers.tests.factories import a_customer
from tabwise.users import tokens
from tabwise.users.models import User

SPOUSE = Customer.Relationship.SPOUSE
CHILD = Customer.Relationship.CHILD


def _reloaded(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def _events(event_type: str) -> list[dict[str, Any]]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("pk").values_list("payload", flat=True))


# --- the service rules -------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("in_business")
class TestFamilyRules:
    def test_a_member_is_linked_to_the_main_with_the_relationship_and_an_event(self, clerk):
        main, member = a_customer(clerk, first_name="Juan"), a_customer(clerk, first_name="Ana")

        family.add_family_member(actor=clerk, main=main, member=member, relationship=SPOUSE)

        member = _reloaded(member)
        assert (member.family_main_id, member.family_relationship) == (main.pk, "spouse")
        assert _events("FAMILY_MEMBER_ADDED") == [
            {"main": main.pk, "relationship": "spouse", "relationship_before": None}
        ]
        found = family_selectors.family_of(main)
        assert (found.main, [m.pk for m in found.members]) == (main, [member.pk])
        assert family_selectors.family_of(member).main == main
        assert family_selectors.account_holder(member) == main and family_selectors.account_holder(main) == main

    def test_linking_again_changes_only_the_relationship(self, clerk):
        main, member = a_customer(clerk), a_customer(clerk, first_name="Ana")
        family.add_family_member(actor=clerk, main=main, member=member, relationship=SPOUSE)

        family.add_family_member(actor=clerk, main=main, member=member, relationship=CHILD)

        assert _reloaded(member).family_relationship == "child"
        assert _events("FAMILY_MEMBER_ADDED")[-1]["relationship_before"] == "spouse"

    def test_a_customer_cannot_be_their_own_family_member(self, clerk):
        main = a_customer(clerk)

        with pytest.raises(DomainError) as caught:
            family.add_family_member(actor=clerk, main=main, member=main, relationship=SPOUSE)

        assert caught.value.field == "member" and _reloaded(main).family_main_id is None

    def test_a_family_is_one_level_deep(self, clerk):
        main, member, grandchild = (a_customer(clerk, first_name=n) for n in ("Juan", "Ana", "Luis"))
        family.add_family_member(actor=clerk, main=main, member=member, relationship=CHILD)

        with pytest.raises(DomainError) as under_member:
            family.add_family_member(actor=clerk, main=member, member=grandchild, relationship=CHILD)
        with pytest.raises(DomainError) as main_joins:
            family.add_family_member(actor=clerk, main=grandchild, member=main, relationship=CHILD)

        assert (under_member.value.field, main_joins.value.field) == ("main", "member")
        assert _reloaded(grandchild).family_main_id is None and _reloaded(main).family_main_id is None

    def test_a_member_of_another_family_must_be_separated_first(self, clerk):
        first, second, member = (a_customer(clerk, first_name=n) for n in ("Juan", "Pedro", "Ana"))
        family.add_family_member(actor=clerk, main=first, member=member, relationship=SPOUSE)

        with pytest.raises(DomainError) as caught:
            family.add_family_member(actor=clerk, main=second, member=member, relationship=SPOUSE)

        assert caught.value.field == "member" and _reloaded(member).family_main_id == first.pk

    def test_a_merged_customer_joins_no_family(self, clerk):
        main, merged = a_customer(clerk), a_customer(clerk, first_name="Ana")
        Customer.objects.filter(pk=merged.pk).update(status=Customer.Status.MERGED, merged_into=main)

        with pytest.raises(DomainError) as as_member:
            family.add_family_member(actor=clerk, main=main, member=merged, relationship=SPOUSE)
        with pytest.raises(DomainError) as as_main:
            family.add_family_member(actor=clerk, main=merged, member=main, relationship=SPOUSE)

        assert (as_member.value.field, as_main.value.field) == ("member", "main")

    def test_an_unknown_relationship_is_refused(self, clerk):
        main, member = a_customer(clerk), a_customer(clerk, first_name="Ana")

        with pytest.raises(DomainError) as caught:
            family.add_family_member(actor=clerk, main=main, member=member, relationship="cousin")

        assert caught.value.field == "relationship" and _reloaded(member).family_main_id is None

    def test_both_customers_are_locked_in_id_order(self, clerk, monkeypatch):
        main, member = a_customer(clerk), a_customer(clerk, first_name="Ana")
        locked: list[int] = []
        real_lock = family.lock

        def recording_lock(customer: Customer) -> Customer:
            locked.append(customer.pk)
            return real_lock(customer)

        monkeypatch.setattr(family, "lock", recording_lock)

        family.add_family_member(actor=clerk, main=member, member=main, relationship=SPOUSE)

        assert locked == [main.pk, member.pk]

    def test_a_level_that_cannot_edit_customers_links_no_one(self, clerk, user_at_level):
        main, member = a_customer(clerk), a_customer(clerk, first_name="Ana")

        with pytest.raises(PermissionDenied):
            family.add_family_member(actor=user_at_level(5), main=main, member=member, relationship=SPOUSE)

        assert _reloaded(member).family_main_id is None

    def test_separating_a_member_makes_them_a_customer_of_their_own(self, clerk):
        main, member = a_customer(clerk), a_customer(clerk, first_name="Ana")
        family.add_family_member(actor=clerk, main=main, member=member, relationship=SPOUSE)

        family.separate_family_member(actor=clerk, member=member)

        member = _reloaded(member)
        assert (member.family_main_id, member.family_relationship) == (None, "")
        assert _events("FAMILY_MEMBER_SEPARATED") == [{"main": main.pk}]
        assert family_selectors.family_of(main).members == []

    def test_separating_someone_in_no_family_is_an_error(self, clerk):
        customer = a_customer(clerk)

        with pytest.raises(DomainError) as caught:
            family.separate_family_member(actor=clerk, member=customer)

        assert caught.value.field == "member" and _events("FAMILY_MEMBER_SEPARATED") == []

    def test_a_new_customer_is_created_straight_into_the_family(self, clerk):
        main = a_customer(clerk, first_name="Juan", is_ar=True)

        member = family.create_family_member(
            actor=clerk, main=main, relationship=CHILD, full_name="Luis Lopez", phone="(815) 555-0143"
        )

        assert (member.first_name, member.last_name, member.family_main_id, member.is_ar) == (
            "Luis",
            "Lopez",
            main.pk,
            True,
        )
        assert list(member.phones.values_list("number", flat=True)) == ["+18155550143"]
        assert len(_events("CUSTOMER_CREATED")) == 2 and len(_events("FAMILY_MEMBER_ADDED")) == 1

    def test_a_refused_new_member_leaves_no_customer_behind(self, clerk):
        main = a_customer(clerk, first_name="Juan")
        other = a_customer(clerk, first_name="Pedro")
        family.add_family_member(actor=clerk, main=other, member=main, relationship=SPOUSE)  # main is now a member
        before = Customer.objects.count()

        with pytest.raises(DomainError) as not_a_main:
            family.create_family_member(actor=clerk, main=main, relationship=CHILD, full_name="Luis Lopez")
        with pytest.raises(DomainError) as bad_phone:
            family.create_family_member(actor=clerk, main=other, relationship=CHILD, full_name="Luis Lopez", phone="55")

        assert (not_a_main.value.field, bad_phone.value.field) == ("main", "phone")
        assert Customer.objects.count() == before and Phone.objects.count() == 0


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_customer_page_shows_the_family_both_ways(business, clerk, client_as):
    with tenancy.business_scope(business):
        main, member = a_customer(clerk, first_name="Juan"), a_customer(clerk, first_name="Ana")
        family.add_family_member(actor=clerk, main=main, member=member, relationship=SPOUSE)
    client = client_as(clerk)

    main_page = client.get(main.get_absolute_url()).content.decode()
    member_page = client.get(member.get_absolute_url()).content.decode()

    assert 'id="family"' in main_page and member.get_absolute_url() in main_page and "Spouse or partner" in main_page
    assert reverse("customers:family-add", args=[main.pk]) in main_page
    assert main.get_absolute_url() in member_page and "Purchases on account go on Juan Lopez" in member_page
    assert reverse("customers:family-separate", args=[member.pk]) in member_page


def test_adding_a_customer_on_file_through_the_picker(business, clerk, client_as):
    with tenancy.business_scope(business):
        main, member = a_customer(clerk, first_name="Juan"), a_customer(clerk, first_name="Ana", last_name="Ruiz")
    client = client_as(clerk)

    picked = client.get(reverse("customers:family-pick", args=[main.pk]), {"q": "ruiz"}).content.decode()
    response = client.post(
        reverse("customers:family-add", args=[main.pk]),
        {"form": "existing", "existing-member": str(member.pk), "existing-relationship": "sibling"},
    )

    assert f'name="existing-member" value="{member.pk}"' in picked
    assert response.status_code == 302 and response["Location"] == main.get_absolute_url()
    with tenancy.business_scope(business):
        assert _reloaded(member).family_relationship == "sibling"


def test_the_picker_does_not_offer_the_main_customer_itself(business, clerk, client_as):
    with tenancy.business_scope(business):
        main = a_customer(clerk, first_name="Juan", last_name="Ruiz")

    picked = client_as(clerk).get(reverse("customers:family-pick", args=[main.pk]), {"q": "ruiz"}).content.decode()

    assert f'value="{main.pk}"' not in picked and "No customer found." in picked


def test_adding_a_new_member_shows_errors_on_the_fields(business, clerk, client_as):
    with tenancy.business_scope(business):
        main = a_customer(clerk, first_name="Juan")
    url = reverse("customers:family-add", args=[main.pk])
    client = client_as(clerk)

    bad = client.post(
        url, {"form": "new", "new-full_name": "Luis Lopez", "new-relationship": "child", "new-phone": "55"}
    )
    good = client.post(url, {"form": "new", "new-full_name": "Luis Lopez", "new-relationship": "child"})

    assert bad.status_code == 200 and 'id="id_new-phone_error"' in bad.content.decode()
    assert good.status_code == 302
    with tenancy.business_scope(business):
        assert [c.first_name for c in Customer.objects.filter(family_main=main)] == ["Luis"]


def test_choosing_no_one_in_the_picker_is_a_field_error(business, clerk, client_as):
    with tenancy.business_scope(business):
        main = a_customer(clerk, first_name="Juan")

    page = client_as(clerk).post(
        reverse("customers:family-add", args=[main.pk]), {"form": "existing", "existing-relationship": "child"}
    )

    assert page.status_code == 200 and 'id="id_existing-member_error"' in page.content.decode()


def test_separating_asks_first_and_says_what_happens(business, clerk, client_as):
    with tenancy.business_scope(business):
        main, member = a_customer(clerk, first_name="Juan"), a_customer(clerk, first_name="Ana")
        family.add_family_member(actor=clerk, main=main, member=member, relationship=SPOUSE)
    url = reverse("customers:family-separate", args=[member.pk])
    client = client_as(clerk)

    confirm = client.get(url).content.decode()
    with tenancy.business_scope(business):
        still_linked = _reloaded(member).family_main_id
    response = client.post(url)

    assert "no A/R history" in confirm and "stays on Juan Lopez's account" in confirm
    assert still_linked == main.pk
    assert response.status_code == 302
    with tenancy.business_scope(business):
        assert _reloaded(member).family_main_id is None


def test_a_level_that_cannot_edit_gets_no_family_pages(business, clerk, client_as, user_at_level):
    with tenancy.business_scope(business):
        main = a_customer(clerk, first_name="Juan")
    viewer = client_as(user_at_level(5))

    page = viewer.get(main.get_absolute_url()).content.decode()

    assert viewer.get(reverse("customers:family-add", args=[main.pk])).status_code == 403
    assert reverse("customers:family-add", args=[main.pk]) not in page


# --- the API -----------------------------------------------------------------------------------------------------


@pytest.fixture
def api(clerk: User) -> Client:
    _row, raw = tokens.create_token(user=clerk, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post("/api/v1/customers" + path, data=json.dumps(body), content_type="application/json")


def test_the_api_adds_reads_and_separates_family_members(api, business, clerk):
    with tenancy.business_scope(business):
        main, member = a_customer(clerk, first_name="Juan"), a_customer(clerk, first_name="Ana")

    linked = _post(api, f"/{main.pk}/family", {"member_id": member.pk, "relationship": "spouse"})
    new_member = {"first_name": "Luis", "last_name": "Lopez", "phone": "+18155550143"}
    created = _post(api, f"/{main.pk}/family", {"new_member": new_member, "relationship": "child"})
    read = api.get(f"/api/v1/customers/{member.pk}/family")
    separated = _post(api, f"/{member.pk}/separate-family", {})

    assert (linked.status_code, created.status_code, read.status_code, separated.status_code) == (201, 201, 200, 200)
    body = read.json()
    assert body["main"]["id"] == main.pk
    assert [(m["display_name"], m["relationship"]) for m in body["members"]] == [
        ("Ana Lopez", "spouse"),
        ("Luis Lopez", "child"),
    ]
    after = api.get(f"/api/v1/customers/{main.pk}/family").json()
    assert [m["display_name"] for m in after["members"]] == ["Luis Lopez"]


def test_the_api_answers_family_conflicts_with_409_and_bad_input_with_422(api, business, clerk):
    with tenancy.business_scope(business):
        main = a_customer(clerk, first_name="Juan")

    itself = _post(api, f"/{main.pk}/family", {"member_id": main.pk, "relationship": "spouse"})
    both = _post(api, f"/{main.pk}/family", {"member_id": 1, "new_member": {"last_name": "X"}, "relationship": "child"})
    bad_phone = _post(
        api, f"/{main.pk}/family", {"new_member": {"last_name": "Ruiz", "phone": "555"}, "relationship": "child"}
    )
    not_member = _post(api, f"/{main.pk}/separate-family", {})

    assert itself.status_code == 409 and [e["field"] for e in itself.json()["errors"]] == ["member_id"]
    assert both.status_code == 422
    assert bad_phone.status_code == 422 and "new_member" in json.dumps(bad_phone.json())
    assert not_member.status_code == 409 and [e["field"] for e in not_member.json()["errors"]] == ["customer_id"]
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 1
