"""The customers API's schemas. Money is a decimal string ("25.00"); days are YYYY-MM-DD.

An SSN or ITIN is write-only: it is accepted on a create and by `PUT /customers/{id}/ssn`, and what comes back is
only whether one is on file and, for a level allowed to see it (`customers.view_ssn`), its last four digits.

The patterns in the OpenAPI document describe values the API always accepts (for a phone: a US or Canadian number
in E.164 with a real area code); the API also accepts the other usual ways of writing them and says on the field
when a value is not valid (a ZIP code in another state, a licence number not in its state's shape).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from phonenumbers import PhoneMetadata
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from tabwise.core.schemas import UNION_TAGS, Amount
from tabwise.customers.models import (
    Address,
    Customer,
    EarlierName,
    Email,
    Employer,
    IdentityDocument,
    Phone,
)
from tabwise.customers.parsing import STATES

NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"


def _text(max_length: int, *, required: bool = False) -> StringConstraints:
    """Trimmed text without NUL characters (PostgreSQL refuses them); `required`: not blank."""
    return StringConstraints(
        strip_whitespace=True,
        min_length=1 if required else 0,
        max_length=max_length,
        pattern=NOT_BLANK if required else NO_NUL,
    )


Text20 = Annotated[str, _text(20)]
Text40 = Annotated[str, _text(40)]
Text100 = Annotated[str, _text(100)]
Text200 = Annotated[str, _text(200)]
Text300 = Annotated[str, _text(300)]
Text5000 = Annotated[str, _text(5000)]
RequiredText100 = Annotated[str, _text(100, required=True)]
RequiredText200 = Annotated[str, _text(200, required=True)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _with_schema(pattern: str, description: str, example: str) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", "pattern": pattern, "description": description, "examples": [example]}
    return WithJsonSchema(schema)


_US_NUMBER = PhoneMetadata.metadata_for_region("US").fixed_line.national_number_pattern  # type: ignore[union-attr]
PhoneNumber = Annotated[
    str,
    _text(30, required=True),
    _with_schema(
        f"^\\+1(?:{_US_NUMBER})$",
        "A phone number. E.164 is always accepted; so is any usual way of writing a number of the business's "
        "country ((312) 555-0199, 312.555.0199). A number that does not exist is refused on this field.",
        "+13125550199",
    ),
]
EmailAddress = Annotated[
    str,
    _text(254, required=True),
    _with_schema(
        r"^[a-z0-9]{1,20}([._+-][a-z0-9]{1,20}){0,3}@([a-z0-9]{1,20}(-[a-z0-9]{1,20})?\.){1,3}[a-z]{2,10}$",
        "An email address.",
        "maria.lopez@example.com",
    ),
]
StateCode = Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(STATES)}), _text(2, required=True)]
ZipCode = Annotated[
    str,
    _text(10, required=True),
    _with_schema(r"^\d{5}(-\d{4})?$", "A ZIP code (12345 or 12345-6789) that exists, in the address's state.", "62701"),
]
# SSN: area 001-899 except 666, group 01-99, serial 0001-9999; ITIN: 9, then 50-65, 70-88, 90-92 or 94-99.
_SSN = (
    r"(00[1-9]|0[1-9]\d|[1-5]\d\d|6[0-57-9]\d|66[0-57-9]|[78]\d\d)-?(0[1-9]|[1-9]\d)-?"
    r"(000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})"
)
_ITIN = r"9\d\d-?(5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])-?\d{4}"
TaxId = Annotated[
    str,
    _text(11, required=True),
    _with_schema(f"^({_SSN}|{_ITIN})$", "An SSN or ITIN, with or without dashes. Write-only.", "401-23-4567"),
]
BirthDay = Annotated[
    date,
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^(19\d\d|20[01]\d)-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$"}
    ),
]
PastDay = BirthDay  # the first and last day a name was used: in the past
FutureDay = Annotated[date, WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(19|20|21)\d\d-"})]

# Choices, inlined (as named enums they would share component names with other apps' choices).
Kind = Literal["person", "company"]
CustomerStatus = Annotated[Customer.Status, WithJsonSchema({"type": "string", "enum": Customer.Status.values})]
PhoneType = Annotated[Phone.Type, WithJsonSchema({"type": "string", "enum": Phone.Type.values})]
NameKind = Annotated[EarlierName.Kind, WithJsonSchema({"type": "string", "enum": EarlierName.Kind.values})]
LicenceKind = Literal["licence", "state_id"]
Language = Literal["en", "es"]
ContactKind = Literal["phone", "email", "address", "employer"]
Tags = Annotated[list[Annotated[str, _text(40)]], Field(max_length=20)]


# --- contact points and identity, in -------------------------------------------------------------------------------


class PhoneIn(Schema):
    number: PhoneNumber
    type: PhoneType = Phone.Type.MOBILE
    is_primary: StrictBool = False
    sms_consent: StrictBool = Field(False, description="The customer agreed to texts (now).")
    sms_consent_source: Text200 = Field("", description="How they agreed: a signed form, a text, on the phone.")


class EmailIn(Schema):
    address: EmailAddress
    is_primary: StrictBool = False


class AddressIn(Schema):
    """An address in parts: the street, the state and the ZIP; a blank city is the ZIP's."""

    street: RequiredText200
    line2: Text200 = ""
    city: Text100 = ""
    state: StateCode
    zip_code: ZipCode
    is_primary: StrictBool = False


