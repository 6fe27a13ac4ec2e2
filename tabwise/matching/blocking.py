"""Blocking: which encoded persons are worth comparing with an applicant, and a small in-memory index.

A pair is compared when the two share at least one blocking key. The keys are built from the encodings' keyed
tokens only. They keep recall by construction: a pair can reach band `possible` only through an identifier that
agreed (compare.py's rule), so every identifier level that counts has a key of its own, combined where needed with
a name part so that the block stays small:

    date of birth, exact                  dob
    date of birth, transposed or swapped  the date's digits sorted (the same under every transposition and the day
                                          and month swap) x each given-name nickname group (first and middle names)
                                          and x each surname part and its sound
    SSN, exact or transposed              ssn; the SSN's digits sorted
    last four                             last four x birth year; last four x each surname part
    phone, email, licence, address        each one (licence also by number alone; address with ZIP or with city)
    employer                              employer x each surname part

A one-digit slip in the date of birth ("partial") is no identifier, so it needs no key: such a pair matches only
through another identifier, which has its own. The mechanic of the issue (first and middle name, another SSN, new
phone and address, another state) keeps his date of birth: the `dob` key, or with a slip in it, the sorted digits
with his first name.

The persistent index is the network app's; `Index` is the same logic in memory for tests, the evaluation and the
benchmark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass

from tabwise.matching.compare import BAND_NONE, BAND_POSSIBLE, BAND_STRONG, MatchResult, compare
from tabwise.matching.features import PersonFeatures, to_text
from tabwise.matching.frequencies import Frequencies

_BAND_RANK = {BAND_NONE: 0, BAND_POSSIBLE: 1, BAND_STRONG: 2}


def _key(tag: str, *tokens: int) -> int:
    digest = hashlib.blake2b(f"{tag}|{'|'.join(map(str, tokens))}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _given_groups(features: PersonFeatures) -> set[int]:
    return {token for name in features.names for word in (*name.given, *name.middle) for token in word.group}


def _surname_parts(features: PersonFeatures) -> set[int]:
    found = set()
    for name in features.names:
        for word in name.surname:
            found.add(word.token)
            found.update(word.phonetic)
    return found


def _block_ints(features: PersonFeatures) -> set[int]:
    keys: set[int] = set()
    groups = _given_groups(features)
    surnames = _surname_parts(features)
    if features.dob:
        keys.add(_key("dob", features.dob))
        keys.update(_key("dd-g", features.dob_digits, group) for group in groups)
        keys.update(_key("dd-s", features.dob_digits, part) for part in surnames)
    if features.ssn:
        keys.add(_key("ssn", features.ssn))
        keys.add(_key("ssn-digits", features.ssn_digits))
    if features.ssn_last4:
        if features.birth_year:
            keys.add(_key("s4-by", features.ssn_last4, features.birth_year))
        keys.update(_key("s4-s", features.ssn_last4, word.token) for name in features.names for word in name.surname)
    keys.update(_key("phone", phone) for phone in features.phones)
    keys.update(_key("email", email) for email in features.emails)
    keys.update(_key("addr", key) for address in features.addresses for key in address.keys)
    keys.update(_key("dl", licence) for licence in features.licences)
    keys.update(_key("dln", number) for number in features.licence_numbers)
    keys.update(
        _key("emp-s", employer, word.token)
        for employer in features.employers
        for name in features.names
        for word in name.surname
    )
    return keys


def blocking_keys(features: PersonFeatures) -> set[str]:
    """The record's blocking keys, written like tokens (features.to_text), derived from keyed tokens only."""
    return {to_text(key) for key in _block_ints(features)}


@dataclass(frozen=True)
class Hit:
    record_id: Hashable
    result: MatchResult


class Index:
    """Encoded persons in memory, blocked for screening. All must be encoded under one key."""

    def __init__(self, *, max_block: int = 5_000) -> None:
        self.max_block = max_block  # a key shared by more persons than this selects none (it cannot discriminate)
        self.key_id: str | None = None
        self._ids: list[Hashable] = []
        self._features: list[PersonFeatures] = []
        self._blocks: dict[int, int | list[int]] = {}  # a key held by one person maps to its position alone

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, record_id: Hashable, features: PersonFeatures) -> None:
        if self.key_id is None:
            self.key_id = features.key_id
        elif features.key_id != self.key_id:
            raise ValueError("every person in an index must be encoded under the same key")
        position = len(self._ids)
        self._ids.append(record_id)
        self._features.append(features)
        for key in _block_ints(features):
            held = self._blocks.get(key)
            if held is None:
                self._blocks[key] = position
            elif isinstance(held, int):
                self._blocks[key] = [held, position]
            else:
                held.append(position)

    def candidates(self, features: PersonFeatures) -> list[tuple[Hashable, PersonFeatures]]:
        """The indexed persons sharing a blocking key with `features`, each once, in the order they were added."""
        positions: set[int] = set()
        for key in _block_ints(features):
            block = self._blocks.get(key)
            if isinstance(block, int):
                positions.add(block)
            elif block is not None and len(block) <= self.max_block:
                positions.update(block)
        return [(self._ids[position], self._features[position]) for position in sorted(positions)]

    def screen(
        self,
        features: PersonFeatures,
        *,
        frequencies: Frequencies | None = None,
        min_band: str = BAND_POSSIBLE,
    ) -> list[Hit]:
        """The candidates whose comparison reaches `min_band`, best score first."""
        if self.key_id is not None and features.key_id != self.key_id:
            raise ValueError("the applicant is encoded under another key than the index")
        floor = _BAND_RANK[min_band]
        hits = []
        for record_id, candidate in self.candidates(features):
            result = compare(features, candidate, frequencies=frequencies)
            if _BAND_RANK[result.band] >= floor:
                hits.append(Hit(record_id, result))
        hits.sort(key=lambda hit: -hit.result.score)
        return hits
