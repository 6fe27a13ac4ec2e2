"""compare(a, b) -> MatchResult: per-field comparison levels, Fellegi-Sunter weights, one score and a band.

Each field falls into one level (weights.py gives each level's weight and its m and u). The score is the sum, with
one dependency the independence assumption gets wrong, handled explicitly: **household evidence**. Surname, address,
phone and employer are shared by the people who live or work together, so they agree for a spouse, a roommate, a
father and son or twins as readily as for the same person. They count only while nothing personal contradicts the
match: when the given names are present and unrelated, the birth dates disagree, or a Jr. meets a Sr., their
agreement is discounted (reported, not counted). This keeps the household look-alikes apart without weakening the
evasions, which change exactly those household fields (new phone, new address).

Name-only agreement is never a match: a band above `none` needs at least one non-name identifier that agreed and
was counted (date of birth exactly or by a slip, SSN or its last four, phone, email, licence, address, employer).

Everything here works on keyed tokens: the two encodings must come from the same key for anything to agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from tabwise.matching import weights as w
from tabwise.matching.features import AddressFeatures, NameFeatures, PersonFeatures, WordFeatures
from tabwise.matching.frequencies import UNKNOWN_GIVEN_SHARE, UNKNOWN_SURNAME_SHARE, Frequencies, share_bits

BAND_STRONG = "strong"
BAND_POSSIBLE = "possible"
BAND_NONE = "none"
KINDS = ("name", "date_of_birth", "ssn", "phone", "email", "licence", "address", "employer")

_UNKNOWN_GIVEN_BITS = share_bits(UNKNOWN_GIVEN_SHARE)
_UNKNOWN_SURNAME_BITS = share_bits(UNKNOWN_SURNAME_SHARE)
_LOG_M_GIVEN_EXACT = math.log2(w.M_GIVEN_EXACT)
_LOG_M_GIVEN_NICKNAME = math.log2(w.M_GIVEN_NICKNAME)
_LOG_M_GIVEN_CROSS = math.log2(w.M_GIVEN_CROSS)
_LOG_M_MIDDLE_AGREE = math.log2(w.M_MIDDLE_AGREE)
_LOG_M_SURNAME_EXACT = math.log2(w.M_SURNAME_EXACT)
_LOG_M_SURNAME_PART = math.log2(w.M_SURNAME_PART)
_LOG_M_SURNAME_MIDDLE = math.log2(w.M_SURNAME_MIDDLE)


@dataclass(frozen=True)
class MatchResult:
    """The outcome of comparing two encodings. `agreed` and `disagreed` map evidence kinds (KINDS) to the weight
    they added or took away; `discounted` names household evidence that agreed but was not counted; `levels`
    gives each field's comparison level. Nothing in it comes from either record's data."""

    score: float
    band: str
    agreed: dict[str, float] = field(default_factory=dict)
    disagreed: dict[str, float] = field(default_factory=dict)
    discounted: tuple[str, ...] = ()
    levels: dict[str, str] = field(default_factory=dict)

    @property
    def is_match(self) -> bool:
        return self.band != BAND_NONE

    @property
    def reasons(self) -> list[str]:
        """Each compared field's level in words ("first name: a nickname of the other"), for a review queue."""
        fields, levels = _field_labels(), _level_labels()
        return [
            gettext("%(field)s: %(level)s") % {"field": fields[field], "level": levels[level]}
            for field, level in self.levels.items()
            if level != "missing"
        ]

    @property
    def explanation(self) -> str:
        """One or two sentences for the person who confirms or rejects the match."""
        labels = _kind_labels()
        band = {
            BAND_STRONG: gettext("Strong match"),
            BAND_POSSIBLE: gettext("Possible match"),
            BAND_NONE: gettext("No match"),
        }[self.band]
        parts = [gettext("%(band)s (score %(score).1f).") % {"band": band, "score": self.score}]
        if self.agreed:
            kinds = ", ".join(labels[kind] for kind in _by_weight(self.agreed))
            parts.append(gettext("Agreed: %(kinds)s.") % {"kinds": kinds})
        if self.disagreed:
            kinds = ", ".join(labels[kind] for kind in _by_weight(self.disagreed))
            parts.append(gettext("Against: %(kinds)s.") % {"kinds": kinds})
        if self.discounted:
            kinds = ", ".join(labels[kind] for kind in self.discounted)
            parts.append(
                ngettext(
                    "Not counted, because households share it and the person's own details differ: %(kinds)s.",
                    "Not counted, because households share them and the person's own details differ: %(kinds)s.",
                    len(self.discounted),
                )
                % {"kinds": kinds}
            )
        if self.band == BAND_NONE and self.agreed and not _has_identifier_kind(self.agreed):
            parts.append(gettext("Only the name agreed, which is never enough."))
        return " ".join(parts)


