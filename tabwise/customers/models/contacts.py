"""How to reach a customer, and where they work: several of each, with the days each was in use."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantModel
from tabwise.customers.models.base import Period, period_constraint

# Contact points are listed current first (valid_to is None), the primary one first among them.
CONTACT_ORDER: Sequence[str | Combinable] = [models.F("valid_to").desc(nulls_first=True), "-is_primary", "id"]


class Phone(TenantModel, Period):
    """A customer's phone number in E.164, with its type and, for texts, when and how the customer agreed to them.

    The SMS consent kept here is the customer's record of it; the outbox sends under `notifications.SmsConsent`,
    which the service records at the same time (and which a STOP by text withdraws).
    """

    class Type(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=20, help_text=_("E.164"))
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)
    sms_consent_at = models.DateTimeField(_("agreed to texts"), null=True, blank=True)
    sms_consent_source = models.CharField(_("how they agreed to texts"), max_length=200, blank=True)

    history = audit.history()

    class Meta:
        ordering = CONTACT_ORDER
        constraints = [period_constraint("phone_period")]

    def __str__(self) -> str:
        return self.number


class Email(TenantModel, Period):
    """A customer's email address."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("email"))
    is_primary = models.BooleanField(_("primary"), default=False)

    history = audit.history()

    class Meta:
        ordering = CONTACT_ORDER
        constraints = [period_constraint("email_period")]

    def __str__(self) -> str:
        return self.address


class Address(TenantModel, Period):
    """A postal address of a customer, as entered (`street`, `line2`) and in normalised parts for matching.

    `house_number`, `street_name` and `unit` are the street line parsed by usaddress and written the USPS way
    (upper case, standard abbreviations: "N MAIN ST", "APT 4B"), so "12 North Main Street" and "12 N Main St"
    compare equal.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField(_("street"), max_length=200)
    line2 = models.CharField(_("line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2)
    zip_code = models.CharField(_("ZIP"), max_length=10)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    street_name = models.CharField(_("street name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    history = audit.history()

    class Meta:
        ordering = CONTACT_ORDER
        verbose_name_plural = _("addresses")
        constraints = [period_constraint("address_period")]

    def __str__(self) -> str:
        street = f"{self.street}, {self.line2}" if self.line2 else self.street
        return f"{street}, {self.city}, {self.state} {self.zip_code}"


class Employer(TenantModel, Period):
    """Where the customer works (the shop where a mechanic works): its name, phone, address and the position held."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="employers")
    name = models.CharField(_("employer"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)

    history = audit.history()

    class Meta:
        ordering = [models.F("valid_to").desc(nulls_first=True), "-id"]
        constraints = [period_constraint("employer_period")]

    def __str__(self) -> str:
        return self.name
