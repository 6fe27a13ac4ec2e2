"""Named reads of families: who the main customer is and who the members are (see `services.family`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tabwise.core.errors import NotFound
from tabwise.customers.models import Customer


@dataclass(frozen=True)
class Family:
    """The family a customer belongs to: `main` and its `members` (each with `family_relationship`); an empty
    family (no main, no members) for a customer who is in none."""

    main: Customer | None
    members: list[Customer] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.main is not None and bool(self.members)


def family_of(customer: Customer) -> Family:
    """The family of `customer`, whether it is the main customer or a member (two queries at most)."""
    main_id = customer.family_main_id or customer.pk
    members = list(
        Customer.objects.filter(family_main_id=main_id).exclude(status=Customer.Status.MERGED).order_by("pk")
    )
    if not members:
        return Family(main=None)
    main = customer if main_id == customer.pk else Customer.objects.get(pk=main_id)
    return Family(main=main, members=members)


def account_holder(customer: Customer) -> Customer:
    """The customer whose account `customer`'s purchases on account go on: the family's main, or itself."""
    if customer.family_main_id is None:
        return customer
    main = Customer.objects.filter(pk=customer.family_main_id).first()
    if main is None:
        raise NotFound("No such customer.")
    return main