def _level_labels() -> dict[str, str]:
    return {
        "exact": gettext("the same"),
        "nickname": gettext("a nickname of the other"),
        "middle name": gettext("the other's middle name"),
        "middle name as surname": gettext("the other's middle name"),
        "one of two surnames": gettext("one of the other's two surnames"),
        "typo": gettext("one letter apart"),
        "transposed": gettext("digits transposed"),
        "partial": gettext("one digit apart"),
        "last four": gettext("the same last four digits"),
        "same building": gettext("the same building"),
        "similar": gettext("a similar street in the same town"),
        "same town": gettext("the same town"),
        "number only": gettext("the same number in another state"),
        "different": gettext("different"),
        "far apart": gettext("more than ten years apart"),
        "last four different": gettext("different last four digits"),
        "conflict": gettext("Jr. and Sr."),
    }


def _field_labels() -> dict[str, str]:
    return {
        "given_name": gettext("first name"),
        "surname": gettext("surname"),
        "suffix": gettext("suffix"),
        "date_of_birth": gettext("date of birth"),
        "ssn": gettext("SSN"),
        "phone": gettext("phone"),
        "email": gettext("email"),
        "licence": gettext("driver's licence"),
        "address": gettext("address"),
        "employer": gettext("employer"),
    }


def _kind_labels() -> dict[str, str]:
    fields = _field_labels()
    kinds = ("date_of_birth", "ssn", "phone", "email", "licence", "address", "employer")
    return {"name": gettext("name"), **{kind: fields[kind] for kind in kinds}}


def _by_weight(weights: dict[str, float]) -> list[str]:
    return sorted(weights, key=lambda kind: -abs(weights[kind]))


def _has_identifier_kind(agreed: dict[str, float]) -> bool:
    return any(kind != "name" for kind in agreed)


# --- names ----------------------------------------------------------------------------------------------------


def _dice(x: int, y: int) -> float:
    total = x.bit_count() + y.bit_count()
    return 2 * (x & y).bit_count() / total if total else 0.0


def _looks_alike(a: WordFeatures, b: WordFeatures) -> bool:
    """One slip apart: same first letter (or the first two swapped), and one letter substituted, dropped, added or
    swapped with its neighbour (deletion tokens), or very similar bigrams (Bloom filter Dice), or the same sound and
    similar bigrams. "Maria" and "Martha" are two slips apart; "Jason" and "Mason" differ in the first letter."""
    if a.initial != b.initial and a.head != b.head:
        return False
    if a.token in b.deletions or b.token in a.deletions or any(token in b.deletions for token in a.deletions):
        return True
    dice = _dice(a.bloom, b.bloom)
    if dice >= w.DICE_TYPO:
        return True
    return dice >= w.DICE_PHONETIC and any(code in b.phonetic for code in a.phonetic)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class _Bits:
    """Census bits of a word, overridden by a frequency table keyed by token."""

    def __init__(self, frequencies: Frequencies | None) -> None:
        self.frequencies = frequencies

    def given(self, word: WordFeatures) -> int:
        if self.frequencies is not None and (found := self.frequencies.given_bits(word.token)) is not None:
            return found
        return word.given_bits or _UNKNOWN_GIVEN_BITS

    def surname(self, word: WordFeatures) -> int:
        if self.frequencies is not None and (found := self.frequencies.surname_bits(word.token)) is not None:
            return found
        return word.surname_bits or _UNKNOWN_SURNAME_BITS


