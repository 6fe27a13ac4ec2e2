"""The ledger's forms. A form parses what a clerk typed; the service decides. A service's DomainError is shown on
the field it names (`LedgerForm.service_error`), or above the form when it names no field of the form.

The sale forms (an invoice's header and lines) are in `ledger.sale_forms`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tabwise.core.errors import DomainError
from tabwise.ledger import services
from tabwise.ledger.models import Account, Entry, Invoice, Payment, PaymentPlan
from tabwise.ledger.selectors_ui import Candidate
from tabwise.ledger.templatetags.ledger_ui import money
from tabwise.users.models import User

ZERO = Decimal("0")
CENT = Decimal("0.01")
BANK_METHODS = (Payment.Method.CHECK, Payment.Method.ACH)
CHARGE_CATEGORIES = [
    (category.value, category.label)
    for category in (
        Entry.Category.SERVICE,
        Entry.Category.LATE_FEE,
        Entry.Category.INTEREST,
        Entry.Category.RETURNED_CHECK,
    )
]


def money_field(label: Any, *, required: bool = True, minimum: Decimal = CENT, **kwargs: Any) -> forms.DecimalField:
    """An amount in the business's currency: two places, typed on a phone's decimal keypad."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=minimum,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def date_field(label: Any, *, required: bool = False, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def document_label(entry: Entry) -> str:
    """ "Invoice 1001 · due 2026-02-04 · open $1,175.00": an open document as a choice."""
    due = f" · {_('due')} {entry.due_on:%Y-%m-%d}" if entry.due_on else ""
    return f"{entry.get_kind_display()} {entry.number}{due} · {_('open')} {money(entry.open_amount)}"


class LedgerForm(forms.Form):
    """A form that shows a service's DomainError where it belongs.

    `groups` name sets of inputs (the documents a payment is applied to, the lines of an invoice) that carry errors
    of their own, rendered with the id `id_<group>_error`. A CreditRefused is kept apart (`credit_refused`) so the
    page can say clearly that the sale was refused and why.
    """

    groups: ClassVar[tuple[str, ...]] = ()
    aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {group: [] for group in self.groups}
        self.credit_refused: str | None = None

    def add_group_error(self, group: str, message: Any) -> None:
        self.group_errors[group].append(str(message))

    def is_valid(self) -> bool:
        return super().is_valid() and not any(self.group_errors.values())

    def service_error(self, error: DomainError) -> None:
        if isinstance(error, services.CreditRefused):
            self.credit_refused = error.message
            return
        name = self.aliases.get(error.field or "", error.field or "")
        if name in self.fields:
            self.add_error(name, error.message)
        elif name in self.group_errors:
            self.add_group_error(name, error.message)
        else:
            self.add_error(None, error.message)


# Accounts


class AccountOpenForm(LedgerForm):
    name = forms.CharField(
        label=_("Account line"), max_length=100, initial="General", help_text=_("A department, product line or route.")
    )
    number = forms.CharField(
        label=_("Account number"), max_length=30, required=False, help_text=_("Blank: the next number.")
    )
    terms_days = forms.IntegerField(
        label=_("Terms (days)"), min_value=0, max_value=365, required=False, help_text=_("Blank: the usual terms.")
    )
    credit_limit = money_field(_("Credit limit"), required=False, minimum=ZERO, help_text=_("0 or blank: no limit."))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_credit_limit(self) -> Decimal:
        return self.cleaned_data["credit_limit"] or ZERO


class AccountEditForm(LedgerForm):
    name = forms.CharField(label=_("Account line"), max_length=100)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    terms_days = forms.IntegerField(label=_("Terms (days)"), min_value=0, max_value=365)
    credit_limit = money_field(_("Credit limit"), required=False, minimum=ZERO, help_text=_("0 or blank: no limit."))
    status = forms.ChoiceField(label=_("Status"), choices=Account.Status.choices)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_credit_limit(self) -> Decimal:
        return self.cleaned_data["credit_limit"] or ZERO


# Payments


