"""The customers API (/api/v1/customers): list and quick search, a customer with its history, create (honouring
`Idempotency-Key`, like every POST), update, contact points added and ended, earlier names, licences, and the SSN
(write-only).

Each operation resolves the customer through a selector (another business's id is a 404), names its security
function, calls one service and renders.
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db.models import Prefetch, QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from tabwise.core.errors import DomainError, NotFound
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.pagination import PagePagination
from tabwise.customers import schemas, selectors, services
from tabwise.customers.models import Customer, CustomerTag, EarlierName, IdentityDocument
from tabwise.users import security
from tabwise.users.models import User
from tabwise.users.security import requires

router = Router(tags=["customers"])

P = ParamSpec("P")
R = TypeVar("R")
# A service names the object at fault; the API names the field that carried its id.
API_FIELDS = {"assigned_rep": "assigned_rep_id", "ended_on": "point_id", "point": "point_id"}


def _customer(customer_id: int) -> Customer:
    return selectors.customer_detail(customer_id)


def _rep(rep_id: int | None) -> User | None:
    if rep_id is None:
        return None
    rep = selectors.reps().filter(pk=rep_id).first()
    if rep is None:
        raise NotFound("No such user.", field="assigned_rep_id")
    return rep


def _detail(request: AuthenticatedHttpRequest, customer_id: int) -> Customer:
    """The customer as `CustomerDetailOut` shows it: the SSN's last four only for a level allowed to see them."""
    customer = _customer(customer_id)
    document = next((doc for doc in customer.identity_documents.all() if doc.is_tax_id and doc.is_current), None)
    view: dict[str, object] = {"on_file": document is not None, "kind": document.kind if document else None}
    view["last4"] = (
        services.reveal_ssn_last4(actor=request.user, customer=customer)
        if document is not None and security.can(request.user, "customers.view_ssn")
        else None
    )
    customer.ssn_view = view  # type: ignore[attr-defined]
    return customer


def api_fields(operation: Callable[P, R]) -> Callable[P, R]:
    """Report a service's DomainError on the API's field name (`assigned_rep` -> `assigned_rep_id`)."""

    @functools.wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except DomainError as error:
            error.field = API_FIELDS.get(error.field or "", error.field)
            raise

    return wrapper


@router.get("/", response=list[schemas.CustomerOut], operation_id="list_customers")
@requires("customers.view")
@paginate(PagePagination)
def list_customers(
    request: AuthenticatedHttpRequest,
    q: schemas.Text100 = "",
    status: schemas.CustomerStatus | None = None,
    is_ar: bool | None = None,
    rep_id: schemas.Id | None = None,
    tag: schemas.Text40 = "",
) -> QuerySet[Customer]:
    """The business's customers: those `q` finds (any part of a name or earlier name, the last digits of a phone,
    a plate, a VIN, a customer or account number), in a status, A/R or not, one rep's, or with a tag."""
    customers = selectors.customer_list(query=q, status=status or "", is_ar=is_ar, rep_id=rep_id, tag=tag)
    return customers.prefetch_related(Prefetch("tag_links", queryset=CustomerTag.objects.select_related("tag")))


@router.get("/search", response=list[schemas.SearchHitOut], operation_id="search_customers")
@requires("customers.view")
def search_customers(request: AuthenticatedHttpRequest, q: schemas.Text100 = "") -> list[dict[str, Any]]:
    """Quick search as you type: the best 20 customers for what was typed so far, each with what matched."""
    return [
        {
            "id": hit.customer.pk,
            "number": hit.customer.number,
            "display_name": hit.customer.display_name,
            "status": hit.customer.status,
            "primary_phone": hit.primary_phone,
            "matched": hit.matched,
        }
        for hit in selectors.quick_search(q)
    ]


@router.get("/{customer_id}", response=schemas.CustomerDetailOut, operation_id="get_customer")
@requires("customers.view")
def get_customer(request: AuthenticatedHttpRequest, customer_id: schemas.Id) -> Customer:
    """A customer with every phone, email, address, employer, earlier name and licence, current and ended."""
    return _detail(request, customer_id)


@router.post("/", response={201: schemas.CustomerDetailOut}, operation_id="create_customer")
@requires("customers.edit")
@api_fields
def create_customer(request: AuthenticatedHttpRequest, payload: schemas.CustomerIn) -> Status[Customer]:
    """Add a customer with its contact points and identity, all or nothing. Send an `Idempotency-Key`: a retry
    returns the first result and adds no second customer."""
    data = payload.dict()
    data["credit_limit"] = payload.credit_limit  # the Decimal (dict() gives its wire form, a string)
    customer = services.create_customer(
        actor=request.user,
        assigned_rep=_rep(data.pop("assigned_rep_id")),
        phones=[services.PhoneIn(**item) for item in data.pop("phones")],
        emails=[services.EmailIn(**item) for item in data.pop("emails")],
        addresses=[services.AddressIn(**item) for item in data.pop("addresses")],
        employers=[services.EmployerIn(**item) for item in data.pop("employers")],
        earlier_names=[services.EarlierNameIn(**item) for item in data.pop("earlier_names")],
        licences=[services.LicenceIn(**item) for item in data.pop("licences")],
        **data,
    )
    return Status(201, _detail(request, customer.pk))


