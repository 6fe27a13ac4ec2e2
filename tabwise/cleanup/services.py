"""Running the clean-up utilities: preview, start (a background task, all-or-nothing), undo.

`preview_utility` stores what a utility would change as a `UtilityRun` (previewed). `start_utility` queues it (once:
one conditional UPDATE) and enqueues `tasks.run_utility` on commit. `run_utility` takes the queued run, and in ONE
transaction computes the preview again, refuses if it differs from the one the user confirmed (the data changed:
nothing is written), applies it and marks the run done with UTILITY_RUN. `undo_utility` reverses the latest done run
in one transaction with UTILITY_UNDONE. Progress goes through a second connection on PostgreSQL (`Progress`), as the
ledger import's does (decision 0008); a run whose worker died is found by `is_stalled` and may be started again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tabwise.cleanup import registry
from tabwise.cleanup.models import UtilityRun
from tabwise.cleanup.registry import Preview, Step
from tabwise.core import audit
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.progress import ProgressWriter, is_live
from tabwise.users import security
from tabwise.users.models import User

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)  # a running run with no sign of life for this long is taken for gone
ADVISORY_CLASS = 0x434C4E  # "CLN": the first key of the clean-up advisory lock (the second: the business id)
Status = UtilityRun.Status


class PreviewChanged(DomainError):
    """The data changed between the preview and the run: the run would not do what the user confirmed."""

    code = "preview_changed"


def utility_of(run: UtilityRun) -> registry.Utility:
    try:
        return registry.get(run.kind)
    except KeyError:
        raise DomainError(_("This utility is no longer available."), field="kind") from None


def preview_utility(*, actor: User, kind: str, parameters: Mapping[str, Any]) -> UtilityRun:
    """Work out what a utility would change and keep it as a previewed run; changes nothing else.

    Atomic; writes UTILITY_PREVIEWED; raises PermissionDenied when the actor's level may not use the utility.
    """
    utility = registry.get(kind)
    security.check(actor, utility.function)
    preview = utility.preview(parameters)
    with transaction.atomic():
        shown = preview.as_dict()
        run = UtilityRun.objects.create(
            kind=kind,
            parameters=dict(parameters),
            preview=shown,
            total=shown["total"],
            created_by=actor,
        )
        audit.record_event(
            event_type="UTILITY_PREVIEWED",
            subject=run,
            payload={"kind": kind, "parameters": run.parameters, "changes": len(preview.changes)},
        )
    return run


def start_utility(*, actor: User, run: UtilityRun, skip_groups: Collection[str] = ()) -> UtilityRun:
    """Queue a previewed run (or one that failed, which wrote nothing) and enqueue its task on commit.

    Idempotent: one conditional UPDATE moves it to the queue, so a second click changes nothing. A running run whose
    worker is gone (`is_stalled`) is marked failed first and queued again. Writes UTILITY_QUEUED. Raises
    PermissionDenied, DomainError(field="skip_groups") when every change is unticked.
    """
    utility = utility_of(run)
    security.check(actor, utility.function)
    groups = sorted({str(group) for group in skip_groups})
    selectable = {change["group"] for change in run.preview.get("changes", []) if change.get("group")}
    if selectable and selectable <= set(groups) and all(c.get("group") for c in run.preview.get("changes", [])):
        raise DomainError(_("Every change is unticked: there is nothing to run."), field="skip_groups")
    with transaction.atomic():
        if run.status == Status.RUNNING and is_stalled(run):
            UtilityRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
                status=Status.FAILED, error=_("The run stopped before it finished. Nothing of it was saved.")
            )
        claimed = UtilityRun.objects.filter(pk=run.pk, status__in=[Status.PREVIEWED, Status.FAILED]).update(
            status=Status.QUEUED, error="", skip_groups=groups, done=0
        )
        if claimed:
            audit.record_event(
                event_type="UTILITY_QUEUED", subject=run, payload={"kind": run.kind, "skip_groups": groups}
            )
            from tabwise.cleanup import tasks
            from tabwise.core.tasks import enqueue_on_commit

            enqueue_on_commit(tasks.run_utility, business_id=actor.business_id, run_id=run.pk, actor_id=actor.pk)
    return UtilityRun.objects.get(pk=run.pk)


def choose_groups(*, actor: User, run: UtilityRun, skip_groups: Collection[str]) -> UtilityRun:
    """Keep the groups the user unticked on a previewed run (the preview's pages are ticked one at a time; `Run`
    starts it with all of them). Only while it may still be started; nothing else changes."""
    security.check(actor, utility_of(run).function)
    groups = sorted({str(group) for group in skip_groups})
    UtilityRun.objects.filter(pk=run.pk, status__in=[Status.PREVIEWED, Status.FAILED]).update(skip_groups=groups)
    return UtilityRun.objects.get(pk=run.pk)


def run_utility(*, run_id: int, actor: User) -> UtilityRun:
    """Apply a queued run all-or-nothing; safe to run twice (only a queued run is taken).

    One transaction: the preview computed again and compared with the one confirmed (PreviewChanged if they differ),
    the utility applied, the run marked done with its result and undo data, UTILITY_RUN written. On any error it all
    rolls back and the run is marked failed with the reason.
    """
    attempt = _claim(run_id)
    if attempt is None:
        return UtilityRun.objects.get(pk=run_id)
    progress = Progress(run_id, attempt, live=is_live())
    try:
        with transaction.atomic():
            _one_at_a_time(run_id)
            run = UtilityRun.objects.get(pk=run_id)
            utility = utility_of(run)
            security.check(actor, utility.function)
            preview = utility.preview(run.parameters)
            if preview.as_dict()["changes"] != run.preview.get("changes"):
                raise PreviewChanged(
                    _("The data changed since the preview, so nothing was changed. Preview the utility again.")
                )
            step = Step(
                actor=actor, run=run, preview=preview, skip_groups=frozenset(run.skip_groups), report=progress.report
            )
            run.undo_data = utility.apply(step, run.parameters) or {}
            run.result = step.result
            run.status, run.finished_at = Status.DONE, timezone.now()
            run.done = run.total
            run.save(update_fields=["undo_data", "result", "status", "finished_at", "done"])
            audit.record_event(
                event_type="UTILITY_RUN",
                subject=run,
                payload={"kind": run.kind, "parameters": run.parameters, "skip_groups": run.skip_groups, **run.result},
            )
            return run
    except DomainError as error:
        return _stopped(run_id, attempt, error.message)
    except Exception:
        logger.exception("clean-up run %s failed", run_id)
        return _stopped(run_id, attempt, _("An unexpected error stopped the run. Nothing was changed."))
    finally:
        progress.close()


def undo_utility(*, actor: User, run: UtilityRun) -> UtilityRun:
    """Reverse a done run from its undo data, once; refused while a later run is done, queued or running.

    One transaction (the run row locked); writes UTILITY_UNDONE; raises Conflict(field="run") when it cannot be
    undone, DomainError from the utility when a row it needs is gone, PermissionDenied.
    """
    utility = utility_of(run)
    security.check(actor, utility.function)
    refusal = undo_refusal(run)
    if refusal:
        raise Conflict(refusal, field="run")
    assert utility.undo is not None
    with transaction.atomic():
        _one_at_a_time(run.pk)
        locked = UtilityRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != Status.DONE:
            raise Conflict(_("This run was undone already."), field="run")
        utility.undo(locked)
        locked.status, locked.undone_at, locked.undone_by = Status.UNDONE, timezone.now(), actor
        locked.save(update_fields=["status", "undone_at", "undone_by"])
        audit.record_event(
            event_type="UTILITY_UNDONE", subject=locked, payload={"kind": locked.kind, "result": locked.result}
        )
    return locked


def undo_refusal(run: UtilityRun) -> str:
    """Why the run cannot be undone now ("" when it can)."""
    utility = registry._registry.get(run.kind)
    if utility is None or utility.undo is None:
        return _("This utility cannot be undone.")
    if run.status != Status.DONE:
        return _("Only a finished run can be undone.") if run.status != Status.UNDONE else _("Undone already.")
    later = UtilityRun.objects.filter(
        Q(status=Status.DONE, finished_at__gt=run.finished_at) | Q(status__in=[Status.QUEUED, Status.RUNNING])
    ).exclude(pk=run.pk)
    if later.exists():
        return _("A later clean-up run exists: undo it first.")
    return ""


def can_undo(run: UtilityRun) -> bool:
    return not undo_refusal(run)


def is_stalled(run: UtilityRun, *, now: datetime | None = None) -> bool:
    """Whether a running run's worker is gone: no sign of life for STALE_AFTER. It rolled back: it wrote nothing."""
    if run.status != Status.RUNNING:
        return False
    last = run.progress_at or run.started_at or run.created_at
    return (now or timezone.now()) - last >= STALE_AFTER


