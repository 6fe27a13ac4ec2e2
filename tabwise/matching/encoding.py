"""encode(record, key) -> PersonFeatures: normalise every field, then keep only keyed tokens and keyed Bloom filters.

Two sub-keys are derived from the caller's secret (HMAC-SHA256 of a purpose label): one for tokens, one for the
Bloom filters' bigram hashing. Every token is HMAC(token key, domain + value), 64 bits, so the same value gives
the same token only under the same key, and nobody without the key can test a guess. Name words of every slot
(first, middle, surname parts, nickname groups) share one domain, which is what lets the comparison see a middle
name given as a surname. Word-level results are cached per key and word (names repeat).

Key rotation: features cannot be moved from one key to another (HMAC is one-way). Rotating means encoding every
record again from plaintext under the new key; the network keeps no plaintext, so each business re-encodes its own
listed customers from its tenant (see docs/decisions/0009-person-matching-engine.md).
"""

from __future__ import annotations

import hmac
from datetime import date
from functools import lru_cache

import jellyfish

from tabwise.matching import frequencies, hypocorisms
from tabwise.matching import normalise as norm
from tabwise.matching.features import AddressFeatures, NameFeatures, PersonFeatures, WordFeatures, to_text
from tabwise.matching.records import PersonRecord

BLOOM_BITS = 512  # m: bits per filter
BLOOM_HASHES = 8  # k: positions set per bigram
MIN_KEY_BYTES = 16
MIN_DELETION_LENGTH = 4  # shorter words get no one-letter-deleted tokens: "Al" and "Ali" are not one slip apart
_LABEL = b"tabwise.matching/v1/"


@lru_cache(maxsize=64)
def _subkey(key: bytes, purpose: bytes) -> bytes:
    return hmac.digest(key, _LABEL + purpose, "sha256")


def _check(key: bytes) -> bytes:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the matching key must be at least {MIN_KEY_BYTES} bytes")
    return key


def key_id(key: bytes) -> str:
    """A fingerprint of the key (32 bits, written like a token) that tells encodings under different keys apart."""
    return to_text(int.from_bytes(_subkey(_check(key), b"key-id")[:4], "big") or 1)


def token(key: bytes, domain: str, value: str) -> int:
    """The keyed 64-bit token of `value` in `domain` (never 0: 0 means absent)."""
    digest = hmac.digest(_subkey(key, b"token"), f"{domain}\x1f{value}".encode(), "sha256")
    return int.from_bytes(digest[:8], "big") or 1


def word_token(key: bytes, word: str) -> int:
    """The token of a normalised name word, whichever slot it is in."""
    return token(key, "w", word)


def bloom(key: bytes, field: str, text: str) -> int:
    """The CLK of `text`: each padded bigram sets BLOOM_HASHES bits chosen by double hashing of its keyed HMAC."""
    clk_key = _subkey(key, b"bloom")
    bits = 0
    padded = f"_{text}_"
    for index in range(len(padded) - 1):
        digest = hmac.digest(clk_key, f"{field}\x1f{padded[index : index + 2]}".encode(), "sha256")
        first, step = int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:8], "big") | 1
        for hash_index in range(BLOOM_HASHES):
            bits |= 1 << ((first + hash_index * step) % BLOOM_BITS)
    return bits


@lru_cache(maxsize=200_000)
def _word(key: bytes, word: str) -> WordFeatures:
    codes = {f"m:{jellyfish.metaphone(word)}"} - {"m:"}
    sex = frequencies.sex_of(word)
    return WordFeatures(
        token=word_token(key, word),
        group=tuple(sorted(word_token(key, name) for name in hypocorisms.canonical_names(word))),
        formal=tuple(sorted(word_token(key, name) for name in hypocorisms.direct_formals(word))),
        phonetic=tuple(sorted(token(key, "ph", code) for code in codes)),
        bloom=bloom(key, "name", word),
        initial=token(key, "initial", word[0]),
        head=token(key, "head", "".join(sorted(word[:2]))),
        deletions=tuple(sorted({word_token(key, word[:i] + word[i + 1 :]) for i in range(len(word))}))
        if len(word) >= MIN_DELETION_LENGTH
        else (),
        given_bits=frequencies.given_bits(word),
        surname_bits=frequencies.surname_bits(word),
        sex=token(key, "sex", sex) if sex else 0,
    )


