"""Files from another system (StockTrac, QuickBooks, a tool-truck dealer system): the three import formats, their
columns and header aliases, and reading each row into a typed record or into errors.

Pure: nothing here reads or writes the database. `read_rows(kind, rows)` takes the numbered rows of
`core.exports.read_upload`, maps the headers through the aliases and checks every cell of every row, so the dry
run can list every bad row at once (row number, column, reason). What needs the database (an unknown customer, an
invoice number already in Tabwise) is checked by `services.imports`.

Values: amounts are `Decimal` from text ("$1,234.50"), never float, more than zero, at most two decimal places.
Dates are ISO (2026-01-15) or US (01/15/2026); a date that is neither says which reading failed.

Speed: a file of 20,000 rows is read twice (the dry run, then the import), so the per-row path translates nothing
unless a cell is bad: the messages are lazy (`gettext_lazy`) or translated once per file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.core.errors import DomainError
from tabwise.core.exports import FORMULA_STARTS, Table, Upload
from tabwise.core.exports import Column as ExportColumn
from tabwise.core.money import CENT
from tabwise.customers.models import Customer
from tabwise.customers.services import AddressIn, CustomerIn
from tabwise.ledger.models import ImportBatch, Payment
from tabwise.ledger.services.sales import LineIn
from tabwise.notifications.services import normalize_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("999999999999.99")  # what a MoneyField (14 digits, 2 places) holds


@dataclass(frozen=True)
class Column:
    """One column of an import format: its key, the header the template uses, and the other headers accepted."""

    key: str
    header: str
    help: StrOrPromise  # shown on the import page
    examples: tuple[str, str]
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Format:
    kind: str
    columns: tuple[Column, ...]
    notes: tuple[StrOrPromise, ...] = ()
    line_columns: tuple[Column, ...] = ()  # invoices: given instead of an amount, one row per line

    def template(self) -> Table:
        """The downloadable template: every column, with two example rows."""
        return Table(
            title=f"{self.kind} import",
            columns=[ExportColumn(column.header) for column in self.columns],
            rows=[[column.examples[n] for column in self.columns] for n in (0, 1)],
        )


def squash(header: str) -> str:
    """'Cust #' -> 'custno', 'Invoice Date' -> 'invoicedate': how headers and aliases are compared."""
    return re.sub(r"[^a-z0-9]+", "", header.lower().replace("#", "no"))


CUSTOMER_NUMBER = Column(
    "customer_number",
    "Customer number",
    gettext_lazy("The customer's number in your old system; invoices and payments refer to it."),
    ("1001", "1002"),
    required=True,
    aliases=("number", "no", "customer no", "customer id", "cust no", "cust #", "cust id", "customer #", "cust num"),
)
ACCOUNT_LINE = Column(
    "account_line",
    "Account line",
    gettext_lazy("Which of the customer's accounts (a product line or route). Blank: the customer's only account."),
    ("Tools", ""),
    aliases=("line", "account", "account name", "department", "dept", "route", "line of credit"),
)

CUSTOMERS = Format(
    ImportBatch.Kind.CUSTOMERS,
    (
        CUSTOMER_NUMBER,
        Column(
            "kind",
            "Kind",
            gettext_lazy("person or company. Blank: a company when only a company name is given."),
            ("person", "company"),
            aliases=("type", "customer type"),
        ),
        Column("first_name", "First name", gettext_lazy("For a person."), ("Maria", ""), aliases=("first", "fname")),
        Column("middle_name", "Middle name", "", ("J", ""), aliases=("middle", "middle initial", "mi")),
        Column(
            "last_name",
            "Last name",
            gettext_lazy("Required for a person."),
            ("Lopez", ""),
            aliases=("last", "lname", "surname"),
        ),
        Column(
            "company_name",
            "Company name",
            gettext_lazy("Required for a company."),
            ("", "Eastside Auto Repair"),
            aliases=("company", "business", "business name", "organization"),
        ),
        Column(
            "phone",
            "Phone",
            gettext_lazy("A US number in any usual form."),
            ("(312) 555-0142", "312-555-0199"),
            aliases=("phone number", "telephone", "tel", "mobile", "cell", "cell phone"),
        ),
        Column("email", "Email", "", ("maria@example.com", ""), aliases=("e-mail", "email address")),
        Column(
            "street",
            "Street",
            gettext_lazy("With city and state, the customer's address."),
            ("12 Oak St", "400 W Main St"),
            aliases=("address", "address 1", "address line 1", "street address", "addr1"),
        ),
        Column("city", "City", "", ("Springfield", "Springfield"), aliases=("town",)),
        Column("state", "State", gettext_lazy("Two letters."), ("IL", "IL"), aliases=("st", "province")),
        Column("zip", "ZIP", "", ("62701", "62704-1234"), aliases=("zip code", "zipcode", "postal code", "postcode")),
        Column(
            "credit_limit",
            "Credit limit",
            gettext_lazy("An amount; blank or 0: no limit."),
            ("1,500.00", "$10,000"),
            aliases=("limit", "credit line"),
        ),
        Column(
            "is_ar",
            "A/R",
            gettext_lazy("yes (on account, the default) or no (cash customer: no account is opened)."),
            ("yes", "yes"),
            aliases=("ar", "on account", "charge account", "credit customer", "is ar"),
        ),
        Column(
            "account_line",
            "Account line",
            gettext_lazy("The name of the account opened for an A/R customer. Blank: General."),
            ("Tools", "General"),
            aliases=ACCOUNT_LINE.aliases,
        ),
        Column(
            "terms_days",
            "Terms days",
            gettext_lazy("Days to pay (30, or Net 30). Blank: your default terms."),
            ("30", "Net 15"),
            aliases=("terms", "net days", "payment terms", "due days"),
        ),
    ),
    (gettext_lazy("One row per customer. Customer numbers must be new to Tabwise."),),
)

LINE_COLUMNS = (
    Column("quantity", "Quantity", "", ("1", "2"), aliases=("qty",)),
    Column("unit_price", "Unit price", "", ("1,250.00", "44.995"), aliases=("price", "each", "unit cost price")),
    Column("tax_rate", "Tax rate", "", ("8.25%", "0"), aliases=("tax", "tax %", "tax percent")),
    Column("item_code", "Item code", "", ("SK-100", ""), aliases=("item", "sku", "part number", "part no")),
)

INVOICES = Format(
    ImportBatch.Kind.INVOICES,
    (
        CUSTOMER_NUMBER,
        ACCOUNT_LINE,
        Column(
            "invoice_number",
            "Invoice number",
            gettext_lazy("Must be new to Tabwise and appear once (or once per line, with unit prices)."),
            ("A-20417", "A-20533"),
            required=True,
            aliases=("invoice", "invoice no", "invoice #", "inv no", "inv #", "document number", "ticket number"),
        ),
        Column(
            "invoice_date",
            "Invoice date",
            gettext_lazy("YYYY-MM-DD or MM/DD/YYYY."),
            ("2026-01-15", "02/03/2026"),
            required=True,
            aliases=("date", "inv date", "issue date", "issued", "sale date"),
        ),
        Column(
            "due_date",
            "Due date",
            gettext_lazy("Blank: the invoice date plus the account's terms."),
            ("2026-02-14", ""),
            aliases=("due", "due on", "date due"),
        ),
        Column(
            "amount",
            "Amount",
            gettext_lazy("The invoice's total. Or, instead, a Unit price column and one row per line."),
            ("1,250.00", "$89.99"),
            aliases=("total", "invoice total", "amount due", "balance", "balance due", "open amount"),
        ),
        Column(
            "description",
            "Description",
            gettext_lazy("Blank: “Invoice” and its number."),
            ("Socket set", "Torque wrench"),
            aliases=("desc", "memo", "item description", "notes"),
        ),
    ),
    (
        gettext_lazy(
            "Payments lower what the customer owes: give each invoice's original amount if you also import the "
            "payments made on it, or the amount still owed if you do not."
        ),
        gettext_lazy(
            "Invoices with lines: replace Amount by Unit price (and optionally Quantity, Tax rate such as 8.25%, "
            "Item code), one row per line, repeating the invoice's number, customer and dates."
        ),
        gettext_lazy("An account line the customer does not have yet is opened (the preview lists them)."),
    ),
    LINE_COLUMNS,
)

PAYMENTS = Format(
    ImportBatch.Kind.PAYMENTS,
    (
        CUSTOMER_NUMBER,
        ACCOUNT_LINE,
        Column(
            "date",
            "Date",
            gettext_lazy("The day the payment was received: YYYY-MM-DD or MM/DD/YYYY."),
            ("2026-01-20", "02/10/2026"),
            required=True,
            aliases=("payment date", "received", "received on", "paid on", "date paid", "deposit date"),
        ),
        Column(
            "amount",
            "Amount",
            gettext_lazy("More than zero."),
            ("250.00", "$1,000.00"),
            required=True,
            aliases=("payment", "payment amount", "amount paid", "paid"),
        ),
        Column(
            "method",
            "Method",
            gettext_lazy("cash, check, card, ACH or money order."),
            ("check", "cash"),
            required=True,
            aliases=("payment method", "type", "payment type", "tender", "pay type"),
        ),
        Column(
            "reference",
            "Reference",
            gettext_lazy("A card or transfer reference, a note."),
            ("", "Counter"),
            aliases=("ref", "ref no", "memo", "note", "confirmation", "transaction id"),
        ),
        Column("check_number", "Check number", "", ("4471", ""), aliases=("check no", "chk no", "cheque number")),
    ),
    (
        gettext_lazy(
            "Each payment is applied to the account's oldest open invoices, oldest payment first. A payment already "
            "imported (the same customer, line, date, amount, method and references) is skipped, so importing a "
            "file again posts nothing twice."
        ),
    ),
)

FORMATS: dict[str, Format] = {f.kind: f for f in (CUSTOMERS, INVOICES, PAYMENTS)}


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell (or the whole row, or the header when `row` is 1)."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class CustomerRecord:
    row: int
    customer: CustomerIn
    account_line: str
    terms_days: int | None


@dataclass(frozen=True)
class InvoiceRecord:
    row: int  # the invoice's first row
    customer_number: str
    account_line: str
    number: str
    issued_on: date
    due_on: date | None
    lines: tuple[LineIn, ...]


@dataclass(frozen=True)
class PaymentRecord:
    row: int
    customer_number: str
    account_line: str
    received_on: date
    amount: Decimal
    method: str
    reference: str
    key: str  # stable across files: the same payment in a re-imported file gets the same client reference


@dataclass(frozen=True)
class RowRef:
    """What a row refers to in the business's data, read even from a row with other errors, so that the checks
    against the database (unknown customer, number in use) report every bad row, not only the otherwise good ones.
    `number`: the customer's number in a customers file, the invoice's in an invoices file."""

    row: int
    customer_number: str
    account_line: str = ""
    number: str = ""


@dataclass
class Reading:
    """A file read against its format: the good rows' records, every row's references, every error, and the
    columns that were ignored."""

    records: list[Any] = field(default_factory=list)
    refs: list[RowRef] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key -> its header as written in the file
    columns: list[str] = field(default_factory=list)  # the file's headers as written, in order

    def in_order(self, errors: Iterable[RowError]) -> list[RowError]:
        """Errors as the user reads the file: by row, then column from left to right."""
        position = {name: index for index, name in enumerate(self.columns)}
        return sorted(errors, key=lambda e: (e.row, position.get(e.column, len(position)), e.message))


class BadValue(ValueError):
    """A cell that cannot be read; its message is shown to the user."""


# -- values ------------------------------------------------------------------------------------------------------

# Messages every row may need, translated only when one is shown.
GIVE_CUSTOMER_NUMBER = gettext_lazy("Give the customer number.")
GIVE_INVOICE_NUMBER = gettext_lazy("Give the invoice number.")
GIVE_INVOICE_DATE = gettext_lazy("Give the invoice date.")
GIVE_PAYMENT_DATE = gettext_lazy("Give the date of the payment.")
GIVE_AMOUNT = gettext_lazy("Give the amount.")
GIVE_UNIT_PRICE = gettext_lazy("Give the unit price.")
ISO_READING = gettext_lazy("YYYY-MM-DD")
US_READING = gettext_lazy("MM/DD/YYYY (US)")
KIND_WORD, KIND_CHOICES = gettext_lazy("kind"), gettext_lazy("person or company")
METHOD_WORD, METHOD_CHOICES = gettext_lazy("method"), gettext_lazy("cash, check, card, ACH or money order")

AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def parse_amount(text: str, *, allow_zero: bool = False, places: int = 2) -> Decimal:
    """'$1,234.50' -> Decimal('1234.50'). Refuses floats' artefacts, negatives, zero (unless allowed), > 2 places."""
    cleaned = text.strip().replace("$", "").replace(" ", "")
    negative = cleaned.startswith("-") or cleaned.endswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    digits = cleaned.strip("-()")
    if not digits or not any(ch.isdigit() for ch in digits) or not AMOUNT.fullmatch(digits):
        raise BadValue(_("“%(value)s” is not an amount (write it like 1,234.50).") % {"value": text})
    try:
        amount = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not an amount (write it like 1,234.50).") % {"value": text}) from None
    if negative and amount != ZERO:
        raise BadValue(_("%(value)s is negative: only amounts more than zero can be imported.") % {"value": text})
    if amount == ZERO and not allow_zero:
        raise BadValue(_("The amount is zero: only amounts more than zero can be imported."))
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise BadValue(_("%(value)s has more than %(places)d decimal places.") % {"value": text, "places": places})
    if amount > MAX_AMOUNT:
        raise BadValue(_("%(value)s is too large.") % {"value": text})
    return amount.quantize(CENT) if places == 2 else amount


