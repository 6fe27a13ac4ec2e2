"""The ledger API's schemas. Money is a decimal string ("25.00"), never a JSON number; instants are ISO 8601 with an
offset; calendar days are YYYY-MM-DD.

Amounts read back can be negative (a credit balance, a payment entry: see the sign convention in `ledger.models`),
so outputs use `SignedAmount`; amounts sent are positive, and the kind of document says which way they go.
Bank routing and account numbers are accepted on a payment and never returned: only `bank_last4` is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
)

from tabwise.core.clock import business_today
from tabwise.core.schemas import Amount, text
from tabwise.ledger.models import Account, Entry, Instalment, Invoice, InvoiceLine, Payment, PaymentPlan
from tabwise.ledger.services.payments import MAX_BATCH
from tabwise.users import security

ZERO = Decimal("0")

# --- Value types --------------------------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value if value else ZERO:.2f}"  # zero is "0.00", never "-0.00"


def _positive(value: Decimal) -> Decimal:
    if value <= ZERO:
        raise ValueError("must be more than zero")
    return value


# An amount of money more than zero with at most 2 decimals: what a payment, a charge or a credit note is for.
PositiveAmount = Annotated[
    Amount,
    AfterValidator(_positive),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([1-9]\d{0,11}(\.\d{1,2})?|0\.([1-9]\d?|0[1-9]))$", "examples": ["25.00"]}
    ),
]

# An amount read back from the ledger: negative for credits (see ledger.models), always with 2 decimals.
SignedAmount = Annotated[
    Decimal,
    PlainSerializer(_money, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,12}\.\d{2}$", "examples": ["1200.00", "-25.00"]}),
]


def _decimal_parser(places: int, below: Decimal, what: str) -> Callable[[Any], Decimal]:
    """A strict parser: a decimal string (never a JSON number), 0 <= value < below, at most `places` decimals."""

    def parse(value: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        if not isinstance(value, str):
            raise ValueError(f'send the {what} as a decimal string, e.g. "1.5"')
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a {what}: digits with up to {places} decimals") from None
        exponent = number.as_tuple().exponent
        if not number.is_finite() or not ZERO <= number < below or (isinstance(exponent, int) and exponent < -places):
            raise ValueError(f"not a {what}: digits with up to {places} decimals, less than {below}")
        return number

    return parse


# A quantity more than zero with up to 3 decimals ("2", "1.5", "0.250").
Quantity = Annotated[
    Decimal,
    BeforeValidator(_decimal_parser(3, Decimal("1e9"), "quantity")),
    AfterValidator(_positive),
    PlainSerializer(lambda value: f"{value:.3f}", return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([1-9]\d{0,8}(\.\d{1,3})?|0\.([1-9]\d{0,2}|0[1-9]\d?|00[1-9]))$",
            "examples": ["1", "2.5"],
        }
    ),
]

# A tax rate as a fraction of one with up to 5 decimals ("0.0825" is 8.25%).
TaxRate = Annotated[
    Decimal,
    BeforeValidator(_decimal_parser(5, Decimal("1"), "tax rate")),
    PlainSerializer(lambda value: f"{value:.5f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^0(\.\d{1,5})?$", "examples": ["0.0825"]}),
]

# Days and instants Tabwise can do date arithmetic on (a due date, a schedule) without leaving the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2199
YEAR_PATTERN = r"^(19|20|21)\d\d-"


def _in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Day = Annotated[
    date, AfterValidator(_in_range), WithJsonSchema({"type": "string", "format": "date", "pattern": YEAR_PATTERN})
]
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEAR_PATTERN}),
]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# An instant read back: always in UTC ("2026-03-10T14:30:00Z"), whatever offset it was sent with.
InstantOut = Annotated[datetime, AfterValidator(_utc)]


Text20 = Annotated[str, text(20)]
Text30 = Annotated[str, text(30)]
Text40 = Annotated[str, text(40)]
Text60 = Annotated[str, text(60)]
Text64 = Annotated[str, text(64)]
Text100 = Annotated[str, text(100)]
Text200 = Annotated[str, text(200)]
Text2000 = Annotated[str, text(2000)]
RequiredText100 = Annotated[str, text(100, required=True)]
RequiredText200 = Annotated[str, text(200, required=True)]

# An object id: a positive 64-bit integer (a larger one would overflow the database driver, not just miss).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# The ledger's choices, inlined in the OpenAPI document: as named enums they would share the component name
# "Status" with other apps' choices (ninja keeps one schema per name, silently).
AccountStatus = Annotated[Account.Status, WithJsonSchema({"type": "string", "enum": Account.Status.values})]
EntryKind = Annotated[Entry.Kind, WithJsonSchema({"type": "string", "enum": Entry.Kind.values})]
EntrySource = Annotated[Entry.Source, WithJsonSchema({"type": "string", "enum": Entry.Source.values})]
PaymentMethod = Annotated[Payment.Method, WithJsonSchema({"type": "string", "enum": Payment.Method.values})]
PlanFrequency = Annotated[
    PaymentPlan.Frequency, WithJsonSchema({"type": "string", "enum": PaymentPlan.Frequency.values})
]
PlanStatus = Annotated[PaymentPlan.Status, WithJsonSchema({"type": "string", "enum": PaymentPlan.Status.values})]
InstalmentStatus = Annotated[Instalment.Status, WithJsonSchema({"type": "string", "enum": Instalment.Status.values})]
InvoiceKind = Annotated[Invoice.Kind, WithJsonSchema({"type": "string", "enum": Invoice.Kind.values})]

# --- Accounts -----------------------------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    number: str
    name: str
    customer_id: int
    customer_name: str
    status: AccountStatus
    balance: SignedAmount
    credit_limit: Amount
    terms_days: int
    owner_id: int | None
    owner_name: str
    opened_on: date
    created_at: InstantOut

    @staticmethod
    def resolve_customer_name(account: Account) -> str:
        return account.customer.display_name

    @staticmethod
    def resolve_owner_name(account: Account) -> str:
        owner = account.owner
        return (owner.get_full_name() or owner.username) if owner is not None else ""


class AccountIn(Schema):
    """Open an account for an A/R customer; the terms default to the business's ledger settings."""

    customer_id: Id
    name: Text100 = "General"
    number: Text30 = ""
    terms_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    credit_limit: Amount = ZERO
    owner_id: Id | None = None
    opened_on: Day | None = None


