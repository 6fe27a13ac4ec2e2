"""The family API's schemas (`/customers/{id}/family`)."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, WithJsonSchema

from tabwise.customers.models import Customer
from tabwise.customers.schemas import Id, PhoneNumber, RequiredText100, Text100

Relationship = Annotated[
    Customer.Relationship, WithJsonSchema({"type": "string", "enum": Customer.Relationship.values})
]


class NewPersonIn(Schema):
    """A new customer added straight into the family: a person's name, a phone if known."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text100 = ""
    last_name: RequiredText100
    phone: PhoneNumber | None = None


class ExistingFamilyMemberIn(Schema):
    """A customer on file joins the family."""

    model_config = ConfigDict(extra="forbid")

    member_id: Id
    relationship: Relationship


class NewFamilyMemberIn(Schema):
    """A new customer joins the family."""

    model_config = ConfigDict(extra="forbid")

    new_member: NewPersonIn
    relationship: Relationship


# Who joins: a customer on file (`member_id`) or a new one (`new_member`), exactly one of them.
FamilyMemberIn = ExistingFamilyMemberIn | NewFamilyMemberIn


class FamilyPersonOut(Schema):
    id: int
    number: str
    display_name: str
    relationship: str

    @staticmethod
    def resolve_relationship(customer: Customer) -> str:
        return customer.family_relationship


class FamilyOut(Schema):
    """A customer's family: the main customer (whose account the family's purchases go on) and the members; no
    main and no members for a customer in no family."""

    main: FamilyPersonOut | None
    members: list[FamilyPersonOut]
