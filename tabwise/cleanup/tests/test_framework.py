from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tabwise.cleanup import registry, services
from tabwise.cleanup.models import UtilityRun
from tabwise.core import tenancy
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory, PhoneFactory
from tabwise.customers.models import Phone

KIND = "duplicate_phones"


@pytest.fixture
def doubled(business):
    pat = CustomerFactory(business=business)
    for _ in range(2):
        PhoneFactory(business=business, customer=pat, number="+13125550101")
    return pat


def test_a_second_click_on_run_queues_nothing_more(business, owner, doubled):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={})

        first = services.start_utility(actor=owner, run=run)
        second = services.start_utility(actor=owner, run=run)

        assert first.status == second.status == UtilityRun.Status.QUEUED
        assert AuditEvent.objects.filter(event_type="UTILITY_QUEUED").count() == 1


def test_the_task_is_safe_to_run_twice(business, owner, doubled, run_through_task):
    run = run_through_task(owner, KIND)

    with tenancy.business_scope(business):
        again = services.run_utility(run_id=run.pk, actor=owner)

        assert again.status == UtilityRun.Status.DONE
        assert AuditEvent.objects.filter(event_type="UTILITY_RUN").count() == 1
        assert Phone.objects.count() == 1


def test_a_stalled_run_is_detected_and_can_be_started_again(business, owner, doubled, run_through_task):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={})
        long_ago = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
        UtilityRun.objects.filter(pk=run.pk).update(
            status=UtilityRun.Status.RUNNING, started_at=long_ago, progress_at=long_ago
        )
        run.refresh_from_db()
        assert services.is_stalled(run)

        restarted = services.start_utility(actor=owner, run=run)

        assert restarted.status == UtilityRun.Status.QUEUED


def test_a_live_run_is_not_taken_for_stalled(business, owner, doubled):
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={})
        UtilityRun.objects.filter(pk=run.pk).update(
            status=UtilityRun.Status.RUNNING, started_at=timezone.now(), progress_at=timezone.now()
        )
        run.refresh_from_db()

        assert not services.is_stalled(run)
        assert services.start_utility(actor=owner, run=run).status == UtilityRun.Status.RUNNING


def test_undo_data_and_preview_stay_out_of_row_history():
    fields = {field.name for field in UtilityRun.history.model._meta.get_fields()}

    assert "undo_data" not in fields and "preview" not in fields and "status" in fields


def test_every_utility_guards_its_page_with_a_registered_function():
    from tabwise.users import security

    kinds = {utility.kind for utility in registry.all()}

    assert {"combine_vehicles", "duplicate_phones", "change_area_code", "delete_customers"} <= kinds
    for utility in registry.all():
        security.get_function(utility.function)


@pytest.mark.django_db(transaction=True)
def test_a_run_outside_a_transaction_writes_its_progress_and_finishes(business, owner, doubled, monkeypatch):
    # As a worker runs it: no surrounding transaction, so on PostgreSQL progress goes through a second connection.
    written: list[int] = []
    original = services.Progress.report

    def spy(self: services.Progress, done: int) -> None:
        original(self, done)
        if self.live:
            with tenancy.all_businesses():
                written.append(UtilityRun.objects.values_list("done", flat=True).get(pk=self.pk))

    monkeypatch.setattr(services.Progress, "report", spy)
    with tenancy.business_scope(business):
        run = services.preview_utility(actor=owner, kind=KIND, parameters={})
        services.start_utility(actor=owner, run=run)

        finished = services.run_utility(run_id=run.pk, actor=owner)

    assert finished.status == UtilityRun.Status.DONE and finished.done == finished.total == 1
    from django.db import connection

    # The main connection sees the side connection's committed write while the run's transaction is still open.
    assert written == ([1] if connection.vendor == "postgresql" else [])
