"""Named reads of customers, scoped to the current business: the list, a customer's page, quick search, and the
identity (current and earlier) that duplicate detection and the skip network match against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from tabwise.core.errors import NotFound
from tabwise.core.models import AuditEvent
from tabwise.customers import crypto, parsing, search
from tabwise.customers.models import (
    Address,
    Customer,
    CustomerTag,
    Email,
    Employer,
    IdentityDocument,
    Phone,
    SearchKey,
    Tag,
)
from tabwise.matching import records
from tabwise.users.models import User

QUICK_SEARCH_LIMIT = 20


def customer_list(
    *,
    query: str = "",
    with_phone: bool = False,
    status: str = "",
    is_ar: bool | None = None,
    rep_id: int | None = None,
    tag: str = "",
) -> QuerySet[Customer]:
    """The business's customers found by `query` (see `customers.search`) and the filters given.

    `with_phone` adds each one's current primary phone as `primary_phone`.
    """
    customers = Customer.objects.exclude(status=Customer.Status.MERGED)  # tombstones: their number finds the survivor
    if query.strip():
        condition = search.matching_customers(query)
        customers = customers.filter(condition) if condition is not None else customers.none()
    if status:
        customers = customers.filter(status=status)
    if is_ar is not None:
        customers = customers.filter(is_ar=is_ar)
    if rep_id is not None:
        customers = customers.filter(assigned_rep_id=rep_id)
    if tag:
        customers = customers.filter(pk__in=CustomerTag.objects.filter(tag__name__iexact=tag).values("customer_id"))
    if with_phone:
        current = Phone.objects.filter(customer=OuterRef("pk"), valid_to__isnull=True)
        customers = customers.annotate(
            primary_phone=Subquery(current.order_by("-is_primary", "id").values("number")[:1])
        )
    return customers


def customer_detail(customer_id: int) -> Customer:
    """A customer of the business with its contact points (current first), vehicles, tags and documents.

    A combined customer's id is an alias of the survivor's: it gives the survivor (merges re-point earlier merges,
    so it is one step), and whatever is done by that id, by a page or the API, is done to the survivor.
    """
    customer = (
        Customer.objects.filter(pk=customer_id)
        .select_related("assigned_rep")
        .prefetch_related(
            "phones",
            "emails",
            "addresses",
            "employers",
            "vehicles",
            "earlier_names",
            Prefetch("identity_documents", queryset=IdentityDocument.objects.defer("secret", "digest")),
            Prefetch("tag_links", queryset=CustomerTag.objects.select_related("tag").order_by("tag__name")),
        )
        .first()
    )
    if customer is None:
        raise NotFound("No such customer.")
    if customer.status == Customer.Status.MERGED and customer.merged_into_id is not None:
        return customer_detail(customer.merged_into_id)
    return customer


def contact_point(kind: str, point_id: int, *, customer: Customer) -> Phone | Email | Address | Employer:
    """One phone, email, address or employer of `customer` (NotFound otherwise, whatever business it is in)."""
    models: dict[str, type[Phone] | type[Email] | type[Address] | type[Employer]] = {
        "phone": Phone,
        "email": Email,
        "address": Address,
        "employer": Employer,
    }
    model = models.get(kind)
    row = model.objects.filter(pk=point_id, customer=customer).first() if model is not None else None
    if row is None:
        raise NotFound("No such contact point.")
    return row


@dataclass(frozen=True)
class ContactLine:
    """A phone, email, address or employer as the customer's page lists it."""

    kind: str  # "phone", "email", "address", "employer"
    point: Phone | Email | Address | Employer


def contact_lines(customer: Customer) -> tuple[list[ContactLine], list[ContactLine]]:
    """(in use, no longer in use) from the customer's prefetched contact points (`customer_detail`)."""
    lines = [
        *(ContactLine("phone", p) for p in customer.phones.all()),
        *(ContactLine("email", e) for e in customer.emails.all()),
        *(ContactLine("address", a) for a in customer.addresses.all()),
        *(ContactLine("employer", e) for e in customer.employers.all()),
    ]
    ended = [line for line in lines if not line.point.is_current]
    ended.sort(key=lambda line: line.point.valid_to or date.min, reverse=True)
    return [line for line in lines if line.point.is_current], ended


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def reps() -> QuerySet[User]:
    """The users of the business a customer can be assigned to (active ones)."""
    return User.members.filter(is_active=True).order_by("first_name", "last_name", "username")


def events_of(customer: Customer, *, limit: int = 50) -> QuerySet[AuditEvent]:
    """The readable events written about the customer, newest first."""
    return AuditEvent.objects.filter(subject_type=Customer._meta.label, subject_id=str(customer.pk)).select_related(
        "actor"
    )[:limit]


def has_tax_id(customer: Customer) -> bool:
    return IdentityDocument.objects.filter(
        customer=customer, kind__in=IdentityDocument.TAX_IDS, valid_to__isnull=True
    ).exists()


# --- quick search -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """A customer the quick search found, with what matched ("earlier name", "phone", "plate")."""

    customer: Customer
    matched: list[str]
    primary_phone: str | None