def parse_date(text: str) -> date:
    """ISO (2026-01-15, also with a time after it) or US (01/15/2026, 1/15/2026, 01-15-2026)."""
    value = text.strip()
    iso = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T][\d:.]+)?", value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _checked_day(value, year, month, day, ISO_READING)
    us = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})", value)
    if us:
        month, day, year = (int(part) for part in us.groups())
        if len(us.group(3)) == 2:
            raise BadValue(_("%(value)s: give the year in four digits (MM/DD/YYYY).") % {"value": value})
        if month > 12 and day <= 12:
            raise BadValue(
                _(
                    "%(value)s is not a US date (MM/DD/YYYY): there is no month %(month)d. If it is day/month, "
                    "write %(fixed)s or %(iso)s."
                )
                % {
                    "value": value,
                    "month": month,
                    "fixed": f"{day:02d}/{month:02d}/{year}",
                    "iso": f"{year}-{day:02d}-{month:02d}",
                }
            )
        return _checked_day(value, year, month, day, US_READING)
    raise BadValue(_("“%(value)s” is not a date: use YYYY-MM-DD or MM/DD/YYYY.") % {"value": value})


def _checked_day(value: str, year: int, month: int, day: int, reading: StrOrPromise) -> date:
    if not 1 <= month <= 12:
        raise BadValue(
            _("%(value)s is not a date in %(reading)s: there is no month %(month)d.")
            % {"value": value, "reading": reading, "month": month}
        )
    if year < 1900:
        raise BadValue(_("%(value)s is too long ago.") % {"value": value})
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(
            _("%(value)s is not a date in %(reading)s: %(month)s %(year)d has no day %(day)d.")
            % {"value": value, "reading": reading, "month": MONTHS[month - 1], "year": year, "day": day}
        ) from None


