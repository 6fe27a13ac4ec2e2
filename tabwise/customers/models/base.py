"""What every dated piece of a customer's identity shares: the days it was in use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    """The calendar days (in the business's time zone) a value was in use: `valid_to` is None while it still is.

    Identity history is kept, never overwritten: when a customer moves or changes number, the old row gets its
    `valid_to` and a new row starts, because duplicate detection and the skip network match against both.
    `valid_from` is None when nobody knows since when (data that came from another system).
    """

    valid_from = models.DateField(_("in use from"), null=True, blank=True)
    valid_to = models.DateField(_("in use until"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


def period_constraint(name: str) -> models.CheckConstraint:
    """A period never ends before it starts."""
    return models.CheckConstraint(
        condition=models.Q(valid_from__isnull=True)
        | models.Q(valid_to__isnull=True)
        | models.Q(valid_to__gte=models.F("valid_from")),
        name=name,
    )
