"""Adding and changing customers, with their contact points and identity in the same transaction.

Every change is audited twice over: row history (django-simple-history, bulk writes included) and a readable event
(CUSTOMER_CREATED, CUSTOMER_UPDATED, ...). A rename keeps the old name as an `EarlierName`; contact points are
ended and replaced, never deleted (`services.contacts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict, TypeVar, Unpack

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tabwise.core import audit, sequences
from tabwise.core.clock import business_today
from tabwise.core.constraints import violates
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers import parsing, search
from tabwise.customers.models import Customer, CustomerTag, EarlierName, Tag
from tabwise.customers.models.customers import LANGUAGES
from tabwise.customers.services import contacts, identity
from tabwise.customers.services.contacts import ContactPoint
from tabwise.customers.services.inputs import (
    AddressIn,
    EarlierNameIn,
    EmailIn,
    EmployerIn,
    LicenceIn,
    PhoneIn,
)
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
MAX_CREDIT_LIMIT = Decimal("999999999999.99")
NAME_FIELDS = ("title", "first_name", "middle_name", "last_name", "suffix")
MAX_TAGS = 20
T = TypeVar("T")


class CustomerChanges(TypedDict, total=False):
    """What `update_customer` may change; a field left out is not changed."""

    kind: str
    full_name: str
    title: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    company_name: str
    date_of_birth: date | None
    is_ar: bool
    status: str
    credit_limit: Decimal
    preferred_language: str
    assigned_rep: User | None
    notes: str
    employer: str


NUMBER_CONSTRAINT = "customer_number_unique_per_business"
NUMBER_ATTEMPTS = 5  # automatic numbers tried before giving up (each is past the last: only a storm of races ends it)


def _number_taken(number: str) -> bool:
    return Customer.objects.filter(number=number).exists()


def _next_number() -> str:
    # Skip numbers already taken (customers imported or numbered by hand).
    while True:
        number = str(sequences.next_value("customer_number", start=1001))
        if not _number_taken(number):
            return number


def _insert_numbered(number: str, fields: dict[str, object]) -> Customer:
    """Insert the customer under `number` (typed) or the next free automatic number.

    Two concurrent creates can both find a number free and both insert it; the second breaks the unique constraint.
    The insert runs in a savepoint: for a typed number that is Conflict(field="number") (409 in the API); for an
    automatic one the next number is tried, so the clerk never sees the race.
    """
    in_use = _("That customer number is in use.")
    for _attempt in range(NUMBER_ATTEMPTS):
        candidate = number or _next_number()
        if number and _number_taken(number):
            raise Conflict(in_use, field="number")
        try:
            with transaction.atomic():
                return Customer.objects.create(number=candidate, **fields)  # type: ignore[arg-type]
        except IntegrityError as error:
            if not violates(error, Customer, NUMBER_CONSTRAINT):
                raise
            if number:
                raise Conflict(in_use, field="number") from error
    raise Conflict(_("Could not find a free customer number: try again."), field="number")


def check_name(kind: str, *, last_name: str, company_name: str, prefix: str = "") -> None:
    if kind == Customer.Kind.PERSON and not last_name:
        raise DomainError(_("Enter the customer's last name."), field=f"{prefix}last_name")
    if kind == Customer.Kind.COMPANY and not company_name:
        raise DomainError(_("Enter the company name."), field=f"{prefix}company_name")


def _name(full_name: str, parts: dict[str, str]) -> dict[str, str]:
    """The name parts: from `full_name` when one was typed, else as given; trimmed and within their lengths."""
    if full_name.strip():
        parsed = parsing.parse_name(full_name)
        parts = {name: getattr(parsed, name) for name in NAME_FIELDS}
    parts = {name: " ".join(value.split()) for name, value in parts.items()}
    for name, value in parts.items():
        if len(value) > parsing.NAME_LIMITS[name]:
            raise DomainError(
                _("That is too long (at most %(limit)d characters).") % {"limit": parsing.NAME_LIMITS[name]}, field=name
            )
    return parts


def _check_fields(actor: User, fields: dict[str, object], *, today: date) -> None:
    """Check the plain fields of a customer (whichever of them are in `fields`)."""
    if fields.get("kind", Customer.Kind.PERSON) not in Customer.Kind.values:
        raise DomainError(_("Choose person or company."), field="kind")
    if fields.get("status", Customer.Status.ACTIVE) not in Customer.Status.values:
        raise DomainError(_("Choose a status."), field="status")
    if fields.get("preferred_language", "en") not in dict(LANGUAGES):
        raise DomainError(_("Choose English or Spanish."), field="preferred_language")
    limit = fields.get("credit_limit", ZERO)
    if (
        not isinstance(limit, Decimal)
        or not ZERO <= limit <= MAX_CREDIT_LIMIT
        or limit != limit.quantize(Decimal("0.01"))
    ):
        raise DomainError(_("Give the credit limit in dollars and cents, 0 or more."), field="credit_limit")
    born = fields.get("date_of_birth")
    if isinstance(born, date) and not date(1900, 1, 1) <= born <= today:
        raise DomainError(_("Give a date of birth between 1900 and today."), field="date_of_birth")
    rep = fields.get("assigned_rep")
    if isinstance(rep, User) and (rep.business_id != actor.business_id or not rep.is_active):
        raise DomainError(_("Choose one of your active users."), field="assigned_rep")
    for name, limit_chars in (("company_name", 200), ("notes", 5000)):
        value = fields.get(name)
        if isinstance(value, str) and len(value) > limit_chars:
            raise DomainError(
                _("That is too long (at most %(limit)d characters).") % {"limit": limit_chars}, field=name
            )


def _each(items: Sequence[T], group: str, save: Callable[[T, str], object]) -> None:
    for index, item in enumerate(items):
        save(item, f"{group}.{index}.")


def create_customer(
    *,
    actor: User,
    kind: str = Customer.Kind.PERSON,
    number: str = "",
    full_name: str = "",
    title: str = "",
    first_name: str = "",
    middle_name: str = "",
    last_name: str = "",
    suffix: str = "",
    company_name: str = "",
    date_of_birth: date | None = None,
    is_ar: bool = True,
    status: str = Customer.Status.ACTIVE,
    credit_limit: Decimal = ZERO,
    preferred_language: str = "en",
    assigned_rep: User | None = None,
    notes: str = "",
    tags: Sequence[str] = (),
    employer: str = "",
    phones: Sequence[PhoneIn] = (),
    emails: Sequence[EmailIn] = (),
    addresses: Sequence[AddressIn] = (),
    employers: Sequence[EmployerIn] = (),
    earlier_names: Sequence[EarlierNameIn] = (),
    licences: Sequence[LicenceIn] = (),
    ssn: str = "",
) -> Customer:
    """Add a customer to the actor's business with its contact points and identity, all or nothing.

    A `full_name` typed as one string is split into the name parts (nameparser). `employer` is a shorthand for one
    employer with just a name. Atomic; writes CUSTOMER_CREATED and an event per contact point and document (the
    SSN's without the number). Raises DomainError naming the field (`last_name`, `phones.1.number`,
    `addresses.0.zip_code`, `ssn`, ...) and Conflict(field="number") for a number in use. An SSN, licences or
    earlier names need `customers.edit_identity` as well as `customers.edit`.
    """
    security.check(actor, "customers.edit")
    if ssn.strip() or licences or earlier_names:
        security.check(actor, "customers.edit_identity")
    today = business_today(actor.business)
    names = _name(full_name, dict(zip(NAME_FIELDS, (title, first_name, middle_name, last_name, suffix), strict=True)))
    company_name = " ".join(company_name.split())
    fields: dict[str, object] = {
        "kind": kind,
        "company_name": company_name,
        "date_of_birth": date_of_birth,
        "is_ar": is_ar,
        "status": status,
        "credit_limit": credit_limit,
        "preferred_language": preferred_language,
        "assigned_rep": assigned_rep,
        "notes": notes.strip(),
    }
    _check_fields(actor, fields, today=today)
    try:
        check_name(kind, last_name=names["last_name"], company_name=company_name)
    except DomainError as error:
        raise DomainError(error.message, field="full_name" if full_name.strip() else error.field) from None
    number = number.strip()
    if len(number) > 20:
        raise DomainError(_("That is too long (at most %(limit)d characters).") % {"limit": 20}, field="number")
    employer_rows = [*employers, *([EmployerIn(name=employer)] if employer.strip() else [])]
    with transaction.atomic():
        customer = _insert_numbered(number, {**names, **fields})
        audit.record_event(event_type="CUSTOMER_CREATED", subject=customer, payload={"number": customer.number})
        _each(phones, "phones", lambda item, p: contacts.save_phone(actor, customer, item, prefix=p, today=today))
        _each(emails, "emails", lambda item, p: contacts.save_email(actor, customer, item, prefix=p, today=today))
        _each(addresses, "addresses", lambda i, p: contacts.save_address(actor, customer, i, prefix=p, today=today))
        _each(
            employer_rows, "employers", lambda i, p: contacts.save_employer(actor, customer, i, prefix=p, today=today)
        )
        _each(
            earlier_names,
            "earlier_names",
            lambda i, p: identity.save_earlier_name(actor, customer, i, prefix=p, today=today),
        )
        _each(licences, "licences", lambda i, p: identity.save_licence(actor, customer, i, prefix=p, today=today))
        if ssn.strip():
            identity.save_tax_id(actor, customer, ssn, today=today)
        if tags:
            _set_tags(customer, tags)
        contacts.sync_employer_name(customer)
        search.refresh_keys([customer.pk])
    return customer


def update_customer(
    *,
    actor: User,
    customer: Customer,
    name_change: str = EarlierName.Kind.PREVIOUS,
    **changes: Unpack[CustomerChanges],
) -> Customer:
    """Change a customer's own fields; only those given change.

    A changed name is kept as an earlier name of kind `name_change` (married, previous, ...) used until today; a
    changed `employer` ends the current employer and starts one with that name ("" just ends it). Atomic; writes
    CUSTOMER_UPDATED with the old and new values (EARLIER_NAME_ADDED, EMPLOYER_* as they apply). DomainError names
    the field.
    """
    security.check(actor, "customers.edit")
    if name_change not in EarlierName.Kind.values:
        raise DomainError(_("Choose what kind of name change this is."), field="name_change")
    today = business_today(actor.business)
    fields: dict[str, object] = dict(changes)
    employer = fields.pop("employer", None)
    full_name = str(fields.pop("full_name", "") or "")
    with transaction.atomic():
        locked = contacts.lock(customer)
        if full_name.strip() or any(name in fields for name in NAME_FIELDS):
            current = {name: str(fields.get(name, getattr(locked, name))) for name in NAME_FIELDS}
            fields.update(_name(full_name, current))
        if "company_name" in fields:
            fields["company_name"] = " ".join(str(fields["company_name"]).split())
        if "notes" in fields:
            fields["notes"] = str(fields["notes"]).strip()
        _check_fields(actor, {**fields}, today=today)
        check_name(
            str(fields.get("kind", locked.kind)),
            last_name=str(fields.get("last_name", locked.last_name)),
            company_name=str(fields.get("company_name", locked.company_name)),
        )
        changed = {name: value for name, value in fields.items() if getattr(locked, name) != value}
        renamed = any(name in changed for name in ("first_name", "middle_name", "last_name", "suffix", "company_name"))
        if renamed and (locked.last_name or locked.company_name):
            identity.keep_current_name(locked, kind=name_change, today=today)
        payload = {
            name: {"old": _shown(getattr(locked, name)), "new": _shown(value)} for name, value in changed.items()
        }
        for name, value in changed.items():
            setattr(locked, name, value)
        if employer is not None and str(employer).strip() != locked.employer:
            payload["employer"] = {"old": locked.employer, "new": " ".join(str(employer).split())}
            _change_employer(actor, locked, str(employer), today=today)
        if changed or "employer" in payload:
            locked.save()
            audit.record_event(event_type="CUSTOMER_UPDATED", subject=locked, payload=payload)
        if renamed or "number" in changed:
            search.refresh_keys([locked.pk])
    return locked


def _shown(value: object) -> str:
    if isinstance(value, User):
        return value.get_full_name() or value.username
    return "" if value is None else str(value)


def _change_employer(actor: User, customer: Customer, name: str, *, today: date) -> None:
    """End the current employers and start `name` (none when blank); `customer.employer` follows (saved by caller)."""
    from tabwise.customers.models import Employer

    for row in Employer.objects.filter(customer=customer, valid_to__isnull=True).select_for_update():
        contacts.end_row(row, ended_on=today)
        audit.record_event(event_type="EMPLOYER_ENDED", subject=customer, payload={"employer_id": row.pk})
    name = " ".join(name.split())
    if name:
        try:
            contacts.save_employer(actor, customer, EmployerIn(name=name), today=today)
        except DomainError as error:
            raise DomainError(error.message, field="employer", code=error.code) from None
    customer.employer = name


def _tag_names(names: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(name.split()) for name in names if name.strip()))
    if len(cleaned) > MAX_TAGS:
        raise DomainError(_("At most %(n)d tags.") % {"n": MAX_TAGS}, field="tags")
    if any(len(name) > 40 for name in cleaned):
        raise DomainError(_("A tag is at most 40 characters."), field="tags")
    return cleaned


def _set_tags(customer: Customer, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Make the customer's tags exactly `names` (tags new to the business are created); (added, removed)."""
    wanted = _tag_names(names)
    existing = {tag.name.lower(): tag for tag in Tag.objects.all()}
    tags = []
    for name in wanted:
        tag = existing.get(name.lower())
        if tag is None:
            tag = existing[name.lower()] = Tag.objects.create(name=name)
        tags.append(tag)
    links = {link.tag_id: link for link in CustomerTag.objects.filter(customer=customer).select_related("tag")}
    keep = {tag.pk for tag in tags}
    removed = [link.tag.name for pk, link in links.items() if pk not in keep]
    for pk, link in links.items():
        if pk not in keep:
            link.delete()
    added = [tag.name for tag in tags if tag.pk not in links]
    for tag in tags:
        if tag.pk not in links:
            CustomerTag.objects.create(customer=customer, tag=tag)
    return added, removed


