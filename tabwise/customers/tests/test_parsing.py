"""Reading what a clerk types: names split into parts, phones to E.164, addresses to normalised parts with their ZIP
checked, licence numbers in their state's shape, SSNs and ITINs."""

from __future__ import annotations

import pytest

from tabwise.core.errors import DomainError
from tabwise.customers import parsing


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Dr. Juan Carlos de la Cruz Jr.", ("Dr.", "Juan", "Carlos", "de la Cruz", "Jr.")),
        ("Smith, John A. III", ("", "John", "A.", "Smith", "III")),
        ("  mary   o'brien ", ("", "mary", "", "o'brien", "")),
        ("Robert Lee Walker Sr.", ("", "Robert", "Lee", "Walker", "Sr.")),
        ("Gonzalez", ("", "", "", "Gonzalez", "")),
    ],
)
def test_a_name_typed_as_one_string_is_split_into_its_parts(typed, parts):
    name = parsing.parse_name(typed)

    assert (name.title, name.first_name, name.middle_name, name.last_name, name.suffix) == parts


def test_a_blank_name_is_an_error_on_the_field():
    with pytest.raises(DomainError) as caught:
        parsing.parse_name("   ", field="full_name")

    assert caught.value.field == "full_name"


@pytest.mark.parametrize("typed", ["(312) 555-0199", "312.555.0199", "+1 312 555 0199", "1-312-555-0199", "3125550199"])
def test_a_phone_in_any_usual_format_becomes_e164(typed):
    assert parsing.normalise_phone(typed, region="US") == "+13125550199"


def test_a_phone_is_read_in_the_businesss_region_unless_it_has_a_country_code():
    assert parsing.normalise_phone("020 7946 0958", region="GB") == "+442079460958"
    assert parsing.normalise_phone("+52 55 1234 5678", region="US") == "+525512345678"


@pytest.mark.parametrize(("typed", "message"), [("555-0199", "does not exist"), ("call me", "not a phone number")])
def test_a_phone_that_does_not_exist_is_an_error_on_the_number(typed, message):
    with pytest.raises(DomainError, match=message) as caught:
        parsing.normalise_phone(typed, region="US", field="phones.0.number")

    assert caught.value.field == "phones.0.number"


def test_an_address_on_one_line_is_parsed_into_normalised_parts():
    address = parsing.parse_address(line="12 North Main Street Apt 4B, Springfield, IL 62701")

    assert address == parsing.ParsedAddress(
        street="12 North Main Street",
        line2="Apt 4B",
        city="Springfield",
        state="IL",
        zip_code="62701",
        house_number="12",
        street_name="N MAIN ST",
        unit="APT 4B",
    )


def test_an_address_in_parts_takes_its_city_from_the_zip_and_a_state_by_name():
    address = parsing.parse_address(
        street="1600 Pennsylvania Avenue NW", state="District of Columbia", zip_code="20500"
    )

    assert (address.city, address.state, address.street_name) == ("Washington", "DC", "PENNSYLVANIA AVE NW")


def test_the_same_street_written_two_ways_normalises_the_same():
    one = parsing.parse_address(street="12 N. Main St.", state="IL", zip_code="62701")
    other = parsing.parse_address(street="12 north main street", state="IL", zip_code="62701")

    assert (one.house_number, one.street_name) == (other.house_number, other.street_name) == ("12", "N MAIN ST")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"street": "1 Main St", "state": "TX", "zip_code": "62701"}, "zip_code", "62701 is in IL, not TX"),
        ({"street": "1 Main St", "state": "IL", "zip_code": "00000"}, "zip_code", "does not exist"),
        ({"street": "1 Main St", "state": "IL", "zip_code": "6270"}, "zip_code", "5-digit"),
        ({"street": "1 Main St", "state": "ZZ", "zip_code": "62701"}, "state", "not a US state"),
        ({"street": "", "state": "IL", "zip_code": "62701"}, "street", "street"),
        ({"line": "Main Street somewhere"}, "line", "state"),
    ],
)
def test_an_address_that_cannot_be_right_is_an_error_on_the_part_at_fault(fields, field, message):
    with pytest.raises(DomainError, match=message) as caught:
        parsing.parse_address(**fields)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("number", "state", "stored"),
    [("a123-4567-8901", "IL", "A12345678901"), ("D1234567", "CA", "D1234567"), ("12 345 678", "TX", "12345678")],
)
def test_a_licence_number_in_its_states_shape_is_kept_upper_case_without_spaces(number, state, stored):
    assert parsing.normalise_licence(number, state) == stored


@pytest.mark.parametrize(("number", "state"), [("12345678", "IL"), ("A1234567", "TX"), ("", "CA")])
def test_a_licence_number_not_in_its_states_shape_is_an_error(number, state):
    with pytest.raises(DomainError) as caught:
        parsing.normalise_licence(number, state, field="licence_number")

    assert caught.value.field == "licence_number"


def test_ssns_and_itins_are_told_apart_and_read_with_or_without_dashes():
    assert parsing.parse_tax_id("401-23-4567") == ("ssn", "401234567")
    assert parsing.parse_tax_id("401 23 4567") == ("ssn", "401234567")
    assert parsing.parse_tax_id("912-70-1234") == ("itin", "912701234")


@pytest.mark.parametrize(
    "typed", ["000-12-3456", "666-12-3456", "401-00-4567", "401-23-0000", "078-05-1120", "912-40-1234", "40123456"]
)
def test_numbers_that_are_not_an_ssn_or_itin_are_refused_without_repeating_them(typed):
    with pytest.raises(DomainError) as caught:
        parsing.parse_tax_id(typed)

    assert caught.value.field == "ssn"
    assert typed.replace("-", "") not in caught.value.message


def test_what_a_customer_is_told_about_an_address_is_in_spanish_too():
    from django.utils import translation

    with translation.override("es"), pytest.raises(DomainError) as caught:
        parsing.check_zip("62701", "TX")

    assert caught.value.message == "El código postal 62701 está en IL, no en TX."
