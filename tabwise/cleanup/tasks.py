"""The clean-up utilities' background work: one run, applied all-or-nothing."""

from __future__ import annotations

from tabwise.core.tasks import business_task


@business_task(max_attempts=1)
def run_utility(*, run_id: int, actor_id: int) -> str:
    """Apply a queued clean-up run as the user who started it; returns the run's final status.

    Safe to run twice: only a queued run is taken. Not retried: a failure rolls everything back and marks the run
    failed, and the user starts it again from its page (after a new preview if the data changed).
    """
    from tabwise.cleanup import services
    from tabwise.core import audit
    from tabwise.users.models import User

    actor = User.members.get(pk=actor_id)
    with audit.acting(actor, via="task:run_utility"):
        return services.run_utility(run_id=run_id, actor=actor).status
