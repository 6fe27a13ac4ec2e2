"""Who the customer is: earlier names, driver's licences and state IDs, and the SSN or ITIN (encrypted).

The SSN never leaves this module in the clear except through `selectors.identity_of` (for the matching engine):
events say that it was set, never what it is, and `reveal_ssn_last4` logs every read of its last four digits.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import DomainError
from tabwise.customers import crypto, parsing, search
from tabwise.customers.models import Customer, EarlierName, IdentityDocument
from tabwise.customers.services.contacts import lock
from tabwise.customers.services.inputs import EarlierNameIn, LicenceIn
from tabwise.users import security
from tabwise.users.models import User

Kind = IdentityDocument.Kind


def _dates(valid_from: date | None, valid_to: date | None, *, today: date, prefix: str) -> None:
    for name, day in (("valid_from", valid_from), ("valid_to", valid_to)):
        if day is not None and not date(1900, 1, 1) <= day <= today:
            raise DomainError(_("Give a date between 1900 and today."), field=f"{prefix}{name}")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise DomainError(_("It cannot end before it started."), field=f"{prefix}valid_to", code="period_order")


def save_earlier_name(
    actor: User, customer: Customer, data: EarlierNameIn, *, prefix: str = "", today: date
) -> EarlierName:
    if data.kind not in EarlierName.Kind.values:
        raise DomainError(_("Choose what kind of name this was."), field=f"{prefix}kind")
    parts = {
        "first_name": data.first_name,
        "middle_name": data.middle_name,
        "last_name": data.last_name,
        "suffix": data.suffix,
    }
    if data.full_name.strip() and not any(value.strip() for value in parts.values()):
        parsed = parsing.parse_name(data.full_name, field=f"{prefix}full_name")
        parts = {name: getattr(parsed, name) for name in parts}
    parts = {name: " ".join(value.split()) for name, value in parts.items()}
    company = " ".join(data.company_name.split())
    for part, value in (*parts.items(), ("company_name", company)):
        if len(value) > parsing.NAME_LIMITS.get(part, 200):
            raise DomainError(_("That name is too long."), field=f"{prefix}{part}")
    if not parts["last_name"] and not company:
        raise DomainError(_("Enter the last name the customer used."), field=f"{prefix}last_name")
    _dates(data.valid_from, data.valid_to, today=today, prefix=prefix)
    note = " ".join(data.note.split())
    if len(note) > 200:
        raise DomainError(_("That is too long (at most %(limit)d characters).") % {"limit": 200}, field=f"{prefix}note")
    name = EarlierName.objects.create(
        customer=customer,
        kind=data.kind,
        company_name=company,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        note=note,
        **parts,
    )
    audit.record_event(
        event_type="EARLIER_NAME_ADDED",
        subject=customer,
        payload={"earlier_name_id": name.pk, "kind": name.kind, "name": name.display_name},
    )
    return name


def keep_current_name(customer: Customer, *, kind: str, today: date) -> EarlierName:
    """File the customer's name as it is now as an earlier name used until today (before a rename)."""
    return EarlierName.objects.create(
        customer=customer,
        kind=kind,
        first_name=customer.first_name,
        middle_name=customer.middle_name,
        last_name=customer.last_name,
        suffix=customer.suffix,
        company_name=customer.company_name if customer.kind == Customer.Kind.COMPANY else "",
        valid_to=today,
    )


def save_tax_id(actor: User, customer: Customer, raw: str, *, field: str = "ssn", today: date) -> IdentityDocument:
    """File an SSN or ITIN: encrypted, with its digest and last four. The same number again changes nothing; another
    one ends the one on file (kept: the matching engine compares against both)."""
    kind, digits = parsing.parse_tax_id(raw, field=field)
    hashed = crypto.digest(digits)
    current = list(
        IdentityDocument.objects.filter(customer=customer, kind__in=IdentityDocument.TAX_IDS, valid_to__isnull=True)
    )
    same = next((doc for doc in current if doc.digest == hashed), None)
    if same is not None:
        return same
    for doc in current:
        doc.valid_to = today
        doc.save(update_fields=["valid_to"])
    document = IdentityDocument.objects.create(
        customer=customer,
        kind=kind,
        secret=crypto.encrypt(digits),
        digest=hashed,
        last4=digits[-4:],
        valid_from=today,
    )
    audit.record_event(
        event_type="TAX_ID_SET",
        subject=customer,
        payload={"document_id": document.pk, "kind": kind, "replaced": len(current)},
    )
    return document


