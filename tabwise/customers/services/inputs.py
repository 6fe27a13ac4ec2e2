"""What the services take: a customer's contact points and identity as typed, before they are checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tabwise.customers.models import Customer, EarlierName, IdentityDocument, Phone


@dataclass(frozen=True)
class PhoneIn:
    """A phone in any usual format; read in the business's country unless it has a +country code."""

    number: str
    type: str = Phone.Type.MOBILE
    is_primary: bool = False
    sms_consent: bool = False
    sms_consent_source: str = ""


@dataclass(frozen=True)
class EmailIn:
    address: str
    is_primary: bool = False


@dataclass(frozen=True)
class AddressIn:
    """An address in parts, or as one `line` ("12 Oak St Apt 2, Springfield, IL 62701") with the parts blank."""

    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    line2: str = ""
    line: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class EmployerIn:
    name: str
    phone: str = ""
    address: str = ""
    position: str = ""


@dataclass(frozen=True)
class EarlierNameIn:
    """A name the customer was known by; `full_name` is split into the parts when they are blank."""

    kind: str = EarlierName.Kind.PREVIOUS
    full_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    company_name: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = ""


@dataclass(frozen=True)
class LicenceIn:
    number: str
    state: str
    kind: str = IdentityDocument.Kind.DRIVERS_LICENCE
    expires_on: date | None = None


@dataclass(frozen=True)
class CustomerIn:
    """A new customer with its first contact points, for `create_customers` (an import). `phone` is E.164."""

    number: str
    kind: str = Customer.Kind.PERSON
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    company_name: str = ""
    is_ar: bool = True
    credit_limit: Decimal = Decimal("0")
    phone: str = ""
    email: str = ""
    address: AddressIn | None = None
