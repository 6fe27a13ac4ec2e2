"""Daily jobs: enqueued once per business per local day, from their hour in the business's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from tabwise.core import schedule
from tabwise.core.models import ScheduledRun
from tabwise.core.testing.factories import BusinessFactory

UTC = ZoneInfo("UTC")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _names(rows):
    return sorted((job.rsplit(".", 1)[-1], run_on) for _business, job, run_on in rows)


@pytest.mark.django_db(transaction=True)
def test_jobs_run_from_their_hour_in_each_business_time_zone_and_only_once_a_day(database_tasks):
    chicago = BusinessFactory(time_zone="America/Chicago")
    tokyo = BusinessFactory(time_zone="Asia/Tokyo")

    # 2026-03-10 20:30 UTC is 14:30 in Chicago (jobs at 05:00 are due) and 05:30 on the 11th in Tokyo.
    first = schedule.run_due(datetime(2026, 3, 10, 20, 30, tzinfo=UTC))
    again = schedule.run_due(datetime(2026, 3, 10, 21, 30, tzinfo=UTC))

    assert {business for business, _job, _day in first} == {chicago.pk, tokyo.pk}
    assert ("check_payment_plans", "2026-03-10") in _names(r for r in first if r[0] == chicago.pk)
    assert ("check_payment_plans", "2026-03-11") in _names(r for r in first if r[0] == tokyo.pk)
    assert again == []
    assert DBTaskResult.objects.count() == len(first)
    enqueued = DBTaskResult.objects.filter(args_kwargs__kwargs__business_id=chicago.pk).first()
    assert enqueued is not None and enqueued.args_kwargs["kwargs"]["run_on"] == "2026-03-10"


@pytest.mark.django_db(transaction=True)
def test_nothing_runs_before_the_hour_and_a_late_scheduler_catches_up_the_same_day(database_tasks):
    BusinessFactory(time_zone="America/Chicago")

    first_hour = min(job.hour for job in schedule.jobs())
    assert first_hour >= 1  # the test needs an hour of the day before every job's
    early = schedule.run_due(datetime(2026, 3, 10, 5, 30, tzinfo=UTC))  # 00:30 on the 10th in Chicago (CDT)
    late = schedule.run_due(datetime(2026, 3, 11, 4, 0, tzinfo=UTC))  # 23:00 on the 10th in Chicago

    assert early == []
    assert {run_on for _b, _job, run_on in late} == {"2026-03-10"}
    assert ScheduledRun.unscoped.count() == len(late)