class PaymentForm(LedgerForm):
    """A payment received; `apply_<entry id>` fields pick open documents (the rest applies oldest first)."""

    amount = money_field(_("Amount"))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.CASH)
    reference = forms.CharField(
        label=_("Reference"), max_length=60, required=False, help_text=_("Check, card slip or money order number.")
    )
    received_where = forms.CharField(
        label=_("Received where"), max_length=200, required=False, help_text=_("The counter, a route stop, a shop.")
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Blank: now."),
    )
    bank_routing = forms.CharField(
        label=_("Routing number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Only the last four digits are kept."),
    )
    groups = ("allocations",)

    def __init__(self, *args: Any, debits: list[Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.debits = debits
        for debit in debits:
            self.fields[f"apply_{debit.pk}"] = money_field(
                _("Amount to apply to %(number)s") % {"number": debit.number}, required=False
            )

    def apply_rows(self) -> list[tuple[Entry, forms.BoundField]]:
        return [(debit, self[f"apply_{debit.pk}"]) for debit in self.debits]

    def allocations(self) -> list[tuple[int, Decimal]]:
        data = self.cleaned_data
        return [(debit.pk, data[f"apply_{debit.pk}"]) for debit in self.debits if data.get(f"apply_{debit.pk}")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") not in BANK_METHODS:
            data["bank_routing"] = data["bank_account"] = ""
        for debit in self.debits:
            wanted = data.get(f"apply_{debit.pk}")
            if wanted and wanted > debit.open_amount:
                self.add_error(f"apply_{debit.pk}", _("Only %(open)s is open.") % {"open": money(debit.open_amount)})
        picked = sum((amount for amount in (data.get(f"apply_{d.pk}") for d in self.debits) if amount), ZERO)
        if data.get("amount") and picked > data["amount"]:
            self.add_group_error("allocations", _("The amounts to apply add up to more than the payment."))
        return data

    def payment_in(self, account: Account) -> services.PaymentIn:
        data = self.cleaned_data
        return services.PaymentIn(
            account_id=account.pk,
            amount=data["amount"],
            method=data["method"],
            received_at=data.get("received_at"),
            reference=data.get("reference", ""),
            received_where=data.get("received_where", ""),
            bank_routing=data.get("bank_routing", ""),
            bank_account=data.get("bank_account", ""),
            allocations=self.allocations(),
        )


class ReallocateForm(LedgerForm):
    """Where a credit goes: `apply_<entry id>` amounts; what is not picked applies oldest first."""

    groups = ("allocations",)

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            self.fields[f"apply_{candidate.entry.pk}"] = money_field(
                _("Amount to apply to %(number)s") % {"number": candidate.entry.number}, required=False
            )

    def apply_rows(self) -> list[tuple[Candidate, forms.BoundField]]:
        return [(candidate, self[f"apply_{candidate.entry.pk}"]) for candidate in self.candidates]

    def allocations(self) -> list[tuple[int, Decimal]]:
        data = self.cleaned_data
        return [(c.entry.pk, data[f"apply_{c.entry.pk}"]) for c in self.candidates if data.get(f"apply_{c.entry.pk}")]


# Adjustments


def _apply_to_field(debits: list[Entry], help_text: Any) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("Apply to"),
        choices=[(debit.pk, document_label(debit)) for debit in debits],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class ChargeForm(LedgerForm):
    amount = money_field(_("Amount"))
    category = forms.ChoiceField(label=_("What for"), choices=CHARGE_CATEGORIES)
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    due_on = date_field(_("Due on"), help_text=_("Blank: today."))


class CreditNoteForm(LedgerForm):
    amount = money_field(_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("A return, a price adjustment..."))
    posted_on = date_field(_("Date"), help_text=_("Blank: today."))

    def __init__(self, *args: Any, debits: list[Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if debits:
            self.fields["apply_to"] = _apply_to_field(debits, _("None ticked: the oldest open documents first."))


class RefundForm(LedgerForm):
    amount = money_field(_("Amount"))
    method = forms.ChoiceField(label=_("Paid back by"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    posted_on = date_field(_("Date"), help_text=_("Blank: today."))


class WriteOffForm(LedgerForm):
    approver: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Approved by"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    amount = money_field(_("Amount"), required=False, help_text=_("Blank: everything ticked, or all that is open."))
    posted_on = date_field(_("Date"), help_text=_("Blank: today."))

    def __init__(self, *args: Any, approvers: QuerySet[User], debits: list[Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = approvers  # type: ignore[attr-defined]
        if debits:
            self.fields["apply_to"] = _apply_to_field(debits, _("None ticked: the oldest open documents first."))


class ReverseForm(LedgerForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("A bounced check, an invoice in error..."))
    posted_on = date_field(_("Date"), help_text=_("Blank: today."))


# Payment plans


class PlanForm(LedgerForm):
    amount = money_field(_("Amount the plan covers"))
    instalment_amount = money_field(_("Each instalment"))
    frequency = forms.ChoiceField(label=_("How often"), choices=PaymentPlan.Frequency.choices)
    starts_on = date_field(_("First instalment due"), required=True)
    invoice: forms.ModelChoiceField[Invoice] = forms.ModelChoiceField(
        label=_("For invoice"), queryset=None, required=False
    )

    def __init__(self, *args: Any, invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = invoices  # type: ignore[attr-defined]


class PlanCancelForm(LedgerForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
