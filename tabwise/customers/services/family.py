"""Families: customers linked to a main customer, whose account the family's purchases go on.

A family is one level deep: the main customer has no main of its own, and a family member has no members. A family
member is a customer in its own right (found by search, matched by duplicate detection and the skip network);
its purchases on account are posted to the main customer's account.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers.models import Customer
from tabwise.customers.services.contacts import lock
from tabwise.customers.services.customers import create_customer
from tabwise.customers.services.inputs import PhoneIn
from tabwise.users import security
from tabwise.users.models import User


def _check_can_join(main: Customer, member: Customer, relationship: str) -> None:
    """A bad relationship is invalid input (422); everything else conflicts with who is in which family (409)."""
    if relationship not in Customer.Relationship.values:
        raise DomainError(_("Choose how this person is related to the main customer."), field="relationship")
    if main.pk == member.pk:
        raise Conflict(_("A customer cannot be a family member of themselves."), field="member")
    for customer, field in ((main, "main"), (member, "member")):
        if customer.status == Customer.Status.MERGED:
            raise Conflict(_("%(name)s was merged into another customer.") % {"name": customer}, field=field)
    if main.family_main_id is not None:
        raise Conflict(
            _("%(name)s is a family member of another customer: add to that customer's family instead.")
            % {"name": main},
            field="main",
        )
    if member.family_main_id is not None and member.family_main_id != main.pk:
        raise Conflict(
            _("%(name)s is already in another family: separate them from it first.") % {"name": member},
            field="member",
        )
    if Customer.objects.filter(family_main=member).exists():
        raise Conflict(
            _("%(name)s is the main customer of a family and cannot join another.") % {"name": member},
            field="member",
        )


def add_family_member(*, actor: User, main: Customer, member: Customer, relationship: str) -> Customer:
    """Link `member` into `main`'s family (or change the relationship of a member already in it).

    Atomic; locks both customers (in id order); writes FAMILY_MEMBER_ADDED on the member. Raises Conflict naming
    `main` or `member` when the family rules forbid the link (oneself, a merged customer, a family more than one
    level deep, a member of another family), DomainError(field="relationship") for an unknown relationship.
    """
    security.check(actor, "customers.edit")
    with transaction.atomic():
        # Lock in id order so that two opposite links cannot deadlock.
        first, second = sorted([main, member], key=lambda c: c.pk)
        locked = {first.pk: lock(first), second.pk: lock(second)}
        main, member = locked[main.pk], locked[member.pk]
        _check_can_join(main, member, relationship)
        before = member.family_relationship if member.family_main_id == main.pk else None
        member.family_main = main
        member.family_relationship = relationship
        member.save(update_fields=["family_main", "family_relationship"])
        audit.record_event(
            event_type="FAMILY_MEMBER_ADDED",
            subject=member,
            payload={"main": main.pk, "relationship": relationship, "relationship_before": before},
        )
    return member


def separate_family_member(*, actor: User, member: Customer) -> Customer:
    """Take `member` out of their family: from now on a customer of their own.

    The A/R history stays with the main customer (the family's purchases were posted to the main's account);
    the separated customer starts with none. Atomic; writes FAMILY_MEMBER_SEPARATED; Conflict(field="member") for
    a customer in no family.
    """
    security.check(actor, "customers.edit")
    with transaction.atomic():
        member = lock(member)
        if member.family_main_id is None:
            raise Conflict(_("%(name)s is not a family member.") % {"name": member}, field="member")
        main_id = member.family_main_id
        member.family_main = None
        member.family_relationship = ""
        member.save(update_fields=["family_main", "family_relationship"])
        audit.record_event(event_type="FAMILY_MEMBER_SEPARATED", subject=member, payload={"main": main_id})
    return member


def create_family_member(
    *,
    actor: User,
    main: Customer,
    relationship: str,
    full_name: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> Customer:
    """Add a new customer straight into `main`'s family: `create_customer` and `add_family_member` in one
    transaction, so a refused link (or a bad phone) leaves no customer behind.

    The new member is an A/R customer when the main is one (their purchases go on the main's account). Writes
    CUSTOMER_CREATED and FAMILY_MEMBER_ADDED. DomainError names the field (`full_name`, `last_name`,
    `phones.0.number` as `phone`, `relationship`, `main`).
    """
    security.check(actor, "customers.edit")
    if relationship not in Customer.Relationship.values:
        raise DomainError(_("Choose how this person is related to the main customer."), field="relationship")
    with transaction.atomic():
        try:
            member = create_customer(
                actor=actor,
                full_name=full_name,
                first_name=first_name,
                last_name=last_name,
                is_ar=main.is_ar,
                phones=[PhoneIn(number=phone)] if phone.strip() else [],
            )
        except DomainError as error:
            field = "phone" if (error.field or "").startswith("phones.") else error.field
            raise type(error)(error.message, field=field, code=error.code) from None
        return add_family_member(actor=actor, main=main, member=member, relationship=relationship)