class EmployerIn(Schema):
    name: RequiredText200
    phone: PhoneNumber | Literal[""] = ""
    address: Text300 = ""
    position: Text100 = ""


class EarlierNameIn(Schema):
    kind: NameKind = EarlierName.Kind.PREVIOUS
    first_name: Text100 = ""
    middle_name: Text100 = ""
    last_name: RequiredText100
    suffix: Text20 = ""
    valid_from: PastDay | None = None
    valid_to: PastDay | None = None
    note: Text200 = ""


class LicenceIn(Schema):
    number: Annotated[str, _text(20, required=True), _with_schema(r"^[A-Z0-9]{1,20}$", "As printed.", "A12345678901")]
    state: StateCode
    kind: LicenceKind = "licence"
    expires_on: FutureDay | None = None


class SsnIn(Schema):
    ssn: TaxId


# --- the customer, in -----------------------------------------------------------------------------------------------


class _CustomerFields(Schema):
    number: Text20 = ""
    title: Text20 = ""
    first_name: Text100 = ""
    middle_name: Text100 = ""
    suffix: Text20 = ""
    date_of_birth: BirthDay | None = None
    employer: Text200 = Field("", description="Shorthand for one employer with just a name.")
    is_ar: StrictBool = True
    status: CustomerStatus = Customer.Status.ACTIVE
    credit_limit: Amount = Decimal("0")
    preferred_language: Language = "en"
    assigned_rep_id: Id | None = None
    notes: Text5000 = ""
    tags: Tags = []
    phones: Annotated[list[PhoneIn], Field(max_length=10)] = []
    emails: Annotated[list[EmailIn], Field(max_length=10)] = []
    addresses: Annotated[list[AddressIn], Field(max_length=10)] = []
    employers: Annotated[list[EmployerIn], Field(max_length=10)] = []
    earlier_names: Annotated[list[EarlierNameIn], Field(max_length=10)] = []
    licences: Annotated[list[LicenceIn], Field(max_length=5)] = []
    ssn: TaxId | Literal[""] = Field("", description="Write-only: never returned.")


class PersonIn(_CustomerFields):
    """A customer who is a person: the last name is required."""

    kind: Literal["person"]
    last_name: RequiredText100


class CompanyIn(_CustomerFields):
    """A customer that is a company: the company name is required; the names are the contact person's."""

    kind: Literal["company"]
    company_name: RequiredText200
    last_name: Text100 = ""


CustomerIn = Annotated[PersonIn | CompanyIn, Field(discriminator="kind")]
UNION_TAGS.update({"person", "company"})


# The default of a PATCH field: a field not sent is not changed (and null is refused, not stored).
NOT_SENT: Any = Field(None)


class CustomerPatch(Schema):
    """Only the fields sent are changed; null is not a value (except `assigned_rep_id` and `date_of_birth`, which
    it clears). A changed name is kept as an earlier name of the kind `name_change` says. A last name or company
    name sent is never blank."""

    title: Text20 = NOT_SENT
    first_name: Text100 = NOT_SENT
    middle_name: Text100 = NOT_SENT
    last_name: RequiredText100 = NOT_SENT
    suffix: Text20 = NOT_SENT
    company_name: RequiredText200 = NOT_SENT
    date_of_birth: BirthDay | None = NOT_SENT
    employer: Text200 = NOT_SENT
    is_ar: StrictBool = NOT_SENT
    status: CustomerStatus = NOT_SENT
    credit_limit: Amount = NOT_SENT
    preferred_language: Language = NOT_SENT
    assigned_rep_id: Id | None = NOT_SENT
    notes: Text5000 = NOT_SENT
    tags: Tags = NOT_SENT
    name_change: NameKind = EarlierName.Kind.PREVIOUS


# --- out ------------------------------------------------------------------------------------------------------------


class _Dated(Schema):
    id: int
    valid_from: date | None
    valid_to: date | None
    is_current: bool


class PhoneOut(_Dated):
    number: str
    type: PhoneType
    is_primary: bool
    sms_consent_at: datetime | None
    sms_consent_source: str


class EmailOut(_Dated):
    address: str
    is_primary: bool


class AddressOut(_Dated):
    street: str
    line2: str
    city: str
    state: str
    zip_code: str
    house_number: str
    street_name: str
    unit: str
    is_primary: bool


class EmployerOut(_Dated):
    name: str
    phone: str
    address: str
    position: str


class EarlierNameOut(Schema):
    id: int
    kind: NameKind
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    company_name: str
    valid_from: date | None
    valid_to: date | None
    note: str


class LicenceOut(_Dated):
    kind: str
    number: str
    state: str
    expires_on: date | None


class SsnOut(Schema):
    """Whether an SSN or ITIN is on file; its last four only for levels allowed to see them (each look logged)."""

    on_file: bool
    kind: str | None
    last4: str | None


