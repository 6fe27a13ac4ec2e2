from __future__ import annotations

from datetime import date

import pytest

from tabwise.matching import hypocorisms
from tabwise.matching import normalise as norm
from tabwise.matching.frequencies import census, sex_of
from tabwise.matching.records import Address, DriverLicence, PersonName, PersonRecord


def test_accents_are_folded_and_case_dropped() -> None:
    assert norm.fold("José NÚÑEZ Peña") == "jose nunez pena"


def test_a_double_surname_keeps_its_parts_and_particles_stay_in_the_whole() -> None:
    name = norm.normalise_name(PersonName("María", "", "de la Cruz García"))

    assert name is not None
    assert name.given == ("maria",)
    assert name.surname == ("cruz", "garcia")
    assert name.surname_whole == "delacruzgarcia"


def test_a_hyphenated_surname_splits_like_a_spaced_one() -> None:
    hyphenated = norm.normalise_name(PersonName("Ann", "", "Smith-Jones"))
    spaced = norm.normalise_name(PersonName("ANN", "", "smith jones"))

    assert hyphenated == spaced
    assert hyphenated is not None and hyphenated.surname == ("smith", "jones")


def test_a_suffix_typed_into_the_last_name_is_recognised() -> None:
    name = norm.normalise_name(PersonName("John", "", "Smith Jr."))

    assert name is not None
    assert (name.surname, name.suffix) == (("smith",), "jr")


def test_titles_and_initials_are_dropped_and_apostrophes_join() -> None:
    name = norm.normalise_name(PersonName("Dr. Patrick", "J.", "O'Brien"))

    assert name is not None
    assert (name.given, name.middle, name.surname) == (("patrick",), (), ("obrien",))


def test_a_single_full_name_string_is_parsed_with_nameparser() -> None:
    record = PersonRecord(names=["Smith Jr., John Michael"])

    assert record.parsed_names() == [PersonName("John", "Michael", "Smith", "Jr.")]


@pytest.mark.parametrize("raw", ["(512) 555-0123", "512.555.0123", "+1 512 555 0123", "5125550123", "512-555-0123 x12"])
def test_phones_become_e164(raw: str) -> None:
    assert norm.normalise_phone(raw) == "+15125550123"


def test_a_mexican_number_written_with_its_country_code_stays_mexican() -> None:
    assert norm.normalise_phone("+52 55 1234 5678") == "+525512345678"


def test_nonsense_is_not_a_phone() -> None:
    assert norm.normalise_phone("call me") is None
    assert norm.normalise_phone("12") is None


def test_gmail_dots_and_plus_tags_are_dropped() -> None:
    assert norm.normalise_email("John.Smith+tools@GoogleMail.com") == "johnsmith@gmail.com"
    assert norm.normalise_email("j.smith+x@yahoo.com") == "j.smith@yahoo.com"
    assert norm.normalise_email("not-an-email") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("123-45-6789", ("123456789", "6789")), ("123 45 6789", ("123456789", "6789")), ("6789", (None, "6789"))],
)
def test_ssn_full_or_last_four(raw: str, expected: tuple[str | None, str | None]) -> None:
    assert norm.normalise_ssn(raw) == expected


def test_an_ssn_of_the_wrong_length_is_ignored() -> None:
    assert norm.normalise_ssn("12345") == (None, None)


@pytest.mark.parametrize("raw", ["1985-03-12", "03/12/1985", "3/12/85", "19850312", "Mar 12, 1985", "12 March 1985"])
def test_dates_of_birth_in_common_forms(raw: str) -> None:
    assert norm.normalise_dob(raw) == date(1985, 3, 12)


def test_an_impossible_date_of_birth_is_none() -> None:
    assert norm.normalise_dob("02/30/1985") is None
    assert norm.normalise_dob("1850-01-01") is None


def test_dob_variants_include_transpositions_and_the_day_month_swap() -> None:
    variants = norm.dob_variants(date(1985, 3, 12))

    assert date(1958, 3, 12) in variants  # year digits swapped
    assert date(1985, 3, 21) in variants  # day digits swapped
    assert date(1985, 12, 3) in variants  # day and month swapped
    assert date(1985, 3, 12) not in variants


def test_street_abbreviations_units_and_zip4_normalise_to_one_address() -> None:
    long = norm.normalise_address(Address("123 North Main Street, Apartment 4", "Austin", "Texas", "78701-1234"))
    short = norm.normalise_address(Address("123 N Main St #4", "AUSTIN", "TX", "78701"))

    assert long == short
    assert long is not None
    assert (long.street, long.unit, long.zip5, long.state) == ("123 n main st", "4", "78701", "TX")


def test_a_unit_in_line_two_counts_like_one_in_the_street() -> None:
    in_street = norm.normalise_address(Address("55 Elm Ave Apt 7B", "Tulsa", "OK", "74101"))
    in_line2 = norm.normalise_address(Address("55 Elm Avenue", "Tulsa", "OK", "74101", line2="Apt. 7b"))

    assert in_street == in_line2


def test_a_po_box_is_an_address() -> None:
    address = norm.normalise_address(Address("P.O. Box 55", "Austin", "TX", "78701"))

    assert address is not None and address.street == "po box 55"


def test_licences_and_employers_normalise() -> None:
    assert norm.normalise_licence(DriverLicence("d-123 4567", "texas")) == ("TX", "D1234567")
    assert norm.normalise_employer("Main Street Auto, Inc.") == norm.normalise_employer("MAIN STREET AUTO")


@pytest.mark.parametrize(
    ("nickname", "formal"),
    [
        ("pepe", "jose"),
        ("paco", "francisco"),
        ("pancho", "francisco"),
        ("lupe", "guadalupe"),
        ("chuy", "jesus"),
        ("memo", "guillermo"),
        ("nacho", "ignacio"),
        ("beto", "alberto"),
        ("beto", "roberto"),
        ("beto", "humberto"),
        ("lalo", "eduardo"),
        ("tono", "antonio"),
        ("quique", "enrique"),
        ("chepe", "jose"),
        ("concha", "concepcion"),
        ("lola", "dolores"),
        ("pili", "pilar"),
        ("rafa", "rafael"),
        ("chelo", "consuelo"),
        ("bill", "william"),
        ("peggy", "margaret"),
        ("jack", "john"),
    ],
)
def test_hypocorisms_lead_to_their_formal_names(nickname: str, formal: str) -> None:
    assert formal in hypocorisms.canonical_names(nickname)


def test_two_formal_names_are_not_related_through_a_backwards_package_edge() -> None:
    # The package lists "bill has_nickname robert": chained, Robert and William would be one person.
    assert hypocorisms.canonical_names("robert").isdisjoint(hypocorisms.canonical_names("william"))
    assert hypocorisms.canonical_names("alberto").isdisjoint(hypocorisms.canonical_names("roberto"))


def test_gordo_is_never_a_name() -> None:
    assert hypocorisms.canonical_names("gordo") == frozenset({"gordo"})
    assert hypocorisms.direct_formals("gordo") == frozenset()


def test_the_census_tables_are_loaded_with_shares_and_sexes() -> None:
    table = census()

    assert len(table.surnames) > 80_000
    assert table.surnames["smith"] > table.surnames["garcia"] > table.surnames["zepeda"]
    assert sex_of("daniel") == "m" and sex_of("daniela") == "f"
    assert sex_of("jhoshua") == ""  # unknown: no guess
