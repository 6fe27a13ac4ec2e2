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
from django.utils.translation import gettext
from ninja import Router, Status
from ninja.pagination import paginate

from tabwise.core.errors import DomainError, NotFound
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.pagination import PagePagination
from tabwise.customers import family_schemas, family_selectors, schemas, selectors, services
from tabwise.customers.models import Customer, CustomerTag, EarlierName, IdentityDocument
from tabwise.customers.services import family as family_services
from tabwise.customers.vehicle_selectors import vehicle_detail, vehicles_of
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


@router.get(
    "/{customer_id}",
    response=schemas.CustomerDetailOut,
    operation_id="get_customer",
    description=(
        "A customer with every phone, email, address, employer, earlier name and licence, current and ended. "
        "The id of a customer combined into another is an alias: the answer is the surviving customer (200, its "
        "own `id`, which differs from the one asked for), not a redirect, so clients need no redirect handling; "
        "compare the ids to notice a combine. Every other operation on that id acts on the survivor too."
    ),
)
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


# --- families (family members on the main customer's account) ------------------------------------------------------

FAMILY_FIELDS = {"member": "member_id", "main": "customer_id", "first_name": "new_member.first_name"}
FAMILY_FIELDS |= {"last_name": "new_member.last_name", "phone": "new_member.phone"}


def _family(customer: Customer) -> dict[str, Any]:
    found = family_selectors.family_of(customer)
    return {"main": found.main, "members": found.members}


@router.get("/{customer_id}/family", response=family_schemas.FamilyOut, operation_id="get_family")
@requires("customers.view")
def get_family(request: AuthenticatedHttpRequest, customer_id: schemas.Id) -> dict[str, Any]:
    """The customer's family, whether it is the main customer or a member: the family's purchases on account go
    on the main customer's account."""
    return _family(_customer(customer_id))


@router.post("/{customer_id}/family", response={201: family_schemas.FamilyOut}, operation_id="add_family_member")
@requires("customers.edit")
def add_family_member(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: family_schemas.FamilyMemberIn
) -> Status[dict[str, Any]]:
    """Add a family member to this (main) customer: a customer on file (`member_id`) or a new customer
    (`new_member`), with how they are related. The family comes back. 409 when the family rules forbid it (oneself,
    a merged customer, a member of another family, a family more than one level deep)."""
    main = _customer(customer_id)
    try:
        if isinstance(payload, family_schemas.ExistingFamilyMemberIn):
            member = selectors.customer_list().filter(pk=payload.member_id).first()
            if member is None:
                raise NotFound(gettext("No such customer."), field="member_id")
            family_services.add_family_member(
                actor=request.user, main=main, member=member, relationship=payload.relationship
            )
        else:
            person = payload.new_member
            family_services.create_family_member(
                actor=request.user, main=main, relationship=payload.relationship, first_name=person.first_name,
                last_name=person.last_name, phone=person.phone or "",
            )  # fmt: skip
    except DomainError as error:
        error.field = FAMILY_FIELDS.get(error.field or "", error.field)
        raise
    return Status(201, _family(main))


@router.post("/{customer_id}/separate-family", response=family_schemas.FamilyOut, operation_id="separate_family_member")
@requires("customers.edit")
def separate_family_member(request: AuthenticatedHttpRequest, customer_id: schemas.Id) -> dict[str, Any]:
    """Separate this family member from their family: a customer of their own from now on, with no A/R history
    (what the family bought on account stays on the main customer's account). Their (now empty) family comes back;
    409 for a customer in no family."""
    member = _customer(customer_id)
    try:
        separated = family_services.separate_family_member(actor=request.user, member=member)
    except DomainError as error:
        error.field = "customer_id" if error.field == "member" else error.field
        raise
    return _family(separated)


# --- vehicles ------------------------------------------------------------------------------------------------------


@router.get("/{customer_id}/vehicles", response=list[schemas.VehicleOut], operation_id="list_vehicles")
@requires("customers.view")
def list_vehicles(request: AuthenticatedHttpRequest, customer_id: schemas.Id) -> QuerySet[Any]:
    """The customer's vehicles, those in use first (disabled ones too: `is_active` false)."""
    return vehicles_of(_customer(customer_id))


@router.post("/{customer_id}/vehicles", response={201: schemas.VehicleOut}, operation_id="create_vehicle")
@requires("customers.edit")
def create_vehicle(
    request: AuthenticatedHttpRequest, customer_id: schemas.Id, payload: schemas.VehicleIn
) -> Status[Any]:
    """Add a vehicle; its VIN is decoded offline. The same VIN may be on another customer's vehicle (sold on)."""
    data = services.VehicleIn(**payload.dict())
    return Status(201, services.add_vehicle(actor=request.user, customer=_customer(customer_id), data=data))


@router.get("/vehicles/{vehicle_id}", response=schemas.VehicleOut, operation_id="get_vehicle")
@requires("customers.view")
def get_vehicle(request: AuthenticatedHttpRequest, vehicle_id: schemas.Id) -> Any:
    return vehicle_detail(vehicle_id)


@router.patch("/vehicles/{vehicle_id}", response=schemas.VehicleOut, operation_id="update_vehicle")
@requires("customers.edit")
def update_vehicle(request: AuthenticatedHttpRequest, vehicle_id: schemas.Id, payload: schemas.VehiclePatch) -> Any:
    """Change the fields sent (a VIN sent is decoded again)."""
    vehicle = vehicle_detail(vehicle_id)
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    data = services.VehicleIn.of(vehicle, **changes)
    return services.update_vehicle(actor=request.user, vehicle=vehicle, data=data)


@router.post("/vehicles/{vehicle_id}/disable", response=schemas.VehicleOut, operation_id="disable_vehicle")
@requires("customers.edit")
def disable_vehicle(request: AuthenticatedHttpRequest, vehicle_id: schemas.Id) -> Any:
    """No longer offered on sales; its readings, inspections and invoices stay. Disabling twice changes nothing."""
    return services.disable_vehicle(actor=request.user, vehicle=vehicle_detail(vehicle_id))


@router.post("/vehicles/{vehicle_id}/enable", response=schemas.VehicleOut, operation_id="enable_vehicle")
@requires("customers.edit")
def enable_vehicle(request: AuthenticatedHttpRequest, vehicle_id: schemas.Id) -> Any:
    return services.enable_vehicle(actor=request.user, vehicle=vehicle_detail(vehicle_id))


@router.post("/vehicles/{vehicle_id}/mileage", response={201: schemas.MileageOut}, operation_id="record_mileage")
@requires("customers.edit")
def record_mileage(
    request: AuthenticatedHttpRequest, vehicle_id: schemas.Id, payload: schemas.MileageIn
) -> Status[Any]:
    """An odometer reading. One lower than a reading on an earlier day (or higher than one on a later day) is a
    409 on `mileage` unless `corrected`."""
    reading = services.record_mileage(actor=request.user, vehicle=vehicle_detail(vehicle_id), **payload.dict())
    return Status(201, reading)


@router.post(
    "/vehicles/{vehicle_id}/inspections", response={201: schemas.InspectionOut}, operation_id="record_inspection"
)
@requires("customers.edit")
def record_inspection(
    request: AuthenticatedHttpRequest, vehicle_id: schemas.Id, payload: schemas.InspectionIn
) -> Status[Any]:
    """An inspection and its result; with `mileage`, also an odometer reading of that day."""
    inspection = services.record_inspection(actor=request.user, vehicle=vehicle_detail(vehicle_id), **payload.dict())
    return Status(201, inspection)
