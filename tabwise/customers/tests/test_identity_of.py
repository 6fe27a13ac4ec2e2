"""`selectors.identity_of`: everything a customer is or was known by, for the person-matching engine."""

from __future__ import annotations

from datetime import date

import pytest

from tabwise.customers import panels, selectors, services
from tabwise.customers.tests.factories import a_customer, address, phone

TODAY = date(2026, 3, 2)
pytestmark = pytest.mark.usefixtures("in_business")


def test_identity_gathers_current_and_earlier_values_with_their_dates(clerk):
    customer = a_customer(
        clerk,
        full_name="Robert Lee Walker Sr.",
        date_of_birth=date(1961, 4, 2),
        phones=[phone("815-555-0142")],
        emails=[services.EmailIn("bob@example.com")],
        addresses=[address("12 Oak St, Joliet, IL 60431")],
        employer="Joliet Diesel",
        earlier_names=[services.EarlierNameIn(kind="alias", first_name="Bobby", last_name="Walker")],
        licences=[services.LicenceIn("A12345678901", "IL")],
        ssn="401-23-4567",
    )
    services.replace_contact_point(actor=clerk, point=customer.phones.get(), data=phone("779-555-0100"))
    services.replace_contact_point(
        actor=clerk, point=customer.addresses.get(), data=address("88 Elm Ave, Plainfield, IL 60544")
    )
    services.set_ssn(actor=clerk, customer=customer, ssn="402-11-2222")
    services.add_licence(actor=clerk, customer=customer, licence=services.LicenceIn("12345678", "TX"))

    identity = selectors.identity_of(customer)

    assert identity.current_name == selectors.PersonName("Robert", "Lee", "Walker", "Sr.", "current")
    assert [(n.kind, n.first_name) for n in identity.names[1:]] == [("alias", "Bobby")]
    assert identity.date_of_birth == date(1961, 4, 2)
    assert identity.ssns == ["402112222", "401234567"]  # current first
    assert [(lic.state, lic.number, lic.is_current) for lic in identity.licences] == [
        ("TX", "12345678", True),
        ("IL", "A12345678901", False),
    ]
    assert sorted((p.value, p.is_current) for p in identity.phones) == [("+17795550100", True), ("+18155550142", False)]
    assert [(e.value, e.is_current) for e in identity.emails] == [("bob@example.com", True)]
    assert sorted((a.street_name, a.zip_code, a.valid_to) for a in identity.addresses) == [
        ("ELM AVE", "60544", None),
        ("OAK ST", "60431", TODAY),
    ]
    assert [(e.value, e.is_current) for e in identity.employers] == [("Joliet Diesel", True)]
    assert "401234567" not in repr(identity)  # the SSNs are left out of its repr (and so out of any log line)
    record = identity.as_record()
    assert (record.ssn, len(record.names), len(record.phones), len(record.addresses)) == ("402112222", 2, 2, 2)
    assert record.licences[0].state == "TX" and record.employers == ["Joliet Diesel"]


def test_the_ledger_registers_its_sections_and_its_account_number_search():
    keys = [section.key for section in panels.sections()]

    assert keys[:3] == ["receivables", "paid-history", "documents"]
    assert all(section.function == "ledger.view" for section in panels.sections()[:3])
    assert [provider.kind for provider in panels.search_providers()] == ["account"]


def test_a_section_or_provider_registered_twice_differently_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        panels.register_section(panels.Section("receivables", "Other", "x.html", lambda c, u: {}, "customers.view"))
