"""Reading what a clerk types into a customer's parts: names (nameparser), phones (phonenumbers), addresses
(usaddress, checked against zipcodes), driver's licence numbers (each state's shape) and SSNs/ITINs.

Every function returns the normalised value or raises DomainError naming the field at fault (the caller prefixes
it: `phones.0.number`). Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
import usaddress
import zipcodes
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from nameparser import HumanName

from tabwise.core.errors import DomainError

if TYPE_CHECKING:
    from tabwise.tenants.models import Business

# --- names ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedName:
    title: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""


NAME_LIMITS = {"title": 20, "first_name": 100, "middle_name": 100, "last_name": 100, "suffix": 20}


def parse_name(full_name: str, *, field: str = "full_name") -> ParsedName:
    """Split a name typed as one string ("Dr. Juan Carlos de la Cruz Jr.", "Smith, John A. III") into its parts."""
    text = " ".join(full_name.split())
    if not text:
        raise DomainError(_("Enter the name."), field=field)
    human = HumanName(text)
    parsed = ParsedName(
        title=human.title,
        first_name=human.first,
        middle_name=human.middle,
        last_name=human.last,
        suffix=human.suffix,
    )
    if not parsed.last_name and parsed.first_name and not parsed.middle_name:
        # One word is a surname at a counter ("Gonzalez"), not a first name.
        parsed = ParsedName(title=parsed.title, last_name=parsed.first_name, suffix=parsed.suffix)
    for name, limit in NAME_LIMITS.items():
        if len(getattr(parsed, name)) > limit:
            raise DomainError(_("That name is too long."), field=field)
    return parsed


def fold(text: str) -> str:
    """Upper-case ASCII: accents dropped ("José" -> "JOSE"), for comparing and searching names."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


# --- phones and emails ------------------------------------------------------------------------------------------


def default_region(business: Business | None) -> str:
    """The region a phone typed without a country code is read in: the business's own number's country, else US."""
    if business is not None and business.phone:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(business.phone, None))
        except phonenumbers.NumberParseException:
            region = None
        if region and region != "ZZ":
            return region
    return "US"