def _names(record: PersonRecord, key: bytes) -> tuple[NameFeatures, ...]:
    found: dict[norm.NormalName, NameFeatures] = {}
    for name in record.parsed_names():
        normal = norm.normalise_name(name)
        if normal is None or normal in found:
            continue
        found[normal] = NameFeatures(
            given=tuple(_word(key, word) for word in normal.given),
            middle=tuple(_word(key, word) for word in normal.middle),
            surname=tuple(_word(key, word) for word in normal.surname),
            surname_whole=word_token(key, normal.surname_whole) if normal.surname_whole else 0,
            suffix=token(key, "sfx", normal.suffix) if normal.suffix else 0,
        )
    return tuple(found.values())


def _dob_fields(dob: date | None, key: bytes) -> dict[str, object]:
    if dob is None:
        return {"dob": 0, "dob_variants": (), "dob_parts": (), "dob_era": (), "dob_digits": 0, "birth_year": 0}
    year, month, day = dob.year, dob.month, dob.day
    return {
        "dob": token(key, "dob", dob.isoformat()),
        "dob_variants": tuple(sorted(token(key, "dob", variant.isoformat()) for variant in norm.dob_variants(dob))),
        "dob_parts": (
            token(key, "dob-ym", f"{year}-{month}"),
            token(key, "dob-yd", f"{year}-{day}"),
            # month and day with one digit of the year masked: a one-digit slip in the year, not any year
            *(
                token(key, f"dob-md{index}", f"{month}-{day}-{str(year)[:index]}?{str(year)[index + 1 :]}")
                for index in range(4)
            ),
        ),
        "dob_era": (token(key, "era", str(year // 20)), token(key, "era10", str((year + 10) // 20))),
        "dob_digits": token(key, "dob-digits", "".join(sorted(dob.strftime("%Y%m%d")))),
        "birth_year": token(key, "year", str(year)),
    }


def _addresses(record: PersonRecord, key: bytes) -> tuple[AddressFeatures, ...]:
    found: dict[norm.NormalAddress, AddressFeatures] = {}
    for address in record.addresses:
        normal = norm.normalise_address(address)
        if normal is None or normal in found:
            continue
        locality = []
        if normal.zip5:
            locality.append(token(key, "zip", normal.zip5))
        if normal.city and normal.state:
            locality.append(token(key, "city", f"{normal.city}|{normal.state}"))
        found[normal] = AddressFeatures(
            keys=tuple(token(key, "addr", spelling) for spelling in normal.keys),
            unit=token(key, "unit", normal.unit) if normal.unit else 0,
            locality=tuple(locality),
            bloom=bloom(key, "street", normal.street),
        )
    return tuple(found.values())


def _tokens(key: bytes, domain: str, values: object) -> tuple[int, ...]:
    return tuple(sorted({token(key, domain, value) for value in values if value}))  # type: ignore[attr-defined]


def encode(record: PersonRecord, key: bytes) -> PersonFeatures:
    """Encode `record` under `key` (bytes, 16 or more). The result holds no plaintext (see features.py)."""
    key = _check(key)
    full_ssn, last4 = norm.normalise_ssn(record.ssn)
    licences = [norm.normalise_licence(licence) for licence in record.licences]
    known_licences = [licence for licence in licences if licence is not None]
    return PersonFeatures(
        key_id=key_id(key),
        names=_names(record, key),
        ssn=token(key, "ssn", full_ssn) if full_ssn else 0,
        ssn_variants=_tokens(key, "ssn", norm.ssn_variants(full_ssn) if full_ssn else ()),
        ssn_digits=token(key, "ssn-digits", "".join(sorted(full_ssn))) if full_ssn else 0,
        ssn_last4=token(key, "ssn4", last4) if last4 else 0,
        phones=_tokens(key, "phone", [norm.normalise_phone(phone) for phone in record.phones]),
        emails=_tokens(key, "email", [norm.normalise_email(email) for email in record.emails]),
        licences=_tokens(key, "dl", [f"{state}:{number}" for state, number in known_licences]),
        licence_numbers=_tokens(key, "dl-number", [number for _state, number in known_licences]),
        addresses=_addresses(record, key),
        employers=_tokens(key, "employer", [norm.normalise_employer(employer) for employer in record.employers]),
        **_dob_fields(norm.normalise_dob(record.date_of_birth), key),  # type: ignore[arg-type]
    )
