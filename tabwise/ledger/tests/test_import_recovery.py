"""An import's progress while it runs, and an import whose run died: nothing of it survives, its page finds it gone
and the user retries it.

The first tests run on every database. Those marked `postgres` use real concurrency: a run in another thread (its
own connection) watched from this one, and a worker process killed with SIGKILL in the middle of an import.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

import tabwise
from tabwise.core import audit, tenancy
from tabwise.core.errors import Conflict
from tabwise.core.models import AuditEvent
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer
from tabwise.ledger.models import Account, ImportBatch, Invoice
from tabwise.ledger.services import bulk
from tabwise.ledger.services import imports as import_services
from tabwise.ledger.tests.test_import_batches import BATCH, CUSTOMERS, INVOICES, csv_file
from tabwise.tenants.models import Business
from tabwise.users.models import User
from tests.routes import business_fingerprint

CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2026, 3, 2, 9, tzinfo=CHICAGO)
SIX_CUSTOMERS = [
    *CUSTOMERS,
    *([str(n), "person", "", f"Number{n}", *[""] * 8, "yes", "", ""] for n in (1004, 1005, 1006)),
]


class WorkerKilled(BaseException):
    """What an import sees of its process being killed: it stops where it is, no handler runs; only the database's
    rollback happens (here, the transaction's own)."""


@pytest.fixture(autouse=True)
def _march_2026(time_machine: Any) -> None:
    time_machine.move_to(START, tick=False)


@pytest.fixture
def owner(user_at_level: Callable[..., User]) -> User:
    return user_at_level(1)


@pytest.fixture
def web(owner: User, client_as: Callable[[User], Client]) -> Client:
    return client_as(owner)


def upload(web: Client, kind: str, rows: list[list[str]]) -> ImportBatch:
    response = web.post(reverse("ledger:import-start"), {"kind": kind, "file": csv_file(rows, f"{kind}.csv")})
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenancy.all_businesses():
        batch = ImportBatch.objects.latest("pk")
    assert (batch.status, batch.errors) == ("ready", [])
    return batch


def fresh(batch: ImportBatch) -> ImportBatch:
    with tenancy.all_businesses():
        return ImportBatch.objects.get(pk=batch.pk)


def status_part(web: Client, batch: ImportBatch) -> str:
    """The part of the batch page that htmx polls."""
    response = web.get(reverse("ledger:import-detail", args=[batch.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def flashed(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# -- on every database ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_killed_midway_leaves_nothing_and_its_page_offers_the_retry_once_it_is_gone(
    business, web, owner, time_machine, monkeypatch
):
    confirm_response = web.post(reverse("ledger:import-confirm", args=[upload(web, "customers", CUSTOMERS).pk]))
    assert confirm_response.status_code == 302
    batch = upload(web, "invoices", INVOICES)
    before = business_fingerprint(business, ignoring=BATCH)
    monkeypatch.setattr(import_services, "CHUNK", 2)
    real = bulk.post_invoices
    calls: list[int] = []

    def killed_on_the_second_chunk(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise WorkerKilled
        return real(**kwargs)

    monkeypatch.setattr(bulk, "post_invoices", killed_on_the_second_chunk)
    with tenancy.business_scope(business), audit.acting(owner), pytest.raises(WorkerKilled):
        import_services.confirm_import(actor=owner, batch=batch)
    monkeypatch.setattr(bulk, "post_invoices", real)

    # Killed after its first chunk was written: the batch says running, and nothing else changed.
    assert (fresh(batch).status, fresh(batch).attempt) == ("running", 1)
    assert business_fingerprint(business, ignoring=BATCH) == before
    # Right away the run may still be alive (another worker, a slow start): followed, not offered for retry.
    page = status_part(web, batch)
    assert 'hx-trigger="every 2s"' in page and "Retry the import" not in page
    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]), follow=True)
    assert "This import is still running: wait for it to finish." in flashed(response)
    assert fresh(batch).status == "running"

    time_machine.move_to(START + import_services.STALE_AFTER + timedelta(seconds=1), tick=False)
    page = status_part(web, batch)
    assert "This import stopped before it finished" in page and "Retry the import" in page
    assert "hx-trigger" not in page
    assert "Stopped: retry it from its page" in web.get(reverse("ledger:import-start")).content.decode()

    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]))

    assert response.status_code == 302
    retried = fresh(batch)
    assert (retried.status, retried.attempt, retried.failure) == ("completed", 2, "")
    assert retried.result == {"invoices": 4, "accounts": 1, "total": "3640.09"}
    with tenancy.business_scope(business):
        assert Invoice.objects.count() == 4
        assert sorted(Account.objects.values_list("balance", flat=True)) == sorted(
            [Decimal("1339.99"), Decimal("2000.10"), Decimal("300.00")]
        )
        events = list(AuditEvent.objects.filter(subject_id=str(batch.pk)).order_by("pk"))
        assert [(e.event_type, e.actor) for e in events] == [("IMPORT_RETRIED", owner), ("IMPORT_COMPLETED", owner)]
        assert events[0].payload["attempt"] == 1 and events[0].payload["file"] == "invoices.csv"