YES = {"yes", "y", "true", "t", "1", "x", "ar", "a/r", "on account", "charge"}
NO = {"no", "n", "false", "f", "0", "cash"}


def parse_yes_no(text: str, *, default: bool) -> bool:
    value = text.strip().lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise BadValue(_("“%(value)s”: write yes or no.") % {"value": text})


KINDS: dict[str, set[str]] = {
    Customer.Kind.PERSON: {"person", "p", "individual", "i", "consumer"},
    Customer.Kind.COMPANY: {"company", "c", "business", "b", "commercial", "organization", "org", "fleet"},
}

METHODS: dict[str, set[str]] = {
    Payment.Method.CASH: {"cash", "ca", "currency"},
    Payment.Method.CHECK: {"check", "cheque", "chk", "ck", "personal check", "business check", "cashiers check"},
    Payment.Method.CARD: {
        "card",
        "credit card",
        "debit card",
        "credit",
        "debit",
        "cc",
        "visa",
        "mastercard",
        "mc",
        "amex",
        "american express",
        "discover",
    },
    Payment.Method.ACH: {"ach", "eft", "bank transfer", "transfer", "direct debit", "electronic", "wire"},
    Payment.Method.MONEY_ORDER: {"money order", "mo", "moneyorder", "postal order"},
}


