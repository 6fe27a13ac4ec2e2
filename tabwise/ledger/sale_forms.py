"""The sale forms: an invoice, estimate or cash sale is a header form plus a formset of lines, checked together.

A service error on `lines.N.field` is shown on the clerk's row N; everything else as in `ledger.forms`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tabwise.core.errors import DomainError
from tabwise.customers.models import Vehicle
from tabwise.ledger import services
from tabwise.ledger.forms import ZERO, LedgerForm, date_field, money_field
from tabwise.ledger.models import Account


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.DecimalField(
        label=_("Qty"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        initial=Decimal("1"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit_price = money_field(_("Unit price"), minimum=ZERO)
    unit_cost = money_field(_("Unit cost"), required=False, minimum=ZERO)
    tax_rate = forms.DecimalField(
        label=_("Tax %"),
        required=False,
        min_value=ZERO,
        max_value=Decimal("99.999"),
        max_digits=6,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


LineFormSet = forms.formset_factory(
    LineForm, extra=0, min_num=1, validate_min=True, max_num=200, validate_max=True, can_delete=True
)


class SaleForm(LedgerForm):
    """The header of an estimate or a cash sale."""

    issued_on = date_field(_("Date"), help_text=_("Blank: today."))
    vehicle: forms.ModelChoiceField[Vehicle] = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, required=False)
    mileage = forms.IntegerField(label=_("Mileage"), min_value=0, max_value=9_999_999, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    groups = ("lines",)
    # Shown below the lines; every other field above them.
    foot_fields: ClassVar[tuple[str, ...]] = ("notes", "override_credit")

    def __init__(self, *args: Any, vehicles: QuerySet[Vehicle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vehicles = vehicles.filter(is_active=True)  # a disabled vehicle keeps its history but is sold nothing more
        if vehicles.exists():
            self.fields["vehicle"].queryset = vehicles  # type: ignore[attr-defined]
        else:  # a tool route or a wholesaler: no vehicles to ask about
            del self.fields["vehicle"], self.fields["mileage"]

    def head(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.foot_fields]

    def foot(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in self.foot_fields]


class InvoiceForm(SaleForm):
    """The header of an invoice on account; `override_credit` only for users who may override."""

    field_order: tuple[str, ...] = ("issued_on", "due_on", "vehicle", "mileage", "notes", "override_credit")

    due_on = date_field(_("Due on"), help_text=_("Blank: the account's terms."))
    override_credit = forms.BooleanField(
        label=_("Override the credit limit or hold"), required=False, help_text=_("Recorded with your name.")
    )

    def __init__(self, *args: Any, can_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_credit"]


class CustomerInvoiceForm(InvoiceForm):
    """An invoice for a customer, on one of the accounts its purchases go on (a family member's: the main's)."""

    field_order = ("account", *InvoiceForm.field_order)

    account: forms.ModelChoiceField[Account] = forms.ModelChoiceField(
        label=_("Account"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.order_fields(self.field_order)


class NewCustomerForm(LedgerForm):
    """A customer added at the counter with the sale: the few things a clerk asks (prefix `customer`)."""

    full_name = forms.CharField(label=_("Customer's name"), max_length=200, help_text=_("“Ana Lopez”, “Lopez Garage”"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False, help_text=_("On one line: “12 N Main St, Joliet, IL 60431”")
    )
    is_ar = forms.TypedChoiceField(
        label=_("Sale"),
        choices=[("ar", _("On account (A/R): opens an account")), ("cash", _("Cash"))],
        coerce=lambda value: value == "ar",
        initial="ar",
        widget=forms.RadioSelect,
    )


class SaleForms:
    """A sale as entered: the header form and the lines formset, validated together.

    A service error on `lines.N.field` is shown on line N as the clerk numbered it (lines left blank or removed
    are not sent, so the service's N is mapped back to the form's row).
    """

    def __init__(self, header: LedgerForm, data: Any, *, customer: NewCustomerForm | None = None) -> None:
        self.header = header
        self.customer = customer  # a customer added with the sale (the counter screen), or None
        self.lines = LineFormSet(data, prefix="lines")
        self._rows: list[int] = []

    def is_valid(self) -> bool:
        header_valid = self.header.is_valid()
        customer_valid = self.customer is None or self.customer.is_valid()
        return self.lines.is_valid() and header_valid and customer_valid

    @property
    def cleaned_data(self) -> dict[str, Any]:
        return self.header.cleaned_data

    def line_inputs(self) -> list[services.LineIn]:
        lines, self._rows = [], []
        for row, form in enumerate(self.lines.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            lines.append(
                services.LineIn(
                    description=data["description"],
                    unit_price=data["unit_price"],
                    quantity=data["quantity"],
                    unit_cost=data.get("unit_cost") or ZERO,
                    tax_rate=(data.get("tax_rate") or ZERO) / 100,
                )
            )
            self._rows.append(row)
        return lines

    def service_error(self, error: DomainError) -> None:
        parts = (error.field or "").split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(self._rows):
            form = self.lines.forms[self._rows[int(parts[1])]]
            form.add_error(parts[2] if parts[2] in form.fields else None, error.message)
        elif self.customer is not None and parts[0] == "customer":
            self.customer.service_error(type(error)(error.message, field=".".join(parts[1:]), code=error.code))
        else:
            self.header.service_error(error)


def new_line_form(index: int) -> forms.Form:
    """Row `index` of an empty lines formset (the "Add line" button's answer)."""
    formset = LineFormSet(prefix="lines")
    form = formset.form(
        prefix=formset.add_prefix(index), auto_id=formset.auto_id, empty_permitted=True, use_required_attribute=False
    )
    formset.add_fields(form, index)
    return form


class ConvertEstimateForm(LedgerForm):
    account: forms.ModelChoiceField[Account] = forms.ModelChoiceField(label=_("Post it on account"), queryset=None)
    override_credit = forms.BooleanField(
        label=_("Override the credit limit or hold"), required=False, help_text=_("Recorded with your name.")
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account], can_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        if not can_override:
            del self.fields["override_credit"]
