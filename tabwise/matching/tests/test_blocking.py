from __future__ import annotations

from datetime import date

import pytest

from tabwise.matching import (
    BAND_POSSIBLE,
    Address,
    DriverLicence,
    Index,
    PersonName,
    PersonRecord,
    blocking_keys,
    encode,
)
from tabwise.matching.tests.people import KEY, OTHER_KEY, mechanic, stranger

NEW_EVERYTHING = {
    "ssn": "987-65-4321",
    "phones": ["(918) 555-0199"],
    "emails": [],
    "addresses": [Address("9 Elm Rd", "Tulsa", "OK", "74101")],
    "licences": [DriverLicence("Z7777777", "OK")],
    "employers": [],
}

EVASIONS = {
    "the story": mechanic(names=[PersonName("John", "", "Michael")], **NEW_EVERYTHING),
    "middle name, date slipped": mechanic(
        names=[PersonName("Michael", "", "Smith")], date_of_birth=date(1985, 3, 21), **NEW_EVERYTHING
    ),
    "nickname, day and month swapped": mechanic(
        names=[PersonName("Jack", "", "Smith")], date_of_birth=date(1985, 12, 3), **NEW_EVERYTHING
    ),
    "year digits swapped": mechanic(date_of_birth=date(1958, 3, 12), **NEW_EVERYTHING),
    "one digit of the day, last four": mechanic(date_of_birth=date(1985, 3, 13), **NEW_EVERYTHING | {"ssn": "6789"}),
    "ssn digits swapped": mechanic(names=["Jon Smyth"], date_of_birth=None, **NEW_EVERYTHING | {"ssn": "123-45-6798"}),
    "only the employer": PersonRecord(names=["Johnny Smith"], employers=["Main Street Auto Inc"]),
    "no date, last four": mechanic(date_of_birth=None, ssn="6789", phones=[], addresses=[], emails=[]),
    "only the phone": PersonRecord(names=["J. Smith"], phones=["512-555-0123"]),
    "only the email": PersonRecord(emails=["johnsmith85@gmail.com"]),
    "only the licence": PersonRecord(licences=[DriverLicence("D1234567", "TX")]),
    "only the address": PersonRecord(addresses=[Address("123 North Main Street #4", "Austin", "TX", "78701")]),
}


@pytest.mark.parametrize("name", EVASIONS)
def test_every_evasion_shares_a_blocking_key_with_the_original(name: str) -> None:
    assert blocking_keys(encode(mechanic(), KEY)) & blocking_keys(encode(EVASIONS[name], KEY))


def test_blocking_keys_are_text_without_digits_or_vowels_and_differ_by_key() -> None:
    keys = blocking_keys(encode(mechanic(), KEY))

    assert all(key and set(key) <= set("bcdfghjklmnpqrst") for key in keys)
    assert keys.isdisjoint(blocking_keys(encode(mechanic(), OTHER_KEY)))


def test_a_stranger_shares_no_key() -> None:
    assert not blocking_keys(encode(mechanic(), KEY)) & blocking_keys(encode(stranger(), KEY))


def test_screening_finds_the_story_and_not_the_stranger() -> None:
    index = Index()
    index.add("skip-1", encode(mechanic(), KEY))
    index.add("other", encode(stranger(), KEY))

    hits = index.screen(encode(EVASIONS["the story"], KEY))

    assert [hit.record_id for hit in hits] == ["skip-1"]
    assert hits[0].result.band == BAND_POSSIBLE
    assert index.screen(encode(stranger(ssn="", names=["Nobody Else"], phones=[]), KEY)) == []


def test_candidates_come_once_each_in_insertion_order() -> None:
    index = Index()
    for number in range(3):
        index.add(number, encode(mechanic(), KEY))

    assert [record_id for record_id, _ in index.candidates(encode(mechanic(), KEY))] == [0, 1, 2]
    assert len(index) == 3


def test_an_oversized_block_selects_nobody() -> None:
    index = Index(max_block=2)
    for number in range(3):
        index.add(number, encode(PersonRecord(phones=["512-555-0123"]), KEY))

    assert index.candidates(encode(PersonRecord(phones=["5125550123"]), KEY)) == []


def test_an_index_holds_one_key_only() -> None:
    index = Index()
    index.add(1, encode(mechanic(), KEY))

    with pytest.raises(ValueError, match="same key"):
        index.add(2, encode(mechanic(), OTHER_KEY))
    with pytest.raises(ValueError, match="another key"):
        index.screen(encode(mechanic(), OTHER_KEY))
