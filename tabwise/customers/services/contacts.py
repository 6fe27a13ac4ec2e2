"""Contact points (phones, emails, addresses) and employers: added, replaced and ended, never deleted.

A customer who moves or changes number keeps the old row with its `valid_to`; the new row starts the same day. The
row-level helpers (`save_phone`, ...) check and write inside the caller's transaction and are shared with
`create_customer`; the public services lock the customer, call them, refresh the search keys and write the event.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today
from tabwise.core.errors import Conflict, DomainError
from tabwise.customers import parsing, search
from tabwise.customers.models import Address, Customer, Email, Employer, Phone
from tabwise.customers.services.inputs import AddressIn, EmailIn, EmployerIn, PhoneIn
from tabwise.users import security
from tabwise.users.models import User

ContactPoint = Phone | Email | Address | Employer
KINDS: dict[str, type[Phone] | type[Email] | type[Address] | type[Employer]] = {
    "phone": Phone,
    "email": Email,
    "address": Address,
    "employer": Employer,
}


def lock(customer: Customer) -> Customer:
    """The customer's row, locked until the transaction ends: changes to one customer queue behind each other."""
    return Customer.objects.select_for_update().get(pk=customer.pk)


def kind_of(point: ContactPoint) -> str:
    return type(point).__name__.lower()


