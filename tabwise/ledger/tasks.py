"""The ledger's background work: the daily payment-plan check, the late-charge assessment, and emailing
statements to every customer with a balance."""

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


@business_task()
def email_statements(*, actor_id: int, start: str, end: str) -> dict[str, int]:
    """Email the statement of `start`..`end` (ISO days) to every customer with a balance at `end`, as `actor`.

    Safe to run twice: a statement already queued for a customer and period is not sent again. Returns the counts.
    """
    from tabwise.ledger.services import statements as statement_services
    from tabwise.ledger.statements import Period
    from tabwise.users.models import User

    actor = User.members.get(pk=actor_id)
    period = Period(date.fromisoformat(start), date.fromisoformat(end))
    return statement_services.send_statements(actor=actor, period=period).as_dict()


@business_task(max_attempts=1)
def run_import(*, batch_id: int, actor_id: int) -> str:
    """Import a confirmed file all-or-nothing, as the user who confirmed it; returns the batch's final status.

    Safe to run twice: only a queued batch is taken. Not retried: a failure rolls everything back and marks the batch
    failed, and the user confirms it again from its page. A worker killed mid-import rolls back too but leaves the
    batch running; its page finds the run gone (`services.imports.is_stalled`) and offers the retry.
    """
    from tabwise.core import audit
    from tabwise.ledger.services import imports
    from tabwise.users.models import User

    actor = User.members.get(pk=actor_id)
    with audit.acting(actor, via="task:run_import"):
        return imports.run_import(batch_id=batch_id, actor=actor).status
