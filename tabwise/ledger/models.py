"""The receivables ledger: accounts, append-only entries, allocations, and the documents behind them.

Sign convention (stated once, here): an `Entry.amount` is **positive when it increases what the customer owes**
(invoice, charge, refund, the reversal of a credit) and **negative when it reduces it** (payment, credit note,
write-off, the reversal of a debit). An account's `balance` is the sum of its entries: positive, the customer owes
the business; negative, the business holds the customer's unapplied credit.

Append-only: entries and allocations are never updated or deleted. The only column that changes after posting is
`Entry.open_amount`, a cache of `amount - sum(allocations)` kept in the same transaction as each allocation and
checked against that sum by `selectors.verify_account`. A correction is a reversing entry pointing to the original;
re-allocating a payment writes negative allocations, never edits old ones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.money import MoneyField
from tabwise.core.tenancy import TenantModel


class AppendOnlyError(RuntimeError):
    """Code tried to change or delete a posted ledger row (a bug, never a user error)."""


class LedgerSettings(TenantModel):
    """A business's ledger policy: aging buckets, how items age, late fees and interest. One row per business."""

    class AgeBy(models.TextChoices):
        DUE_DATE = "due", _("Days past due date")
        POSTED_DATE = "posted", _("Days since invoice date")

    # Upper bounds (in days past due) of each bucket after "current"; the last bucket is open-ended, so no debt is
    # ever dropped however old it is. Default [30, 60, 90]: current, 1-30, 31-60, 61-90, 90+.
    aging_boundaries = models.JSONField(_("aging buckets"), default=list)
    age_by = models.CharField(_("age by"), max_length=10, choices=AgeBy.choices, default=AgeBy.DUE_DATE)
    default_terms_days = models.PositiveSmallIntegerField(_("default terms (days)"), default=30)
    late_fee = MoneyField(_("late fee"), default=Decimal("0"), help_text=_("Flat fee per overdue month; 0: none."))
    late_fee_grace_days = models.PositiveSmallIntegerField(_("late fee grace days"), default=10)
    interest_apr = models.DecimalField(
        _("interest APR %"), max_digits=6, decimal_places=3, default=Decimal("0"), help_text=_("0: no interest.")
    )
    minimum_interest = MoneyField(_("minimum interest charge"), default=Decimal("0"))

    history = audit.history()

    class Meta:
        verbose_name_plural = _("ledger settings")
        constraints = [models.UniqueConstraint(fields=["business"], name="ledger_settings_one_per_business")]

    def __str__(self) -> str:
        return f"ledger settings of business {self.business_id}"

    @property
    def boundaries(self) -> list[int]:
        return sorted(int(day) for day in (self.aging_boundaries or [30, 60, 90]))


class Account(TenantModel):
    """A customer's receivable account (an "account line": a department, a product line, a truck route).

    `balance` is what the customer owes on it (positive) or the credit held for them (negative): the cached sum of
    its entries, changed only in the transaction that posts an entry, under this row's lock.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")
        WRITTEN_OFF = "written_off", _("Written off")

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="accounts")
    number = models.CharField(_("account number"), max_length=30)
    name = models.CharField(_("account line"), max_length=100, default="General")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person responsible for this account."),
    )
    terms_days = models.PositiveSmallIntegerField(_("terms (days)"), default=30)
    credit_limit = MoneyField(_("credit limit"), default=Decimal("0"), help_text=_("0: no limit."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    balance = MoneyField(_("balance"), default=Decimal("0"), editable=False)
    # The latest date any allocation on this account is dated (see ledger.posting): allocations never go back in time.
    allocation_floor = models.DateField(null=True, blank=True, editable=False)
    opened_on = models.DateField(_("opened on"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history(excluded_fields=["balance", "allocation_floor"])

    class Meta:
        ordering = ["customer_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="account_number_unique_per_business"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="account_credit_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:account-detail", args=[self.pk])


DEBIT_KINDS = ("invoice", "charge", "refund")
CREDIT_KINDS = ("payment", "credit_note", "write_off")


class AppendOnlyModel(TenantModel):
    """A ledger row that is written once: saving an existing row or deleting any row raises AppendOnlyError."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only; post a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted; post a reversing entry instead")