def _given_pair(a: WordFeatures, b: WordFeatures, bits: _Bits) -> tuple[float, str] | None:
    if a.token == b.token:
        return _clamp(_LOG_M_GIVEN_EXACT + bits.given(a), w.GIVEN_FLOOR, w.GIVEN_CAP), "exact"
    if _related(a, b):
        common = min(bits.given(a), bits.given(b))
        return _clamp(_LOG_M_GIVEN_NICKNAME + common, 1.0, w.GIVEN_CAP), "nickname"
    if a.sex and b.sex and a.sex != b.sex:
        return None
    if _looks_alike(a, b):
        return w.GIVEN_FUZZY, "typo"
    return None


def _cross_pair(a: WordFeatures, b: WordFeatures, bits: _Bits) -> float | None:
    if _related(a, b):
        return _clamp(_LOG_M_GIVEN_CROSS + min(bits.given(a), bits.given(b)), 1.0, w.GIVEN_CAP)
    return None


# Ties between levels of equal weight go to the more specific level, so that compare(a, b) == compare(b, a).
_PRIORITY = {
    "exact": 6,
    "nickname": 5,
    "one of two surnames": 4,
    "middle name": 3,
    "middle name as surname": 3,
    "typo": 2,
}


def _best(candidates: list[tuple[float, str]]) -> tuple[float, str] | None:
    return max(candidates, key=lambda found: (found[0], _PRIORITY[found[1]])) if candidates else None


def _related(a: WordFeatures, b: WordFeatures) -> bool:
    """The same name, or one a nickname of the other, or both nicknames of one formal name."""
    return (
        a.token == b.token or a.token in b.formal or b.token in a.formal or any(token in b.group for token in a.group)
    )


def _middle(a: tuple[NameFeatures, ...], b: tuple[NameFeatures, ...], bits: _Bits) -> float:
    """Middle names on both sides: the weight of the best agreement, or of disagreement; 0 when one has none."""
    best: float | None = None
    for name_a in a:
        for name_b in b:
            for x in name_a.middle:
                for y in name_b.middle:
                    if _related(x, y):
                        weight = _clamp(_LOG_M_MIDDLE_AGREE + min(bits.given(x), bits.given(y)), 1.0, w.MIDDLE_CAP)
                        best = weight if best is None else max(best, weight)
    if best is not None:
        return best
    has_a = any(name.middle for name in a)
    has_b = any(name.middle for name in b)
    return w.MIDDLE_DISAGREE if has_a and has_b else 0.0


def _given(a: tuple[NameFeatures, ...], b: tuple[NameFeatures, ...], bits: _Bits) -> tuple[float, str]:
    """The first names' level (exact, nickname, going by the middle name, typo, different), with the middle
    names' agreement or disagreement added. Agreeing middle names alone do not make the first names agree."""
    candidates: list[tuple[float, str]] = []
    for name_a in a:
        for name_b in b:
            for word_a in name_a.given:
                for word_b in name_b.given:
                    found = _given_pair(word_a, word_b, bits)
                    if found is not None:
                        candidates.append(found)
            for first, middle in ((name_a.given, name_b.middle), (name_b.given, name_a.middle)):
                for word_first in first:
                    for word_middle in middle:
                        cross = _cross_pair(word_first, word_middle, bits)
                        if cross is not None:
                            candidates.append((cross, "middle name"))
    best = _best(candidates)
    if best is not None:
        middles = _middle(a, b, bits) if best[1] != "middle name" else 0.0
        return best[0] + middles, best[1]
    has_a = any(name.given for name in a)
    has_b = any(name.given for name in b)
    if has_a and has_b:
        return w.GIVEN_DISAGREE + _middle(a, b, bits), "different"
    return _middle(a, b, bits), "missing"


