from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool, StringConstraints

from tabwise.core.schemas import UNION_TAGS, Amount
from tabwise.customers.models import Customer

# A name part the customer must have: trimmed, not blank.
RequiredName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S")]
OptionalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class CustomerOut(Schema):
    id: int
    number: str
    kind: str
    display_name: str
    first_name: str
    middle_name: str
    last_name: str
    company_name: str
    is_ar: bool
    status: str
    credit_limit: Amount
    created_at: datetime


class _CustomerFields(Schema):
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    first_name: OptionalName = ""
    middle_name: OptionalName = ""
    suffix: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    date_of_birth: date | None = None
    employer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    is_ar: StrictBool = True
    credit_limit: Amount = Decimal("0")


class PersonIn(_CustomerFields):
    """A customer who is a person: the last name is required."""

    kind: Literal["person"]
    last_name: RequiredName


class CompanyIn(_CustomerFields):
    """A customer that is a company: the company name is required; the names are the contact person's."""

    kind: Literal["company"]
    company_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")]
    last_name: OptionalName = ""


CustomerIn = Annotated[PersonIn | CompanyIn, Field(discriminator="kind")]
UNION_TAGS.update({"person", "company"})


# The default of a PATCH field: a field not sent is not changed (and null is refused, not stored).
NOT_SENT: Any = Field(None)


class CustomerPatch(Schema):
    """Only the fields sent are changed; null is not a value."""

    first_name: OptionalName = NOT_SENT
    middle_name: OptionalName = NOT_SENT
    last_name: OptionalName = NOT_SENT
    company_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = NOT_SENT
    employer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = NOT_SENT
    is_ar: StrictBool = NOT_SENT
    status: Customer.Status = NOT_SENT
    credit_limit: Amount = NOT_SENT
