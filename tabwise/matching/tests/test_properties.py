"""Properties over generated people: compare is symmetric (and always explains itself), keys never meet, encodings
hold no plaintext."""

from __future__ import annotations

import string
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tabwise.matching import BAND_NONE, Address, DriverLicence, PersonName, PersonRecord, compare, encode
from tabwise.matching.normalise import fold
from tabwise.matching.tests.people import KEY, OTHER_KEY

FIRST = ["John", "José", "María", "Bill", "William", "Guadalupe", "Lupe", "Pepe", "Michael", "Chuy", "Jesús", "Ana"]
LAST = ["Smith", "García López", "Garcia-Lopez", "Núñez", "O'Brien", "Smith-Jones", "de la Cruz", "Delacruz", "Zepeda"]

# Tokens are written with the consonants b-t (features.to_text), so a generated "word" made only of those letters
# ("bcd") could turn up by chance; real names carry a vowel or a y, and so do the generated ones.
OUTSIDE = "aeiouvwxyz"
words = st.text(alphabet=string.ascii_letters + "áéíóúñ", min_size=3, max_size=10).filter(
    lambda word: any(char in OUTSIDE for char in fold(word))
)
names = st.builds(
    PersonName,
    first=st.one_of(st.sampled_from(FIRST), words),
    middle=st.one_of(st.just(""), st.sampled_from(FIRST), words),
    last=st.one_of(st.sampled_from(LAST), words),
    suffix=st.sampled_from(["", "Jr.", "Sr.", "III"]),
)
phones = st.builds(lambda area, rest: f"({area}) {rest[:3]}-{rest[3:]}", st.sampled_from(["512", "713", "915"]),
                   st.from_regex(r"[2-9][0-9]{6}", fullmatch=True))  # fmt: skip
ssns = st.from_regex(r"[1-8][0-9]{2}-[0-9]{2}-[0-9]{4}", fullmatch=True)
records = st.builds(
    PersonRecord,
    names=st.lists(names, min_size=1, max_size=3),
    date_of_birth=st.one_of(st.none(), st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31))),
    ssn=st.one_of(st.just(""), ssns, st.from_regex(r"[0-9]{4}", fullmatch=True)),
    licences=st.lists(
        st.builds(DriverLicence, st.from_regex(r"[A-Z][0-9]{7}", fullmatch=True), st.sampled_from(["TX", "OK"])),
        max_size=2,
    ),
    phones=st.lists(phones, max_size=2),
    emails=st.lists(st.builds(lambda local: f"{local}@gmail.com", words), max_size=2),
    addresses=st.lists(
        st.builds(
            lambda number, street: Address(f"{number} {street} St", "Austin", "TX", "78701"),
            st.integers(1, 99999),
            words,
        ),
        max_size=2,
    ),
    employers=st.lists(words, max_size=1),
)


@settings(max_examples=60, deadline=None)
@given(records, records)
def test_compare_is_symmetric(a: PersonRecord, b: PersonRecord) -> None:
    one, other = encode(a, KEY), encode(b, KEY)

    result = compare(one, other)

    assert result == compare(other, one)
    assert result.explanation and len(result.reasons) <= len(result.levels)


@settings(max_examples=60, deadline=None)
@given(records, records)
def test_encodings_under_two_keys_never_match(a: PersonRecord, b: PersonRecord) -> None:
    assert compare(encode(a, KEY), encode(a, OTHER_KEY)).band == BAND_NONE
    assert compare(encode(a, KEY), encode(b, OTHER_KEY)).band == BAND_NONE
    assert compare(encode(a, KEY), encode(a, OTHER_KEY)).agreed == {}


def _secrets(record: PersonRecord) -> set[str]:
    found: set[str] = set()
    for name in record.parsed_names():
        for part in (name.first, name.middle, name.last):
            for word in part.replace("-", " ").replace("'", "").split():
                if len(word) >= 3 and any(char in OUTSIDE for char in fold(word)):
                    found |= {word, fold(word)}
    for phone in record.phones:
        found.add("".join(char for char in phone if char.isdigit()))
    for email in record.emails:
        found |= {email, email.split("@")[0]}
    for address in record.addresses:
        found |= {address.street, address.street.split()[1]}
    if len(record.ssn) > 4:
        found |= {record.ssn, record.ssn.replace("-", "")}
    for licence in record.licences:
        found.add(licence.number)  # a letter and seven digits
    for employer in record.employers:
        found.add(employer)
    return {secret for secret in found if len(secret) >= 3}


@settings(max_examples=80, deadline=None)
@given(records)
def test_serialised_features_contain_no_plaintext(record: PersonRecord) -> None:
    text = encode(record, KEY).to_json().lower()

    for secret in _secrets(record):
        assert secret.lower() not in text, secret