def parse_choice(text: str, choices: Mapping[str, set[str]], *, what: StrOrPromise, allowed: StrOrPromise) -> str:
    value = " ".join(re.sub(r"[^a-z0-9/ ]+", " ", text.lower()).split())
    for choice, words in choices.items():
        if value in words:
            return choice
    raise BadValue(
        _("Unknown %(what)s “%(value)s” (use %(allowed)s).") % {"what": what, "value": text, "allowed": allowed}
    )


def parse_terms(text: str) -> int:
    match = re.fullmatch(r"(?:net\s*|n)?(\d{1,3})(?:\s*days?)?", text.strip().lower())
    if not match or int(match.group(1)) > 365:
        raise BadValue(_("“%(value)s” is not a number of days from 0 to 365.") % {"value": text})
    return int(match.group(1))


def parse_tax_rate(text: str) -> Decimal:
    value = text.strip()
    percent = value.endswith("%")
    try:
        rate = Decimal(value.rstrip("%").strip())
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not a tax rate (write 8.25%% or 0.0825).") % {"value": text}) from None
    rate = rate / 100 if percent else rate
    if not ZERO <= rate < 1 or rate != rate.quantize(Decimal("0.00001")):
        raise BadValue(_("“%(value)s” is not a tax rate (write 8.25%% or 0.0825).") % {"value": text})
    return rate