def _text(value: str, limit: int, field: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise DomainError(_("That is too long (at most %(limit)d characters).") % {"limit": limit}, field=field)
    return value


# --- checking and writing one row (inside the caller's transaction) ------------------------------------------------


def _set_primary(customer: Customer, row: Phone | Email | Address) -> None:
    """Make `row` primary when asked or when the customer has no current primary of its kind; one primary each."""
    current = type(row).objects.filter(customer=customer, valid_to__isnull=True).exclude(pk=row.pk)
    if row.is_primary:
        current.filter(is_primary=True).update(is_primary=False)
    elif not current.filter(is_primary=True).exists():
        row.is_primary = True
        row.save(update_fields=["is_primary"])


def save_phone(actor: User, customer: Customer, data: PhoneIn, *, prefix: str = "", today: date) -> Phone:
    region = parsing.default_region(actor.business)
    number = parsing.normalise_phone(data.number, region=region, field=f"{prefix}number")
    if data.type not in Phone.Type.values:
        raise DomainError(_("Choose the kind of phone."), field=f"{prefix}type")
    source = _text(data.sms_consent_source, 200, f"{prefix}sms_consent_source")
    if data.sms_consent and not source:  # who recorded it, and through what, is the least a consent record says
        source = _("Recorded by %(user)s (%(via)s)") % {
            "user": actor.get_username(),
            "via": audit.current_context().via,
        }
    if Phone.objects.filter(customer=customer, number=number, valid_to__isnull=True).exists():
        raise Conflict(_("The customer already has this number."), field=f"{prefix}number")
    consented_at = timezone.now() if data.sms_consent else None
    phone = Phone.objects.create(
        customer=customer,
        number=number,
        type=data.type,
        is_primary=data.is_primary,
        sms_consent_at=consented_at,
        sms_consent_source=source if data.sms_consent else "",
        valid_from=today,
    )
    _set_primary(customer, phone)
    if consented_at is not None:
        _record_consent(number, source, consented_at, field=f"{prefix}sms_consent")
    audit.record_event(
        event_type="PHONE_ADDED",
        subject=customer,
        payload={"phone_id": phone.pk, "number": number, "type": phone.type, "sms_consent": data.sms_consent},
    )
    return phone


def _record_consent(number: str, source: str, consented_at: datetime, *, field: str) -> None:
    # The outbox sends under notifications' consent row, so it is recorded there too, in this transaction.
    from tabwise.notifications import services as notification_services

    try:
        notification_services.record_consent(number=number, source=source, consented_at=consented_at)
    except DomainError as error:
        raise DomainError(error.message, field=field, code=error.code) from None


def save_email(actor: User, customer: Customer, data: EmailIn, *, prefix: str = "", today: date) -> Email:
    address = parsing.normalise_email(data.address, field=f"{prefix}address")
    if Email.objects.filter(customer=customer, address__iexact=address, valid_to__isnull=True).exists():
        raise Conflict(_("The customer already has this email address."), field=f"{prefix}address")
    email = Email.objects.create(customer=customer, address=address, is_primary=data.is_primary, valid_from=today)
    _set_primary(customer, email)
    audit.record_event(event_type="EMAIL_ADDED", subject=customer, payload={"email_id": email.pk, "address": address})
    return email


def _parsed_address(data: AddressIn, prefix: str) -> parsing.ParsedAddress:
    try:
        return parsing.parse_address(
            line=data.line,
            street=data.street,
            line2=data.line2,
            city=data.city,
            state=data.state,
            zip_code=data.zip_code,
        )
    except DomainError as error:
        raise DomainError(error.message, field=f"{prefix}{error.field}", code=error.code) from None


def save_address(actor: User, customer: Customer, data: AddressIn, *, prefix: str = "", today: date) -> Address:
    parsed = _parsed_address(data, prefix)
    address = Address.objects.create(
        customer=customer,
        street=parsed.street,
        line2=parsed.line2,
        city=parsed.city,
        state=parsed.state,
        zip_code=parsed.zip_code,
        house_number=parsed.house_number,
        street_name=parsed.street_name,
        unit=parsed.unit,
        is_primary=data.is_primary,
        valid_from=today,
    )
    _set_primary(customer, address)
    audit.record_event(
        event_type="ADDRESS_ADDED", subject=customer, payload={"address_id": address.pk, "address": str(address)}
    )
    return address


def save_employer(actor: User, customer: Customer, data: EmployerIn, *, prefix: str = "", today: date) -> Employer:
    name = _text(data.name, 200, f"{prefix}name")
    if not name:
        raise DomainError(_("Enter the employer's name."), field=f"{prefix}name")
    phone = ""
    if data.phone.strip():
        region = parsing.default_region(actor.business)
        phone = parsing.normalise_phone(data.phone, region=region, field=f"{prefix}phone")
    employer = Employer.objects.create(
        customer=customer,
        name=name,
        phone=phone,
        address=_text(data.address, 300, f"{prefix}address"),
        position=_text(data.position, 100, f"{prefix}position"),
        valid_from=today,
    )
    audit.record_event(
        event_type="EMPLOYER_ADDED", subject=customer, payload={"employer_id": employer.pk, "name": employer.name}
    )
    return employer


def sync_employer_name(customer: Customer) -> None:
    """Keep `Customer.employer` the name of the latest current employer (saved only when it changes)."""
    current = Employer.objects.filter(customer=customer, valid_to__isnull=True).order_by("-valid_from", "-id").first()
    name = current.name if current is not None else ""
    if customer.employer != name:
        customer.employer = name
        customer.save(update_fields=["employer"])


def end_row(point: ContactPoint, *, ended_on: date) -> bool:
    """End a contact point on `ended_on` (False if it had ended already); the next current one becomes primary."""
    if point.valid_to is not None:
        return False
    if point.valid_from is not None and ended_on < point.valid_from:
        raise DomainError(_("It cannot end before it started (%(day)s).") % {"day": point.valid_from}, field="ended_on")
    point.valid_to = ended_on
    fields = ["valid_to"]
    if not isinstance(point, Employer) and point.is_primary:
        point.is_primary = False
        fields.append("is_primary")
    point.save(update_fields=fields)
    if not isinstance(point, Employer) and "is_primary" in fields:
        successor = type(point).objects.filter(customer_id=point.customer_id, valid_to__isnull=True).order_by("id")
        if (row := successor.first()) is not None:
            row.is_primary = True
            row.save(update_fields=["is_primary"])
    return True


# --- the services --------------------------------------------------------------------------------------------------


def add_phone(*, actor: User, customer: Customer, phone: PhoneIn) -> Phone:
    """Give a customer another phone. Atomic; writes PHONE_ADDED (and SMS_CONSENT_RECORDED with consent).

    Raises DomainError on `number` (not a real number), `type`, `sms_consent` / `sms_consent_source`, and Conflict
    when the customer already has the number or it opted out of texts.
    """
    security.check(actor, "customers.edit")
    with transaction.atomic():
        locked = lock(customer)
        row = save_phone(actor, locked, phone, today=business_today(actor.business))
        search.refresh_keys([locked.pk])
    return row


def add_email(*, actor: User, customer: Customer, email: EmailIn) -> Email:
    """Give a customer another email address. Atomic; writes EMAIL_ADDED."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        row = save_email(actor, lock(customer), email, today=business_today(actor.business))
    return row


def add_address(*, actor: User, customer: Customer, address: AddressIn) -> Address:
    """Give a customer another address. Atomic; writes ADDRESS_ADDED. DomainError on the part at fault (a ZIP that
    does not exist or is in another state: `zip_code`)."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        row = save_address(actor, lock(customer), address, today=business_today(actor.business))
    return row


def add_employer(*, actor: User, customer: Customer, employer: EmployerIn) -> Employer:
    """Record where a customer works now (earlier employers stay current until ended). Atomic; EMPLOYER_ADDED."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        locked = lock(customer)
        row = save_employer(actor, locked, employer, today=business_today(actor.business))
        sync_employer_name(locked)
    return row


def end_contact_point(*, actor: User, point: ContactPoint, ended_on: date | None = None) -> ContactPoint:
    """Mark a phone, email, address or employer as no longer in use from `ended_on` (default today); it stays on
    file. Safe to repeat. Atomic; writes <KIND>_ENDED. DomainError(field="ended_on") before the point started."""
    security.check(actor, "customers.edit")
    with transaction.atomic():
        customer = lock(point.customer)
        row = type(point).objects.select_for_update().get(pk=point.pk)
        if end_row(row, ended_on=ended_on or business_today(actor.business)):
            kind = kind_of(row)
            payload = {f"{kind}_id": row.pk, "ended_on": row.valid_to.isoformat() if row.valid_to else None}
            audit.record_event(event_type=f"{kind.upper()}_ENDED", subject=customer, payload=payload)
            if isinstance(row, Employer):
                sync_employer_name(customer)
            if isinstance(row, Phone):
                search.refresh_keys([customer.pk])
    return row


def replace_contact_point(
    *, actor: User, point: ContactPoint, data: PhoneIn | EmailIn | AddressIn | EmployerIn
) -> ContactPoint:
    """The customer moved or changed number: end `point` today and start a new one from `data`, which keeps the
    primary mark. Nothing changes when `data` says what `point` already holds. Atomic; <KIND>_ENDED and _ADDED."""
    security.check(actor, "customers.edit")
    savers = {Phone: (PhoneIn, save_phone), Email: (EmailIn, save_email), Address: (AddressIn, save_address)}
    savers[Employer] = (EmployerIn, save_employer)  # type: ignore[assignment]
    expected, save = savers[type(point)]
    if not isinstance(data, expected):
        raise TypeError(f"{type(point).__name__} is replaced from {expected.__name__}")
    today = business_today(actor.business)
    with transaction.atomic():
        customer = lock(point.customer)
        row = type(point).objects.select_for_update().get(pk=point.pk)
        if row.valid_to is not None:
            raise Conflict(_("This was already ended: add a new one instead."), field="point")
        if _holds(row, data, actor):
            return row
        was_primary = getattr(row, "is_primary", False)
        end_row(row, ended_on=today)
        kind = kind_of(row)
        audit.record_event(
            event_type=f"{kind.upper()}_ENDED", subject=customer, payload={f"{kind}_id": row.pk, "replaced": True}
        )
        if was_primary and not isinstance(data, EmployerIn):
            data = type(data)(**{**data.__dict__, "is_primary": True})
        new = save(actor, customer, data, today=today)  # type: ignore[operator]
        if isinstance(new, Employer):
            sync_employer_name(customer)
        search.refresh_keys([customer.pk])
    return new  # type: ignore[no-any-return]


def _holds(row: ContactPoint, data: PhoneIn | EmailIn | AddressIn | EmployerIn, actor: User) -> bool:
    """Whether `data` says what `row` already holds (an edit form posted back unchanged)."""
    try:
        if isinstance(row, Phone) and isinstance(data, PhoneIn):
            region = parsing.default_region(actor.business)
            number = parsing.normalise_phone(data.number, region=region)
            same_consent = data.sms_consent == (row.sms_consent_at is not None)
            return (number, data.type) == (row.number, row.type) and same_consent
        if isinstance(row, Email) and isinstance(data, EmailIn):
            return parsing.normalise_email(data.address).lower() == row.address.lower()
        if isinstance(row, Address) and isinstance(data, AddressIn):
            parsed = _parsed_address(data, "")
            return (parsed.street, parsed.line2, parsed.city, parsed.state, parsed.zip_code) == (
                row.street,
                row.line2,
                row.city,
                row.state,
                row.zip_code,
            )
        if isinstance(row, Employer) and isinstance(data, EmployerIn):
            fields = (" ".join(data.name.split()), " ".join(data.address.split()), " ".join(data.position.split()))
            phone = data.phone.strip()
            if phone:
                phone = parsing.normalise_phone(phone, region=parsing.default_region(actor.business))
            return (*fields, phone) == (row.name, row.address, row.position, row.phone)
    except DomainError:
        return False  # the new value is not valid: saving it says why
    return False
