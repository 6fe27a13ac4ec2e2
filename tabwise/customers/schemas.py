from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from tabwise.customers.models import Customer


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
    credit_limit: Decimal
    created_at: datetime


class CustomerIn(Schema):
    kind: Customer.Kind = Customer.Kind.PERSON
    number: str | None = Field(None, max_length=20)
    first_name: str = Field("", max_length=100)
    middle_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    suffix: str = Field("", max_length=20)
    company_name: str = Field("", max_length=200)
    date_of_birth: date | None = None
    employer: str = Field("", max_length=200)
    is_ar: bool = True
    credit_limit: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)


class CustomerPatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    middle_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    company_name: str | None = Field(None, max_length=200)
    employer: str | None = Field(None, max_length=200)
    is_ar: bool | None = None
    status: Customer.Status | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
