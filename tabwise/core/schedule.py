"""Daily jobs per business, at an hour of the business's own day (the plan check, late charges, reviews).

A job is a business task declared with `@daily(hour=...)`. `run_due()` (called every minute by `tabwise scheduler`,
which `tabwise up` starts) enqueues each job once per business per local day, from that hour on: the unique
`ScheduledRun` row decides, so a scheduler that was down catches up the same day and two schedulers never double
a run. The task receives `run_on`, the business's date it is for.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from tabwise.core import tenancy


@dataclass(frozen=True)
class DailyJob:
    task: Task
    hour: int

    @property
    def name(self) -> str:
        return self.task.module_path


_jobs: list[DailyJob] = []


def daily(*, hour: int) -> Callable[[Task], Task]:
    """Run the decorated business task every day, for every business, from `hour` o'clock in its time zone."""
    if not 0 <= hour <= 23:
        raise ValueError("hour must be 0..23")

    def register(task: Task) -> Task:
        _jobs.append(DailyJob(task, hour))
        return task

    return register


def jobs() -> list[DailyJob]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return list(_jobs)


def run_due(now: datetime | None = None) -> list[tuple[int, str, str]]:
    """Enqueue every job due by `now` that has not run for its business's current day; returns what it enqueued."""
    from tabwise.core.models import ScheduledRun
    from tabwise.core.tasks import enqueue
    from tabwise.tenants.models import Business

    now = now or timezone.now()
    enqueued = []
    for business in Business.objects.all():
        local = now.astimezone(ZoneInfo(business.time_zone))
        for job in jobs():
            if local.hour < job.hour:
                continue
            with tenancy.business_scope(business):
                try:
                    with transaction.atomic():
                        ScheduledRun.objects.create(job=job.name, run_on=local.date())
                        run_on = local.date().isoformat()
                        transaction.on_commit(
                            functools.partial(enqueue, job.task, business_id=business.pk, run_on=run_on)
                        )
                except IntegrityError:
                    continue
            enqueued.append((business.pk, job.name, local.date().isoformat()))
    return enqueued