@pytest.mark.django_db
def test_a_queued_import_whose_task_was_lost_can_be_queued_again_and_is_imported_once(
    business, web, owner, time_machine, monkeypatch
):
    monkeypatch.setattr(import_services, "INLINE_ROWS", 0)  # every file goes to the background worker
    enqueued: list[int] = []
    monkeypatch.setattr(import_services, "_enqueue", lambda batch, actor: enqueued.append(batch.pk))
    batch = upload(web, "customers", CUSTOMERS)

    web.post(reverse("ledger:import-confirm", args=[batch.pk]))
    web.post(reverse("ledger:import-confirm", args=[batch.pk]))  # a second click: still the one task

    assert (fresh(batch).status, enqueued) == ("queued", [batch.pk])
    page = status_part(web, batch)
    assert "Waiting for the background worker." in page and "Queue it again" not in page

    # The task never runs (lost with the worker's queue). After QUEUE_WAIT the page says so and offers to queue it.
    time_machine.move_to(START + import_services.QUEUE_WAIT + timedelta(seconds=1), tick=False)
    page = status_part(web, batch)
    assert "No background worker has started this import" in page and "Queue it again" in page
    web.post(reverse("ledger:import-confirm", args=[batch.pk]))
    web.post(reverse("ledger:import-confirm", args=[batch.pk]))  # once per wait, however often it is asked

    assert enqueued == [batch.pk, batch.pk]
    with tenancy.all_businesses():
        requeued = AuditEvent.objects.filter(event_type="IMPORT_REQUEUED", subject_id=str(batch.pk))
        assert requeued.count() == 1
    assert "Queue it again" not in status_part(web, batch)

    # Both tasks turn up after all: the batch is imported once.
    with tenancy.business_scope(business), audit.acting(owner):
        first = import_services.run_import(batch_id=batch.pk, actor=owner)
        second = import_services.run_import(batch_id=batch.pk, actor=owner)
    assert (first.status, second.status, fresh(batch).attempt) == ("completed", "completed", 1)
    with tenancy.business_scope(business):
        assert Customer.objects.count() == len(CUSTOMERS) - 1


@pytest.mark.django_db
def test_progress_is_written_every_chunk_and_kept_with_the_result(business, web, monkeypatch):
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(import_services, "CHUNK", 2)
    monkeypatch.setattr(import_services.Progress, "write", lambda self, **columns: seen.append((self.done, self.total)))
    batch = upload(web, "customers", SIX_CUSTOMERS[:6])  # five customers

    web.post(reverse("ledger:import-confirm", args=[batch.pk]))

    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    done = fresh(batch)
    assert (done.status, done.progress_done, done.progress_total) == ("completed", 5, 5)