def set_tags(*, actor: User, customer: Customer, tags: Sequence[str]) -> list[str]:
    """Make the customer's tags exactly `tags` (case-insensitive; new ones created). Atomic; TAGS_CHANGED."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        locked = contacts.lock(customer)
        added, removed = _set_tags(locked, tags)
        if added or removed:
            audit.record_event(event_type="TAGS_CHANGED", subject=locked, payload={"added": added, "removed": removed})
    return sorted(_tag_names(tags), key=str.lower)


@dataclass(frozen=True)
class ContactChange:
    """One change to a customer's contact points from an edit: `point` None adds `data`; `data` None ends `point`;
    both replace `point` with `data`. `prefix` is how its errors are named (`phones.1.`)."""

    point: ContactPoint | None
    data: PhoneIn | EmailIn | AddressIn | EmployerIn | None
    prefix: str = ""


def edit_customer(
    *,
    actor: User,
    customer: Customer,
    changes: CustomerChanges,
    name_change: str = EarlierName.Kind.PREVIOUS,
    contact_changes: Sequence[ContactChange] = (),
    tags: Sequence[str] | None = None,
) -> Customer:
    """Save an edit of the customer's page at once: its own fields (`update_customer`), contact points added,
    replaced (the customer moved, changed number) or ended, and its tags. One transaction: all or nothing, with
    each part's events. DomainError names the field (`phones.1.number` for the second change to phones)."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        updated = update_customer(actor=actor, customer=customer, name_change=name_change, **changes)
        for change in contact_changes:
            try:
                _apply(actor, updated, change)
            except DomainError as error:
                raise type(error)(
                    error.message, field=f"{change.prefix}{error.field or ''}".rstrip("."), code=error.code
                ) from None
        if tags is not None:
            set_tags(actor=actor, customer=updated, tags=tags)
        updated.refresh_from_db()
    return updated


def _apply(actor: User, customer: Customer, change: ContactChange) -> None:
    if change.point is not None and change.data is None:
        contacts.end_contact_point(actor=actor, point=change.point)
    elif change.point is not None and change.data is not None:
        contacts.replace_contact_point(actor=actor, point=change.point, data=change.data)
    elif isinstance(change.data, PhoneIn):
        contacts.add_phone(actor=actor, customer=customer, phone=change.data)
    elif isinstance(change.data, EmailIn):
        contacts.add_email(actor=actor, customer=customer, email=change.data)
    elif isinstance(change.data, AddressIn):
        contacts.add_address(actor=actor, customer=customer, address=change.data)
    elif isinstance(change.data, EmployerIn):
        contacts.add_employer(actor=actor, customer=customer, employer=change.data)
