from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tabwise.users.models import Level


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    level = forms.TypedChoiceField(label=_("Security level"), choices=Level.choices, coerce=int)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=10)