def parse_phone(text: str) -> str:
    try:
        return normalize_number(text, field="phone")
    except DomainError:
        raise BadValue(_("“%(value)s” is not a valid phone number.") % {"value": text}) from None


def parse_email(text: str) -> str:
    try:
        validate_email(text.strip())
    except ValidationError:
        raise BadValue(_("“%(value)s” is not a valid email address.") % {"value": text}) from None
    return text.strip()


def parse_state(text: str) -> str:
    value = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise BadValue(_("“%(value)s”: give the state as two letters (IL).") % {"value": text})
    return value


def parse_zip(text: str) -> str:
    value = text.strip()
    if re.fullmatch(r"\d{3,4}", value):  # a spreadsheet dropped the leading zeros of 02134
        value = value.zfill(5)
    if not re.fullmatch(r"\d{5}(?:-\d{4})?", value):
        raise BadValue(_("“%(value)s” is not a ZIP code.") % {"value": text})
    return value


# -- rows --------------------------------------------------------------------------------------------------------


GUARDED = tuple(f"'{start}" for start in FORMULA_STARTS)


class RowReader:
    """One row's cells by column key; each `get` records a BadValue as this row's error and returns None."""

    def __init__(self, number: int, cells: dict[str, str], headers: dict[str, str]) -> None:
        self.number = number
        # "'+13125550142": a CSV export's guard against formulas (core.exports), taken off again.
        self.cells = {key: value[1:] if value.startswith(GUARDED) else value for key, value in cells.items()}
        self.headers = headers  # column key -> the header as written in the file
        self.errors: list[RowError] = []

    def text(self, key: str, *, max_length: int, required: StrOrPromise = "") -> str:
        value = self.cells.get(key, "").strip()
        if not value and required:
            self.error(key, str(required))
        elif len(value) > max_length:
            self.error(key, _("Longer than %(max)d characters.") % {"max": max_length})
        return value

    def get(self, key: str, parse: Callable[[str], Any], *, required: StrOrPromise = "") -> Any:
        value = self.cells.get(key, "").strip()
        if not value:
            if required:
                self.error(key, str(required))
            return None
        try:
            return parse(value)
        except BadValue as error:
            self.error(key, str(error))
            return None

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.headers.get(key, key), message))


def map_headers(form: Format, headers: dict[str, str]) -> tuple[dict[str, str], Reading]:
    """The file's headers (normalised -> as written) -> column keys, through the aliases. A missing required column
    and two headers for one column are errors on row 1; headers that name no column are listed as ignored."""
    reading = Reading(columns=list(headers.values()))
    known: dict[str, Column] = {}
    for column in (*form.columns, *form.line_columns):
        for alias in (column.key, column.header, *column.aliases):
            known.setdefault(squash(alias), column)
    mapping: dict[str, str] = {}  # normalised header -> column key
    for name, written in headers.items():
        found = known.get(squash(name))
        if found is None:
            reading.ignored_columns.append(written)
            continue
        twin = next((headers[other] for other, key in mapping.items() if key == found.key), None)
        if twin is not None:
            message = _("Columns “%(a)s” and “%(b)s” both give the %(what)s: keep one.")
            reading.errors.append(
                RowError(1, written, message % {"a": twin, "b": written, "what": found.header.lower()})
            )
            continue
        mapping[name] = found.key
        reading.headers[found.key] = written
    for column in form.columns:
        if column.required and column.key not in reading.headers:
            accepted = ", ".join([column.header, *column.aliases[:4]])
            message = _("There is no %(what)s column (accepted headers include: %(accepted)s).")
            reading.errors.append(RowError(1, column.header, message % {"what": column.header, "accepted": accepted}))
    return mapping, reading


