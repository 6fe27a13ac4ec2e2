"""Creating and changing customers through the services: all or nothing, field-level errors, and identity history
kept rather than overwritten."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tabwise.core.errors import Conflict, DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.customers import services
from tabwise.customers.models import Address, Customer, EarlierName, Email, Employer, IdentityDocument, Phone, Tag
from tabwise.customers.tests.factories import a_customer, address, phone
from tabwise.notifications.models import SmsConsent

TODAY = date(2026, 3, 2)
pytestmark = pytest.mark.usefixtures("in_business")


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Customer, Phone, Email, Address, Employer, IdentityDocument, AuditEvent))


def test_a_customer_is_created_with_contact_points_and_identity_in_one_go(clerk):
    customer = services.create_customer(
        actor=clerk,
        full_name="Dr. Juan Carlos de la Cruz Jr.",
        date_of_birth=date(1980, 5, 17),
        credit_limit=Decimal("1500.00"),
        tags=["Fleet", "route 3"],
        phones=[
            phone("(815) 555-0142", sms_consent=True, sms_consent_source="signed form"),
            phone("815.555.0143", type="home"),
        ],
        emails=[services.EmailIn("Juan@Example.COM")],
        addresses=[address("12 North Main Street Apt 4B, Joliet, IL 60431")],
        employers=[services.EmployerIn("Joliet Diesel", phone="815-555-0150", position="Mechanic")],
        earlier_names=[services.EarlierNameIn(kind="alias", full_name="Johnny Cruz")],
        licences=[services.LicenceIn("a123-4567-8901", "il")],
        ssn="401-23-4567",
    )

    assert (customer.title, customer.first_name, customer.middle_name, customer.last_name, customer.suffix) == (
        "Dr.", "Juan", "Carlos", "de la Cruz", "Jr.",
    )  # fmt: skip
    assert customer.number == "1001" and customer.employer == "Joliet Diesel"
    assert [(p.number, p.type, p.is_primary, p.valid_from) for p in customer.phones.all()] == [
        ("+18155550142", "mobile", True, TODAY),
        ("+18155550143", "home", False, TODAY),
    ]
    assert SmsConsent.objects.get().number == "+18155550142"  # the outbox may text it
    assert [e.address for e in customer.emails.all()] == ["Juan@example.com"]
    assert [(a.street, a.line2, a.city, a.street_name, a.unit) for a in customer.addresses.all()] == [
        ("12 North Main Street", "Apt 4B", "Joliet", "N MAIN ST", "APT 4B")
    ]
    assert [(n.kind, n.first_name, n.last_name) for n in customer.earlier_names.all()] == [("alias", "Johnny", "Cruz")]
    documents = {d.kind: d for d in customer.identity_documents.all()}
    assert (documents["licence"].number, documents["licence"].state) == ("A12345678901", "IL")
    assert documents["ssn"].last4 == "4567"
    assert sorted(t.name for t in Tag.objects.all()) == ["Fleet", "route 3"]
    events = list(AuditEvent.objects.order_by("id").values_list("event_type", flat=True))
    assert events[0] == "CUSTOMER_CREATED" and "TAX_ID_SET" in events and events.count("PHONE_ADDED") == 2


def test_an_error_in_any_part_names_its_field_and_writes_nothing(clerk):
    before = _counts()

    with pytest.raises(DomainError) as caught:
        services.create_customer(
            actor=clerk,
            last_name="Lopez",
            phones=[phone("(815) 555-0142"), phone("555-0143")],
            addresses=[address(street="1 Main St", state="IL", zip_code="62701")],
        )

    assert caught.value.field == "phones.1.number"
    assert _counts() == before


def test_a_zip_in_another_state_is_an_error_on_that_addresses_zip(clerk):
    with pytest.raises(DomainError, match="62701 is in IL, not TX") as caught:
        a_customer(clerk, addresses=[address(street="1 Main St", state="TX", zip_code="62701")])

    assert caught.value.field == "addresses.0.zip_code"
    assert Customer.objects.count() == 0


def test_a_person_needs_a_last_name_and_a_company_its_name(clerk):
    with pytest.raises(DomainError) as person:
        services.create_customer(actor=clerk, first_name="Maria")
    with pytest.raises(DomainError) as company:
        services.create_customer(actor=clerk, kind="company", last_name="Lopez")
    with pytest.raises(DomainError) as typed:
        services.create_customer(actor=clerk, full_name="Dr.")

    assert (person.value.field, company.value.field, typed.value.field) == ("last_name", "company_name", "full_name")


def test_a_number_in_use_is_a_conflict(clerk):
    a_customer(clerk, number="A-7")

    with pytest.raises(Conflict) as caught:
        a_customer(clerk, number="A-7")

    assert caught.value.field == "number"


def test_identity_documents_need_the_identity_function(field_rep):
    with pytest.raises(PermissionDenied):
        a_customer(field_rep, ssn="401-23-4567")

    assert a_customer(field_rep).last_name == "Lopez"


def test_a_rename_keeps_the_old_name_as_an_earlier_name(clerk):
    customer = a_customer(clerk, first_name="Maria", last_name="Lopez")

    services.update_customer(actor=clerk, customer=customer, last_name="Garcia", name_change="birth")

    customer.refresh_from_db()
    assert customer.last_name == "Garcia"
    assert [(n.kind, n.first_name, n.last_name, n.valid_to) for n in customer.earlier_names.all()] == [
        ("birth", "Maria", "Lopez", TODAY)
    ]
    event = AuditEvent.objects.get(event_type="CUSTOMER_UPDATED")
    assert event.payload == {"last_name": {"old": "Lopez", "new": "Garcia"}}


def test_changing_other_fields_keeps_no_earlier_name(clerk):
    customer = a_customer(clerk)

    services.update_customer(actor=clerk, customer=customer, credit_limit=Decimal("900.00"), status="inactive")

    assert EarlierName.objects.count() == 0
    assert AuditEvent.objects.get(event_type="CUSTOMER_UPDATED").payload == {
        "credit_limit": {"old": "0.00", "new": "900.00"},
        "status": {"old": "active", "new": "inactive"},
    }


def test_a_customer_who_moves_keeps_the_old_address_ended_today(clerk):
    customer = a_customer(clerk, addresses=[address("12 Oak St, Joliet, IL 60431")])
    old = customer.addresses.get()

    new = services.replace_contact_point(actor=clerk, point=old, data=address("88 Elm Ave, Plainfield, IL 60544"))
    assert isinstance(new, Address)

    old.refresh_from_db()
    assert (old.valid_to, old.is_primary) == (TODAY, False)
    assert (new.street, new.city, new.valid_from, new.valid_to, new.is_primary) == (
        "88 Elm Ave", "Plainfield", TODAY, None, True,
    )  # fmt: skip
    assert Address.objects.count() == 2


def test_posting_an_unchanged_value_back_changes_nothing(clerk):
    customer = a_customer(clerk, phones=[phone("815-555-0142")])
    row = customer.phones.get()

    same = services.replace_contact_point(actor=clerk, point=row, data=phone("(815) 555-0142"))

    assert same.pk == row.pk and Phone.objects.count() == 1 and Phone.objects.get().valid_to is None


def test_a_new_number_ends_the_old_one_and_the_next_becomes_primary(clerk):
    customer = a_customer(clerk, phones=[phone("815-555-0142"), phone("815-555-0143", type="work")])
    first, second = customer.phones.order_by("id")

    services.end_contact_point(actor=clerk, point=first)
    services.end_contact_point(actor=clerk, point=first)  # again: nothing more

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.valid_to, first.is_primary, second.is_primary) == (TODAY, False, True)
    assert AuditEvent.objects.filter(event_type="PHONE_ENDED").count() == 1


def test_a_contact_point_cannot_end_before_it_started(clerk):
    customer = a_customer(clerk, emails=[services.EmailIn("maria@example.com")])

    with pytest.raises(DomainError) as caught:
        services.end_contact_point(actor=clerk, point=customer.emails.get(), ended_on=date(2026, 1, 1))

    assert caught.value.field == "ended_on"


def test_a_new_employer_through_update_ends_the_old_one(clerk):
    customer = a_customer(clerk, employer="Joliet Diesel")

    services.update_customer(actor=clerk, customer=customer, employer="Lockport Truck & Tire")

    customer.refresh_from_db()
    rows = list(Employer.objects.order_by("id").values_list("name", "valid_to"))
    assert rows == [("Joliet Diesel", TODAY), ("Lockport Truck & Tire", None)]
    assert customer.employer == "Lockport Truck & Tire"


def test_a_second_ssn_ends_the_first_and_the_same_one_changes_nothing(clerk):
    customer = a_customer(clerk, ssn="401-23-4567")

    services.set_ssn(actor=clerk, customer=customer, ssn="401234567")
    services.set_ssn(actor=clerk, customer=customer, ssn="402-11-2222")

    rows = list(IdentityDocument.objects.order_by("id").values_list("kind", "last4", "valid_to"))
    assert rows == [("ssn", "4567", TODAY), ("ssn", "2222", None)]
    assert AuditEvent.objects.filter(event_type="TAX_ID_SET").count() == 2


def test_a_licence_from_another_state_replaces_the_one_on_file(clerk):
    customer = a_customer(clerk, licences=[services.LicenceIn("A12345678901", "IL")])

    services.add_licence(actor=clerk, customer=customer, licence=services.LicenceIn("D1234567", "CA"))

    rows = list(IdentityDocument.objects.order_by("id").values_list("state", "number", "valid_to"))
    assert rows == [("IL", "A12345678901", TODAY), ("CA", "D1234567", None)]


def test_an_earlier_name_with_dates_out_of_order_is_an_error(clerk):
    customer = a_customer(clerk)
    name = services.EarlierNameIn(
        kind="married", last_name="Perez", valid_from=date(2010, 1, 1), valid_to=date(2009, 1, 1)
    )

    with pytest.raises(DomainError) as caught:
        services.add_earlier_name(actor=clerk, customer=customer, name=name)

    assert caught.value.field == "valid_to"
    assert EarlierName.objects.count() == 0


def test_an_edit_page_saves_fields_and_contact_changes_together_or_not_at_all(clerk):
    customer = a_customer(clerk, phones=[phone("815-555-0142")], addresses=[address("12 Oak St, Joliet, IL 60431")])
    old_phone, old_address = customer.phones.get(), customer.addresses.get()
    before = _counts()

    with pytest.raises(DomainError) as caught:
        services.edit_customer(
            actor=clerk,
            customer=customer,
            changes={"last_name": "Garcia"},
            contact_changes=[
                services.ContactChange(old_phone, None, "phones.0."),
                services.ContactChange(
                    old_address, address(street="1 Main St", state="TX", zip_code="62701"), "addresses.0."
                ),
            ],
        )

    assert caught.value.field == "addresses.0.zip_code"
    assert _counts() == before
    customer.refresh_from_db()
    assert customer.last_name == "Lopez" and Phone.objects.get().valid_to is None


def test_tags_are_set_exactly_and_shared_by_name(clerk):
    maria = a_customer(clerk, tags=["Fleet"])
    ray = a_customer(clerk, first_name="Ray", tags=["fleet", "Cash only"])

    services.set_tags(actor=clerk, customer=maria, tags=["Cash only"])

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Cash only", "Fleet"]
    assert [link.tag.name for link in maria.tag_links.all()] == ["Cash only"]
    assert sorted(link.tag.name for link in ray.tag_links.all()) == ["Cash only", "Fleet"]


def test_an_import_creates_customers_with_search_keys(clerk):
    from tabwise.customers.models import SearchKey

    created = services.create_customers(
        actor=clerk,
        customers=[
            services.CustomerIn("7001", last_name="Okafor", phone="+18155550177"),
            services.CustomerIn("7002", kind="company", company_name="Joliet Diesel"),
        ],
    )

    assert [c.number for c in created] == ["7001", "7002"]
    assert set(SearchKey.objects.filter(customer=created[0]).values_list("kind", "value")) == {
        ("number", "7001"),
        ("name", "OKAFOR"),
        ("phone", "#77105555181"),  # the digits reversed: "ends with 0177" is a prefix
    }
