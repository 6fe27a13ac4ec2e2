"""How common a name is, so that a common name agreeing counts less than a rare one.

The shipped table is the 1990 US census name distributions carried by the `names` package (public domain:
88,799 surnames, 1,219 male and 4,275 female first names, each as a share of the population). It is read once per
process from the installed package, not copied into the repository.

Frequencies reach the comparison two ways, and neither needs plaintext at comparison time:

- `encode` stores, next to each name word's keyed token, its census frequency as whole bits (-log2 of the share),
  so any two encodings can be compared on their own;
- a `Frequencies` table keyed by token overrides those bits: `Frequencies.from_census(key)` is the census table
  hashed under a key (the network makes it with its secret), `Frequencies.from_population(features)` counts the
  tokens of an encoded population (Splink's term frequencies), which also covers names the census lacks.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabwise.matching.features import PersonFeatures

# A name the census does not list is rarer than any it lists (its smallest shares are about 1 in 100,000 for
# surnames and 1 in 200,000 for first names); these shares stand for "unknown".
UNKNOWN_SURNAME_SHARE = 1e-5
UNKNOWN_GIVEN_SHARE = 2e-5
# A name whose census share is this much larger for one sex than the other is taken as that sex's name.
SEX_RATIO = 8.0


@dataclass(frozen=True)
class CensusNames:
    surnames: dict[str, float]
    given: dict[str, float]
    sex: dict[str, str]  # given name -> "m" or "f" where the census is clear


def _read(filename: str) -> dict[str, float]:
    table: dict[str, float] = {}
    try:
        text = resources.files("names").joinpath(filename).read_text(encoding="ascii")
    except (ModuleNotFoundError, FileNotFoundError):  # the `names` package is a dependency; degrade, never fail
        return table
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            table[parts[0].lower()] = float(parts[1]) / 100
    return table


@cache
def census() -> CensusNames:
    male, female = _read("dist.male.first"), _read("dist.female.first")
    given: dict[str, float] = {}
    sex: dict[str, str] = {}
    for name in male.keys() | female.keys():
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        given[name] = (m + f) / 2  # each list is a share of one sex: half the population each
        if m > SEX_RATIO * f:
            sex[name] = "m"
        elif f > SEX_RATIO * m:
            sex[name] = "f"
    return CensusNames(surnames=_read("dist.all.last"), given=given, sex=sex)


def share_bits(share: float | None) -> int:
    """-log2 of a share as whole bits, 1..30; 0 for unknown."""
    if not share or share <= 0:
        return 0
    return max(1, min(30, round(-math.log2(share))))


def given_bits(word: str) -> int:
    return share_bits(census().given.get(word))


def surname_bits(word: str) -> int:
    return share_bits(census().surnames.get(word))


def sex_of(word: str) -> str:
    """The sex the census gives a first name: "m", "f", or "" (unknown or used by both).

    From the census only: a guess from the ending (-o, -a) would call a misspelt "Jhoshua" a woman's name and
    veto the slip."""
    return census().sex.get(word, "")


@dataclass
class Frequencies:
    """Shares of the population by keyed name token, for given names and for surnames."""

    given: dict[int, float] = field(default_factory=dict)
    surname: dict[int, float] = field(default_factory=dict)

    @classmethod
    def from_census(cls, key: bytes) -> Frequencies:
        from tabwise.matching.encoding import word_token

        table = census()
        return cls(
            given={word_token(key, word): share for word, share in table.given.items()},
            surname={word_token(key, word): share for word, share in table.surnames.items()},
        )

    @classmethod
    def from_population(cls, population: Iterable[PersonFeatures], *, min_count: int = 5) -> Frequencies:
        """Observed shares in an encoded population (each person counted once per token); tokens seen fewer than
        `min_count` times are left out so that the embedded census bits decide for them."""
        given: Counter[int] = Counter()
        surname: Counter[int] = Counter()
        people = 0
        for person in population:
            people += 1
            given.update({word.token for name in person.names for word in (*name.given, *name.middle)})
            surname.update({word.token for name in person.names for word in name.surname})
        if not people:
            return cls()
        return cls(
            given={token: count / people for token, count in given.items() if count >= min_count},
            surname={token: count / people for token, count in surname.items() if count >= min_count},
        )

    def to_json(self) -> str:
        """Tokens written like PersonFeatures' (features.to_text), shares as floats: no plaintext (the network
        stores the table next to the encodings)."""
        from tabwise.matching.features import to_text

        return json.dumps(
            {
                "given": {to_text(token): share for token, share in self.given.items()},
                "surname": {to_text(token): share for token, share in self.surname.items()},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Frequencies:
        from tabwise.matching.features import from_text

        data = json.loads(text)
        return cls(
            given={from_text(token): float(share) for token, share in data["given"].items()},
            surname={from_text(token): float(share) for token, share in data["surname"].items()},
        )

    def given_bits(self, token: int) -> int | None:
        share = self.given.get(token)
        return share_bits(share) if share else None

    def surname_bits(self, token: int) -> int | None:
        share = self.surname.get(token)
        return share_bits(share) if share else None