def quick_search(query: str, *, limit: int = QUICK_SEARCH_LIMIT) -> list[SearchHit]:
    """The best `limit` customers for what the clerk has typed so far (see `customers.search`); at most four
    queries whatever the number of customers."""
    found = search.best_matches(query, limit=limit)
    if not found:
        return []
    customers = customer_list(with_phone=True).filter(pk__in=[pk for pk, _kinds in found]).in_bulk()
    labels = dict(SearchKey.Kind.choices)
    return [
        SearchHit(customers[pk], [str(labels.get(kind, kind)) for kind in kinds], customers[pk].primary_phone)  # type: ignore[attr-defined]
        for pk, kinds in found
        if pk in customers
    ]


# --- identity, for matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    kind: str  # "current", or an EarlierName.Kind value
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class PostalAddress:
    street: str
    line2: str
    city: str
    state: str
    zip_code: str
    house_number: str
    street_name: str
    unit: str
    is_current: bool
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Dated:
    """A phone (E.164), email or employer name, with the days it was in use."""

    value: str
    is_current: bool
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Licence:
    number: str
    state: str
    kind: str
    is_current: bool


@dataclass(frozen=True)
class Identity:
    """Everything a customer is or was known by, for the person-matching engine (duplicates, the skip network).

    `ssns` holds the SSNs/ITINs in the clear (nine digits), current first: only the matching engine may read them,
    and must never log, store or show them.
    """

    customer_id: int
    kind: str
    company_name: str
    names: list[PersonName]
    date_of_birth: date | None
    ssns: list[str] = field(repr=False)
    licences: list[Licence]
    phones: list[Dated]
    emails: list[Dated]
    addresses: list[PostalAddress]
    employers: list[Dated]

    @property
    def current_name(self) -> PersonName:
        return self.names[0]

    def as_record(self) -> records.PersonRecord:
        """The matching engine's input (`tabwise.matching.records`): every name, phone, address and employer, current
        and earlier; the current SSN (the engine takes one)."""
        return records.PersonRecord(
            names=[records.PersonName(n.first_name, n.middle_name, n.last_name, n.suffix) for n in self.names],
            date_of_birth=self.date_of_birth,
            ssn=self.ssns[0] if self.ssns else "",
            licences=[records.DriverLicence(licence.number, licence.state) for licence in self.licences],
            phones=[phone.value for phone in self.phones],
            emails=[email.value for email in self.emails],
            addresses=[records.Address(a.street, a.city, a.state, a.zip_code, a.line2) for a in self.addresses],
            employers=[employer.value for employer in self.employers],
        )


# What `identity_of` reads: prefetched with these, a whole business's identities take seven queries in all.
IDENTITY_PREFETCH = ("earlier_names", "identity_documents", "phones", "emails", "addresses", "employers")


def identity_of(customer: Customer) -> Identity:
    """The customer's current and earlier names, date of birth, SSNs (decrypted; a token no configured key opens is
    left out), licences, phones, emails, addresses and employers, each with its dates. Seven queries, or none for a
    customer read with `IDENTITY_PREFETCH` (the duplicate finder reads a whole business that way)."""
    names = [
        PersonName(customer.first_name, customer.middle_name, customer.last_name, customer.suffix, "current"),
        *(
            PersonName(n.first_name, n.middle_name, n.last_name, n.suffix, n.kind, n.valid_from, n.valid_to)
            for n in customer.earlier_names.all()  # newest first (the model's order)
        ),
    ]
    current_first = sorted(customer.identity_documents.all(), key=lambda doc: (doc.valid_to is not None, -doc.pk))
    return Identity(
        customer_id=customer.pk,
        kind=customer.kind,
        company_name=customer.company_name,
        names=names,
        date_of_birth=customer.date_of_birth,
        ssns=[ssn for doc in current_first if doc.is_tax_id and (ssn := _readable(doc))],
        licences=[Licence(d.number, d.state, d.kind, d.is_current) for d in current_first if not d.is_tax_id],
        phones=[_dated(p.number, p) for p in customer.phones.all()],
        emails=[_dated(e.address, e) for e in customer.emails.all()],
        addresses=[
            PostalAddress(
                a.street,
                a.line2,
                a.city,
                a.state,
                a.zip_code,
                a.house_number,
                a.street_name,
                a.unit,
                a.is_current,
                a.valid_from,
                a.valid_to,
            )
            for a in customer.addresses.all()
        ],
        employers=[_dated(e.name, e) for e in customer.employers.all()],
    )


def _readable(document: IdentityDocument) -> str:
    try:
        return crypto.decrypt(document.secret)
    except crypto.UnreadableSecret:  # its key was retired before it was re-encrypted: nothing to match on
        return ""


def _dated(value: str, row: Phone | Email | Employer) -> Dated:
    return Dated(value, row.is_current, row.valid_from, row.valid_to)


def customers_with_tax_id(ssn: str) -> QuerySet[Customer]:
    """Customers of the business with this SSN or ITIN on file, now or before (an equality lookup on the keyed
    digest: the numbers on file are never decrypted). DomainError(field="ssn") when it is not a valid one."""
    _kind, digits = parsing.parse_tax_id(ssn)
    return Customer.objects.filter(
        pk__in=IdentityDocument.objects.filter(digest=crypto.digest(digits)).values("customer_id")
    )
