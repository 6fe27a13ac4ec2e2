"""Customers of a business, their contact points and their vehicles."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.money import MoneyField
from tabwise.core.tenancy import TenantModel


class Customer(TenantModel):
    """A person or company the business sells to: on account (A/R) or for cash."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        SKIPPED = "skipped", _("Skipped")

    number = models.CharField(_("customer number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    is_ar = models.BooleanField(_("on account (A/R)"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    credit_limit = MoneyField(_("credit limit"), default=0)
    preferred_language = models.CharField(
        _("language"), max_length=8, default="en", choices=[("en", "English"), ("es", "Español")]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("Blank: the business's."))
    assigned_rep = models.ForeignKey(
        "users.User", verbose_name=_("assigned rep"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["last_name", "first_name", "company_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="customer_number_unique_per_business")
        ]
        indexes = [models.Index(fields=["business", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.company_name
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(part for part in parts if part)


class Phone(TenantModel):
    """A customer's phone number in E.164, with its type and SMS consent."""

    class Type(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=20, help_text=_("E.164"))
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    history = audit.history()

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.number


class Email(TenantModel):
    """A customer's email address."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("email"))
    is_primary = models.BooleanField(_("primary"), default=False)

    history = audit.history()

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.address


class Address(TenantModel):
    """A postal address of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField(_("street"), max_length=200)
    line2 = models.CharField(_("line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2)
    zip_code = models.CharField(_("ZIP"), max_length=10)
    is_primary = models.BooleanField(_("primary"), default=False)

    history = audit.history()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip_code}"


class Vehicle(TenantModel):
    """A vehicle a customer brings in or owns (for service history and fleet work)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="vehicles")
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    plate_state = models.CharField(_("plate state"), max_length=2, blank=True)
    year = models.PositiveSmallIntegerField(_("model year"), null=True, blank=True)
    make = models.CharField(_("make"), max_length=40, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    mileage = models.PositiveIntegerField(_("mileage"), null=True, blank=True)
    is_fleet = models.BooleanField(_("fleet"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = audit.history()

    class Meta:
        ordering = ["-year", "make", "model", "id"]

    def __str__(self) -> str:
        return " ".join(str(part) for part in [self.year, self.make, self.model, self.plate] if part)
