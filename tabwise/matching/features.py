"""PersonFeatures: everything the comparison needs, as keyed tokens and keyed Bloom filters, never plaintext.

A token is the first 64 bits of an HMAC-SHA256 under a key derived from the caller's secret, held as an int; 0
means absent. A Bloom filter (a cryptographic long-term key, CLK) is a 512-bit int. Both are written in base 16
with the sixteen consonants "bcdfghjklmnpqrst" as digits (`to_text`), not 0-9a-f: the serialised form then holds no
decimal digit and no vowel, so neither a phone number, an SSN, a licence number nor a name (not even "Ada" or "Abe",
which hex digits spell by chance, nor "101101001", which a sparse Bloom filter spells in hex) can turn up in it by
chance. `to_json` holds those strings, field names and small integers (a name's census frequency in bits): the
network can store it as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DIGITS = "0123456789abcdef"
_CONSONANTS = "bcdfghjklmnpqrst"
_TO_TEXT = str.maketrans(_DIGITS, _CONSONANTS)
_FROM_TEXT = str.maketrans(_CONSONANTS, _DIGITS)


def to_text(number: int) -> str:
    """`number` in base 16 written with consonants ("" for 0)."""
    return f"{number:x}".translate(_TO_TEXT) if number else ""


def from_text(text: str) -> int:
    return int(text.translate(_FROM_TEXT), 16) if text else 0


FORMAT_VERSION = 1
_WORDS_MAX = 200_000


def _text(token: int) -> str:
    return to_text(token)


def _texts(tokens: tuple[int, ...]) -> list[str]:
    return [_text(token) for token in tokens]


def _int(text: str) -> int:
    return from_text(text)


def _ints(texts: list[str]) -> tuple[int, ...]:
    return tuple(from_text(text) for text in texts)


_WORDS: dict[str, WordFeatures] = {}


@dataclass(frozen=True, slots=True)
class WordFeatures:
    """One word of a name. `group` holds the tokens of the formal names it may stand for, its own included
    (Bill: bill, william); `formal` the tokens of every name that lists it as a nickname (direct links only);
    `phonetic` the token of its metaphone code; `bloom` its bigrams' CLK;
    `initial` a keyed token of its first letter (typing slips rarely hit it; rhyming twins' names differ there) and
    `head` of its first two letters in alphabetical order (the same when those two are swapped);
    `deletions` the tokens of the word with one letter deleted (words of four letters or more), so that two words
    one slip apart (a letter substituted, dropped, added or two swapped) share a token or one's token;
    `given_bits`/`surname_bits` its census frequency as -log2 share (0: not in the census); `sex` a keyed token
    of the sex the census gives the name (0: unclear)."""

    token: int
    group: tuple[int, ...]
    formal: tuple[int, ...]
    phonetic: tuple[int, ...]
    bloom: int
    initial: int
    head: int
    deletions: tuple[int, ...]
    given_bits: int
    surname_bits: int
    sex: int

    def to_dict(self) -> list[Any]:
        return [
            _text(self.token),
            _texts(self.group),
            _texts(self.formal),
            _texts(self.phonetic),
            to_text(self.bloom),
            _text(self.initial),
            _text(self.head),
            _texts(self.deletions),
            self.given_bits,
            self.surname_bits,
            _text(self.sex),
        ]

    @classmethod
    def from_dict(cls, data: list[Any]) -> WordFeatures:
        # One word under one key always encodes the same: decoded words are shared, so a loaded population holds
        # each distinct name once (the cache is bounded; a miss only costs the decoding).
        found = _WORDS.get(data[0])
        if found is not None:
            return found
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        _WORDS[data[0]] = word = cls._decode(data)
        return word

    @classmethod
    def _decode(cls, data: list[Any]) -> WordFeatures:
        token, group, formal, phonetic, bloom, initial, head, deletions, given_bits, surname_bits, sex = data
        return cls(
            token=_int(token),
            group=_ints(group),
            formal=_ints(formal),
            phonetic=_ints(phonetic),
            bloom=from_text(bloom),
            initial=_int(initial),
            head=_int(head),
            deletions=_ints(deletions),
            given_bits=given_bits,
            surname_bits=surname_bits,
            sex=_int(sex),
        )


@dataclass(frozen=True, slots=True)
class NameFeatures:
    """One name of the person's history: first-name words, middle words, surname parts, the whole surname's
    token (particles included, written together) and the suffix's token (Jr., Sr., III)."""

    given: tuple[WordFeatures, ...]
    middle: tuple[WordFeatures, ...]
    surname: tuple[WordFeatures, ...]
    surname_whole: int
    suffix: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "g": [word.to_dict() for word in self.given],
            "m": [word.to_dict() for word in self.middle],
            "s": [word.to_dict() for word in self.surname],
            "w": _text(self.surname_whole),
            "x": _text(self.suffix),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NameFeatures:
        return cls(
            given=tuple(WordFeatures.from_dict(word) for word in data["g"]),
            middle=tuple(WordFeatures.from_dict(word) for word in data["m"]),
            surname=tuple(WordFeatures.from_dict(word) for word in data["s"]),
            surname_whole=_int(data["w"]),
            suffix=_int(data["x"]),
        )


@dataclass(frozen=True, slots=True)
class AddressFeatures:
    """One address: `keys` (street with ZIP, street with city and state), the unit's token, the locality's tokens
    (ZIP, city and state) and the street line's CLK for misspelt streets."""

    keys: tuple[int, ...]
    unit: int
    locality: tuple[int, ...]
    bloom: int

    def to_dict(self) -> list[Any]:
        return [_texts(self.keys), _text(self.unit), _texts(self.locality), to_text(self.bloom)]

    @classmethod
    def from_dict(cls, data: list[Any]) -> AddressFeatures:
        keys, unit, locality, bloom = data
        return cls(_ints(keys), _int(unit), _ints(locality), from_text(bloom))


@dataclass(frozen=True, slots=True)
class PersonFeatures:
    """The encoding of one PersonRecord under one key (`key_id` is a fingerprint of the key, not the key)."""

    key_id: str
    names: tuple[NameFeatures, ...]
    dob: int
    dob_variants: tuple[int, ...]  # transposed digits, day and month swapped
    dob_parts: tuple[int, ...]  # year+month, year+day, month+day with each year digit masked in turn
    dob_era: tuple[int, ...]  # two 20-year windows offset by 10: sharing none means 10+ years apart
    dob_digits: int  # the date's digits sorted: the same for every transposition (a blocking key)
    birth_year: int
    ssn: int
    ssn_variants: tuple[int, ...]
    ssn_digits: int  # the SSN's digits sorted: the same for every transposition (a blocking key)
    ssn_last4: int
    phones: tuple[int, ...]
    emails: tuple[int, ...]
    licences: tuple[int, ...]  # state and number
    licence_numbers: tuple[int, ...]  # number alone
    addresses: tuple[AddressFeatures, ...]
    employers: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "k": self.key_id,
            "n": [name.to_dict() for name in self.names],
            "d": _text(self.dob),
            "dv": _texts(self.dob_variants),
            "dp": _texts(self.dob_parts),
            "de": _texts(self.dob_era),
            "dd": _text(self.dob_digits),
            "by": _text(self.birth_year),
            "s": _text(self.ssn),
            "sv": _texts(self.ssn_variants),
            "sd": _text(self.ssn_digits),
            "s4": _text(self.ssn_last4),
            "p": _texts(self.phones),
            "e": _texts(self.emails),
            "l": _texts(self.licences),
            "ln": _texts(self.licence_numbers),
            "a": [address.to_dict() for address in self.addresses],
            "w": _texts(self.employers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonFeatures:
        if data.get("v") != FORMAT_VERSION:
            raise ValueError(f"PersonFeatures format {data.get('v')!r} is not {FORMAT_VERSION}: re-encode")
        return cls(
            key_id=data["k"],
            names=tuple(NameFeatures.from_dict(name) for name in data["n"]),
            dob=_int(data["d"]),
            dob_variants=_ints(data["dv"]),
            dob_parts=_ints(data["dp"]),
            dob_era=_ints(data["de"]),
            dob_digits=_int(data["dd"]),
            birth_year=_int(data["by"]),
            ssn=_int(data["s"]),
            ssn_variants=_ints(data["sv"]),
            ssn_digits=_int(data["sd"]),
            ssn_last4=_int(data["s4"]),
            phones=_ints(data["p"]),
            emails=_ints(data["e"]),
            licences=_ints(data["l"]),
            licence_numbers=_ints(data["ln"]),
            addresses=tuple(AddressFeatures.from_dict(address) for address in data["a"]),
            employers=_ints(data["w"]),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> PersonFeatures:
        return cls.from_dict(json.loads(text))

    def to_bytes(self) -> bytes:
        return self.to_json().encode("ascii")