class Entry(AppendOnlyModel):
    """One posted line of an account's ledger (see the module docstring for the sign convention).

    A ledger row is its own audit record: who posted it, when, through which channel, and, for write-offs, who
    approved it. Debits (amount > 0) have a due date; credits (amount < 0) do not.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CHARGE = "charge", _("Charge")
        REFUND = "refund", _("Refund")
        PAYMENT = "payment", _("Payment")
        CREDIT_NOTE = "credit_note", _("Credit note")
        WRITE_OFF = "write_off", _("Write-off")
        REVERSAL = "reversal", _("Reversal")

    class Category(models.TextChoices):
        NONE = "", _("—")
        LATE_FEE = "late_fee", _("Late fee")
        INTEREST = "interest", _("Interest")
        SERVICE = "service", _("Service charge")
        RETURNED_CHECK = "returned_check", _("Returned check fee")
        BAD_DEBT = "bad_debt", _("Bad debt")
        SETTLEMENT = "settlement", _("Settlement discount")

    class Source(models.TextChoices):
        OFFICE = "office", _("Office")
        FIELD = "field", _("Field")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        SYSTEM = "system", _("System")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True, default="")
    number = models.CharField(_("document number"), max_length=30)
    amount = MoneyField(_("amount"))
    # Cache of amount - allocations, same sign as amount; see the module docstring.
    open_amount = MoneyField(_("open amount"))
    posted_on = models.DateField(_("date"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OFFICE)
    via = models.CharField(max_length=100, blank=True, default="")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # For charges the system assesses (late fees, interest): "late_fee:2026-11"; unique per account, so a period is
    # never charged twice however often the assessment runs.
    assessment = models.CharField(max_length=40, blank=True, default="", editable=False)

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name_plural = _("entries")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=DEBIT_KINDS, amount__gt=0) | Q(kind__in=CREDIT_KINDS, amount__lt=0))
                | (Q(kind="reversal") & ~Q(amount=0)),
                name="entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, open_amount__gte=0, open_amount__lte=F("amount"))
                | Q(amount__lt=0, open_amount__lte=0, open_amount__gte=F("amount")),
                name="entry_open_amount_within_amount",
            ),
            models.CheckConstraint(condition=Q(amount__lt=0) | Q(due_on__isnull=False), name="entry_debit_has_due"),
            models.UniqueConstraint(
                fields=["account", "assessment"], condition=~Q(assessment=""), name="entry_assessment_once"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "posted_on"], name="entry_account_posted"),
            models.Index(fields=["business", "posted_on"], name="entry_business_posted"),
            models.Index(fields=["account", "due_on"], condition=~Q(open_amount=0), name="entry_open_items"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} {self.amount}"

    @property
    def is_debit(self) -> bool:
        return self.amount > 0

    @property
    def allocated(self) -> Decimal:
        return abs(self.amount - self.open_amount)


class Allocation(AppendOnlyModel):
    """Part of a credit applied to a debit, from `applied_on`. A negative amount takes an earlier application back.

    For every pair, the running sum is never negative; for every entry, the sum of its allocations never exceeds
    its amount (both held by the services under the account lock, and checked by `selectors.verify_account`).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="allocations")
    debit = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="debit_allocations")
    credit = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="credit_allocations")
    amount = MoneyField(_("amount"))
    applied_on = models.DateField(_("applied on"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["applied_on", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="allocation_not_zero")]
        indexes = [
            models.Index(fields=["debit", "applied_on"], name="allocation_debit_applied"),
            models.Index(fields=["credit", "applied_on"], name="allocation_credit_applied"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.credit_id} to {self.debit_id} on {self.applied_on}"


class Invoice(TenantModel):
    """A sale document: an estimate (a quote, never posted) or an invoice (posted to an account, or a cash sale).

    A posted invoice is never edited: its lines and totals are fixed and its ledger row is `entry`. An estimate can
    be changed until it is converted into an invoice (`converted_to`).
    """

    class Kind(models.TextChoices):
        ESTIMATE = "estimate", _("Estimate")
        INVOICE = "invoice", _("Invoice")
        CASH_SALE = "cash_sale", _("Cash sale")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice")
    vehicle = models.ForeignKey(
        "customers.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    mileage = models.PositiveIntegerField(_("mileage"), null=True, blank=True)
    bought_by = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("bought by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="family_purchases",
        help_text=_("The family member who bought, when the sale went on the main customer's account."),
    )
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    subtotal = MoneyField(_("subtotal"), default=Decimal("0"))
    tax_total = MoneyField(_("tax"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    cost_total = MoneyField(_("cost"), default=Decimal("0"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="converted_from"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "kind", "number"], name="invoice_number_unique_per_business"),
            models.CheckConstraint(
                condition=Q(kind="invoice", account__isnull=False, entry__isnull=False)
                | Q(kind="estimate", entry__isnull=True)
                | Q(kind="cash_sale", account__isnull=True, entry__isnull=True),
                name="invoice_kind_matches_posting",
            ),
        ]
        indexes = [models.Index(fields=["business", "issued_on"], name="invoice_business_issued")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:invoice-detail", args=[self.pk])

    @property
    def margin(self) -> Decimal:
        return self.subtotal - self.cost_total


class InvoiceLine(TenantModel):
    """One line of an invoice or estimate: net `amount` = quantity x unit price and `tax` each rounded once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    item_code = models.CharField(_("item"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    # Unit prices and costs keep four places (a bolt at $0.125); line amounts are rounded to the cent once.
    unit_price = MoneyField(_("unit price"), max_digits=16, decimal_places=4)
    unit_cost = MoneyField(_("unit cost"), max_digits=16, decimal_places=4, default=Decimal("0"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=7, decimal_places=5, default=Decimal("0"))
    amount = MoneyField(_("amount"))
    tax = MoneyField(_("tax"), default=Decimal("0"))

    history = audit.history()

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(tax_rate__gte=0), name="invoice_line_tax_not_negative")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class Payment(TenantModel):
    """Money received from a customer (the document behind a payment entry).

    For checks and ACH, `bank_fingerprint` is a keyed digest (HMAC) of the normalised routing and account number,
    so a change of bank can be detected without storing the account number; only its last four digits are kept.
    `client_reference` is the sender's own id (the field app's), unique per business, so a re-sent sync posts once.
    """

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CHECK = "check", _("Check")
        CARD = "card", _("Card")
        ACH = "ach", _("ACH")
        MONEY_ORDER = "money_order", _("Money order")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="payment")
    amount = MoneyField(_("amount"))
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True, help_text=_("Check or card reference."))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_where = models.CharField(_("where"), max_length=200, blank=True)
    bank_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    bank_last4 = models.CharField(_("bank account (last 4)"), max_length=4, blank=True)
    client_reference = models.CharField(_("client reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["business", "client_reference"],
                condition=~Q(client_reference=""),
                name="payment_client_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("payments are append-only; reverse the payment instead")
        super().save(*args, **kwargs)


class PaymentPlan(TenantModel):
    """An agreement to pay `amount` on an account in equal instalments (a $1,200 tool set at $25 a week).

    The schedule is its `instalments`. What payments from `counts_from` applied to the plan's debt (its invoice,
    or the debits dated up to `counts_from` for a plan on the balance) fills them in order, so an overpayment
    carries forward to the next instalments (`services.plans.paid_toward`).
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="plans")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="plans")
    amount = MoneyField(_("amount"))
    instalment_amount = MoneyField(_("instalment"))
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    starts_on = models.DateField(_("first instalment due"))
    # Payments on the account dated on or after this day count toward the plan (the day it was agreed).
    counts_from = models.DateField(_("counts payments from"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = audit.history()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_amount_positive"),
            models.CheckConstraint(
                condition=Q(instalment_amount__gt=0, instalment_amount__lte=F("amount")),
                name="plan_instalment_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} at {self.instalment_amount} {self.get_frequency_display().lower()}"


class Instalment(TenantModel):
    """One expected payment of a plan: due on a day, for an amount; its state is set by the daily check."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Due")
        PAID = "paid", _("Paid")
        SHORT = "short", _("Short")
        MISSED = "missed", _("Missed")

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    amount = MoneyField(_("amount"))
    paid_amount = MoneyField(_("paid"), default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    history = audit.history()

    class Meta:
        ordering = ["plan_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "sequence"], name="instalment_sequence_unique")]
        indexes = [models.Index(fields=["business", "status", "due_on"], name="instalment_status_due")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.amount} due {self.due_on}"


class ImportBatch(TenantModel):
    """One file uploaded to import data from another system (customers, open invoices or payment history).

    The file is kept here, server-side, between the dry run and the import, so what is imported is exactly what was
    previewed (`sha256` names it). `preview` holds the dry run's counts and `errors` every bad row; `result` the
    counts actually imported. Status moves ready -> queued -> running -> completed (or failed, which wrote nothing
    and may be confirmed again); a file with bad rows is `invalid` and can never be imported.

    While it runs, `progress_done` of `progress_total` rows are written (0 of 0: not known yet) and `progress_at` is
    its last sign of life; they are written from outside the import's transaction (`services.imports.Progress`),
    so the page can show them before the import commits. `attempt` counts the runs: a run that was given up (its
    worker died and the user retried) finds a newer attempt and writes nothing.
    """

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        INVOICES = "invoices", _("Open invoices")
        PAYMENTS = "payments", _("Payment history")

    class Status(models.TextChoices):
        INVALID = "invalid", _("Has bad rows")
        READY = "ready", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        COMPLETED = "completed", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    preview = models.JSONField(default=dict, blank=True, editable=False)
    errors = models.JSONField(default=list, blank=True, editable=False)
    result = models.JSONField(default=dict, blank=True, editable=False)
    failure = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0, editable=False)
    progress_done = models.PositiveIntegerField(default=0, editable=False)
    progress_total = models.PositiveIntegerField(default=0, editable=False)
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The file and the row errors can be megabytes: kept once, here, not copied into every history row. Progress
    # changes every few hundred rows and says nothing about the data: not in history either.
    history = audit.history(
        excluded_fields=["content", "preview", "errors", "result", "progress_done", "progress_total", "progress_at"]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:import-detail", args=[self.pk])

    @property
    def is_importable(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