class CustomerOut(Schema):
    id: int
    number: str
    kind: str
    display_name: str
    title: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    company_name: str
    date_of_birth: date | None
    employer: str
    is_ar: bool
    status: str
    credit_limit: Amount
    preferred_language: str
    assigned_rep_id: int | None
    tags: list[str]
    created_at: datetime

    @staticmethod
    def resolve_tags(customer: Customer) -> list[str]:
        return [link.tag.name for link in customer.tag_links.all()]


class CustomerDetailOut(CustomerOut):
    notes: str
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]
    employers: list[EmployerOut]
    earlier_names: list[EarlierNameOut]
    licences: list[LicenceOut]
    ssn: SsnOut

    @staticmethod
    def resolve_phones(customer: Customer) -> list[Phone]:
        return list(customer.phones.all())

    @staticmethod
    def resolve_emails(customer: Customer) -> list[Email]:
        return list(customer.emails.all())

    @staticmethod
    def resolve_addresses(customer: Customer) -> list[Address]:
        return list(customer.addresses.all())

    @staticmethod
    def resolve_employers(customer: Customer) -> list[Employer]:
        return list(customer.employers.all())

    @staticmethod
    def resolve_earlier_names(customer: Customer) -> list[EarlierName]:
        return list(customer.earlier_names.all())

    @staticmethod
    def resolve_licences(customer: Customer) -> list[IdentityDocument]:
        return [doc for doc in customer.identity_documents.all() if not doc.is_tax_id]

    @staticmethod
    def resolve_ssn(customer: Customer) -> dict[str, object]:
        return getattr(customer, "ssn_view", {"on_file": False, "kind": None, "last4": None})


class SearchHitOut(Schema):
    """A customer the quick search found, and what matched."""

    id: int
    number: str
    display_name: str
    status: str
    primary_phone: str | None
    matched: list[str]


# --- vehicles (tabwise/customers/api.py: the vehicle operations) ---------------------------------------------------

Vin = Annotated[
    str,
    _text(25),
    _with_schema(
        r"^([A-HJ-NPR-Z0-9]{17})?$",
        "A VIN: 17 letters and digits without I, O or Q (dashes and spaces are dropped), or blank. A North American "
        "VIN's check digit is checked; make, model year, manufacturer and country are decoded from it.",
        "1HGCM82633A004352",
    ),
]
# Up to next year's models (the services refuse a year after that); the bound moves on each new year at start-up.
ModelYear = Annotated[int, Field(ge=1900, le=timezone.now().year + 1)]
Mileage = Annotated[int, Field(ge=0, le=9_999_999, description="Odometer, in whole miles.")]
Text12 = Annotated[str, _text(12)]
Text60 = Annotated[str, _text(60)]
InspectionResult = Literal["passed", "failed", "advisory"]


class VehicleIn(Schema):
    """A vehicle. Blank `make` and `year` are filled from the VIN; a `year` the VIN contradicts is refused on `year`.
    `mileage` is a first odometer reading, dated today."""

    vin: Vin = ""
    plate: Text12 = ""
    plate_state: StateCode | Literal[""] = ""
    year: ModelYear | None = None
    make: Text40 = ""
    model: Text60 = ""
    is_fleet: StrictBool = False
    notes: Text5000 = ""
    mileage: Mileage | None = None


class VehiclePatch(Schema):
    """The fields sent change; the mileage changes by readings only (POST .../mileage)."""

    vin: Vin | None = None
    plate: Text12 | None = None
    plate_state: StateCode | Literal[""] | None = None
    year: ModelYear | None = None
    make: Text40 | None = None
    model: Text60 | None = None
    is_fleet: StrictBool | None = None
    notes: Text5000 | None = None


class VehicleOut(Schema):
    id: int
    customer_id: int
    vin: str
    plate: str
    plate_state: str
    year: int | None
    make: str
    model: str
    manufacturer: str = Field(description="Decoded from the VIN.")
    country: str = Field(description="Country of manufacture, decoded from the VIN.")
    mileage: int | None = Field(description="The latest odometer reading.")
    is_fleet: bool
    is_active: bool = Field(description="False: disabled, no longer offered on sales; its history stays.")
    notes: str


class MileageIn(Schema):
    mileage: Mileage
    read_on: PastDay | None = Field(None, description="The day of the reading; today when not sent.")
    note: Text200 = ""
    corrected: StrictBool = Field(
        False, description="A new odometer or a mistake in an earlier reading: it may then be lower than earlier ones."
    )


class MileageOut(Schema):
    id: int
    vehicle_id: int
    read_on: date
    mileage: int
    source: str
    note: str


class InspectionIn(Schema):
    inspected_on: PastDay
    result: InspectionResult
    kind: Text60 = ""
    next_due: FutureDay | None = None
    mileage: Mileage | None = Field(None, description="Also recorded as an odometer reading of the inspection day.")
    corrected: StrictBool = False
    notes: Text5000 = ""


class InspectionOut(Schema):
    id: int
    vehicle_id: int
    inspected_on: date
    kind: str
    result: str
    next_due: date | None
    mileage: int | None
    notes: str
