"""Normalisation of every identifying field before it is encoded: one spelling per value.

Names: accents folded, lower case, titles dropped, suffixes (Jr., Sr., III) recognised, hyphenated and double
surnames split into parts (particles such as "de la" kept in the whole surname but not as parts), single-letter
initials dropped. Phones: E.164 through phonenumbers (US by default). Emails: lower case, "+tag" dropped, Gmail's
dots dropped. Addresses: usaddress tags, then number, direction, street name, street type (Street -> st,
Avenue -> ave...) and unit ("Apt 4", "#4", "Unit 4" -> "4"). SSN: digits, full or last four. Dates of birth: a date
or the common US and ISO ways of writing one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

import phonenumbers
import usaddress

from tabwise.matching.records import Address, DriverLicence, PersonName

TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sra", "srta", "don", "dona", "prof", "rev"})
SUFFIXES = {
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}
# Joined into the whole surname but never a part of it on their own ("de la Cruz" has the one part "cruz").
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "da", "das", "do", "dos", "di", "van", "von", "der", "den"}
)

_NON_NAME = re.compile(r"[^a-z\s-]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, accents removed: "José Núñez" -> "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower().strip()


def name_words(text: str) -> list[str]:
    """The words of a name, folded; apostrophes join ("O'Brien" -> "obrien"), hyphens split."""
    cleaned = _NON_NAME.sub(" ", fold(text).replace("'", "").replace("\u2019", "").replace(".", " "))
    return [word for word in _SPACES.split(cleaned.replace("-", " ")) if word]


@dataclass(frozen=True)
class NormalName:
    """A name in normal form. `surname` holds the parts ("garcia", "lopez"); `surname_whole` the whole surname
    with its particles, written together ("delacruz")."""

    given: tuple[str, ...]
    middle: tuple[str, ...]
    surname: tuple[str, ...]
    surname_whole: str
    suffix: str


def normalise_name(name: PersonName) -> NormalName | None:
    first = [word for word in name_words(name.first) if word not in TITLES]
    middle = name_words(name.middle)
    last = name_words(name.last)
    suffix = SUFFIXES.get("".join(name_words(name.suffix)), "")
    while last and last[-1] in SUFFIXES:  # "Smith Jr" typed into the last-name field
        suffix = suffix or SUFFIXES[last.pop()]
    while middle and middle[-1] in SUFFIXES and not last:
        suffix = suffix or SUFFIXES[middle.pop()]
    given = tuple(word for word in first if len(word) > 1)
    middles = tuple(word for word in middle if len(word) > 1)
    parts = tuple(word for word in last if word not in PARTICLES and len(word) > 1)
    whole = "".join(last)
    if not given and not middles and not parts:
        return None
    return NormalName(given=given, middle=middles, surname=parts, surname_whole=whole, suffix=suffix)


# --- phones, emails, SSN --------------------------------------------------------------------------------------


def normalise_phone(raw: str, region: str = "US") -> str | None:
    """E.164 ("+15125550123"), extension dropped; None when it cannot be a phone number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    number.extension = None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str | None:
    email = fold(raw).replace(" ", "")
    if email.count("@") != 1:
        return None
    local, domain = email.split("@")
    if not local or "." not in domain:
        return None
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def normalise_ssn(raw: str) -> tuple[str | None, str | None]:
    """(full nine digits or None, last four or None). A value of four digits is taken as the last four."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 9 and digits != "000000000":
        return digits, digits[-4:]
    if len(digits) == 4:
        return None, digits
    return None, None


def ssn_variants(ssn: str) -> set[str]:
    """Typing slips of a full SSN: two neighbouring digits swapped."""
    found = set()
    for index in range(len(ssn) - 1):
        swapped = ssn[:index] + ssn[index + 1] + ssn[index] + ssn[index + 2 :]
        if swapped != ssn:
            found.add(swapped)
    return found


# --- dates of birth -------------------------------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%m/%d/%y",
    "%m-%d-%y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
)
EARLIEST_BIRTH_YEAR = 1900


def normalise_dob(value: date | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value if value.year >= EARLIEST_BIRTH_YEAR else None
    text = value.strip()
    if not text:
        return None
    this_year = datetime.now(UTC).year
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()  # a calendar day, not an instant
        except ValueError:
            continue
        if "%y" in fmt and parsed.year > this_year:  # two-digit years: never in the future
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed if EARLIEST_BIRTH_YEAR <= parsed.year <= this_year else None
    return None


def _as_date(digits: str) -> date | None:
    try:
        parsed = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return parsed if EARLIEST_BIRTH_YEAR <= parsed.year <= datetime.now(UTC).year else None


# Digit positions in YYYYMMDD whose swap is a plausible slip: any two in the year, in the month, in the day, and
# neighbours across the boundaries.
_SWAPS = (
    *((i, j) for i in range(4) for j in range(i + 1, 4)),
    (4, 5),
    (6, 7),
    (3, 4),
    (5, 6),
)


def dob_variants(dob: date) -> set[date]:
    """The dates a slip could turn `dob` into: transposed digits, and day and month swapped."""
    digits = dob.strftime("%Y%m%d")
    found = set()
    for i, j in _SWAPS:
        chars = list(digits)
        chars[i], chars[j] = chars[j], chars[i]
        candidate = _as_date("".join(chars))
        if candidate is not None:
            found.add(candidate)
    swapped = _as_date(f"{digits[:4]}{digits[6:]}{digits[4:6]}")
    if swapped is not None:
        found.add(swapped)
    found.discard(dob)
    return found


# --- addresses ------------------------------------------------------------------------------------------------

STREET_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "avn": "ave",
    "boulevard": "blvd",
    "blv": "blvd",
    "road": "rd",
    "drive": "dr",
    "drv": "dr",
    "lane": "ln",
    "court": "ct",
    "crt": "ct",
    "place": "pl",
    "circle": "cir",
    "highway": "hwy",
    "parkway": "pkwy",
    "pky": "pkwy",
    "terrace": "ter",
    "trail": "trl",
    "square": "sq",
    "expressway": "expy",
    "freeway": "fwy",
    "plaza": "plz",
    "point": "pt",
    "route": "rte",
    "mount": "mt",
    "fort": "ft",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
}
_UNIT_WORDS = frozenset({"apt", "apartment", "unit", "ste", "suite", "no", "num", "number", "rm", "room", "bldg", "fl"})
_ADDRESS_CHARS = re.compile(r"[^a-z0-9\s#]")

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}  # fmt: skip


def normalise_state(raw: str) -> str:
    text = fold(raw).replace(".", "").strip()
    if len(text) == 2:
        return text.upper()
    return US_STATES.get(text, text.upper())


@dataclass(frozen=True)
class NormalAddress:
    """`street` is "number direction name type direction" ("123 n main st"); `unit` the apartment or suite;
    `zip5` and `city`/`state` where known. `keys` are the spellings two records must share to be the same
    address (street with ZIP, street with city and state)."""

    street: str
    unit: str
    zip5: str
    city: str
    state: str

    @property
    def keys(self) -> tuple[str, ...]:
        found = []
        if self.zip5:
            found.append(f"{self.street}|z{self.zip5}")
        if self.city and self.state:
            found.append(f"{self.street}|c{self.city}|{self.state}")
        return tuple(found)


def _words(text: str) -> list[str]:
    return [STREET_WORDS.get(word, word) for word in _ADDRESS_CHARS.sub(" ", fold(text).replace(".", "")).split()]


def _unit(text: str) -> str:
    words = [word for word in _ADDRESS_CHARS.sub(" ", fold(text).replace("#", " ")).split() if word not in _UNIT_WORDS]
    return "".join(words).lstrip("0")


def _street_from_tags(line: str) -> tuple[str, str] | None:
    try:
        tags, kind = usaddress.tag(line)
    except usaddress.RepeatedLabelError:
        return None
    if kind == "PO Box":
        box = "".join(_words(tags.get("USPSBoxID", "")))
        return (f"po box {box}", "") if box else None
    number = "".join(_words(tags.get("AddressNumber", "")))
    if not number:
        return None
    parts = [
        number,
        *_words(tags.get("StreetNamePreDirectional", "")),
        *_words(tags.get("StreetNamePreType", "")),
        *_words(tags.get("StreetName", "")),
        *_words(tags.get("StreetNamePostType", "")),
        *_words(tags.get("StreetNamePostDirectional", "")),
    ]
    unit = _unit(" ".join(tags.get(label, "") for label in ("OccupancyIdentifier", "SubaddressIdentifier")))
    return " ".join(parts), unit


def _street_fallback(line: str) -> tuple[str, str]:
    words = _words(line.replace("#", " # "))
    for index, word in enumerate(words):
        if word in _UNIT_WORDS or word == "#":
            return " ".join(words[:index]), _unit(" ".join(words[index + 1 :]))
    return " ".join(words), ""


def normalise_address(address: Address) -> NormalAddress | None:
    line = " ".join(part for part in (address.street, address.line2) if part and part.strip())
    if not line.strip():
        return None
    street, unit = _street_from_tags(line) or _street_fallback(line)
    if not street:
        return None
    zip_digits = re.sub(r"\D", "", address.zip or "")
    return NormalAddress(
        street=street,
        unit=unit,
        zip5=zip_digits[:5] if len(zip_digits) >= 5 else "",
        city=" ".join(_words(address.city)),
        state=normalise_state(address.state) if address.state else "",
    )


# --- licences and employers -----------------------------------------------------------------------------------


def normalise_licence(licence: DriverLicence) -> tuple[str, str] | None:
    """(state, number) with the number in upper-case letters and digits only."""
    number = re.sub(r"[^A-Z0-9]", "", fold(licence.number).upper())
    if len(number) < 4:
        return None
    return normalise_state(licence.state) if licence.state else "", number


_COMPANY_WORDS = frozenset({"inc", "llc", "ltd", "co", "corp", "corporation", "company", "incorporated", "the", "lp"})


def normalise_employer(raw: str) -> str | None:
    words = [word for word in re.sub(r"[^a-z0-9\s]", " ", fold(raw).replace("&", " and ")).split()]
    words = [word for word in words if word not in _COMPANY_WORDS]
    return " ".join(words) or None
