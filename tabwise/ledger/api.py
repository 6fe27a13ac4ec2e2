"""The ledger's JSON API (/api/v1/ledger): accounts, their documents and history, and every posting service.

Each operation resolves the ids it is given to this business's objects (another business's id, or none, is a 404
naming the field), names its security function, calls one service or selector and renders. A service's error on a
related object (`account`, `approver`, ...) is reported on the API's field (`account_id`, `approver_id`, ...).
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db.models import F, QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from tabwise.core.clock import business_today
from tabwise.core.errors import DomainError, NotFound
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.money import MoneySum
from tabwise.core.pagination import PagePagination
from tabwise.customers import selectors as customer_selectors
from tabwise.customers.models import Customer, Vehicle
from tabwise.ledger import schemas, selectors, services
from tabwise.ledger.models import Account, Entry, Invoice, Payment, PaymentPlan
from tabwise.users import selectors as user_selectors
from tabwise.users.models import User
from tabwise.users.security import requires

router = Router(tags=["ledger"])

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# A service names the object at fault; the API names the field that carried its id.
API_FIELDS = {
    "account": "account_id",
    "approver": "approver_id",
    "customer": "customer_id",
    "entry": "entry_id",
    "invoice": "invoice_id",
    "owner": "owner_id",
    "vehicle": "vehicle_id",
    "bought_by": "bought_by_id",
}


def api_fields(operation: Callable[P, R]) -> Callable[P, R]:
    """Report a service's DomainError on the API's field name (`approver` -> `approver_id`)."""

    @functools.wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except DomainError as error:
            error.field = API_FIELDS.get(error.field or "", error.field)
            raise

    return wrapper


def _found(field: str, lookup: Callable[[int], T], pk: int) -> T:
    """`lookup(pk)`, with its NotFound reported on `field`."""
    try:
        return lookup(pk)
    except NotFound as error:
        error.field = field
        raise


def _user(field: str, pk: int) -> User:
    user = user_selectors.users_of_business().filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotFound("No such user.", field=field)
    return user


def _customer(pk: int, field: str | None = None) -> Customer:
    customer = customer_selectors.customer_list().filter(pk=pk).first()
    if customer is None:
        raise NotFound("No such customer.", field=field)
    return customer


def _vehicle(pk: int) -> Vehicle:
    vehicle = Vehicle.objects.filter(pk=pk).first()  # scoped to the business, like every tenant query
    if vehicle is None:
        raise NotFound("No such vehicle.", field="vehicle_id")
    return vehicle


def _bought_by(pk: int) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()  # scoped to the business, like every tenant query
    if customer is None:
        raise NotFound("No such customer.", field="bought_by_id")
    return customer


# --- Accounts -----------------------------------------------------------------------------------------------------


@router.get("/accounts", response=list[schemas.AccountOut], operation_id="list_accounts")
@requires("ledger.view")
@paginate(PagePagination)
def list_accounts(
    request: AuthenticatedHttpRequest,
    customer_id: schemas.Id | None = None,
    status: schemas.AccountStatus | None = None,
    q: schemas.Text100 = "",
) -> QuerySet[Account]:
    """The business's accounts by number, optionally one customer's, in one status, or matching `q`."""
    accounts = selectors.account_list(query=q, status=status or "")
    if customer_id is not None:
        accounts = accounts.filter(customer_id=customer_id)
    return accounts


@router.get("/accounts/{account_id}", response=schemas.AccountOut, operation_id="get_account")
@requires("ledger.view")
def get_account(request: AuthenticatedHttpRequest, account_id: schemas.Id) -> Account:
    return selectors.account_detail(account_id)


@router.post("/accounts", response={201: schemas.AccountOut}, operation_id="create_account")
@requires("ledger.manage_accounts")
@api_fields
def create_account(request: AuthenticatedHttpRequest, payload: schemas.AccountIn) -> Status[Account]:
    """Open an account for an A/R customer."""
    customer = _customer(payload.customer_id, "customer_id")
    owner = _user("owner_id", payload.owner_id) if payload.owner_id is not None else None
    account = services.open_account(
        actor=request.user,
        customer=customer,
        name=payload.name,
        terms_days=payload.terms_days,
        credit_limit=payload.credit_limit,
        owner=owner,
        number=payload.number or None,
        opened_on=payload.opened_on,
    )
    return Status(201, selectors.account_detail(account.pk))


@router.patch("/accounts/{account_id}", response=schemas.AccountOut, operation_id="update_account")
@requires("ledger.manage_accounts")
@api_fields
def update_account(request: AuthenticatedHttpRequest, account_id: schemas.Id, payload: schemas.AccountPatch) -> Account:
    """Change the account line's name, terms, credit limit, status or owner (only the fields sent)."""
    account = selectors.account_detail(account_id)
    fields: dict[str, object] = payload.dict(exclude_unset=True)
    if "owner_id" in fields:
        owner_id = fields.pop("owner_id")
        fields["owner"] = _user("owner_id", owner_id) if isinstance(owner_id, int) else None
    services.update_account(actor=request.user, account=account, **fields)
    return selectors.account_detail(account.pk)


