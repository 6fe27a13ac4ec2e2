"""The customer forms: the customer's own fields plus a formset per kind of contact point, checked together.

A form parses what the clerk typed; the services decide. A service's DomainError lands on the field it names:
`phones.2.number` on the clerk's third phone row (rows left blank are not sent, so the service's N is mapped back
to the form's row), `last_name` on the name, anything else above the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tabwise.core.errors import DomainError
from tabwise.core.http import ServiceErrors
from tabwise.customers import services
from tabwise.customers.models import Address, Customer, EarlierName, Email, Employer, IdentityDocument, Phone, Tag
from tabwise.customers.models.customers import LANGUAGES
from tabwise.customers.parsing import STATES
from tabwise.users.models import User

ZERO = Decimal("0")
STATE_CHOICES = [("", "—"), *((code, f"{code} · {name}") for code, name in STATES.items())]
MAX_ROWS = 10


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerForm(ServiceErrors, forms.Form):
    """A customer's own fields. `full_name`, when typed, is split into the name parts by the service."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices, widget=forms.RadioSelect)
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Type the whole name (“Dr. Juan Carlos de la Cruz Jr.”) or fill in the parts below."),
    )
    title = forms.CharField(label=_("Title"), max_length=20, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    suffix = forms.CharField(label=_("Suffix"), max_length=20, required=False, help_text=_("Jr., Sr., III"))
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    name_change = forms.ChoiceField(
        label=_("If the name changed, the old one was"),
        choices=EarlierName.Kind.choices,
        initial=EarlierName.Kind.PREVIOUS,
        required=False,
        help_text=_("The old name is kept: the customer can still be found by it."),
    )
    number = forms.CharField(
        label=_("Customer number"), max_length=20, required=False, help_text=_("Blank: the next number.")
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_date_input())
    is_ar = forms.BooleanField(label=_("On account (A/R)"), required=False, initial=True)
    status = forms.ChoiceField(label=_("Status"), choices=Customer.Status.choices, initial=Customer.Status.ACTIVE)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"),
        max_digits=14,
        decimal_places=2,
        min_value=ZERO,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    assigned_rep: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assigned rep"), queryset=None, required=False
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas: fleet, route 3.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Identity on a new customer (levels allowed to record it): the SSN is never shown back.
    ssn = forms.CharField(
        label=_("SSN or ITIN"),
        max_length=11,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}, render_value=False),
        help_text=_("Stored encrypted; only the last four digits are ever shown, to managers."),
    )
    licence_number = forms.CharField(label=_("Driver's license number"), max_length=30, required=False)
    licence_state = forms.ChoiceField(label=_("Issued by"), choices=STATE_CHOICES, required=False)

    aliases = {"licences.0.number": "licence_number", "licences.0.state": "licence_state"}
    NAME_PARTS = ("title", "first_name", "middle_name", "last_name", "suffix")

    def __init__(self, *args: Any, reps: QuerySet[User], editing: bool, identity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_rep"].queryset = reps  # type: ignore[attr-defined]
        if editing:
            del self.fields["number"]
        else:
            del self.fields["name_change"]
        if editing or not identity:
            for name in ("ssn", "licence_number", "licence_state"):
                del self.fields[name]

    def clean_credit_limit(self) -> Decimal:
        return self.cleaned_data["credit_limit"] or ZERO

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("licence_number") and not data.get("licence_state"):
            self.add_error("licence_state", _("Choose the state that issued the license."))
        return data

    def changes(self, customer: Customer) -> services.CustomerChanges:
        """The customer's own fields as the service takes them (the name from `full_name` when one was typed)."""
        data = self.cleaned_data
        names = ["kind", "company_name", "date_of_birth", "is_ar", "status", "credit_limit"]
        names += ["preferred_language", "assigned_rep", "notes", *self.NAME_PARTS]
        changes: dict[str, Any] = {name: data[name] for name in names}
        if data.get("full_name") and data["full_name"] != customer.person_name:
            changes["full_name"] = data["full_name"]
            for part in self.NAME_PARTS:
                changes.pop(part)
        return changes  # type: ignore[return-value]


# --- contact point rows --------------------------------------------------------------------------------------------


class ContactRow(forms.Form):
    """One contact point: `id` is an existing one's (changing it ends it and starts the new value); `end` ends it."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end = forms.BooleanField(label=_("No longer in use"), required=False)

    kind: ClassVar[str] = ""
    value_fields: ClassVar[tuple[str, ...]] = ()

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("id") and not any(data.get(name) for name in self.value_fields)

    def to_input(self) -> Any:
        raise NotImplementedError


class PhoneRow(ContactRow):
    number = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Phone.Type.choices, initial=Phone.Type.MOBILE, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    sms_consent = forms.BooleanField(label=_("Agrees to texts"), required=False)
    sms_consent_source = forms.CharField(
        label=_("How they agreed"), max_length=200, required=False, help_text=_("A signed form, a text, on the phone.")
    )
    kind = "phone"
    value_fields = ("number",)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms_consent") and not data.get("sms_consent_source"):
            self.add_error("sms_consent_source", _("Say how the customer agreed to texts."))
        if data.get("sms_consent") and data.get("type") in (Phone.Type.HOME, Phone.Type.WORK):
            self.add_error("sms_consent", _("Texts go to mobile phones: change the type or untick the box."))
        return data

    def to_input(self) -> services.PhoneIn:
        d = self.cleaned_data
        kind = d["type"] or Phone.Type.MOBILE
        return services.PhoneIn(d["number"], kind, d["is_primary"], d["sms_consent"], d["sms_consent_source"])


class EmailRow(ContactRow):
    address = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    kind = "email"
    value_fields = ("address",)

    def to_input(self) -> services.EmailIn:
        return services.EmailIn(self.cleaned_data["address"], self.cleaned_data["is_primary"])


class AddressRow(ContactRow):
    line = forms.CharField(
        label=_("Address on one line"),
        max_length=300,
        required=False,
        help_text=_("“12 N Main St Apt 4, Springfield, IL 62701”, or the parts below."),
    )
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Apartment, suite"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False, help_text=_("Blank: the ZIP's city."))
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    zip_code = forms.CharField(label=_("ZIP"), max_length=10, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    kind = "address"
    value_fields = ("line", "street", "city", "zip_code")

    def to_input(self) -> services.AddressIn:
        d = self.cleaned_data
        return services.AddressIn(
            street=d["street"], city=d["city"], state=d["state"], zip_code=d["zip_code"], line2=d["line2"],
            line=d["line"], is_primary=d["is_primary"],
        )  # fmt: skip


class EmployerRow(ContactRow):
    name = forms.CharField(label=_("Employer"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    phone = forms.CharField(label=_("Employer's phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Employer's address"), max_length=300, required=False)
    kind = "employer"
    value_fields = ("name",)

    def to_input(self) -> services.EmployerIn:
        d = self.cleaned_data
        return services.EmployerIn(d["name"], d["phone"], d["address"], d["position"])


ROWS: dict[str, type[ContactRow]] = {
    "phones": PhoneRow,
    "emails": EmailRow,
    "addresses": AddressRow,
    "employers": EmployerRow,
}
FORMSETS = {
    group: forms.formset_factory(row, extra=0, max_num=MAX_ROWS, validate_max=True) for group, row in ROWS.items()
}


def initial_rows(customer: Customer | None) -> dict[str, list[dict[str, Any]]]:
    """The current contact points as rows to edit; one blank phone, email and address row on a new customer."""
    if customer is None:
        return {"phones": [{}], "emails": [{}], "addresses": [{}], "employers": []}
    phones = [
        {"id": p.pk, "number": p.number, "type": p.type, "is_primary": p.is_primary,
         "sms_consent": p.sms_consent_at is not None, "sms_consent_source": p.sms_consent_source}
        for p in customer.phones.all() if p.is_current
    ]  # fmt: skip
    emails = [
        {"id": e.pk, "address": e.address, "is_primary": e.is_primary} for e in customer.emails.all() if e.is_current
    ]
    addresses = [
        {"id": a.pk, "street": a.street, "line2": a.line2, "city": a.city, "state": a.state, "zip_code": a.zip_code,
         "is_primary": a.is_primary}
        for a in customer.addresses.all() if a.is_current
    ]  # fmt: skip
    employers = [
        {"id": e.pk, "name": e.name, "position": e.position, "phone": e.phone, "address": e.address}
        for e in customer.employers.all() if e.is_current
    ]  # fmt: skip
    return {"phones": phones, "emails": emails, "addresses": addresses, "employers": employers}


def new_row(group: str, index: int) -> forms.Form:
    """Row `index` of an empty formset of `group` (the "Add another" button's answer)."""
    formset = FORMSETS[group](prefix=group)
    form = formset.form(
        prefix=formset.add_prefix(index), auto_id=formset.auto_id, empty_permitted=True, use_required_attribute=False
    )
    return form


class CustomerForms:
    """The customer form and its contact point formsets, validated together; services' errors mapped back."""

    def __init__(
        self,
        data: Any,
        *,
        customer: Customer | None,
        reps: QuerySet[User],
        identity: bool,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.customer = customer
        self.form = CustomerForm(data, reps=reps, editing=customer is not None, identity=identity, initial=initial)
        rows = initial_rows(customer)
        self.formsets = {group: FORMSETS[group](data, prefix=group, initial=rows[group]) for group in ROWS}
        self._sent: dict[str, list[int]] = {group: [] for group in ROWS}
        self._points: dict[tuple[str, int], services.ContactPoint] = {}
        if customer is not None:
            points: list[services.ContactPoint] = [
                *customer.phones.all(),
                *customer.emails.all(),
                *customer.addresses.all(),
                *customer.employers.all(),
            ]
            self._points = {(type(point).__name__, point.pk): point for point in points}

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        return valid

    @property
    def cleaned_data(self) -> dict[str, Any]:
        return self.form.cleaned_data

    def _rows(self, group: str) -> list[tuple[int, ContactRow]]:
        return [
            (index, row)  # type: ignore[misc]
            for index, row in enumerate(self.formsets[group].forms)
            if row.cleaned_data and not row.is_blank()  # type: ignore[attr-defined]
        ]

    def new_points(self, group: str) -> list[Any]:
        """The inputs of the rows filled in on a new customer, in order (for `create_customer`)."""
        rows = [(index, row) for index, row in self._rows(group) if not row.cleaned_data.get("end")]
        self._sent[group] = [index for index, _row in rows]
        return [row.to_input() for _index, row in rows]

    def contact_changes(self) -> list[services.ContactChange]:
        """What the rows of an edited customer change: new points, replaced ones and ended ones."""
        changes = []
        models = {"phones": Phone, "emails": Email, "addresses": Address, "employers": Employer}
        for group in ROWS:
            self._sent[group] = []
            for index, row in self._rows(group):
                pk = row.cleaned_data.get("id")
                point = self._points.get((models[group].__name__, pk)) if pk else None
                if pk and point is None:
                    continue  # a row of a point that is no longer current: nothing to do
                data = None if row.cleaned_data.get("end") else row.to_input()
                if point is None and data is None:
                    continue
                self._sent[group].append(index)
                changes.append(
                    services.ContactChange(point=point, data=data, prefix=f"{group}.{len(self._sent[group]) - 1}.")
                )
        return changes

    def service_error(self, error: DomainError) -> None:
        parts = (error.field or "").split(".")
        if len(parts) == 3 and parts[0] in ROWS and parts[1].isdigit() and int(parts[1]) < len(self._sent[parts[0]]):
            row = self.formsets[parts[0]].forms[self._sent[parts[0]][int(parts[1])]]
            name = parts[2]
            one_line = bool(row.cleaned_data.get("line")) and not row.cleaned_data.get("street")
            if one_line and name in ("street", "city", "state", "zip_code"):
                name = "line"  # typed as one line: the parts' inputs are empty, the line is what to correct
            row.add_error(name if name in row.fields else None, error.message)
            return
        self.form.service_error(error)


# --- identity ------------------------------------------------------------------------------------------------------


class SsnForm(ServiceErrors, forms.Form):
    ssn = forms.CharField(
        label=_("SSN or ITIN"),
        max_length=11,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}, render_value=False),
        help_text=_("Stored encrypted; a new number replaces the one on file (which is kept for matching)."),
    )


class LicenceForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=[
            (IdentityDocument.Kind.DRIVERS_LICENCE, _("Driver's license")),
            (IdentityDocument.Kind.STATE_ID, _("State ID")),
        ],
    )
    number = forms.CharField(label=_("Number"), max_length=30)
    state = forms.ChoiceField(label=_("Issued by"), choices=STATE_CHOICES)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_date_input())

    def to_input(self) -> services.LicenceIn:
        d = self.cleaned_data
        return services.LicenceIn(number=d["number"], state=d["state"], kind=d["kind"], expires_on=d["expires_on"])


class EarlierNameForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EarlierName.Kind.choices, initial=EarlierName.Kind.BIRTH)
    full_name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("The whole name, or the parts below.")
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    suffix = forms.CharField(label=_("Suffix"), max_length=20, required=False)
    valid_from = forms.DateField(label=_("Used from"), required=False, widget=_date_input())
    valid_to = forms.DateField(label=_("Used until"), required=False, widget=_date_input())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    aliases = {"full_name": "full_name"}

    def to_input(self) -> services.EarlierNameIn:
        return services.EarlierNameIn(**self.cleaned_data)


class ListFilters(forms.Form):
    """The customer list's filters (GET)."""

    q = forms.CharField(label=_("Find"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Customer.Status.choices], required=False
    )
    ar = forms.ChoiceField(
        label=_("A/R"),
        choices=[("", _("A/R and cash")), ("yes", _("A/R only")), ("no", _("Cash only"))],
        required=False,
    )
    rep: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Rep"), queryset=None, required=False, empty_label=_("Any rep")
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args: Any, reps: QuerySet[User], tags: Sequence[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", _("Any tag")), *((tag.name, tag.name) for tag in tags)]  # type: ignore[attr-defined]

    def selection(self) -> dict[str, Any]:
        """The valid filters as `selectors.customer_list` takes them (an invalid one is ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        ar = data.get("ar")
        rep = data.get("rep")
        return {
            "query": data.get("q", ""),
            "status": data.get("status", ""),
            "is_ar": {"yes": True, "no": False}.get(ar or ""),
            "rep_id": rep.pk if rep is not None else None,
            "tag": data.get("tag", ""),
        }
