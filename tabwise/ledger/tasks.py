"""The ledger's background work: the daily payment-plan check and the late-charge assessment."""

from __future__ import annotations

from datetime import date

from tabwise.core import tenancy
from tabwise.core.schedule import daily
from tabwise.core.tasks import business_task
from tabwise.ledger.services import charges, plans


@daily(hour=5)
@business_task()
def check_payment_plans(*, run_on: str) -> int:
    """Mark instalments paid, short or missed as of `run_on` (the business's date); returns how many changed."""
    results = plans.check_plans(today=date.fromisoformat(run_on))
    return sum(len(result.newly_short) + len(result.newly_missed) for result in results)


@daily(hour=5)
@business_task()
def assess_late_charges(*, run_on: str) -> int:
    """Charge this month's late fees and interest on overdue accounts; returns how many accounts were charged."""
    business = tenancy.current_business()
    assert business is not None
    return len(charges.assess_late_charges(business=business, as_of=date.fromisoformat(run_on)))
