"""Each comparison level, the household rule, the name-only rule, frequencies and the result's wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tabwise.matching import (
    BAND_NONE,
    BAND_POSSIBLE,
    BAND_STRONG,
    POSSIBLE_THRESHOLD,
    Address,
    DriverLicence,
    Frequencies,
    PersonName,
    PersonRecord,
    compare,
    encode,
)
from tabwise.matching import weights as w
from tabwise.matching.tests.people import KEY, match, mechanic, only_names, stranger


def _names(first: str, middle: str, last: str, suffix: str = "") -> list[PersonName | str]:
    return [PersonName(first, middle, last, suffix)]


# --- given names ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "middle", "level"),
    [
        ("John", "Michael", "exact"),
        ("JOHNNY", "Michael", "nickname"),
        ("Jack", "", "nickname"),
        ("Michael", "", "middle name"),
        ("Jonh", "Michael", "typo"),
        ("Ojhn", "Michael", "typo"),  # first two letters swapped
        ("Walter", "", "different"),
    ],
)
def test_given_name_levels(first: str, middle: str, level: str) -> None:
    result = match(mechanic(), mechanic(names=_names(first, middle, "Smith")))

    assert result.levels["given_name"] == level


def test_middle_names_add_when_they_agree_and_take_away_when_they_differ() -> None:
    no_middle = match(mechanic(names=_names("John", "", "Smith")), mechanic())
    same_middle = match(mechanic(), mechanic())
    other_middle = match(mechanic(names=_names("John", "David", "Smith")), mechanic())

    assert other_middle.agreed["name"] < no_middle.agreed["name"] < same_middle.agreed["name"]
    assert same_middle.agreed["name"] - no_middle.agreed["name"] <= w.MIDDLE_CAP
    assert other_middle.agreed["name"] == pytest.approx(no_middle.agreed["name"] + w.MIDDLE_DISAGREE, abs=0.01)


def test_spanish_hypocorisms_agree_as_nicknames() -> None:
    jose = mechanic(names=_names("José", "", "Hernández"))
    pepe = mechanic(names=_names("PEPE", "", "HERNANDEZ"))

    assert match(jose, pepe).levels["given_name"] == "nickname"


def test_names_of_the_other_sex_are_not_typos_of_each_other() -> None:
    daniel = mechanic(names=_names("Daniel", "", "Ruiz"))

    assert match(daniel, mechanic(names=_names("Daniela", "", "Ruiz"))).levels["given_name"] == "different"
    assert match(daniel, mechanic(names=_names("Danile", "", "Ruiz"))).levels["given_name"] == "typo"


def test_rhyming_names_are_not_typos() -> None:
    jason = mechanic(names=_names("Jason", "", "Ruiz"))

    assert match(jason, mechanic(names=_names("Mason", "", "Ruiz"))).levels["given_name"] == "different"


def test_two_slips_in_a_short_name_are_another_name() -> None:
    maria = mechanic(names=_names("Maria", "", "Ruiz"))

    assert match(maria, mechanic(names=_names("Martha", "", "Ruiz"))).levels["given_name"] == "different"


def test_a_common_first_name_agreeing_counts_less_than_a_rare_one() -> None:
    common = match(only_names(PersonName("James", "", "X")), only_names(PersonName("James", "", "Y")))
    rare = match(only_names(PersonName("Thaddeus", "", "X")), only_names(PersonName("Thaddeus", "", "Y")))

    assert common.agreed.get("name", 0) < rare.agreed.get("name", 0) or common.score < rare.score


# --- surnames ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "applicant", "level"),
    [
        ("García López", "Garcia Lopez", "exact"),
        ("García López", "García", "one of two surnames"),
        ("Smith-Jones", "Jones", "one of two surnames"),
        ("Walker", "Wlaker", "typo"),
        ("Walker", "Brennan", "different"),
    ],
)
def test_surname_levels(listed: str, applicant: str, level: str) -> None:
    result = match(mechanic(names=_names("John", "", listed)), mechanic(names=_names("John", "", applicant)))

    assert result.levels["surname"] == level


def test_first_and_middle_given_as_first_and_last_is_seen() -> None:
    result = match(mechanic(), mechanic(names=_names("John", "", "Michael")))

    assert result.levels["surname"] == "middle name as surname"
    assert result.levels["given_name"] == "exact"


def test_a_maiden_name_in_the_history_matches_the_married_one() -> None:
    listed = mechanic(names=[PersonName("Ana", "", "López"), PersonName("Ana", "", "Ruiz")])
    applicant = mechanic(names=_names("Ana", "", "Lopez"))

    assert match(listed, applicant).levels["surname"] == "exact"


def test_a_common_surname_agreeing_counts_less_than_a_rare_one() -> None:
    smith = match(only_names(PersonName("A", "", "Smith")), only_names(PersonName("B", "", "Smith")))
    zepeda = match(only_names(PersonName("A", "", "Zepeda")), only_names(PersonName("B", "", "Zepeda")))

    assert 0 < smith.agreed["name"] < zepeda.agreed["name"]


def test_a_frequency_table_keyed_by_token_overrides_the_census() -> None:
    a = encode(only_names(PersonName("", "", "Zepeda")), KEY)
    b = encode(only_names(PersonName("", "", "Zepeda")), KEY)
    zepeda = a.names[0].surname[0].token
    everywhere = Frequencies(surname={zepeda: 0.2})  # in this population a fifth of people are Zepedas

    assert compare(a, b, frequencies=everywhere).agreed["name"] < compare(a, b).agreed["name"]


def test_the_census_table_keyed_under_the_key_gives_the_embedded_bits() -> None:
    a = encode(only_names(PersonName("Maria", "", "Garcia")), KEY)
    b = encode(only_names(PersonName("Maria", "", "Garcia")), KEY)

    assert compare(a, b, frequencies=Frequencies.from_census(KEY)).score == compare(a, b).score


def test_jr_against_sr_counts_against() -> None:
    senior = mechanic(names=_names("John", "Michael", "Smith", "Sr."))
    junior = mechanic(names=_names("John", "Michael", "Smith", "Jr."))

    result = match(senior, junior)

    assert result.levels["suffix"] == "conflict"
    assert "address" in result.discounted and "phone" in result.discounted
    assert result.score < match(mechanic(), mechanic()).score + w.SUFFIX_CONFLICT


# --- date of birth ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "level", "weight"),
    [
        (date(1985, 3, 12), "exact", w.DOB_EXACT),
        (date(1985, 3, 21), "transposed", w.DOB_VARIANT),
        (date(1958, 3, 12), "transposed", w.DOB_VARIANT),
        (date(1985, 12, 3), "transposed", w.DOB_VARIANT),
        (date(1985, 3, 17), "partial", w.DOB_PARTIAL),
        (date(1987, 3, 12), "partial", w.DOB_PARTIAL),
        (date(1984, 7, 2), "different", w.DOB_DISAGREE),
        (date(1960, 9, 1), "far apart", w.DOB_FAR),
    ],
)
def test_date_of_birth_levels(dob: date, level: str, weight: float) -> None:
    result = match(stranger(date_of_birth=date(1985, 3, 12)), stranger(date_of_birth=dob))

    assert result.levels["date_of_birth"] == level
    assert result.agreed.get("date_of_birth", result.disagreed.get("date_of_birth")) == pytest.approx(weight, abs=0.01)


def test_a_missing_date_of_birth_weighs_nothing() -> None:
    result = match(stranger(), stranger(date_of_birth=None))

    assert result.levels["date_of_birth"] == "missing"
    assert "date_of_birth" not in result.agreed and "date_of_birth" not in result.disagreed


# --- SSN and the other identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ssn", "level", "weight"),
    [
        ("123456789", "exact", w.SSN_EXACT),
        ("123-45-6798", "transposed", w.SSN_VARIANT),
        ("6789", "last four", w.SSN_LAST4),
        ("1111", "last four different", w.SSN_LAST4_DISAGREE),
        ("987-65-4321", "different", w.SSN_DISAGREE),
        ("", "missing", 0.0),
    ],
)
def test_ssn_levels(ssn: str, level: str, weight: float) -> None:
    result = match(stranger(ssn="123-45-6789"), stranger(ssn=ssn))

    assert result.levels["ssn"] == level
    assert result.agreed.get("ssn", result.disagreed.get("ssn", 0.0)) == pytest.approx(weight, abs=0.01)


def test_phone_email_licence_and_employer_agree_in_any_format() -> None:
    listed = stranger(
        phones=["(512) 555-0123"],
        emails=["J.Smith@gmail.com"],
        licences=[DriverLicence("D1234567", "TX")],
        employers=["Main Street Auto, Inc."],
    )
    applicant = stranger(
        phones=["+1 512 555 0123"],
        emails=["jsmith+x@gmail.com"],
        licences=[DriverLicence("d-1234567", "Texas")],
        employers=["MAIN STREET AUTO"],
    )

    result = match(listed, applicant)

    assert [result.levels[kind] for kind in ("phone", "email", "licence", "employer")] == ["exact"] * 4
    assert result.agreed["phone"] == w.PHONE_AGREE
    assert result.agreed["email"] == w.EMAIL_AGREE
    assert result.agreed["licence"] == w.LICENCE_AGREE
    assert result.agreed["employer"] == w.EMPLOYER_AGREE


def test_another_states_licence_weighs_nothing() -> None:
    result = match(mechanic(), mechanic(licences=[DriverLicence("Z9999999", "OK")]))

    assert result.levels["licence"] == "different"
    assert "licence" not in result.agreed and "licence" not in result.disagreed


def test_the_same_licence_number_under_another_state_is_weak() -> None:
    result = match(mechanic(), mechanic(licences=[DriverLicence("D1234567", "OK")]))

    assert result.levels["licence"] == "number only"


@pytest.mark.parametrize(
    ("address", "level"),
    [
        (Address("123 North Main Street", "Austin", "TX", "78701-0001", line2="Apt 4"), "exact"),
        (Address("123 N Main St", "Austin", "TX", ""), "exact"),  # no unit on one side, city instead of ZIP
        (Address("123 N Main St Apt 9", "Austin", "TX", "78701"), "same building"),
        (Address("123 N Mian St", "Austin", "TX", "78701"), "similar"),
        (Address("9 Elm Rd", "Austin", "TX", "78701"), "same town"),
        (Address("9 Elm Rd", "Tulsa", "OK", "74101"), "different"),
    ],
)
def test_address_levels(address: Address, level: str) -> None:
    assert match(mechanic(), mechanic(addresses=[address])).levels["address"] == level


def test_earlier_values_in_the_history_count() -> None:
    listed = mechanic(phones=["(512) 555-0100", "(512) 555-0123"])
    applicant = stranger(names=_names("John", "Michael", "Smith"), date_of_birth=None, ssn="", phones=["5125550100"])

    assert match(listed, applicant).levels["phone"] == "exact"


# --- the rules ------------------------------------------------------------------------------------------------


def test_name_only_agreement_is_never_a_match() -> None:
    result = match(only_names(PersonName("Thaddeus", "Xavier", "Zepeda")), only_names("Thaddeus Xavier Zepeda"))

    assert result.score >= POSSIBLE_THRESHOLD
    assert result.band == BAND_NONE
    assert "Only the name agreed" in result.explanation


def test_the_same_town_is_not_an_identifier() -> None:
    result = match(
        only_names(PersonName("Thaddeus", "", "Zepeda")),
        PersonRecord(names=[PersonName("Thaddeus", "", "Zepeda")], addresses=[Address("9 Elm Rd", "Austin", "TX")]),
    )

    assert result.band == BAND_NONE


def test_household_evidence_is_discounted_when_the_given_names_differ() -> None:
    spouse = mechanic(
        names=_names("Linda", "", "Smith"), date_of_birth=date(1987, 6, 1), ssn="222-33-4444", emails=[], licences=[]
    )

    result = match(mechanic(), spouse)

    assert result.band == BAND_NONE
    assert set(result.discounted) == {"name", "address", "phone", "employer"}
    assert set(result.agreed) == set()
    assert result.score < 0


def test_household_evidence_is_discounted_when_the_birth_dates_disagree() -> None:
    father = mechanic(
        names=_names("John", "Michael", "Smith", "Sr."), date_of_birth=date(1958, 11, 2), ssn="222-33-4444", emails=[]
    )

    result = match(mechanic(), father)

    assert result.band == BAND_NONE
    assert "address" in result.discounted and "phone" in result.discounted


def test_a_jr_and_a_sr_at_one_address_without_birth_dates_are_two_people() -> None:
    junior = mechanic(names=_names("John", "", "Smith", "Jr."), date_of_birth=None, ssn="", emails=[], licences=[])
    senior = mechanic(names=_names("John", "", "Smith", "Sr."), date_of_birth=None, ssn="", emails=[], licences=[])

    result = match(junior, senior)

    assert result.band == BAND_NONE
    assert set(result.discounted) == {"name", "address", "phone", "employer"}


def test_a_different_ssn_counts_against_but_name_and_birth_date_outweigh_it() -> None:
    the_story = mechanic(
        names=_names("John", "", "Michael"),
        ssn="987-65-4321",
        phones=["(918) 555-0199"],
        emails=[],
        addresses=[Address("9 Elm Rd", "Tulsa", "OK", "74101")],
        licences=[DriverLicence("Z7777777", "OK")],
        employers=[],
    )

    result = match(mechanic(), the_story)

    assert result.disagreed["ssn"] == pytest.approx(w.SSN_DISAGREE, abs=0.01)
    assert result.band == BAND_POSSIBLE
    assert set(result.agreed) == {"name", "date_of_birth"}


def test_everything_agreeing_is_strong() -> None:
    assert match(mechanic(), mechanic()).band == BAND_STRONG


def test_the_explanation_names_kinds_never_data() -> None:
    result = match(mechanic(), mechanic(ssn="987-65-4321"))

    text = result.explanation

    assert "date of birth" in text and "SSN" in text
    for secret in ("John", "Smith", "6789", "4321", "Main", "555", "1985", "gmail"):
        assert secret not in text


def test_reasons_describe_each_compared_field_in_words() -> None:
    result = match(mechanic(), mechanic(names=_names("Johnny", "", "Smith"), date_of_birth=date(1985, 12, 3)))

    assert "first name: a nickname of the other" in result.reasons
    assert "date of birth: digits transposed" in result.reasons
    assert "phone: the same" in result.reasons
    assert not any("Johnny" in reason or "1985" in reason for reason in result.reasons)


def test_compare_is_symmetric_on_the_story() -> None:
    a, b = encode(mechanic(), KEY), encode(mechanic(names=_names("Michael", "", "Smith"), ssn="6789"), KEY)

    assert compare(a, b) == compare(b, a)


def test_compare_is_symmetric_when_a_surname_is_written_together() -> None:
    a = encode(mechanic(names=_names("Juan", "", "de la Cruz")), KEY)
    b = encode(mechanic(names=_names("Juan", "", "Delacruz")), KEY)

    assert compare(a, b) == compare(b, a)
    assert compare(a, b).levels["surname"] == "exact"


def test_an_empty_record_matches_nothing() -> None:
    result = match(PersonRecord(), mechanic())

    assert result.band == BAND_NONE
    assert result.score == 0


def test_a_record_with_only_its_history_changed_is_still_the_same_person() -> None:
    moved = replace(mechanic(), addresses=[Address("9 Elm Rd", "Tulsa", "OK", "74101"), *mechanic().addresses])

    assert match(mechanic(), moved).band == BAND_STRONG