@router.get("/accounts/{account_id}/open-items", response=schemas.OpenItemsOut, operation_id="list_open_items")
@requires("ledger.view")
def list_open_items(request: AuthenticatedHttpRequest, account_id: schemas.Id) -> dict[str, object]:
    """What is still open on the account, oldest due first: debits owed and credits not yet applied (negative)."""
    account = selectors.account_detail(account_id)
    return {
        "account_id": account.pk,
        "as_of": business_today(request.business),
        "balance": account.balance,
        "items": list(selectors.open_items(account=account).select_related("invoice")),
    }


@router.get(
    "/accounts/{account_id}/entries", response=list[schemas.HistoryEntryOut], operation_id="list_account_entries"
)
@requires("ledger.view")
@paginate(PagePagination)
def list_account_entries(request: AuthenticatedHttpRequest, account_id: schemas.Id) -> QuerySet[Entry]:
    """The account's history in posting order (date, then id), each entry with the balance after it."""
    account = selectors.account_detail(account_id)
    # The window runs over the whole account before the page is cut, so every page's balances are exact.
    return selectors.account_entries(account).annotate(
        running_balance=MoneySum("amount", order_by=[F("posted_on").asc(), F("id").asc()])
    )


@router.get("/accounts/{account_id}/payments", response=list[schemas.PaymentOut], operation_id="list_account_payments")
@requires("ledger.view")
@paginate(PagePagination)
def list_account_payments(request: AuthenticatedHttpRequest, account_id: schemas.Id) -> QuerySet[Payment]:
    """The account's payments, latest first."""
    return selectors.payments_of(selectors.account_detail(account_id))


@router.get(
    "/customers/{customer_id}/balance", response=schemas.CustomerBalanceOut, operation_id="get_customer_balance"
)
@requires("ledger.view")
def get_customer_balance(request: AuthenticatedHttpRequest, customer_id: schemas.Id) -> dict[str, object]:
    """What the customer owes across all their accounts (negative: credit held for them)."""
    customer = _customer(customer_id)
    return {
        "customer_id": customer.pk,
        "balance": selectors.customer_balance(customer),
        "accounts": list(selectors.accounts_of(customer)),
    }


# --- Documents ----------------------------------------------------------------------------------------------------


@router.get("/invoices/{invoice_id}", response=schemas.InvoiceOut, operation_id="get_invoice")
@requires("ledger.view")
def get_invoice(request: AuthenticatedHttpRequest, invoice_id: schemas.Id) -> Invoice:
    """An invoice (or estimate) with its lines."""
    return selectors.invoice_detail(invoice_id)