def _surname(a: tuple[NameFeatures, ...], b: tuple[NameFeatures, ...], bits: _Bits) -> tuple[float, str]:
    candidates: list[tuple[float, str]] = []
    for name_a in a:
        for name_b in b:
            parts_a = {word.token: word for word in name_a.surname}
            parts_b = {word.token: word for word in name_b.surname}
            if parts_a and parts_b:
                same_whole = bool(name_a.surname_whole) and name_a.surname_whole == name_b.surname_whole
                if same_whole or parts_a.keys() == parts_b.keys():
                    total = min(  # symmetric: "de la Cruz" against "Delacruz" is the same either way round
                        sum(bits.surname(word) for word in parts_a.values()),
                        sum(bits.surname(word) for word in parts_b.values()),
                    )
                    exact = _clamp(_LOG_M_SURNAME_EXACT + total, w.SURNAME_FLOOR, w.SURNAME_CAP)
                    candidates.append((exact, "exact"))
                    continue
                for shared in parts_a.keys() & parts_b.keys():
                    weight = _clamp(_LOG_M_SURNAME_PART + bits.surname(parts_a[shared]), 1.0, w.SURNAME_CAP)
                    candidates.append((weight, "one of two surnames"))
                if any(x.token != y.token and _looks_alike(x, y) for x in parts_a.values() for y in parts_b.values()):
                    candidates.append((w.SURNAME_FUZZY, "typo"))
            for surname, middle in ((name_a.surname, name_b.middle), (name_b.surname, name_a.middle)):
                for part in surname:
                    if any(part.token == word.token for word in middle):
                        weight = _clamp(_LOG_M_SURNAME_MIDDLE + bits.surname(part), 1.0, w.SURNAME_MIDDLE_CAP)
                        candidates.append((weight, "middle name as surname"))
    best = _best(candidates)
    if best is not None:
        return best
    has_a = any(name.surname for name in a)
    has_b = any(name.surname for name in b)
    return (w.SURNAME_DISAGREE, "different") if has_a and has_b else (0.0, "missing")


def _suffix_conflict(a: tuple[NameFeatures, ...], b: tuple[NameFeatures, ...]) -> bool:
    suffixes_a = {name.suffix for name in a if name.suffix}
    suffixes_b = {name.suffix for name in b if name.suffix}
    return bool(suffixes_a and suffixes_b and suffixes_a.isdisjoint(suffixes_b))


# --- the other fields -----------------------------------------------------------------------------------------


def _dob(a: PersonFeatures, b: PersonFeatures) -> tuple[float, str]:
    if not a.dob or not b.dob:
        return 0.0, "missing"
    if a.dob == b.dob:
        return w.DOB_EXACT, "exact"
    if a.dob in b.dob_variants or b.dob in a.dob_variants:
        return w.DOB_VARIANT, "transposed"
    if not set(a.dob_era) & set(b.dob_era):
        return w.DOB_FAR, "far apart"
    if any(x == y for x, y in zip(a.dob_parts, b.dob_parts, strict=True)):
        return w.DOB_PARTIAL, "partial"
    return w.DOB_DISAGREE, "different"


def _ssn(a: PersonFeatures, b: PersonFeatures) -> tuple[float, str]:
    if a.ssn and b.ssn:
        if a.ssn == b.ssn:
            return w.SSN_EXACT, "exact"
        if a.ssn in b.ssn_variants:
            return w.SSN_VARIANT, "transposed"
        return w.SSN_DISAGREE, "different"
    if a.ssn_last4 and b.ssn_last4:
        if a.ssn_last4 == b.ssn_last4:
            return w.SSN_LAST4, "last four"
        return w.SSN_LAST4_DISAGREE, "last four different"
    return 0.0, "missing"


def _shared(x: tuple[int, ...], y: tuple[int, ...]) -> bool:
    return any(token in y for token in x)


def _address_pair(a: AddressFeatures, b: AddressFeatures) -> tuple[float, str]:
    if _shared(a.keys, b.keys):
        if a.unit and b.unit and a.unit != b.unit:
            return w.ADDRESS_BUILDING, "same building"
        return w.ADDRESS_AGREE, "exact"
    if _shared(a.locality, b.locality):
        if _dice(a.bloom, b.bloom) >= w.DICE_STREET:
            return w.ADDRESS_SIMILAR, "similar"
        return w.ADDRESS_LOCALITY, "same town"
    return 0.0, "different"


