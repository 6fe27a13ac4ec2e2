"""Hand-made people for the matching tests: one listed mechanic and the ways he and his household show up again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tabwise.matching import Address, DriverLicence, PersonFeatures, PersonName, PersonRecord, compare, encode
from tabwise.matching.compare import MatchResult

KEY = b"test-key-for-the-matching-engine"
OTHER_KEY = b"another-key-entirely-for-testing"


def mechanic(**changes: object) -> PersonRecord:
    """John Michael Smith, born 12 March 1985, who owes a tool-truck distributor $1,200."""
    record = PersonRecord(
        names=[PersonName("John", "Michael", "Smith")],
        date_of_birth=date(1985, 3, 12),
        ssn="123-45-6789",
        licences=[DriverLicence("D1234567", "TX")],
        phones=["(512) 555-0123"],
        emails=["john.smith85@gmail.com"],
        addresses=[Address("123 N Main St Apt 4", "Austin", "TX", "78701")],
        employers=["Main Street Auto"],
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def stranger(**changes: object) -> PersonRecord:
    """Nobody related to the mechanic."""
    record = PersonRecord(
        names=[PersonName("Walter", "", "Brennan")],
        date_of_birth=date(1962, 8, 30),
        ssn="555-12-3434",
        phones=["(305) 555-0177"],
        addresses=[Address("77 Ocean Dr", "Miami", "FL", "33139")],
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def features(record: PersonRecord, key: bytes = KEY) -> PersonFeatures:
    return encode(record, key)


def match(a: PersonRecord, b: PersonRecord) -> MatchResult:
    return compare(encode(a, KEY), encode(b, KEY))


def only_names(*names: PersonName | str) -> PersonRecord:
    return PersonRecord(names=list(names))