@pytest.mark.django_db
def test_the_polled_status_shows_a_progress_bar_until_the_import_ends(business, web):
    batch = upload(web, "customers", CUSTOMERS)
    with tenancy.business_scope(business):
        running = ImportBatch.objects.filter(pk=batch.pk)
        running.update(status="running", attempt=1, started_at=START, progress_at=START)

        checking = status_part(web, batch)
        running.update(progress_done=500, progress_total=2000)
        halfway = status_part(web, batch)
        running.update(status="completed", completed_at=START, progress_done=2000, result={"customers": 2000})
        finished = status_part(web, batch)

    assert '<progress id="import-progress" aria-describedby="import-progress-text"></progress>' in checking
    assert '<progress id="import-progress" max="2000" value="500"' in halfway and "500 of 2000 written" in halfway
    assert 'hx-trigger="every 2s"' in checking and 'hx-trigger="every 2s"' in halfway
    assert "<progress" not in finished and "hx-trigger" not in finished and "Imported on" in finished


@pytest.mark.django_db
def test_a_finished_batch_is_never_taken_for_stalled(business, web, time_machine):
    batch = upload(web, "customers", CUSTOMERS)
    web.post(reverse("ledger:import-confirm", args=[batch.pk]))
    time_machine.move_to(START + timedelta(days=2), tick=False)

    assert not import_services.is_stalled(fresh(batch))
    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]))

    assert response.status_code == 302
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 3
        assert not AuditEvent.objects.filter(event_type="IMPORT_RETRIED").exists()


# -- PostgreSQL: a run in another thread, a worker process killed --------------------------------------------------

postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")


class Paused:
    """Stops a run in another thread at a chosen call until this thread lets it go on."""

    def __init__(self) -> None:
        self.reached, self.go = threading.Semaphore(0), threading.Semaphore(0)

    def wait_here(self) -> None:
        self.reached.release()
        assert self.go.acquire(timeout=60), "the test never let the run go on"

    def when_reached(self) -> None:
        assert self.reached.acquire(timeout=60), "the run never reached the pause"

    def resume(self) -> None:
        self.go.release()


@pytest.fixture
def in_thread(business: Business, owner: User) -> Iterator[Callable[[Callable[[], Any]], threading.Thread]]:
    started: list[threading.Thread] = []
    failures: list[BaseException] = []

    def start(work: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            try:
                with tenancy.business_scope(business), audit.acting(owner, via="web"):
                    work()
            except BaseException as error:  # reported by the test's thread
                failures.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        started.append(thread)
        thread.start()
        return thread

    yield start
    for thread in started:
        thread.join(timeout=60)
    assert not failures, failures


@postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_live_run_shows_its_progress_outside_its_transaction_and_is_never_given_up(
    business, web, owner, time_machine, monkeypatch, in_thread
):
    monkeypatch.setattr(import_services, "CHUNK", 2)
    pause = Paused()
    real = customer_services.create_customers

    def paused_before_each_chunk(**kwargs: Any) -> Any:
        pause.wait_here()
        return real(**kwargs)

    monkeypatch.setattr(customer_services, "create_customers", paused_before_each_chunk)
    batch = upload(web, "customers", SIX_CUSTOMERS)
    worker = in_thread(lambda: import_services.confirm_import(actor=owner, batch=batch))
    seen = []
    for chunk in range(3):
        pause.when_reached()
        running = fresh(batch)  # read on this thread's connection, while the run's transaction is open
        seen.append((running.status, running.progress_done, running.progress_total))
        with tenancy.business_scope(business):
            assert Customer.objects.count() == 0  # nothing of the run is visible before it commits
        if chunk == 0:
            # Long past any deadline, the run still holds its batch: it is not stalled, and a retry is refused.
            time_machine.move_to(START + timedelta(hours=1), tick=False)
            with tenancy.business_scope(business):
                assert not import_services.is_stalled(running)
                with pytest.raises(Conflict):
                    import_services.confirm_import(actor=owner, batch=running)
        pause.resume()
    worker.join(timeout=60)

    assert seen == [("running", 0, 6), ("running", 2, 6), ("running", 4, 6)]
    done = fresh(batch)
    assert (done.status, done.attempt, done.progress_done, done.progress_total) == ("completed", 1, 6, 6)
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 6
        assert not AuditEvent.objects.filter(event_type="IMPORT_RETRIED").exists()


@postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_that_takes_its_batch_after_the_user_retried_it_writes_nothing(
    business, web, owner, time_machine, monkeypatch, in_thread
):
    pause = Paused()
    real = import_services._hold
    first: list[int] = []

    def late_the_first_time(batch_id: int, attempt: int) -> ImportBatch:
        if not first:
            first.append(attempt)
            pause.wait_here()  # marked running, not holding its batch yet: as if its worker froze right there
        return real(batch_id, attempt)

    monkeypatch.setattr(import_services, "_hold", late_the_first_time)
    batch = upload(web, "customers", CUSTOMERS)
    late = in_thread(lambda: import_services.confirm_import(actor=owner, batch=batch))
    pause.when_reached()
    time_machine.move_to(START + import_services.GRACE + timedelta(seconds=1), tick=False)

    with tenancy.business_scope(business):  # PostgreSQL: no transaction holds it, no need to wait longer
        assert import_services.is_stalled(fresh(batch))
    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]))
    assert response.status_code == 302 and fresh(batch).status == "completed"
    pause.resume()
    late.join(timeout=60)

    done = fresh(batch)
    assert (done.status, done.attempt, first) == ("completed", 2, [1])
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 3
        events = AuditEvent.objects.filter(subject_id=str(batch.pk)).order_by("pk")
        assert list(events.values_list("event_type", flat=True)) == ["IMPORT_RETRIED", "IMPORT_COMPLETED"]


