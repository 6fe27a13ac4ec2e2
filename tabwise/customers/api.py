from ninja import Router, Status
from ninja.pagination import paginate

from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.pagination import PagePagination
from tabwise.customers import selectors, services
from tabwise.customers.models import Customer
from tabwise.customers.schemas import CustomerIn, CustomerOut, CustomerPatch
from tabwise.users.security import requires

router = Router(tags=["customers"])


@router.get("/", response=list[CustomerOut], operation_id="list_customers")
@requires("customers.view")
@paginate(PagePagination)
def list_customers(request: AuthenticatedHttpRequest, q: str = "") -> list[Customer]:
    """The business's customers, optionally filtered by name, number, plate, VIN or the last digits of a phone."""
    return selectors.customer_list(query=q)  # type: ignore[return-value]


@router.get("/{customer_id}", response=CustomerOut, operation_id="get_customer")
@requires("customers.view")
def get_customer(request: AuthenticatedHttpRequest, customer_id: int) -> Customer:
    return selectors.customer_detail(customer_id)


@router.post("/", response={201: CustomerOut}, operation_id="create_customer")
@requires("customers.edit")
def create_customer(request: AuthenticatedHttpRequest, payload: CustomerIn) -> Status[Customer]:
    return Status(201, services.create_customer(actor=request.user, **payload.dict()))


@router.patch("/{customer_id}", response=CustomerOut, operation_id="update_customer")
@requires("customers.edit")
def update_customer(request: AuthenticatedHttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    customer = selectors.customer_detail(customer_id)
    fields = payload.dict(exclude_unset=True)
    return services.update_customer(actor=request.user, customer=customer, **fields)