def _one_at_a_time(run_id: int) -> None:
    """Take the business's clean-up lock for the rest of the transaction: runs and undos of one business apply one
    after the other, so each one's check of its preview (or undo data) sees the previous one's changes. PostgreSQL:
    a transaction-level advisory lock keyed by the business; SQLite: its single write lock does this already."""
    if connection.vendor != "postgresql":
        return
    business_id = UtilityRun.objects.filter(pk=run_id).values_list("business_id", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, business_id])


def _claim(run_id: int) -> int | None:
    """Take a queued run (one conditional UPDATE: a second worker takes nothing); its attempt number."""
    attempt = UtilityRun.objects.filter(pk=run_id, status=Status.QUEUED).values_list("attempt", flat=True).first()
    if attempt is None:
        return None
    now = timezone.now()
    taken = UtilityRun.objects.filter(pk=run_id, status=Status.QUEUED, attempt=attempt).update(
        status=Status.RUNNING, attempt=attempt + 1, started_at=now, progress_at=now, done=0
    )
    return attempt + 1 if taken else None


def _stopped(run_id: int, attempt: int, error: str) -> UtilityRun:
    UtilityRun.objects.filter(pk=run_id, status=Status.RUNNING, attempt=attempt).update(
        status=Status.FAILED, error=error, done=0, finished_at=timezone.now()
    )
    run = UtilityRun.objects.get(pk=run_id)
    audit.record_event(event_type="UTILITY_FAILED", subject=run, payload={"kind": run.kind, "error": error})
    return run


class Progress(ProgressWriter):
    """A running run's `done` counter (`core.progress`): live on PostgreSQL, known only at the end on SQLite."""

    def __init__(self, run_id: int, attempt: int, *, live: bool) -> None:
        super().__init__(
            UtilityRun, run_id, attempt=attempt, running_status=Status.RUNNING, alias="cleanup_progress", live=live
        )

    def report(self, done: int) -> None:
        self.write(done=done)


def preview_of(run: UtilityRun) -> Preview:
    """The stored preview as a `Preview` (for pages)."""
    changes = [registry.Change(**change) for change in run.preview.get("changes", [])]
    return Preview(changes=changes, total=run.preview.get("total", 0), warnings=run.preview.get("warnings", []))