@router.post("/invoices", response={201: schemas.InvoiceOut}, operation_id="create_invoice")
@requires("ledger.post_sales")
@api_fields
def create_invoice(request: AuthenticatedHttpRequest, payload: schemas.InvoiceIn) -> Status[Invoice]:
    """Post a sale on account. Refused (409) over the credit limit or on hold unless `override_credit` by a user
    whose level allows overriding (403 otherwise)."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    vehicle = _vehicle(payload.vehicle_id) if payload.vehicle_id is not None else None
    bought_by = _bought_by(payload.bought_by_id) if payload.bought_by_id is not None else None
    lines = [
        services.LineIn(
            description=line.description,
            unit_price=line.unit_price,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            tax_rate=line.tax_rate,
            item_code=line.item_code,
        )
        for line in payload.lines
    ]
    invoice = services.post_invoice(
        actor=request.user,
        account=account,
        lines=lines,
        issued_on=payload.issued_on,
        due_on=payload.due_on,
        vehicle=vehicle,
        mileage=payload.mileage,
        notes=payload.notes,
        override_credit=payload.override_credit,
        source=Entry.Source.API,
        number=payload.number or None,
        bought_by=bought_by,
    )
    return Status(201, selectors.invoice_detail(invoice.pk))


@router.get("/entries/{entry_id}", response=schemas.EntryOut, operation_id="get_entry")
@requires("ledger.view")
def get_entry(request: AuthenticatedHttpRequest, entry_id: schemas.Id) -> Entry:
    """One posted document of the ledger (invoice, charge, payment, credit note, write-off, refund, reversal)."""
    return selectors.entry_detail(entry_id)


@router.post("/entries/{entry_id}/reversal", response={201: schemas.EntryOut}, operation_id="reverse_entry")
@requires("ledger.reverse")
@api_fields
def reverse_entry(
    request: AuthenticatedHttpRequest, entry_id: schemas.Id, payload: schemas.ReversalIn
) -> Status[Entry]:
    """Reverse a posted document (a bounced check, an invoice raised in error); returns the reversing entry."""
    entry = selectors.entry_detail(entry_id)
    reversal = services.reverse_entry(
        actor=request.user, entry=entry, reason=payload.reason, posted_on=payload.posted_on
    )
    return Status(201, reversal)


# --- Payments -----------------------------------------------------------------------------------------------------


def _payment_in(item: schemas.PaymentIn) -> services.PaymentIn:
    return services.PaymentIn(
        account_id=item.account_id,
        amount=item.amount,
        method=item.method,
        received_at=item.received_at,
        reference=item.reference,
        received_where=item.received_where,
        bank_routing=item.bank_routing,
        bank_account=item.bank_account,
        client_reference=item.client_reference,
        allocations=tuple((allocation.entry_id, allocation.amount) for allocation in item.allocations),
    )


@router.post("/payments", response={200: schemas.PaymentOut, 201: schemas.PaymentOut}, operation_id="create_payment")
@requires("ledger.record_payments")
@api_fields
def create_payment(request: AuthenticatedHttpRequest, payload: schemas.PaymentIn) -> Status[Payment]:
    """Record money received and apply it. A `client_reference` already recorded returns that payment (200) and
    posts nothing."""
    recorded = services.record_payment_once(actor=request.user, payment=_payment_in(payload), source=Entry.Source.API)
    return Status(201 if recorded.created else 200, recorded.payment)


@router.post(
    "/payments/batch",
    response={200: schemas.PaymentBatchOut, 201: schemas.PaymentBatchOut},
    operation_id="create_payment_batch",
)
@requires("ledger.record_payments")
def create_payment_batch(request: AuthenticatedHttpRequest, payload: schemas.PaymentBatchIn) -> Status[dict[str, Any]]:
    """Record up to 1,000 payments all or nothing (the field app's sync); an error names its item (`items.3.amount`).

    Items whose `client_reference` was already recorded are reported as `already_recorded` with that payment, and
    posted nothing again. 201 when anything was recorded, 200 when every item already was.
    """
    result = services.record_payments(actor=request.user, payments=[_payment_in(item) for item in payload.items])
    return Status(201 if result.payments else 200, _batch_out(payload, result))


def _batch_out(payload: schemas.PaymentBatchIn, result: services.BatchResult) -> dict[str, Any]:
    """Pair each item with its payment: the batch's new payments come back in item order, skipping the items whose
    client reference was already recorded (those come with the payment recorded then). Plain dicts: the response
    schema validates them once (schema objects would be validated twice, through attribute access)."""
    new = iter(result.payments)
    items = []
    for index, item in enumerate(payload.items):
        payment = result.earlier.get(item.client_reference) if item.client_reference else None
        already = payment is not None
        if payment is None:
            payment = next(new)
        items.append(
            {
                "index": index,
                "status": "already_recorded" if already else "recorded",
                "payment_id": payment.pk,
                "number": payment.entry.number,
                "account_id": payment.account_id,
                "amount": payment.amount,
                "client_reference": payment.client_reference,
            }
        )
    return {"recorded": len(result.payments), "already_recorded": result.already_recorded, "items": items}


# --- Adjustments --------------------------------------------------------------------------------------------------


@router.post("/charges", response={201: schemas.EntryOut}, operation_id="create_charge")
@requires("ledger.post_adjustments")
@api_fields
def create_charge(request: AuthenticatedHttpRequest, payload: schemas.ChargeIn) -> Status[Entry]:
    """Charge the account a fee (service, late fee, interest, returned check)."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    entry = services.post_charge(
        actor=request.user,
        account=account,
        amount=payload.amount,
        category=payload.category,
        memo=payload.memo,
        posted_on=payload.posted_on,
        due_on=payload.due_on,
        source=Entry.Source.API,
    )
    return Status(201, entry)