KILLED_WORKER = """
import os, signal, sys
import django
django.setup()
from tabwise.customers import services as customer_services
from tabwise.ledger import tasks
from tabwise.ledger.services import imports

imports.CHUNK = 2
real, calls = customer_services.create_customers, []

def killed_on_the_second_chunk(**kwargs):
    calls.append(1)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(**kwargs)

customer_services.create_customers = killed_on_the_second_chunk
business_id, batch_id, actor_id = map(int, sys.argv[1:])
tasks.run_import.call(business_id=business_id, batch_id=batch_id, actor_id=actor_id)
"""


@postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_import_leaves_nothing_and_is_found_gone(
    business, web, owner, time_machine, client_as
):
    batch = upload(web, "customers", SIX_CUSTOMERS)
    with tenancy.business_scope(business):
        ImportBatch.objects.filter(pk=batch.pk).update(status="queued")  # confirmed: queued for the worker
    before = business_fingerprint(business, ignoring=BATCH)
    database = connection.settings_dict
    root = Path(tabwise.__file__).resolve().parent.parent
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tabwise.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "TABWISE_TESTING": "true",
        "PYTHONPATH": str(root),
    }

    worker = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, str(business.pk), str(batch.pk), str(owner.pk)],
        cwd=root,
        env=environment,
        capture_output=True,
        timeout=180,
    )

    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-3000:]
    # The server ends the dead worker's session and rolls its transaction back: wait for its lock on the batch.
    with transaction.atomic(), tenancy.business_scope(business):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '60s'")
        killed = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    assert (killed.status, killed.attempt) == ("running", 1)
    assert killed.progress_done == 2  # its first chunk was written, and shown...
    assert business_fingerprint(business, ignoring=BATCH) == before  # ...but none of it was kept
    assert killed.started_at is not None
    time_machine.move_to(killed.started_at + import_services.GRACE + timedelta(seconds=1), tick=False)
    with tenancy.business_scope(business):
        assert import_services.is_stalled(killed)

    # The worker ran on the real clock, months after the frozen one: sign in again (the session has expired).
    response = client_as(owner).post(reverse("ledger:import-confirm", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert (fresh(batch).status, fresh(batch).attempt) == ("completed", 2)
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 6
        assert Account.objects.count() == 5
