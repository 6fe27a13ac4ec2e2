"""Vehicle identification numbers: checked and decoded offline with vininfo (no network, no NHTSA call).

A VIN is 17 letters and digits without I, O or Q (they read as 1 and 0). North American VINs (first character 1-5)
carry a check digit in position 9 and their model year in position 10; position 7 tells the two 30-year cycles of
the year code apart (a digit: 1980-2009; a letter: 2010-2039). Elsewhere the check digit is optional and the year
code may be ambiguous or absent, so `years` may hold several candidates, or none.

`decode` returns what the VIN says (manufacturer, make, country, region, model years) or raises DomainError naming
`field` with a message a clerk can act on. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from vininfo import Vin
from vininfo.common import UnsupportedBrand
from vininfo.exceptions import ValidationError as VininfoError

from tabwise.core.errors import DomainError

LENGTH = 17
NORTH_AMERICA = "12345"  # the first character of a VIN assigned in the US, Canada or Mexico
ALLOWED = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
SEPARATORS = re.compile(r"[\s\-.]+")
# Words vininfo's manufacturer names carry that are not part of the make people say ("Chevrolet USA" -> Chevrolet).
NOT_MAKE = {"usa", "truck", "trucks", "car", "cars", "canada", "mexico", "inc", "inc.", "corp", "corp.", "motors"}
KEEP_MOTORS = {"general motors"}


@dataclass(frozen=True)
class DecodedVin:
    """What a valid VIN says. `years` holds the possible model years, newest first (one for North America)."""

    vin: str
    manufacturer: str
    make: str
    country: str
    region: str
    years: tuple[int, ...]
    check_digit: bool  # True where the check digit was verified (North America); False where it does not apply

    @property
    def year(self) -> int | None:
        """The model year when the VIN names exactly one."""
        return self.years[0] if len(self.years) == 1 else None

    @property
    def is_north_american(self) -> bool:
        return self.vin[0] in NORTH_AMERICA


def normalise(raw: str) -> str:
    """The VIN as stored: capitals, without the spaces, dashes and dots people type into it."""
    return SEPARATORS.sub("", raw or "").upper()


def _check_shape(vin: str, field: str) -> None:
    if len(vin) != LENGTH:
        raise DomainError(
            _("A VIN has 17 characters; this one has %(count)d.") % {"count": len(vin)}, field=field, code="vin_length"
        )
    forbidden = sorted({char for char in vin if char in "IOQ"})
    if forbidden:
        raise DomainError(
            _("A VIN never contains the letters I, O or Q (they read as 1 and 0); found: %(letters)s.")
            % {"letters": ", ".join(forbidden)},
            field=field,
            code="vin_letters",
        )
    if not ALLOWED.match(vin):
        raise DomainError(_("A VIN has only letters and digits."), field=field, code="vin_characters")


def check_digit(vin: str) -> str:
    """The check digit (position 9) that the other 16 characters call for: "0"-"9" or "X" (SAE J853)."""
    values = {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    }
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    remainder = sum(values[char] * weight for char, weight in zip(vin, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def _vininfo(vin: str) -> Vin:
    try:
        return Vin(vin)
    except VininfoError as error:  # pragma: no cover (the shape was checked first)
        raise DomainError(str(error), field="vin", code="vin_invalid") from error


def _make(manufacturer: str) -> str:
    """The make people say, from vininfo's manufacturer name: "Chevrolet USA" -> "Chevrolet"."""
    name = re.sub(r"\(.*?\)", "", manufacturer).strip()
    if name.lower() in KEEP_MOTORS:
        return name
    words = name.split()
    while len(words) > 1 and words[-1].lower() in NOT_MAKE:
        words.pop()
    return " ".join(words)[:40]


def _years(vin: str, info: Vin) -> tuple[int, ...]:
    candidates = sorted(info.years, reverse=True)
    if vin[0] in NORTH_AMERICA and candidates:
        # Position 7: a letter for 2010-2039, a digit for 1980-2009 (49 CFR 565.15).
        newer = not vin[6].isdigit()
        candidates = [year for year in candidates if (year >= 2010) == newer] or candidates[:1]
    return tuple(candidates)


def decode(raw: str, *, field: str = "vin") -> DecodedVin:
    """Check and decode a VIN. Raises DomainError(field=`field`) for a wrong length, I/O/Q, other characters, a
    North American VIN whose check digit does not match, or one with no valid model-year character."""
    vin = normalise(raw)
    _check_shape(vin, field)
    north_american = vin[0] in NORTH_AMERICA
    if north_american and vin[8] != check_digit(vin):
        raise DomainError(
            _("This VIN's check digit (the 9th character) does not match: check it was typed correctly."),
            field=field,
            code="vin_check_digit",
        )
    info = _vininfo(vin)
    years = _years(vin, info)
    if north_american and not years:
        raise DomainError(
            _("The 10th character of a VIN is its model year and cannot be %(char)s.") % {"char": vin[9]},
            field=field,
            code="vin_year",
        )
    assembler = info.assembler
    manufacturer = "" if isinstance(assembler, UnsupportedBrand) else str(info.manufacturer or "")
    return DecodedVin(
        vin=vin,
        manufacturer=manufacturer[:100],
        make=_make(manufacturer),
        country=str(info.country or "")[:60],
        region=str(info.region or ""),
        years=years,
        check_digit=north_american,
    )