@router.post("/credit-notes", response={201: schemas.EntryOut}, operation_id="create_credit_note")
@requires("ledger.post_adjustments")
@api_fields
def create_credit_note(request: AuthenticatedHttpRequest, payload: schemas.CreditNoteIn) -> Status[Entry]:
    """Credit the account (a return, a price adjustment)."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    entry = services.issue_credit_note(
        actor=request.user,
        account=account,
        amount=payload.amount,
        reason=payload.reason,
        apply_to=payload.apply_to,
        posted_on=payload.posted_on,
    )
    return Status(201, entry)


@router.post("/write-offs", response={201: schemas.EntryOut}, operation_id="create_write_off")
@requires("ledger.write_off")
@api_fields
def create_write_off(request: AuthenticatedHttpRequest, payload: schemas.WriteOffIn) -> Status[Entry]:
    """Write off bad debt, approved by `approver_id` (a user whose level allows approving write-offs)."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    approver = _user("approver_id", payload.approver_id)
    entry = services.write_off(
        actor=request.user,
        account=account,
        approver=approver,
        reason=payload.reason,
        amount=payload.amount,
        apply_to=payload.apply_to,
        posted_on=payload.posted_on,
    )
    return Status(201, entry)


@router.post("/refunds", response={201: schemas.EntryOut}, operation_id="create_refund")
@requires("ledger.post_adjustments")
@api_fields
def create_refund(request: AuthenticatedHttpRequest, payload: schemas.RefundIn) -> Status[Entry]:
    """Pay unapplied credit (an overpayment) back to the customer."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    entry = services.refund_credit(
        actor=request.user,
        account=account,
        amount=payload.amount,
        method=payload.method,
        reference=payload.reference,
        posted_on=payload.posted_on,
    )
    return Status(201, entry)


# --- Payment plans ------------------------------------------------------------------------------------------------


@router.post("/plans", response={201: schemas.PlanOut}, operation_id="create_plan")
@requires("ledger.manage_plans")
@api_fields
def create_plan(request: AuthenticatedHttpRequest, payload: schemas.PlanIn) -> Status[PaymentPlan]:
    """Agree a payment plan on an account; the response carries its schedule."""
    account = _found("account_id", selectors.account_detail, payload.account_id)
    invoice = _found("invoice_id", selectors.invoice_detail, payload.invoice_id) if payload.invoice_id else None
    plan = services.create_plan(
        actor=request.user,
        account=account,
        amount=payload.amount,
        instalment_amount=payload.instalment_amount,
        frequency=payload.frequency,
        starts_on=payload.starts_on,
        invoice=invoice,
    )
    return Status(201, plan)


@router.get("/plans/{plan_id}", response=schemas.PlanOut, operation_id="get_plan")
@requires("ledger.view")
def get_plan(request: AuthenticatedHttpRequest, plan_id: schemas.Id) -> PaymentPlan:
    """A payment plan with its schedule: each instalment's due date, amount, what was paid and its state."""
    return selectors.plan_detail(plan_id)
