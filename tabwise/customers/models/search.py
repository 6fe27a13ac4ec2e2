"""The quick-search keys: every value a customer can be found by, normalised, one row each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core.tenancy import TenantModel


class SearchKey(TenantModel):
    """One normalised value a customer can be found by as the clerk types: a part of a current or earlier name, the
    customer number, a plate, a VIN, an account number, or a phone number.

    Derived data, rebuilt from the customer by `customers.search.refresh_keys` in the transaction of every service
    that changes what it is built from (and by `tabwise rebuild_search_keys` for data loaded another way); so it has
    no row history of its own. `value` is upper-case ASCII letters and digits, so a search is one prefix scan of the
    (business, value) index: `value LIKE 'SMI%'`. Phone numbers and VINs are also stored reversed behind `#`, so
    "the last digits" are a prefix too.
    """

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        EARLIER_NAME = "earlier_name", _("earlier name")
        NUMBER = "number", _("customer number")
        PHONE = "phone", _("phone")
        OLD_PHONE = "old_phone", _("earlier phone")
        PLATE = "plate", _("plate")
        VIN = "vin", _("VIN")
        ACCOUNT = "account", _("account number")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # varchar_pattern_ops: PostgreSQL answers LIKE 'prefix%' from this index whatever the database's
            # collation, and with the customer and kind in the key, from the index alone. SQLite ignores the
            # operator classes (and is given a range instead, see customers.search).
            models.Index(
                fields=["business", "value", "customer", "kind"],
                name="search_key_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops", "text_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