def read_rows(kind: str, upload: Upload) -> Reading:
    """Read an upload as `kind`: records for the good rows, and every error of every bad row."""
    mapping, reading = map_headers(FORMATS[kind], upload.headers)
    headers = reading.headers
    if kind == ImportBatch.Kind.INVOICES and not reading.errors:
        if "amount" not in headers and "unit_price" not in headers:
            reading.errors.append(RowError(1, "Amount", _("There is no Amount column (or Unit price, for lines).")))
        elif "amount" in headers and "unit_price" in headers:
            message = _("Give either an Amount per invoice or a Unit price per line, not both.")
            reading.errors.append(RowError(1, headers["unit_price"], message))
    if reading.errors or not upload.rows:
        return reading
    readers = [
        RowReader(number, {mapping[name]: value for name, value in cells.items() if name in mapping}, headers)
        for number, cells in upload.rows
    ]
    if kind == ImportBatch.Kind.CUSTOMERS:
        reading.records = [record for reader in readers if (record := _customer(reader)) is not None]
    elif kind == ImportBatch.Kind.INVOICES:
        reading.records = _invoices(readers, by_lines="unit_price" in headers)
    else:
        reading.records = _payments(readers)
    number = "customer_number" if kind == ImportBatch.Kind.CUSTOMERS else "invoice_number"
    reading.refs = [
        RowRef(r.number, r.cells.get("customer_number", ""), r.cells.get("account_line", ""), r.cells.get(number, ""))
        for r in readers
    ]
    reading.errors = reading.in_order(error for reader in readers for error in reader.errors)
    return reading


def _customer(r: RowReader) -> CustomerRecord | None:
    number = r.text("customer_number", max_length=20, required=GIVE_CUSTOMER_NUMBER)
    company = r.text("company_name", max_length=200)
    last = r.text("last_name", max_length=100)
    kind_text = r.cells.get("kind", "").strip()
    if kind_text:
        kind = r.get("kind", lambda v: parse_choice(v, KINDS, what=KIND_WORD, allowed=KIND_CHOICES))
    else:
        kind = Customer.Kind.COMPANY if company and not last else Customer.Kind.PERSON
    if kind == Customer.Kind.PERSON and not last:
        r.error("last_name", _("Give the last name (or the company name, for a company)."))
    if kind == Customer.Kind.COMPANY and not company:
        r.error("company_name", _("Give the company name."))
    street, city = r.text("street", max_length=200), r.text("city", max_length=100)
    state, zip_code = r.get("state", parse_state) or "", r.get("zip", parse_zip) or ""
    address = None
    if street or city or state or zip_code:
        for key, value in (("street", street), ("city", city), ("state", state)):
            if not value and not any(e.column == r.headers.get(key, key) for e in r.errors):
                r.error(key, _("Give the street, city and state of the address, or none of them."))
        address = AddressIn(street=street, city=city, state=state, zip_code=zip_code)
    customer = CustomerIn(
        number=number,
        kind=kind or Customer.Kind.PERSON,
        first_name=r.text("first_name", max_length=100),
        middle_name=r.text("middle_name", max_length=100),
        last_name=last,
        company_name=company,
        is_ar=r.get("is_ar", lambda v: parse_yes_no(v, default=True)) is not False,
        credit_limit=r.get("credit_limit", lambda v: parse_amount(v, allow_zero=True)) or ZERO,
        phone=r.get("phone", parse_phone) or "",
        email=r.get("email", parse_email) or "",
        address=address,
    )
    account_line = r.text("account_line", max_length=100)
    terms = r.get("terms_days", parse_terms)
    return None if r.errors else CustomerRecord(r.number, customer, account_line, terms)


def _invoice_head(r: RowReader) -> tuple[str, str, str, date | None, date | None]:
    customer = r.text("customer_number", max_length=20, required=GIVE_CUSTOMER_NUMBER)
    line = r.text("account_line", max_length=100)
    number = r.text("invoice_number", max_length=30, required=GIVE_INVOICE_NUMBER)
    issued_on = r.get("invoice_date", parse_date, required=GIVE_INVOICE_DATE)
    due_on = r.get("due_date", parse_date)
    if issued_on and due_on and due_on < issued_on:
        r.error("due_date", _("The due date is before the invoice date."))
    return customer, line, number, issued_on, due_on