def _address(a: PersonFeatures, b: PersonFeatures) -> tuple[float, str]:
    if not a.addresses or not b.addresses:
        return 0.0, "missing"
    return max((_address_pair(x, y) for x in a.addresses for y in b.addresses), key=lambda found: found[0])


def _licence(a: PersonFeatures, b: PersonFeatures) -> tuple[float, str]:
    if _shared(a.licences, b.licences):
        return w.LICENCE_AGREE, "exact"
    if _shared(a.licence_numbers, b.licence_numbers):
        return w.LICENCE_NUMBER_ONLY, "number only"
    return 0.0, "different" if a.licences and b.licences else "missing"


def _simple(x: tuple[int, ...], y: tuple[int, ...], weight: float) -> tuple[float, str]:
    if _shared(x, y):
        return weight, "exact"
    return 0.0, "different" if x and y else "missing"


# Levels that make a field an identifier agreeing (the rule: name-only agreement is never a match).
_IDENTIFYING = {
    "date_of_birth": ("exact", "transposed"),
    "ssn": ("exact", "transposed", "last four"),
    "phone": ("exact",),
    "email": ("exact",),
    "licence": ("exact",),
    "address": ("exact", "similar"),
    "employer": ("exact",),
}
_HOUSEHOLD = ("address", "phone", "employer")


def compare(a: PersonFeatures, b: PersonFeatures, *, frequencies: Frequencies | None = None) -> MatchResult:
    """Compare two encodings made under one key. Symmetric: compare(a, b) and compare(b, a) give one result."""
    bits = _Bits(frequencies)
    given, given_level = _given(a.names, b.names, bits)
    surname, surname_level = _surname(a.names, b.names, bits)
    suffix = 0.0
    if given_level in ("exact", "nickname") and surname_level == "exact" and _suffix_conflict(a.names, b.names):
        suffix = w.SUFFIX_CONFLICT
    fields = {
        "date_of_birth": _dob(a, b),
        "ssn": _ssn(a, b),
        "phone": _simple(a.phones, b.phones, w.PHONE_AGREE),
        "email": _simple(a.emails, b.emails, w.EMAIL_AGREE),
        "licence": _licence(a, b),
        "address": _address(a, b),
        "employer": _simple(a.employers, b.employers, w.EMPLOYER_AGREE),
    }
    levels = {"given_name": given_level, "surname": surname_level} | {
        kind: level for kind, (_, level) in fields.items()
    }
    if suffix:
        levels["suffix"] = "conflict"

    # Household evidence counts only while the person's own details do not contradict the match.
    contradicted = given_level == "different" or fields["date_of_birth"][1] in ("different", "far apart") or suffix < 0
    discounted: list[str] = []
    if contradicted:
        if surname > 0:
            surname = 0.0
            discounted.append("name")
        for kind in _HOUSEHOLD:
            if fields[kind][0] > 0:
                fields[kind] = (0.0, fields[kind][1])
                discounted.append(kind)

    weights = {"name": given + surname + suffix} | {kind: weight for kind, (weight, _) in fields.items()}
    score = round(math.fsum(weights[kind] for kind in KINDS), 6)
    identified = any(weights[kind] > 0 and fields[kind][1] in accepted for kind, accepted in _IDENTIFYING.items())
    if not identified or score < w.POSSIBLE_THRESHOLD:
        band = BAND_NONE
    elif score >= w.STRONG_THRESHOLD:
        band = BAND_STRONG
    else:
        band = BAND_POSSIBLE
    return MatchResult(
        score=score,
        band=band,
        agreed={kind: round(weight, 2) for kind, weight in weights.items() if weight > 0},
        disagreed={kind: round(weight, 2) for kind, weight in weights.items() if weight < 0},
        discounted=tuple(discounted),
        levels=levels,
    )
