"""The customer, the tags a business puts on customers, and the names a customer was known by before."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.money import MoneyField
from tabwise.core.tenancy import TenantModel
from tabwise.customers.models.base import Period, period_constraint

LANGUAGES = [("en", "English"), ("es", "Español")]


class Customer(TenantModel):
    """A person or company the business sells to: on account (A/R) or for cash.

    The name fields hold the current name; earlier names are `EarlierName` rows. `employer` is the name of the
    current employer, kept by the services from the `Employer` rows (lists and the route sheet show it).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        SKIPPED = "skipped", _("Skipped")
        MERGED = "merged", _("Merged into another customer")

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Brother or sister")
        OTHER = "other", _("Other family")

    number = models.CharField(_("customer number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    title = models.CharField(_("title"), max_length=20, blank=True, help_text=_("Mr., Mrs., Dr."))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True, help_text=_("Jr., Sr., III"))
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    is_ar = models.BooleanField(_("on account (A/R)"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    credit_limit = MoneyField(_("credit limit"), default=0)
    preferred_language = models.CharField(_("language"), max_length=8, default="en", choices=LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("Blank: the business's."))
    assigned_rep = models.ForeignKey(
        "users.User", verbose_name=_("assigned rep"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField("customers.Tag", through="customers.CustomerTag", related_name="+", blank=True)
    notes = models.TextField(_("notes"), blank=True)
    family_main = models.ForeignKey(
        "self",
        verbose_name=_("main customer of the family"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="family_members",
        help_text=_("Set on a family member: the customer whose account the family's purchases go on."),
    )
    family_relationship = models.CharField(
        _("relationship to the main customer"), max_length=10, choices=Relationship.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_away",
        help_text=_("Set when this customer was combined into another: its number and id lead to the survivor."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["last_name", "first_name", "company_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="customer_number_unique_per_business"),
            models.CheckConstraint(
                condition=~models.Q(family_main=models.F("id")), name="customer_not_own_family_main"
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")), name="customer_not_merged_into_self"
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(status="merged"),
                name="customer_merged_into_only_when_merged",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "last_name", "first_name"]),
            models.Index(fields=["business", "status"], name="customer_business_status"),
            models.Index(fields=["business", "assigned_rep"], name="customer_business_rep"),
        ]

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

    @property
    def person_name(self) -> str:
        """The name of the person (for a company: its contact person), with the title."""
        parts = [self.title, self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(part for part in parts if part)


class Tag(TenantModel):
    """A label a business puts on customers ("fleet", "cash only", "route 3") to find and filter them."""

    name = models.CharField(_("tag"), max_length=40)

    history = audit.history()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="tag_name_unique_per_business")]

    def __str__(self) -> str:
        return self.name


class CustomerTag(TenantModel):
    """One tag on one customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="customer_links")

    history = audit.history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_once")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tag_id}"


class EarlierName(TenantModel, Period):
    """A name the customer was known by before, or goes by as well: a birth (maiden) name, a name from an earlier
    marriage, an alias, or simply the name on file before it was changed.

    Kept so that duplicate detection and the skip network recognise the customer under it.
    """

    class Kind(models.TextChoices):
        BIRTH = "birth", _("Birth or maiden name")
        MARRIED = "married", _("Married name")
        ALIAS = "alias", _("Alias")
        PREVIOUS = "previous", _("Previous name")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="earlier_names")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PREVIOUS)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit.history()

    class Meta:
        ordering = ["-valid_to", "-id"]
        constraints = [period_constraint("earlier_name_period")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(part for part in parts if part) or self.company_name