@router.patch("/{customer_id}", response=schemas.CustomerDetailOut, operation_id="update_customer")
@requires("customers.edit")
@api_fields
def update_customer(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.CustomerPatch
) -> Customer:
    """Change the fields sent. A changed name is kept as an earlier name (`name_change`: its kind)."""
    customer = _customer(customer_id)
    fields = payload.dict(exclude_unset=True)
    if "credit_limit" in fields:
        fields["credit_limit"] = payload.credit_limit  # the Decimal (dict() gives its wire form, a string)
    name_change = fields.pop("name_change", EarlierName.Kind.PREVIOUS)
    tags = fields.pop("tags", None)
    if "assigned_rep_id" in fields:
        fields["assigned_rep"] = _rep(fields.pop("assigned_rep_id"))
    if fields:
        services.update_customer(actor=request.user, customer=customer, name_change=name_change, **fields)
    if tags is not None:
        services.set_tags(actor=request.user, customer=customer, tags=tags)
    return _detail(request, customer_id)


@router.post("/{customer_id}/phones", response={201: schemas.PhoneOut}, operation_id="add_phone")
@requires("customers.edit")
def add_phone(request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.PhoneIn) -> Status[Any]:
    phone = services.add_phone(
        actor=request.user, customer=_customer(customer_id), phone=services.PhoneIn(**payload.dict())
    )
    return Status(201, phone)


@router.post("/{customer_id}/emails", response={201: schemas.EmailOut}, operation_id="add_email")
@requires("customers.edit")
def add_email(request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.EmailIn) -> Status[Any]:
    email = services.add_email(
        actor=request.user, customer=_customer(customer_id), email=services.EmailIn(**payload.dict())
    )
    return Status(201, email)


@router.post("/{customer_id}/addresses", response={201: schemas.AddressOut}, operation_id="add_address")
@requires("customers.edit")
def add_address(request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.AddressIn) -> Status[Any]:
    """Add an address (a customer who moved: add the new one, then end the old one)."""
    address = services.add_address(
        actor=request.user, customer=_customer(customer_id), address=services.AddressIn(**payload.dict())
    )
    return Status(201, address)


@router.post("/{customer_id}/employers", response={201: schemas.EmployerOut}, operation_id="add_employer")
@requires("customers.edit")
def add_employer(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.EmployerIn
) -> Status[Any]:
    employer = services.add_employer(
        actor=request.user, customer=_customer(customer_id), employer=services.EmployerIn(**payload.dict())
    )
    return Status(201, employer)


@router.post(
    "/{customer_id}/contact-points/{kind}/{point_id}/end",
    response=schemas.CustomerDetailOut,
    operation_id="end_contact_point",
)
@requires("customers.edit")
@api_fields
def end_contact_point(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, kind: schemas.ContactKind, point_id: schemas.Id
) -> Customer:
    """A phone, email, address or employer no longer in use from today: it stays on file with its dates."""
    customer = _customer(customer_id)
    point = selectors.contact_point(kind, point_id, customer=customer)
    services.end_contact_point(actor=request.user, point=point)
    return _detail(request, customer_id)


@router.post("/{customer_id}/earlier-names", response={201: schemas.EarlierNameOut}, operation_id="add_earlier_name")
@requires("customers.edit_identity")
def add_earlier_name(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.EarlierNameIn
) -> Status[Any]:
    """A name the customer was known by (maiden, married, alias, previous)."""
    name = services.add_earlier_name(
        actor=request.user, customer=_customer(customer_id), name=services.EarlierNameIn(**payload.dict())
    )
    return Status(201, name)


@router.post("/{customer_id}/licences", response={201: schemas.LicenceOut}, operation_id="add_licence")
@requires("customers.edit_identity")
def add_licence(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.LicenceIn
) -> Status[IdentityDocument]:
    """A driver's license or state ID; it replaces the one of the same kind on file (which is kept, ended)."""
    licence = services.add_licence(
        actor=request.user, customer=_customer(customer_id), licence=services.LicenceIn(**payload.dict())
    )
    return Status(201, licence)


@router.put("/{customer_id}/ssn", response=schemas.SsnOut, operation_id="set_ssn")
@requires("customers.edit_identity")
def set_ssn(request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.SsnIn) -> dict[str, object]:
    """File the SSN or ITIN (write-only). The answer says it is on file; the last four only to a level allowed."""
    customer = _customer(customer_id)
    document = services.set_ssn(actor=request.user, customer=customer, ssn=payload.ssn)
    last4 = (
        services.reveal_ssn_last4(actor=request.user, customer=customer)
        if security.can(request.user, "customers.view_ssn")
        else None
    )
    return {"on_file": True, "kind": document.kind, "last4": last4}
