"""The customer pages: the list with its filters, the form with its rows and field-level errors, the customer's page
and its sections, ending a contact point, and the identity page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.models import AuditEvent
from tabwise.customers import services
from tabwise.customers.models import Address, Customer, EarlierName, Phone
from tabwise.customers.tests.factories import a_customer, address, phone

TODAY = date(2026, 3, 2)


def rows(group: str, *items: dict[str, str], initial: int = 0) -> dict[str, str]:
    data = {f"{group}-TOTAL_FORMS": str(len(items)), f"{group}-INITIAL_FORMS": str(initial)}
    data.update({f"{group}-MIN_NUM_FORMS": "0", f"{group}-MAX_NUM_FORMS": "10"})
    for index, item in enumerate(items):
        data.update({f"{group}-{index}-{name}": value for name, value in item.items()})
    return data


def form_data(**fields: str) -> dict[str, str]:
    data = {"kind": "person", "status": "active", "preferred_language": "en", "is_ar": "on", **fields}
    for group in ("phones", "emails", "addresses", "employers"):
        if f"{group}-TOTAL_FORMS" not in data:
            data.update(rows(group))
    return data


def has_error(page: str, field_id: str) -> bool:
    return f'id="{field_id}_error"' in page


def test_adding_a_customer_typed_as_one_name_with_a_phone_and_an_address(business, clerk, client_as):
    data = form_data(
        full_name="Dr. Juan Carlos de la Cruz Jr.", ssn="401-23-4567", licence_number="A12345678901", licence_state="IL"
    )
    data.update(
        rows(
            "phones",
            {"number": "(815) 555-0142", "type": "mobile", "sms_consent": "on", "sms_consent_source": "signed form"},
            {"number": ""},
        )
    )
    data.update(rows("addresses", {"line": "12 N Main St, Joliet, IL 60431"}))

    response = client_as(clerk).post(reverse("customers:create"), data)

    with tenancy.business_scope(business):
        customer = Customer.objects.get()
        assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
        assert (customer.title, customer.first_name, customer.middle_name, customer.last_name) == (
            "Dr.",
            "Juan",
            "Carlos",
            "de la Cruz",
        )
        assert [p.number for p in customer.phones.all()] == ["+18155550142"]
        assert [str(a) for a in customer.addresses.all()] == ["12 N Main St, Joliet, IL 60431"]
        assert customer.identity_documents.count() == 2


def test_errors_are_shown_on_the_field_and_the_row_they_concern(business, clerk, client_as):
    data = form_data(last_name="Lopez")
    data.update(rows("phones", {"number": "(815) 555-0142", "type": "mobile"}, {"number": "555-01", "type": "mobile"}))
    data.update(rows("addresses", {"street": "1 Main St", "state": "TX", "zip_code": "62701"}))

    response = client_as(clerk).post(reverse("customers:create"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert has_error(page, "id_phones-1-number") and not has_error(page, "id_phones-0-number")
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 0
    data.update(rows("phones", {"number": "(815) 555-0142", "type": "mobile"}))
    page = client_as(clerk).post(reverse("customers:create"), data).content.decode()
    assert has_error(page, "id_addresses-0-zip_code") and "62701 is in IL, not TX" in page


def test_a_missing_last_name_and_consent_without_how_are_field_errors(clerk, client_as):
    data = form_data(first_name="Maria")
    data.update(rows("phones", {"number": "(815) 555-0142", "type": "mobile", "sms_consent": "on"}))

    page = client_as(clerk).post(reverse("customers:create"), data).content.decode()

    assert has_error(page, "id_phones-0-sms_consent_source")
    data.update(rows("phones"))
    page = client_as(clerk).post(reverse("customers:create"), data).content.decode()
    assert has_error(page, "id_last_name") and "Enter the customer&#x27;s last name." in page


def test_editing_a_customer_who_moved_ends_the_old_address_and_keeps_it(business, clerk, client_as):
    with tenancy.business_scope(business):
        customer = a_customer(clerk, phones=[phone("815-555-0142")], addresses=[address("12 Oak St, Joliet, IL 60431")])
        old_phone, old_address = customer.phones.get(), customer.addresses.get()
    data = form_data(first_name="Maria", last_name="Lopez", name_change="previous")
    data.update(
        rows("phones", {"id": str(old_phone.pk), "number": "+18155550142", "type": "mobile", "end": "on"}, initial=1)
    )
    data.update(
        rows(
            "addresses",
            {"id": str(old_address.pk), "street": "88 Elm Ave", "state": "IL", "zip_code": "60544"},
            initial=1,
        )
    )

    response = client_as(clerk).post(reverse("customers:edit", args=[customer.pk]), data)

    assert response.status_code == 302
    with tenancy.business_scope(business):
        assert list(Address.objects.order_by("id").values_list("street", "city", "valid_to")) == [
            ("12 Oak St", "Joliet", TODAY),
            ("88 Elm Ave", "Plainfield", None),
        ]
        assert Phone.objects.get().valid_to == TODAY
    page = client_as(clerk).get(customer.get_absolute_url()).content.decode()
    assert "No longer in use" in page and "12 Oak St" in page and "88 Elm Ave" in page


def test_renaming_through_the_form_keeps_the_old_name(business, clerk, client_as):
    with tenancy.business_scope(business):
        customer = a_customer(clerk, first_name="Maria", last_name="Lopez")

    client_as(clerk).post(
        reverse("customers:edit", args=[customer.pk]), form_data(full_name="Maria Garcia", name_change="married")
    )

    with tenancy.business_scope(business):
        customer.refresh_from_db()
        assert customer.last_name == "Garcia"
        assert list(EarlierName.objects.values_list("kind", "last_name")) == [("married", "Lopez")]


def test_the_customers_page_shows_contact_history_identity_and_the_receivables(business, clerk, client_as):
    from tabwise.ledger import services as ledger

    with tenancy.business_scope(business):
        customer = a_customer(
            clerk,
            phones=[phone("815-555-0199")],
            earlier_names=[services.EarlierNameIn(kind="birth", first_name="Maria", last_name="Garcia")],
            licences=[services.LicenceIn("A12345678901", "IL")],
            ssn="401-23-8391",
        )
        services.replace_contact_point(actor=clerk, point=customer.phones.get(), data=phone("815-555-0142"))
        account = ledger.open_account(actor=clerk, customer=customer, name="Tools", opened_on=date(2026, 1, 2))
        ledger.post_invoice(
            actor=clerk,
            account=account,
            lines=[ledger.LineIn("Socket set", Decimal("1200.00"))],
            issued_on=date(2026, 1, 5),
        )

    page = client_as(clerk).get(customer.get_absolute_url()).content.decode()

    for text in ("(815) 555-0142", "(815) 555-0199", "Maria Garcia", "Birth or maiden name", "A12345678901", "On file"):
        assert text in page, text
    for heading in (
        "Accounts receivable",
        "Aging",
        "Open items",
        "Paid A/R history",
        "Documents",
        "Vehicles",
        "History",
    ):
        assert f">{heading}</h" in page, heading
    assert "$1,200.00" in page and "8391" not in page


def test_receivables_sections_follow_the_level_that_may_see_the_ledger(business, clerk, client_as, user_at_level):
    from tabwise.tenants.models import FunctionLevel

    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="ledger.view", level=2)
        customer = a_customer(clerk)

    page = client_as(user_at_level(3)).get(customer.get_absolute_url()).content.decode()

    assert ">Accounts receivable</h2>" not in page and ">Contact</h2>" in page


def test_ending_a_phone_from_the_page_keeps_it_on_file(business, clerk, client_as):
    with tenancy.business_scope(business):
        customer = a_customer(clerk, phones=[phone("815-555-0142")])
        row = customer.phones.get()

    response = client_as(clerk).post(reverse("customers:contact-end", args=[customer.pk, "phone", row.pk]))

    assert response.status_code == 302
    with tenancy.business_scope(business):
        row.refresh_from_db()
        assert row.valid_to == TODAY
        assert AuditEvent.objects.filter(event_type="PHONE_ENDED").count() == 1
    assert client_as(clerk).post(reverse("customers:contact-end", args=[customer.pk, "fax", row.pk])).status_code == 404


def test_the_identity_page_records_an_earlier_name_with_errors_on_its_fields(business, clerk, client_as):
    with tenancy.business_scope(business):
        customer = a_customer(clerk)
    url = reverse("customers:identity", args=[customer.pk])

    bad = client_as(clerk).post(
        url, {"form": "licence", "licence-kind": "licence", "licence-number": "123", "licence-state": "IL"}
    )
    good = client_as(clerk).post(url, {"form": "name", "name-kind": "birth", "name-full_name": "Maria Garcia"})

    assert has_error(bad.content.decode(), "id_licence-number")
    assert good.status_code == 302
    with tenancy.business_scope(business):
        assert list(EarlierName.objects.values_list("first_name", "last_name")) == [("Maria", "Garcia")]


def test_the_list_filters_by_status_ar_rep_and_tag(business, clerk, client_as, user_at_level):
    rep = user_at_level(4, first_name="Rita", last_name="Rep")
    with tenancy.business_scope(business):
        a_customer(clerk, first_name="Ann", last_name="Able", tags=["fleet"], assigned_rep=rep)
        a_customer(clerk, first_name="Bob", last_name="Baker", is_ar=False)
        a_customer(clerk, first_name="Cy", last_name="Cole", status="inactive")
    web = client_as(clerk)

    def names(**params: object) -> list[str]:
        page = web.get(reverse("customers:list"), params, headers={"HX-Request": "true"}).content.decode()
        return [name for name in ("Ann Able", "Bob Baker", "Cy Cole") if name in page]

    assert names() == ["Ann Able", "Bob Baker", "Cy Cole"]
    assert names(status="inactive") == ["Cy Cole"]
    assert names(ar="no") == ["Bob Baker"]
    assert names(rep=rep.pk) == ["Ann Able"]
    assert names(tag="fleet") == ["Ann Able"]
    assert names(q="bak") == ["Bob Baker"]


def test_the_list_is_a_fixed_number_of_queries(business, clerk, client_as, django_assert_max_num_queries):
    with tenancy.business_scope(business):
        for n in range(30):
            a_customer(clerk, first_name=f"P{n}", phones=[phone(f"815-555-{n + 100:04d}")])
    web = client_as(clerk)
    web.get(reverse("customers:list"))  # the session and the security table are loaded once

    with django_assert_max_num_queries(12):
        response = web.get(reverse("customers:list"), {"q": "lopez"})

    assert response.content.decode().count("Maria Lopez") == 0 and response.content.decode().count(">P1") >= 1


def test_add_another_row_and_the_name_preview(clerk, client_as):
    web = client_as(clerk)

    row = web.get(
        reverse("customers:contact-row"), {"group": "addresses", "addresses-TOTAL_FORMS": "2"}
    ).content.decode()
    parts = web.get(reverse("customers:name-parts"), {"full_name": "Smith, John A. III"}).content.decode()

    assert 'name="addresses-2-zip_code"' in row and 'value="3" id="id_addresses-TOTAL_FORMS" hx-swap-oob="true"' in row
    assert "<strong>John</strong>" in parts and "<strong>Smith</strong>" in parts and "<strong>III</strong>" in parts


def test_the_form_offers_rows_to_fill_and_identity_only_to_levels_that_record_it(clerk, field_rep, client_as):
    for_clerk = client_as(clerk).get(reverse("customers:create")).content.decode()
    for_rep = client_as(field_rep).get(reverse("customers:create")).content.decode()

    for name in ("phones-0-number", "emails-0-address", "addresses-0-line", "addresses-0-zip_code", "full_name"):
        assert f'name="{name}"' in for_clerk, name
    assert f'hx-get="{reverse("customers:name-parts")}"' in for_clerk
    assert 'name="ssn"' in for_clerk and 'name="ssn"' not in for_rep
