"""Change an area code: the phone company split an area and renumbered some cities' phones.

The user enters the old area code; the cities where customers with a current phone in it live (their current
address) are listed with how many customers each; the user ticks the cities and enters the new code. The current
phones in the old code of the customers in those cities get the new code in place: a renumbering is the same phone,
not a new one, so the row is changed (and its history kept by the audit), not ended and added again (decision 0010).
A number that is not valid with the new code is listed in the preview and skipped. Undo puts the old numbers back.
North American numbers (+1) only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tabwise.cleanup import registry
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Change, Preview, Step
from tabwise.cleanup.utilities import customer_label, refresh_search
from tabwise.core.errors import Conflict
from tabwise.customers.models import Address, Phone
from tabwise.customers.parsing import format_phone

KIND = "change_area_code"
CODE = r"^[2-9][0-9]{2}$"


def _city_key(address: Address) -> str:
    return f"{address.city.strip().upper()}, {address.state.upper()}"


def _current_cities() -> dict[int, str]:
    """Each customer's city (the current primary address, else the current one entered first)."""
    cities: dict[int, str] = {}
    for address in Address.objects.filter(valid_to__isnull=True).order_by("customer_id", "-is_primary", "id"):
        cities.setdefault(address.customer_id, _city_key(address))
    return cities


def _phones_in(area_code: str) -> list[Phone]:
    return list(
        Phone.objects.filter(valid_to__isnull=True, number__startswith=f"+1{area_code}")
        .select_related("customer")
        .order_by("customer_id", "id")
    )


def cities_with(area_code: str) -> list[tuple[str, int]]:
    """The cities of the customers with a current phone in `area_code`, with how many customers each."""
    cities = _current_cities()
    customers = {phone.customer_id for phone in _phones_in(area_code)}
    counts = Counter(cities[pk] for pk in customers if pk in cities)
    return sorted(counts.items())


class ChangeAreaCodeForm(forms.Form):
    """Two steps on one form: the old code lists its cities; then the cities and the new code."""

    old_area_code = forms.RegexField(label=gettext_lazy("Old area code"), regex=CODE, max_length=3)
    cities = forms.MultipleChoiceField(
        label=gettext_lazy("Cities"), widget=forms.CheckboxSelectMultiple, required=False
    )
    new_area_code = forms.RegexField(label=gettext_lazy("New area code"), regex=CODE, max_length=3, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = str(self.data.get("old_area_code", "")).strip() if self.is_bound else ""
        if len(code) == 3 and code.isdigit():
            cities = self.fields["cities"]
            assert isinstance(cities, forms.MultipleChoiceField)
            cities.choices = [
                (city, _("%(city)s (%(count)d customers)") % {"city": city, "count": count})
                for city, count in cities_with(code)
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        cities = self.fields["cities"]
        assert isinstance(cities, forms.MultipleChoiceField)
        if not cities.choices:
            self.add_error("old_area_code", _("No customer has a current phone in this area code."))
        elif not data.get("cities"):
            self.add_error("cities", _("Tick the cities whose phones get the new area code."))
        elif not data.get("new_area_code"):
            self.add_error("new_area_code", _("Enter the new area code."))
        elif data["new_area_code"] == data["old_area_code"]:
            self.add_error("new_area_code", _("The new area code is the same as the old one."))
        return data


@dataclass
class Renumbering:
    phone: Phone
    new_number: str
    valid: bool


def find_renumberings(parameters: Mapping[str, Any]) -> list[Renumbering]:
    old, new = parameters["old_area_code"], parameters["new_area_code"]
    chosen = set(parameters.get("cities", []))
    cities = _current_cities()
    found = []
    for phone in _phones_in(old):
        if cities.get(phone.customer_id) not in chosen:
            continue
        new_number = f"+1{new}{phone.number[2 + len(old) :]}"
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(new_number, None))
        except phonenumbers.NumberParseException:
            valid = False
        found.append(Renumbering(phone, new_number, valid))
    return found


def preview(parameters: Mapping[str, Any]) -> Preview:
    changes, warnings, valid = [], [], 0
    for item in find_renumberings(parameters):
        phone = item.phone
        valid += item.valid
        if item.valid:
            what, after = _("Change the area code"), format_phone(item.new_number)
        else:
            what, after = _("Skipped: not a valid number with the new area code"), item.new_number
            warnings.append(
                _("%(number)s of %(customer)s is skipped: %(new)s is not a valid number.")
                % {"number": format_phone(phone.number), "customer": customer_label(phone.customer), "new": after}
            )
        changes.append(
            Change(
                subject=customer_label(phone.customer),
                subject_url=phone.customer.get_absolute_url(),
                what=what,
                before=format_phone(phone.number),
                after=after,
            )
        )
    return Preview(changes=changes, total=valid, warnings=warnings)


def apply(step: Step, parameters: Mapping[str, Any]) -> dict[str, Any]:
    renumbered: list[dict[str, Any]] = []
    customers: set[int] = set()
    skipped = 0
    for item in find_renumberings(parameters):
        if not item.valid:
            skipped += 1
            continue
        phone = item.phone
        renumbered.append({"id": phone.pk, "old": phone.number, "new": item.new_number})
        phone.number = item.new_number
        phone.save(update_fields=["number"])
        customers.add(phone.customer_id)
        step.progress(len(renumbered))
    refresh_search(customers)
    step.result = {"phones_renumbered": len(renumbered), "skipped": skipped, "customers": len(customers)}
    return {"phones": renumbered, "customers": sorted(customers)}


def undo(run: UtilityRun) -> None:
    for item in run.undo_data.get("phones", []):
        phone = Phone.objects.filter(pk=item["id"]).first()
        if phone is None or phone.number != item["new"]:
            raise Conflict(
                _("Phone %(number)s was changed or deleted since: this run cannot be undone.")
                % {"number": format_phone(item["new"])}
            )
        phone.number = item["old"]
        phone.save(update_fields=["number"])
    refresh_search(run.undo_data.get("customers", []))


UTILITY = registry.register(
    registry.Utility(
        kind=KIND,
        title=gettext_lazy("Change an area code"),
        description=gettext_lazy(
            "When the phone company gives some cities a new area code: lists the cities of the customers with a "
            "phone in the old code, and changes those phones of the cities you tick to the new code. Can be undone."
        ),
        function="cleanup.change_area_code",
        form=ChangeAreaCodeForm,
        preview=preview,
        apply=apply,
        undo=undo,
    )
)
