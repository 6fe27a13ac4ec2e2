"""The plain input of the matching engine: one person as a business knows them, identity history included.

No Django here: the customers module, the skip network, an import and `tabwise match` all build a `PersonRecord`
from whatever they hold. Every list may carry earlier values (names used before, old phones and addresses), and the
engine matches against all of them. Values are taken as typed: normalisation happens in `encode`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nameparser import HumanName


@dataclass(frozen=True)
class PersonName:
    """One name the person has used: the current one, a maiden or married name, an alias."""

    first: str = ""
    middle: str = ""
    last: str = ""
    suffix: str = ""

    @classmethod
    def parse(cls, full_name: str) -> PersonName:
        """Split a single full-name string ("Smith Jr., John Michael", "José Luis García") with nameparser."""
        parsed = HumanName(full_name)
        return cls(first=parsed.first, middle=parsed.middle, last=parsed.last, suffix=parsed.suffix)


@dataclass(frozen=True)
class DriverLicence:
    number: str
    state: str = ""


@dataclass(frozen=True)
class Address:
    """A postal address; the unit may be inside `street` ("12 Main St Apt 4") or in `line2`."""

    street: str
    city: str = ""
    state: str = ""
    zip: str = ""
    line2: str = ""


@dataclass
class PersonRecord:
    """Everything known about one person. Any field may be empty.

    `names` holds PersonName values or single full-name strings (parsed with nameparser). `ssn` is the full number
    or only its last four digits, written any way ("123-45-6789", "6789"). `date_of_birth` is a date or a string
    in a common US or ISO form ("03/12/1985", "1985-03-12", "12 Mar 1985").
    """

    names: list[PersonName | str] = field(default_factory=list)
    date_of_birth: date | str | None = None
    ssn: str = ""
    licences: list[DriverLicence] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)

    def parsed_names(self) -> list[PersonName]:
        return [PersonName.parse(name) if isinstance(name, str) else name for name in self.names]