# The default of a PATCH field: a field not sent is not changed (and null is refused where it is not a value).
NOT_SENT: Any = Field(None)


class AccountPatch(Schema):
    """Only the fields sent are changed. `owner_id: null` removes the owner."""

    name: RequiredText100 = NOT_SENT
    terms_days: Annotated[int, Field(ge=0, le=3650)] = NOT_SENT
    credit_limit: Amount = NOT_SENT
    status: AccountStatus = NOT_SENT
    owner_id: Id | None = NOT_SENT


class AccountBalanceOut(Schema):
    id: int
    number: str
    name: str
    status: AccountStatus
    balance: SignedAmount


class CustomerBalanceOut(Schema):
    customer_id: int
    balance: SignedAmount
    accounts: list[AccountBalanceOut]


# --- Entries ------------------------------------------------------------------------------------------------------


class EntryOut(Schema):
    """One posted line of an account's ledger: positive raises what the customer owes, negative lowers it."""

    id: int
    account_id: int
    kind: EntryKind
    category: str
    number: str
    amount: SignedAmount
    open_amount: SignedAmount
    posted_on: date
    due_on: date | None
    posted_at: InstantOut
    source: EntrySource
    memo: str
    reverses_id: int | None
    reversed_by_id: int | None

    @staticmethod
    def resolve_reversed_by_id(entry: Entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal is not None else None


class HistoryEntryOut(EntryOut):
    """An entry with the account's balance after it (entries in posting order: date, then id)."""

    running_balance: SignedAmount


class OpenItemOut(Schema):
    """A document with something still open: a debit not yet paid, or a credit not yet applied (negative)."""

    entry_id: int
    kind: EntryKind
    number: str
    posted_on: date
    due_on: date | None
    amount: SignedAmount
    open_amount: SignedAmount
    days_past_due: int
    invoice_id: int | None

    @staticmethod
    def resolve_entry_id(entry: Entry) -> int:
        return entry.pk

    @staticmethod
    def resolve_days_past_due(entry: Entry, context: dict[str, Any]) -> int:
        if entry.amount < ZERO or entry.due_on is None:
            return 0
        return max(0, (business_today(context["request"].business) - entry.due_on).days)

    @staticmethod
    def resolve_invoice_id(entry: Entry) -> int | None:
        invoice = getattr(entry, "invoice", None)
        return invoice.pk if invoice is not None else None


class OpenItemsOut(Schema):
    account_id: int
    as_of: date
    balance: SignedAmount
    items: list[OpenItemOut]


class ReversalIn(Schema):
    reason: RequiredText200
    posted_on: Day | None = None


# --- Invoices -----------------------------------------------------------------------------------------------------


class LineIn(Schema):
    description: RequiredText200
    quantity: Quantity = Decimal("1")
    unit_price: Amount
    unit_cost: Amount = ZERO
    tax_rate: TaxRate = ZERO
    item_code: Text40 = ""


class InvoiceIn(Schema):
    """Post a sale on account. The due date defaults to the invoice date plus the account's terms."""

    account_id: Id
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    issued_on: Day | None = None
    due_on: Day | None = None
    vehicle_id: Id | None = None
    mileage: Annotated[int, Field(ge=0, le=99_999_999)] | None = None
    notes: Text2000 = ""
    number: Text30 = ""
    override_credit: StrictBool = False
    bought_by_id: Id | None = Field(
        None, description="A family member of the account's customer who bought on the family's account."
    )


def _sees_costs(context: dict[str, Any] | None) -> bool:
    """Costs and margins are shown only to levels allowed `ledger.view_costs` (null otherwise)."""
    request = (context or {}).get("request")
    return request is not None and security.can(request.user, "ledger.view_costs")


class LineOut(Schema):
    position: int
    item_code: str
    description: str
    quantity: Quantity
    unit_price: Amount
    unit_cost: Amount | None
    tax_rate: TaxRate
    amount: Amount
    tax: Amount

    @staticmethod
    def resolve_unit_cost(line: InvoiceLine, context: dict[str, Any]) -> Decimal | None:
        return line.unit_cost if _sees_costs(context) else None


class InvoiceOut(Schema):
    id: int
    kind: InvoiceKind
    number: str
    customer_id: int
    account_id: int | None
    entry_id: int | None
    open_amount: SignedAmount | None
    vehicle_id: int | None
    mileage: int | None
    bought_by_id: int | None
    issued_on: date
    due_on: date | None
    subtotal: Amount
    tax_total: Amount
    total: Amount
    cost_total: Amount | None
    notes: str
    created_at: InstantOut
    lines: list[LineOut]

    @staticmethod
    def resolve_open_amount(invoice: Invoice) -> Decimal | None:
        return invoice.entry.open_amount if invoice.entry is not None else None

    @staticmethod
    def resolve_cost_total(invoice: Invoice, context: dict[str, Any]) -> Decimal | None:
        return invoice.cost_total if _sees_costs(context) else None

    @staticmethod
    def resolve_lines(invoice: Invoice) -> list[InvoiceLine]:
        return list(invoice.lines.all())


# --- Payments -----------------------------------------------------------------------------------------------------


class AllocationIn(Schema):
    entry_id: Id
    amount: PositiveAmount


class PaymentIn(Schema):
    """Money received. `received_at` defaults to now; `allocations` picks the documents paid, else oldest first.

    For checks and ACH, `bank_routing` and `bank_account` are fingerprinted and never stored or returned; only the
    last four digits of the account are kept. A `client_reference` already recorded posts nothing again.
    """

    account_id: Id
    amount: PositiveAmount
    method: PaymentMethod
    received_at: Instant | None = None
    reference: Text60 = ""
    received_where: Text200 = ""
    bank_routing: Text20 = ""
    bank_account: Text30 = ""
    client_reference: Text64 = ""
    allocations: Annotated[list[AllocationIn], Field(max_length=100)] = []


class PaymentOut(Schema):
    id: int
    number: str
    account_id: int
    entry_id: int
    amount: Amount
    unapplied: Amount
    method: PaymentMethod
    reference: str
    received_at: InstantOut
    received_where: str
    bank_last4: str
    client_reference: str

    @staticmethod
    def resolve_number(payment: Payment) -> str:
        return payment.entry.number

    @staticmethod
    def resolve_unapplied(payment: Payment) -> Decimal:
        return abs(payment.entry.open_amount)


class PaymentBatchIn(Schema):
    """Up to 1,000 payments, posted all or nothing (the field app's offline sync)."""

    items: Annotated[list[PaymentIn], Field(min_length=1, max_length=MAX_BATCH)]


class BatchItemOut(Schema):
    index: int
    status: Literal["recorded", "already_recorded"]
    payment_id: int
    number: str
    account_id: int
    amount: Amount
    client_reference: str


class PaymentBatchOut(Schema):
    recorded: int
    already_recorded: int
    items: list[BatchItemOut]


# --- Adjustments --------------------------------------------------------------------------------------------------

ChargeCategory = Literal["service", "late_fee", "interest", "returned_check"]


class ChargeIn(Schema):
    account_id: Id
    amount: PositiveAmount
    category: ChargeCategory = "service"
    memo: Text200 = ""
    posted_on: Day | None = None
    due_on: Day | None = None


class CreditNoteIn(Schema):
    """Credit the account; applied to the documents in `apply_to` first, then oldest first."""

    account_id: Id
    amount: PositiveAmount
    reason: RequiredText200
    apply_to: Annotated[list[Id], Field(max_length=100)] = []
    posted_on: Day | None = None


class WriteOffIn(Schema):
    """Write off bad debt: `amount` oldest first, the documents in `apply_to`, or (neither) everything open."""

    account_id: Id
    approver_id: Id
    reason: RequiredText200
    amount: PositiveAmount | None = None
    apply_to: Annotated[list[Id], Field(max_length=100)] = []
    posted_on: Day | None = None


class RefundIn(Schema):
    """Pay unapplied credit back to the customer."""

    account_id: Id
    amount: PositiveAmount
    method: PaymentMethod
    reference: Text60 = ""
    posted_on: Day | None = None


# --- Payment plans ------------------------------------------------------------------------------------------------


class PlanIn(Schema):
    """Agree equal instalments (the last one the remainder), the first due on `starts_on`."""

    account_id: Id
    amount: PositiveAmount
    instalment_amount: PositiveAmount
    frequency: PlanFrequency
    starts_on: Day
    invoice_id: Id | None = None


class InstalmentOut(Schema):
    sequence: int
    due_on: date
    amount: Amount
    paid_amount: Amount
    status: InstalmentStatus


class PlanOut(Schema):
    id: int
    account_id: int
    invoice_id: int | None
    amount: Amount
    instalment_amount: Amount
    frequency: PlanFrequency
    starts_on: date
    counts_from: date
    status: PlanStatus
    created_at: InstantOut
    instalments: list[InstalmentOut]

    @staticmethod
    def resolve_instalments(plan: PaymentPlan) -> list[Any]:
        return list(plan.instalments.order_by("sequence"))
