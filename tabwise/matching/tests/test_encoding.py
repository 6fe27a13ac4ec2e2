from __future__ import annotations

import json

import pytest

from tabwise.matching import Frequencies, PersonFeatures, PersonName, PersonRecord, compare, encode, key_id
from tabwise.matching.tests.people import KEY, OTHER_KEY, mechanic


def test_features_round_trip_through_json() -> None:
    features = encode(mechanic(), KEY)

    text = features.to_json()

    assert PersonFeatures.from_json(text) == features
    assert PersonFeatures.from_json(features.to_bytes()) == features
    assert json.loads(text)["k"] == key_id(KEY)


def test_an_old_format_is_refused() -> None:
    data = encode(mechanic(), KEY).to_dict()
    data["v"] = 0

    with pytest.raises(ValueError, match="re-encode"):
        PersonFeatures.from_dict(data)


def test_the_same_record_typed_differently_encodes_the_same() -> None:
    typed = PersonRecord(
        names=["SMITH, JOHN MICHAEL"],
        date_of_birth="03/12/1985",
        ssn="123456789",
        licences=mechanic().licences,
        phones=["512.555.0123"],
        emails=["John.Smith85+tools@GMAIL.com"],
        addresses=mechanic().addresses,
        employers=["MAIN STREET AUTO INC"],
    )

    assert encode(typed, KEY) == encode(mechanic(), KEY)


def test_the_key_changes_every_token() -> None:
    one, other = encode(mechanic(), KEY), encode(mechanic(), OTHER_KEY)

    assert one.key_id != other.key_id
    assert one.dob != other.dob
    assert one.names[0].given[0].token != other.names[0].given[0].token
    assert set(one.phones).isdisjoint(other.phones)
    assert one.names[0].given[0].bloom != other.names[0].given[0].bloom


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        encode(mechanic(), b"short")


def test_rotation_is_re_encoding_from_plaintext() -> None:
    listed, applicant = mechanic(), mechanic(names=[PersonName("John", "", "Michael")], ssn="987-65-4321")

    before = compare(encode(listed, KEY), encode(applicant, KEY))
    after = compare(encode(listed, OTHER_KEY), encode(applicant, OTHER_KEY))
    mixed = compare(encode(listed, KEY), encode(applicant, OTHER_KEY))

    assert before == after
    assert before.is_match and not mixed.is_match


def test_a_census_frequency_table_keyed_by_token_round_trips_without_plaintext() -> None:
    table = Frequencies.from_census(KEY)

    text = table.to_json()

    assert Frequencies.from_json(text) == table
    assert len(table.surname) > 80_000
    assert "smith" not in text.lower() and "garcia" not in text.lower()


def test_population_frequencies_count_each_person_once() -> None:
    people = [encode(mechanic(), KEY)] * 6 + [encode(PersonRecord(names=["Ana Ruiz"]), KEY)]

    table = Frequencies.from_population(people, min_count=5)
    smith = people[0].names[0].surname[0].token

    assert table.surname == {smith: 6 / 7}
