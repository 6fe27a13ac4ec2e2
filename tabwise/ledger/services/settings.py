"""The business's ledger policy: aging buckets, how items age, default terms, late fees and interest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

from django.db import transaction
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.errors import DomainError
from tabwise.core.money import to_money
from tabwise.ledger.models import LedgerSettings
from tabwise.ledger.services.sales import ledger_settings
from tabwise.users import security
from tabwise.users.models import User

ZERO = Decimal("0")
MAX_BOUNDARIES = 8
MAX_BOUNDARY_DAYS = 3650
MAX_TERMS_DAYS = 365
MAX_APR = Decimal("99.999")


def check_boundaries(boundaries: Sequence[int]) -> list[int]:
    """Aging bucket boundaries as days past due: 1 to 8 positive whole numbers, each larger than the one before.

    Raises DomainError(field="aging_boundaries") otherwise.
    """
    values = list(boundaries)
    if not values:
        raise DomainError(_("Give at least one bucket boundary, such as 30."), field="aging_boundaries")
    if len(values) > MAX_BOUNDARIES:
        message = _("Give at most %(max)d bucket boundaries.") % {"max": MAX_BOUNDARIES}
        raise DomainError(message, field="aging_boundaries")
    if any(isinstance(day, bool) or not isinstance(day, int) or day < 1 for day in values):
        raise DomainError(_("Each boundary is a whole number of days, 1 or more."), field="aging_boundaries")
    if any(day > MAX_BOUNDARY_DAYS for day in values):
        message = _("A boundary can be at most %(max)d days.") % {"max": MAX_BOUNDARY_DAYS}
        raise DomainError(message, field="aging_boundaries")
    if any(later <= earlier for earlier, later in pairwise(values)):
        message = _("Each boundary must be larger than the one before it (for example 30, 60, 90).")
        raise DomainError(message, field="aging_boundaries")
    return values


def _money(value: Decimal, field: str, rounding: str) -> Decimal:
    if value < ZERO:
        raise DomainError(_("The amount cannot be negative."), field=field)
    if to_money(value, rounding) != value:
        raise DomainError(_("The amount cannot have fractions of a cent."), field=field)
    return value


def _days(value: int, field: str, maximum: int) -> int:
    if not 0 <= value <= maximum:
        raise DomainError(_("Enter a number of days from 0 to %(max)d.") % {"max": maximum}, field=field)
    return value


def update_ledger_settings(
    *,
    actor: User,
    aging_boundaries: Sequence[int],
    age_by: str,
    default_terms_days: int,
    late_fee: Decimal,
    late_fee_grace_days: int,
    interest_apr: Decimal,
    minimum_interest: Decimal,
) -> LedgerSettings:
    """Set the business's ledger policy. New terms apply to accounts opened from now on; late fees and interest to
    the next assessment; buckets and age-by to every aging report from now on (reports are computed, not stored).

    Atomic, under the settings row's lock; writes LEDGER_SETTINGS_CHANGED with the old and new value of each field
    that changed (nothing when nothing changed). Raises DomainError on the field at fault.
    """
    security.check(actor, "ledger.settings")
    rounding = actor.business.rounding
    values: dict[str, object] = {
        "aging_boundaries": check_boundaries(aging_boundaries),
        "age_by": age_by,
        "default_terms_days": _days(default_terms_days, "default_terms_days", MAX_TERMS_DAYS),
        "late_fee": _money(late_fee, "late_fee", rounding),
        "late_fee_grace_days": _days(late_fee_grace_days, "late_fee_grace_days", MAX_TERMS_DAYS),
        "interest_apr": interest_apr,
        "minimum_interest": _money(minimum_interest, "minimum_interest", rounding),
    }
    if age_by not in LedgerSettings.AgeBy.values:
        raise DomainError(_("Choose how items age."), field="age_by")
    if not ZERO <= interest_apr <= MAX_APR or interest_apr != interest_apr.quantize(Decimal("0.001")):
        raise DomainError(_("Enter an APR from 0 to 99.999, with at most 3 decimal places."), field="interest_apr")
    with transaction.atomic():
        current = ledger_settings()
        policy = LedgerSettings.objects.select_for_update().get(pk=current.pk)
        changes = {}
        for name, new in values.items():
            old = policy.boundaries if name == "aging_boundaries" else getattr(policy, name)
            if old != new:
                changes[name] = {"old": _plain(old), "new": _plain(new)}
                setattr(policy, name, new)
        if changes:
            policy.save()
            audit.record_event(event_type="LEDGER_SETTINGS_CHANGED", subject=policy, payload=changes)
    return policy


def _plain(value: object) -> object:
    """A value as JSON keeps it exactly: amounts as decimal strings."""
    return str(value) if isinstance(value, Decimal) else value