def _line(r: RowReader, number: str, *, by_lines: bool) -> LineIn | None:
    description = r.text("description", max_length=200) or _("Invoice %(number)s") % {"number": number}
    if not by_lines:
        amount = r.get("amount", parse_amount, required=GIVE_AMOUNT)
        return LineIn(description=description, unit_price=amount) if amount is not None else None
    price = r.get("unit_price", lambda v: parse_amount(v, allow_zero=True), required=GIVE_UNIT_PRICE)
    quantity = r.get("quantity", lambda v: parse_amount(v, places=3)) or Decimal("1")
    tax_rate = r.get("tax_rate", parse_tax_rate) or ZERO
    item_code = r.text("item_code", max_length=40)
    if price is None:
        return None
    return LineIn(description=description, unit_price=price, quantity=quantity, tax_rate=tax_rate, item_code=item_code)


def _invoices(readers: list[RowReader], *, by_lines: bool) -> list[InvoiceRecord]:
    """One record per invoice number: a row each (with Amount) or a row per line (with Unit price)."""
    first_row: dict[str, tuple[RowReader, tuple[str, str, str, date | None, date | None]]] = {}
    lines: dict[str, list[LineIn]] = {}
    for r in readers:
        head = _invoice_head(r)
        number = head[2]
        line = _line(r, number, by_lines=by_lines)
        if not number:
            continue
        if number in first_row:
            first, first_head = first_row[number]
            if not by_lines:
                r.error(
                    "invoice_number", _("Invoice %(n)s is also on row %(row)d.") % {"n": number, "row": first.number}
                )
                continue
            if head != first_head and head[3] is not None and first_head[3] is not None:
                message = _("Invoice %(n)s's customer, account line or dates differ from its first row (%(row)d).")
                r.error("invoice_number", message % {"n": number, "row": first.number})
                continue
        else:
            first_row[number] = (r, head)
        if line is not None:
            lines.setdefault(number, []).append(line)
    records = []
    for number, (r, (customer, account_line, _n, issued_on, due_on)) in first_row.items():
        if issued_on is None or not lines.get(number):
            continue
        total = sum((line.unit_price * line.quantity for line in lines[number]), ZERO)
        if total <= ZERO:
            r.error("unit_price", _("Invoice %(n)s's lines add up to zero.") % {"n": number})
            continue
        records.append(InvoiceRecord(r.number, customer, account_line, number, issued_on, due_on, tuple(lines[number])))
    return records


def _payments(readers: list[RowReader]) -> list[PaymentRecord]:
    records = []
    seen: dict[str, int] = {}
    give_method = _("Give the method: %(allowed)s.") % {"allowed": METHOD_CHOICES}
    check_word = _("Check")

    def method_of(value: str) -> str:
        return parse_choice(value, METHODS, what=METHOD_WORD, allowed=METHOD_CHOICES)

    for r in readers:
        customer = r.text("customer_number", max_length=20, required=GIVE_CUSTOMER_NUMBER)
        line = r.text("account_line", max_length=100)
        received_on = r.get("date", parse_date, required=GIVE_PAYMENT_DATE)
        amount = r.get("amount", parse_amount, required=GIVE_AMOUNT)
        method = r.get("method", method_of, required=give_method)
        reference = r.text("reference", max_length=60)
        check = r.text("check_number", max_length=20)
        if r.errors or received_on is None or amount is None or method is None:
            continue
        # The payment's identity, from the cells as read (whatever the headers or the user's language): the same
        # row in another file, or the same file again, gets the same key; identical rows in one file are told apart
        # by their occurrence.
        identity = "|".join([customer, line.lower(), received_on.isoformat(), str(amount), method, reference, check])
        seen[identity] = seen.get(identity, 0) + 1
        key = hashlib.sha256(f"{identity}|{seen[identity]}".encode()).hexdigest()[:40]
        if check:
            reference = f"{check_word} {check}" + (f" · {reference}" if reference else "")
        records.append(PaymentRecord(r.number, customer, line, received_on, amount, method, reference[:60], key))
    return records
