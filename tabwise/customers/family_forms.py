"""The family forms: link a customer already on file, add a new customer as a family member (name, relationship,
phone), both shown on the main customer's "Add a family member" page."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from tabwise.core.http import ServiceErrors
from tabwise.customers.models import Customer


def _relationship() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Relationship to the main customer"),
        choices=[("", "—"), *Customer.Relationship.choices],
        error_messages={"required": _("Choose how this person is related to the main customer.")},
    )


class ExistingMemberForm(ServiceErrors, forms.Form):
    """A customer on file, chosen with the as-you-type picker, and how they are related to the main."""

    member: forms.ModelChoiceField[Customer] = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the customer and choose them from the list."),
            "invalid_choice": _("Find the customer and choose them from the list."),
        },
    )
    relationship = _relationship()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Customer.objects.exclude(status=Customer.Status.MERGED)
        self.fields["member"].queryset = queryset  # type: ignore[attr-defined]


class NewMemberForm(ServiceErrors, forms.Form):
    """A new customer, added straight into the family: the least a counter clerk needs to type."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, help_text=_("As one string: “Ana Lopez”, “Juan de la Cruz Jr.”")
    )
    relationship = _relationship()
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    aliases: ClassVar[dict[str, str]] = {"last_name": "full_name", "first_name": "full_name"}