def save_licence(
    actor: User, customer: Customer, data: LicenceIn, *, prefix: str = "", today: date
) -> IdentityDocument:
    if data.kind not in (Kind.DRIVERS_LICENCE, Kind.STATE_ID):
        raise DomainError(_("Choose a driver's license or a state ID."), field=f"{prefix}kind")
    state = parsing.parse_state(data.state, field=f"{prefix}state")
    number = parsing.normalise_licence(data.number, state, field=f"{prefix}number")
    if data.expires_on is not None and not date(1900, 1, 1) <= data.expires_on <= date(2199, 12, 31):
        raise DomainError(_("Give the expiry date printed on the card."), field=f"{prefix}expires_on")
    current = IdentityDocument.objects.filter(customer=customer, kind=data.kind, valid_to__isnull=True)
    same = current.filter(number=number, state=state).first()
    if same is not None:
        if data.expires_on and same.expires_on != data.expires_on:
            same.expires_on = data.expires_on
            same.save(update_fields=["expires_on"])
        return same
    for doc in current:  # one licence at a time: a new one (another state's) replaces the one on file
        doc.valid_to = today
        doc.save(update_fields=["valid_to"])
    document = IdentityDocument.objects.create(
        customer=customer, kind=data.kind, number=number, state=state, expires_on=data.expires_on, valid_from=today
    )
    audit.record_event(
        event_type="LICENCE_ADDED",
        subject=customer,
        payload={"document_id": document.pk, "kind": data.kind, "state": state, "number": number},
    )
    return document


# --- the services --------------------------------------------------------------------------------------------------


def add_earlier_name(*, actor: User, customer: Customer, name: EarlierNameIn) -> EarlierName:
    """Record a name the customer was known by (maiden, married, alias, previous). Atomic; EARLIER_NAME_ADDED.

    DomainError on `kind`, `last_name` (or `full_name`), the dates (not after today, not ending before starting).
    """
    security.check(actor, "customers.edit_identity")
    with transaction.atomic():
        locked = lock(customer)
        row = save_earlier_name(actor, locked, name, today=business_today(actor.business))
        search.refresh_keys([locked.pk])
    return row


def set_ssn(*, actor: User, customer: Customer, ssn: str) -> IdentityDocument:
    """File the customer's SSN or ITIN (write-only: nothing returns it). Atomic; writes TAX_ID_SET, without the
    number. DomainError(field="ssn") for nine digits that are not a valid SSN or ITIN."""
    security.check(actor, "customers.edit_identity")
    with transaction.atomic():
        document = save_tax_id(actor, lock(customer), ssn, today=business_today(actor.business))
    return document


def add_licence(*, actor: User, customer: Customer, licence: LicenceIn) -> IdentityDocument:
    """File a driver's license or state ID (number and issuing state, in the state's shape); it replaces the one of
    the same kind on file. Atomic; writes LICENCE_ADDED. DomainError on `number`, `state`, `expires_on`."""
    security.check(actor, "customers.edit_identity")
    with transaction.atomic():
        document = save_licence(actor, lock(customer), licence, today=business_today(actor.business))
    return document


def reveal_ssn_last4(*, actor: User, customer: Customer) -> str | None:
    """The last four digits of the customer's SSN or ITIN on file (None when there is none), for a user whose level
    allows it. Every read is logged: writes SSN_VIEWED (who, when, from where), in its own transaction."""
    security.check(actor, "customers.view_ssn")
    document = (
        IdentityDocument.objects.filter(customer=customer, kind__in=IdentityDocument.TAX_IDS, valid_to__isnull=True)
        .order_by("-id")
        .first()
    )
    if document is None:
        return None
    with transaction.atomic():
        audit.record_event(event_type="SSN_VIEWED", subject=customer, payload={"document_id": document.pk})
    return document.last4