def normalise_phone(raw: str, *, region: str, field: str = "number") -> str:
    """A phone number in any usual format ("(312) 555-0199", "312.555.0199", "+1 312 555 0199") as E.164."""
    text = raw.strip()
    if not text:
        raise DomainError(_("Enter the phone number."), field=field)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise DomainError(_("That is not a phone number."), field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(_("That phone number does not exist: check the area code and the digits."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """An E.164 number as people write it in its own country ("(312) 555-0199"); unparsable input unchanged."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalise_email(raw: str, *, field: str = "address") -> str:
    text = raw.strip()
    if not text:
        raise DomainError(_("Enter the email address."), field=field)
    try:
        validate_email(text)
    except ValidationError:
        raise DomainError(_("That is not an email address."), field=field) from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


# --- addresses --------------------------------------------------------------------------------------------------

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_STATE_BY_NAME = {name.upper(): code for code, name in STATES.items()}

# USPS Publication 28: the standard abbreviations of street suffixes, directions and unit designators.
STREET_TYPES = {
    "ALLEY": "ALY", "AVENUE": "AVE", "AV": "AVE", "BOULEVARD": "BLVD", "BEND": "BND", "BYPASS": "BYP",
    "CIRCLE": "CIR", "COURT": "CT", "COVE": "CV", "CREEK": "CRK", "CROSSING": "XING", "DRIVE": "DR",
    "EXPRESSWAY": "EXPY", "FREEWAY": "FWY", "GROVE": "GRV", "HEIGHTS": "HTS", "HIGHWAY": "HWY", "HILL": "HL",
    "HOLLOW": "HOLW", "JUNCTION": "JCT", "LANE": "LN", "LOOP": "LOOP", "MANOR": "MNR", "MEADOWS": "MDWS",
    "PARKWAY": "PKWY", "PASS": "PASS", "PATH": "PATH", "PIKE": "PIKE", "PLACE": "PL", "PLAZA": "PLZ",
    "POINT": "PT", "RIDGE": "RDG", "ROAD": "RD", "ROUTE": "RTE", "RUN": "RUN", "SQUARE": "SQ", "STREET": "ST",
    "STR": "ST", "TERRACE": "TER", "TRAIL": "TRL", "TRACE": "TRCE", "TURNPIKE": "TPKE", "VIEW": "VW",
    "VILLAGE": "VLG", "WAY": "WAY",
}  # fmt: skip
DIRECTIONS = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE", "NORTHWEST": "NW",
    "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}  # fmt: skip
UNIT_TYPES = {
    "APARTMENT": "APT", "BUILDING": "BLDG", "FLOOR": "FL", "SUITE": "STE", "ROOM": "RM", "TRAILER": "TRLR",
    "DEPARTMENT": "DEPT", "SPACE": "SPC", "LOT": "LOT", "UNIT": "UNIT", "#": "#",
}  # fmt: skip
_STREET_LABELS = (
    "AddressNumberPrefix",
    "AddressNumber",
    "AddressNumberSuffix",
    "StreetNamePreModifier",
    "StreetNamePreDirectional",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
    "StreetNamePostModifier",
    "USPSBoxType",
    "USPSBoxID",
    "USPSBoxGroupType",
    "USPSBoxGroupID",
    "BuildingName",
    "LandmarkName",
    "CornerOf",
    "IntersectionSeparator",
    "SecondStreetName",
    "SecondStreetNamePostType",
)
_UNIT_LABELS = ("OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier")


@dataclass(frozen=True)
class ParsedAddress:
    street: str
    line2: str
    city: str
    state: str
    zip_code: str
    house_number: str
    street_name: str
    unit: str


def _word(text: str, table: dict[str, str]) -> str:
    key = text.upper().strip(".,")
    return table.get(key, key)


def _tag(text: str, field: str) -> dict[str, str]:
    try:
        tagged, _kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        raise DomainError(
            _("That address cannot be read: write the street, city, state and ZIP."), field=field
        ) from None
    return {label: value.strip(" ,") for label, value in tagged.items()}


def _normalised_street(parts: dict[str, str]) -> tuple[str, str, str]:
    """(house number, street name, unit) the USPS way, from usaddress's labels."""
    house = " ".join(
        parts[label].upper()
        for label in ("AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix")
        if label in parts
    )
    words = []
    for label in _STREET_LABELS[3:]:
        if label not in parts:
            continue
        value = parts[label]
        if label in ("StreetNamePreDirectional", "StreetNamePostDirectional"):
            words.append(_word(value, DIRECTIONS))
        elif label in ("StreetNamePostType", "StreetNamePreType", "SecondStreetNamePostType"):
            words.append(_word(value, STREET_TYPES))
        elif label == "USPSBoxType":
            words.append("PO BOX")
        else:
            words.append(fold(value))
    unit_words = []
    for label in _UNIT_LABELS:
        if label in parts:
            value = parts[label]
            unit_words.append(_word(value, UNIT_TYPES) if label.endswith("Type") else fold(value).lstrip("#"))
    return house, " ".join(" ".join(words).split()), " ".join(unit_words)


def normalised_street(street: str) -> tuple[str, str, str]:
    """(house number, street name, unit) of a street line, written the USPS way: "12 North Main Street Apt 4" ->
    ("12", "N MAIN ST", "APT 4")."""
    return _normalised_street(_tag(street, "street"))


def parse_state(raw: str, *, field: str = "state") -> str:
    text = raw.strip().upper().rstrip(".")
    if not text:
        raise DomainError(_("Enter the state."), field=field)
    code = text if text in STATES else _STATE_BY_NAME.get(text)
    if code is None:
        raise DomainError(_("That is not a US state: use its two letters (IL, TX)."), field=field)
    return code


def check_zip(raw: str, state: str, *, field: str = "zip_code") -> tuple[str, str]:
    """(ZIP as entered, normalised to 12345 or 12345-6789; the ZIP's city). A ZIP that does not exist, or is in
    another state, is an error on `field`."""
    text = re.sub(r"\s", "", raw)
    match = re.fullmatch(r"(\d{5})(?:-?(\d{4}))?", text)
    if match is None:
        raise DomainError(_("Enter the 5-digit ZIP code (or ZIP+4)."), field=field)
    zip5, plus4 = match.groups()
    found = zipcodes.matching(zip5)
    if not found:
        raise DomainError(_("ZIP code %(zip)s does not exist.") % {"zip": zip5}, field=field, code="zip_unknown")
    zip_state = found[0]["state"]
    if state and zip_state != state:
        message = _("ZIP code %(zip)s is in %(zip_state)s, not %(state)s.")
        raise DomainError(
            message % {"zip": zip5, "zip_state": zip_state, "state": state}, field=field, code="zip_not_in_state"
        )
    return (f"{zip5}-{plus4}" if plus4 else zip5), str(found[0]["city"])


def parse_address(
    *, line: str = "", street: str = "", line2: str = "", city: str = "", state: str = "", zip_code: str = ""
) -> ParsedAddress:
    """An address typed as one line ("12 N Main St Apt 4, Springfield, IL 62701") or in parts.

    The street is parsed into normalised parts; the ZIP must exist and lie in the state; a blank city is the ZIP's.
    Errors name `line` for a one-line address, else the part at fault.
    """
    one_line = bool(line.strip()) and not street.strip()
    if one_line:
        parts = _tag(line, "line")
        street = " ".join(parts[label] for label in _STREET_LABELS if label in parts)
        line2 = line2 or " ".join(parts[label] for label in _UNIT_LABELS if label in parts)
        city = city or parts.get("PlaceName", "")
        state = state or parts.get("StateName", "")
        zip_code = zip_code or parts.get("ZipCode", "")
        if not street:
            raise DomainError(_("Write the street and number first, then the city, state and ZIP."), field="line")
    street, line2 = " ".join(street.split()), " ".join(line2.split())
    if not street:
        raise DomainError(_("Enter the street."), field="street")
    state_code = parse_state(state, field="line" if one_line and not state.strip() else "state")
    if not zip_code.strip():
        raise DomainError(_("Enter the ZIP code."), field="line" if one_line else "zip_code")
    zip_text, zip_city = check_zip(zip_code, state_code, field="zip_code")
    city = " ".join(city.split()) or zip_city.title()
    house, street_name, unit = normalised_street(f"{street} {line2}".strip())
    for name, value, limit in (("street", street, 200), ("line2", line2, 200), ("city", city, 100)):
        if len(value) > limit:
            raise DomainError(_("That is too long."), field=name)
    return ParsedAddress(street, line2, city, state_code, zip_text, house[:20], street_name[:200], unit[:60])


# --- driver's licences and tax ids -------------------------------------------------------------------------------

# The shapes of driver's licence numbers by issuing state (letters L, digits D), after AAMVA's published formats.
LICENCE_FORMATS = {
    "AL": r"\d{1,8}", "AK": r"\d{1,7}", "AZ": r"[A-Z]\d{8}|[A-Z]{2}\d{2,5}|\d{9}", "AR": r"\d{4,9}",
    "CA": r"[A-Z]\d{7}", "CO": r"\d{9}|[A-Z]\d{3,6}|[A-Z]{2}\d{2,5}", "CT": r"\d{9}", "DE": r"\d{1,7}",
    "DC": r"\d{7}|\d{9}", "FL": r"[A-Z]\d{12}", "GA": r"\d{7,9}", "HI": r"[A-Z]\d{8}|\d{9}",
    "ID": r"[A-Z]{2}\d{6}[A-Z]|\d{9}", "IL": r"[A-Z]\d{11,12}", "IN": r"[A-Z]\d{9}|\d{9,10}",
    "IA": r"\d{9}|\d{3}[A-Z]{2}\d{4}", "KS": r"[A-Z]\d[A-Z]\d[A-Z]|[A-Z]\d{8}|\d{9}", "KY": r"[A-Z]\d{8,9}|\d{9}",
    "LA": r"\d{1,9}", "ME": r"\d{7,8}|\d{7}[A-Z]", "MD": r"[A-Z]\d{12}", "MA": r"[A-Z]\d{8}|\d{9}",
    "MI": r"[A-Z]\d{10}|[A-Z]\d{12}", "MN": r"[A-Z]\d{12}", "MS": r"\d{9}",
    "MO": r"[A-Z]\d{5,9}|[A-Z]\d{6}R|\d{8}[A-Z]{2}|\d{9}[A-Z]|\d{9}", "MT": r"[A-Z]\d{8}|\d{9}|\d{13,14}",
    "NE": r"[A-Z]\d{6,8}", "NV": r"\d{9,10}|\d{12}|X\d{8}", "NH": r"\d{2}[A-Z]{3}\d{5}", "NJ": r"[A-Z]\d{14}",
    "NM": r"\d{8,9}", "NY": r"[A-Z]\d{7}|[A-Z]\d{18}|\d{8,9}|\d{16}|[A-Z]{8}", "NC": r"\d{1,12}",
    "ND": r"[A-Z]{3}\d{6}|\d{9}", "OH": r"[A-Z]\d{4,8}|[A-Z]{2}\d{3,7}|\d{8}", "OK": r"[A-Z]\d{9}|\d{9}",
    "OR": r"\d{1,9}|[A-Z]\d{6}", "PA": r"\d{8}", "RI": r"\d{7}|[A-Z]\d{6}", "SC": r"\d{5,11}",
    "SD": r"\d{6,10}|\d{12}", "TN": r"\d{7,9}", "TX": r"\d{7,8}", "UT": r"\d{4,10}", "VT": r"\d{8}|\d{7}A",
    "VA": r"[A-Z]\d{8,11}|\d{9}", "WA": r"[A-Z*]{7}[A-Z0-9*]{5}|WDL[A-Z0-9]{9}",
    "WV": r"\d{7}|[A-Z]{1,2}\d{5,6}", "WI": r"[A-Z]\d{13}", "WY": r"\d{9,10}",
}  # fmt: skip
OTHER_LICENCE = r"[A-Z0-9]{4,20}"  # territories


def normalise_licence(raw: str, state: str, *, field: str = "number") -> str:
    """A licence or state ID number, upper case without spaces or dashes, in the shape its state issues."""
    number = re.sub(r"[\s-]", "", raw).upper()
    if not number:
        raise DomainError(_("Enter the license number."), field=field)
    if not re.fullmatch(LICENCE_FORMATS.get(state, OTHER_LICENCE), number):
        message = _("That is not the shape of a %(state)s license number.")
        raise DomainError(message % {"state": STATES.get(state, state)}, field=field, code="licence_shape")
    return number


# Numbers that were never issued to anyone but appear on forms (the Woolworth wallet card, advertising samples).
NEVER_ISSUED = {"078051120", "219099999", "123456789"}


def parse_tax_id(raw: str, *, field: str = "ssn") -> tuple[str, str]:
    """(kind "ssn" or "itin", the nine digits) of an SSN or ITIN typed with or without dashes.

    An SSN's area is never 000, 666 or 9xx, its group never 00 and its serial never 0000; an ITIN starts with 9
    and its middle digits are 50-65, 70-88, 90-92 or 94-99. The message never repeats the number.
    """
    digits = re.sub(r"[\s.-]", "", raw)
    if not re.fullmatch(r"\d{9}", digits):
        raise DomainError(_("Enter the nine digits of the SSN or ITIN."), field=field)
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area.startswith("9"):
        middle = int(group)
        if 50 <= middle <= 65 or 70 <= middle <= 88 or 90 <= middle <= 92 or 94 <= middle <= 99:
            return "itin", digits
        raise DomainError(_("That is not a valid ITIN."), field=field)
    if area in ("000", "666") or group == "00" or serial == "0000" or digits in NEVER_ISSUED:
        raise DomainError(_("That is not a valid Social Security number."), field=field)
    return "ssn", digits
