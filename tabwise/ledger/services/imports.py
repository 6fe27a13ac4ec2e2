"""Importing from another system: stage a file with a dry run, then import it all-or-nothing.

`stage_import` keeps the uploaded file server-side in an `ImportBatch` and runs the dry run: every row read
(`ledger.imports`) and checked against the business's data (unknown customers, numbers already in Tabwise), with
the counts of what would be created. It writes nothing else. `confirm_import` moves a batch with no bad rows to
the queue (once: a second click finds it queued) and runs it inline when small, else as a background task.
`run_import` re-reads the stored file, checks it again against the data as it is now, and writes everything in one
transaction through the customer and ledger services (source "import"), ending with IMPORT_COMPLETED; any error
rolls it all back and marks the batch failed. While it runs, `Progress` writes rows done / rows to write where the
batch page sees them; a run that died on the way (`is_stalled`) can be retried from the page (`confirm_import`).
Decision 0008 explains both.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.clock import business_today, business_zone
from tabwise.core.errors import Conflict, DomainError
from tabwise.core.exports import read_upload
from tabwise.core.progress import ProgressWriter, is_live
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer
from tabwise.ledger import imports
from tabwise.ledger.imports import CustomerRecord, InvoiceRecord, PaymentRecord, Reading, RowError
from tabwise.ledger.models import Account, Entry, ImportBatch, Invoice, Payment
from tabwise.ledger.services import bulk
from tabwise.ledger.services.payments import MAX_BATCH, PaymentIn, record_payments
from tabwise.ledger.services.sales import price_lines
from tabwise.users import security
from tabwise.users.models import User

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
MAX_FILE_BYTES = 20 * 1024 * 1024
INLINE_ROWS = 500  # a file up to this many rows is imported during the request; a bigger one in the background
# Rows per service call, and so per progress write: a few hundred (record_payments takes at most MAX_BATCH).
CHUNK = min(500, MAX_BATCH)
# A running import is taken for gone (SQLite) after this long with no sign of life; PostgreSQL asks its lock instead,
# after GRACE (the moment between marking a batch running and its transaction taking the row).
STALE_AFTER = timedelta(minutes=10)
GRACE = timedelta(minutes=2)
# A queued batch that no worker has started for this long may have lost its task (the worker's queue was flushed,
# the process died between the commit and the enqueue): the user may queue it again. Harmless if the first task
# turns up after all: only a queued batch is taken, once (`_start`).
QUEUE_WAIT = timedelta(minutes=5)
CLIENT_REFERENCE_PREFIX = "import:"
# What importing each kind writes through, besides `ledger.import` itself.
NEEDS: dict[str, tuple[str, ...]] = {
    ImportBatch.Kind.CUSTOMERS: ("customers.edit", "ledger.manage_accounts"),
    ImportBatch.Kind.INVOICES: ("ledger.post_sales", "ledger.manage_accounts"),
    ImportBatch.Kind.PAYMENTS: ("ledger.record_payments",),
}
T = TypeVar("T")


class ImportRefused(DomainError):
    """The file has bad rows (found by the dry run, or again at import time because the data changed)."""

    code = "import_refused"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("The file has %(count)d problems: nothing was imported.") % {"count": len(errors)})
        self.errors = errors


class Superseded(Exception):
    """This run's batch was given up and retried, or taken by another run: it must write nothing."""


def stage_import(*, actor: User, kind: str, file: File) -> ImportBatch:
    """Keep an uploaded file and dry-run it: the batch says what would be created, or lists every bad row.

    Writes only the ImportBatch. Raises DomainError(field="file") for a file that cannot be read at all (not CSV or
    XLSX, empty, no header row, too big) and (field="kind") for an unknown kind.
    """
    security.check(actor, "ledger.import")
    if kind not in ImportBatch.Kind.values:
        raise DomainError(_("Choose what the file holds."), field="kind")
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 20 MB: split it."), field="file")
    file.seek(0)
    content = file.read()
    file_name = (file.name or "upload")[-200:]
    run = dry_run(actor=actor, kind=kind, content=content, file_name=file_name)
    return ImportBatch.objects.create(
        kind=kind,
        status=ImportBatch.Status.INVALID if run.errors else ImportBatch.Status.READY,
        file_name=file_name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        row_count=run.rows,
        preview={
            **run.plan.counts(),
            "ignored_columns": run.plan.reading.ignored_columns,
            "new_accounts": run.plan.new_account_names(),
        },
        errors=[error.as_dict() for error in run.errors],
        created_by=actor,
    )


@dataclass(frozen=True)
class DryRun:
    rows: int
    plan: Plan
    errors: list[RowError]  # the file's, then the checks against the data, in the order the user reads the file


def dry_run(*, actor: User, kind: str, content: bytes, file_name: str) -> DryRun:
    """Read a file as `kind` and check it against the business's data as it is now; writes nothing."""
    upload = read_upload(ContentFile(content, name=file_name))
    reading = imports.read_rows(kind, upload)
    plan = make_plan(kind, reading, actor)
    missing = [security.get_function(name).label for name in NEEDS[kind] if not security.can(actor, name)]
    errors = reading.in_order([*reading.errors, *plan.errors])
    if missing:
        message = _("Your security level also needs: %(functions)s.") % {"functions": ", ".join(map(str, missing))}
        errors.insert(0, RowError(0, "", message))
    return DryRun(len(upload.rows), plan, errors)


def confirm_import(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Import a dry-run batch with no bad rows: inline when small, else queued as a background task.

    Idempotent: only a ready (or failed, which wrote nothing) batch moves to the queue, by one conditional UPDATE,
    so a second click or a concurrent request finds it queued, running or completed and changes nothing. A running
    batch whose run is gone (`is_stalled`) is retried: marked failed and queued again, with IMPORT_RETRIED; one that
    may still be running raises Conflict(field="batch").
    """
    security.check(actor, "ledger.import")
    if batch.status == ImportBatch.Status.INVALID:
        raise DomainError(_("This file has bad rows: fix them and upload it again."), field="batch")
    if batch.status == ImportBatch.Status.RUNNING:
        _give_up_stalled(batch.pk)
    if batch.status == ImportBatch.Status.QUEUED:
        if _queue_again(batch):
            _enqueue(batch, actor)
        return ImportBatch.objects.get(pk=batch.pk)
    # progress_at of a queued batch: when it was queued (the page tells how long it has waited).
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.READY, ImportBatch.Status.FAILED]
    ).update(status=ImportBatch.Status.QUEUED, failure="", progress_at=timezone.now())
    if claimed and batch.row_count <= INLINE_ROWS:
        return run_import(batch_id=batch.pk, actor=actor)
    if claimed:
        _enqueue(batch, actor)
    return ImportBatch.objects.get(pk=batch.pk)


def _enqueue(batch: ImportBatch, actor: User) -> None:
    from tabwise.core.tasks import enqueue_on_commit
    from tabwise.ledger import tasks

    enqueue_on_commit(tasks.run_import, business_id=actor.business_id, batch_id=batch.pk, actor_id=actor.pk)


def waited_too_long(batch: ImportBatch, *, now: datetime | None = None) -> bool:
    """Whether a queued batch has waited QUEUE_WAIT for a worker: its task may be lost, so it may be queued again."""
    if batch.status != ImportBatch.Status.QUEUED:
        return False
    return (now or timezone.now()) - (batch.progress_at or batch.created_at) >= QUEUE_WAIT


def _queue_again(batch: ImportBatch) -> bool:
    """Re-enqueue a queued batch that waited too long; once per QUEUE_WAIT however often it is asked (a conditional
    UPDATE of its queued time); writes IMPORT_REQUEUED. False (nothing done: a second click) while it has not."""
    current = ImportBatch.objects.filter(pk=batch.pk).values("status", "progress_at", "created_at").first()
    if current is None or current["status"] != ImportBatch.Status.QUEUED:
        return False
    since = current["progress_at"] or current["created_at"]
    now = timezone.now()
    if now - since < QUEUE_WAIT:
        return False
    taken = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.QUEUED, progress_at=current["progress_at"]
    ).update(progress_at=now)
    if taken:
        audit.record_event(
            event_type="IMPORT_REQUEUED",
            subject=batch,
            payload={"kind": batch.kind, "file": batch.file_name, "queued_since": since.isoformat()},
        )
    return bool(taken)


def run_import(*, batch_id: int, actor: User) -> ImportBatch:
    """Import a queued batch all-or-nothing; safe to run twice (only a queued batch is taken).

    One transaction: the file re-read and re-checked against the data as it is now, then customers, accounts,
    invoices or payments written through their services, the batch marked completed and IMPORT_COMPLETED written.
    On any error everything rolls back and the batch is marked failed with the reason (and the bad rows, if any).
    A run killed on the way (the worker's process, the database connection) leaves only the batch marked running,
    which `is_stalled` then detects. Progress is written every CHUNK rows from outside the transaction (`Progress`).
    """
    attempt = _start(batch_id)
    if attempt is None:
        return ImportBatch.objects.get(pk=batch_id)
    # Progress goes through a second connection only when this run's transaction is the outermost: inside a caller's
    # transaction, the claim above is not committed and holds the batch row, so the second connection would wait.
    progress = Progress(batch_id, attempt, live=is_live())
    try:
        with transaction.atomic():
            batch = _hold(batch_id, attempt)
            result = _import(batch, actor, progress)
            batch.status, batch.result, batch.completed_at = ImportBatch.Status.COMPLETED, result, timezone.now()
            batch.progress_done = batch.progress_total = progress.total
            batch.progress_at = batch.completed_at
            batch.save(
                update_fields=["status", "result", "completed_at", "progress_done", "progress_total", "progress_at"]
            )
            audit.record_event(
                event_type="IMPORT_COMPLETED",
                subject=batch,
                payload={"kind": batch.kind, "file": batch.file_name, "sha256": batch.sha256, **result},
            )
            return batch
    except Superseded:
        return ImportBatch.objects.get(pk=batch_id)
    except ImportRefused as refused:
        # The data changed since the dry run (say, an invoice number was used meanwhile): the rows are now bad.
        return _stopped(batch_id, attempt, ImportBatch.Status.INVALID, refused.message, refused.errors)
    except DomainError as error:
        return _stopped(batch_id, attempt, ImportBatch.Status.FAILED, error.message)
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        return _stopped(batch_id, attempt, ImportBatch.Status.FAILED, _("An unexpected error stopped the import."))
    finally:
        progress.close()


def _import(batch: ImportBatch, actor: User, progress: Progress) -> dict[str, Any]:
    security.check(actor, "ledger.import")
    run = dry_run(actor=actor, kind=batch.kind, content=bytes(batch.content), file_name=batch.file_name)
    if run.errors:
        raise ImportRefused(run.errors)
    progress.start(run.plan.size())
    run.plan.execute(actor, progress)
    return run.plan.counts()


def _start(batch_id: int) -> int | None:
    """Take a queued batch for a new run (one conditional UPDATE: a second worker takes nothing); its attempt."""
    current = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).values_list(
        "attempt", flat=True
    )
    attempt = current.first()
    if attempt is None:
        return None
    now = timezone.now()
    started = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED, attempt=attempt).update(
        status=ImportBatch.Status.RUNNING,
        attempt=attempt + 1,
        started_at=now,
        progress_at=now,
        progress_done=0,
        progress_total=0,
    )
    return attempt + 1 if started else None


def _hold(batch_id: int, attempt: int) -> ImportBatch:
    """In the run's transaction: hold the batch for as long as it lasts, and check that the run is still this one.

    PostgreSQL: FOR KEY SHARE, the lock a plain UPDATE (the progress, written from another connection) does not
    wait for, while the FOR UPDATE NOWAIT of `is_stalled` and of a retry fails on it: a live run is never given up.
    When the database ends the run's connection (a killed worker), the lock goes with it. SQLite: the transaction
    holds the database's write lock, which a retry must take too.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ImportBatch._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [batch_id])  # noqa: S608
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.RUNNING or batch.attempt != attempt:
        raise Superseded
    return batch


def _stopped(batch_id: int, attempt: int, status: str, failure: str, errors: Sequence[RowError] = ()) -> ImportBatch:
    """Mark a batch whose import rolled back (so it wrote nothing), unless another run has it by now."""
    errors_json = [error.as_dict() for error in errors]
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING, attempt=attempt).update(
        status=status, failure=failure, errors=errors_json
    )
    return ImportBatch.objects.get(pk=batch_id)


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# -- a run that stopped: detected, given up, retried ---------------------------------------------------------------


def is_stalled(batch: ImportBatch, *, now: datetime | None = None) -> bool:
    """Whether a running batch's run is gone for good (its worker was killed, its connection lost), so that the user
    may retry it. Its transaction rolled back: it wrote nothing.

    PostgreSQL: the run's transaction holds the batch row (`_hold`) while it lives, so the run is gone when the row
    can be locked (NOWAIT: a live run answers at once), once GRACE has passed since its last sign of life (it
    takes the row a moment after it is marked running). SQLite cannot be asked without waiting for the run's write
    lock: a run is taken for gone when it has shown no sign of life for STALE_AFTER (SQLite runs write no progress).
    """
    if batch.status != ImportBatch.Status.RUNNING:
        return False
    quiet = (now or timezone.now()) - (batch.progress_at or batch.started_at or batch.created_at)
    if connection.vendor != "postgresql":
        return quiet >= STALE_AFTER
    if quiet < GRACE:
        return False
    try:
        with transaction.atomic():
            list(ImportBatch.objects.select_for_update(nowait=True).filter(pk=batch.pk).values_list("pk"))
    except OperationalError:  # the row is held: the run is alive
        return False
    return True


def _give_up_stalled(batch_id: int) -> None:
    """Mark a running batch whose run is gone as failed, so that it can be confirmed again; writes IMPORT_RETRIED.

    Under the batch row's lock (PostgreSQL, NOWAIT) or the database's write lock (SQLite): while a run's transaction
    is open neither can be had, so a live run is never given up (Conflict). A run that starts late anyway (it was
    marked running but had not taken the row yet) finds a newer attempt and writes nothing (`_hold`).
    """
    still_running = Conflict(_("This import is still running: wait for it to finish."), field="batch")
    try:
        with transaction.atomic():
            try:
                batch = ImportBatch.objects.select_for_update(nowait=True).get(pk=batch_id)
            except OperationalError as error:
                raise still_running from error
            if batch.status != ImportBatch.Status.RUNNING:
                return  # it finished, or another user retried it, meanwhile
            last = batch.progress_at or batch.started_at or batch.created_at
            if timezone.now() - last < GRACE:
                raise still_running
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.FAILED,
                failure=_("The import stopped before it finished (its worker was stopped). Nothing of it was saved."),
                errors=[],
                progress_done=0,
            )
            audit.record_event(
                event_type="IMPORT_RETRIED",
                subject=batch,
                payload={
                    "kind": batch.kind,
                    "file": batch.file_name,
                    "attempt": batch.attempt,
                    "started_at": batch.started_at.isoformat() if batch.started_at else None,
                    "last_progress_at": last.isoformat(),
                    "rows_done": batch.progress_done,
                    "rows_total": batch.progress_total,
                },
            )
    except OperationalError as error:  # SQLite: the write lock stayed busy past the timeout (a run is writing)
        raise still_running from error


class Progress(ProgressWriter):
    """A running import's progress (rows written of rows to write), written where the batch page can read it
    before the import commits, every CHUNK rows.

    PostgreSQL (`live`): through a second connection of its own, in autocommit, so each write commits at once,
    outside the import's transaction; the import holds its batch row only FOR KEY SHARE (`_hold`), which these
    UPDATEs do not wait for. SQLite: the import holds the database's only write lock until it commits, so nothing
    can be written meanwhile: progress is only counted, and saved with the result. Best effort: a failed write is
    logged and never fails the import.
    """

    def __init__(self, batch_id: int, attempt: int, *, live: bool) -> None:
        super().__init__(
            ImportBatch,
            batch_id,
            attempt=attempt,
            running_status=ImportBatch.Status.RUNNING,
            alias="import_progress",
            live=live,
        )
        self.done = self.total = 0

    def start(self, total: int) -> None:
        self.total = total
        self.write(progress_done=self.done, progress_total=self.total)

    def advance(self, rows: int) -> None:
        self.done += rows
        self.write(progress_done=self.done, progress_total=self.total)


# -- plans: what a file would do to the business's data, checked against it --------------------------------------


@dataclass
class Plan:
    """A read file checked against the database: what it would write, or why it cannot."""

    reading: Reading
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row, self.reading.headers.get(key, key), message))

    def counts(self) -> dict[str, Any]:
        return {}

    def new_account_names(self) -> list[str]:
        return []

    def size(self) -> int:
        """How many rows `execute` writes (customers, invoices or payments): the progress's total."""
        raise NotImplementedError

    def execute(self, actor: User, progress: Progress) -> None:
        raise NotImplementedError


def make_plan(kind: str, reading: Reading, actor: User) -> Plan:
    planner: dict[str, Callable[[Reading, User], Plan]] = {
        ImportBatch.Kind.CUSTOMERS: CustomersPlan.make,
        ImportBatch.Kind.INVOICES: InvoicesPlan.make,
        ImportBatch.Kind.PAYMENTS: PaymentsPlan.make,
    }
    return planner[kind](reading, actor)


@dataclass
class CustomersPlan(Plan):
    records: list[CustomerRecord] = field(default_factory=list)

    @classmethod
    def make(cls, reading: Reading, actor: User) -> CustomersPlan:
        plan = cls(reading, records=reading.records)
        first: dict[str, int] = {}
        for ref in reading.refs:
            if ref.number in first:
                message = _("Customer %(n)s is also on row %(row)d.") % {"n": ref.number, "row": first[ref.number]}
                plan.error(ref.row, "customer_number", message)
            elif ref.number:
                first[ref.number] = ref.row
        for number in bulk.existing(Customer.objects.all(), "number", first):
            plan.error(first[number], "customer_number", _("Customer %(n)s is already in Tabwise.") % {"n": number})
        return plan

    def counts(self) -> dict[str, Any]:
        accounts = sum(1 for record in self.records if record.customer.is_ar)
        return {"customers": len(self.records), "accounts": accounts}

    def size(self) -> int:
        return len(self.records)

    def execute(self, actor: User, progress: Progress) -> None:
        for part in chunks(self.records):
            created = customer_services.create_customers(actor=actor, customers=[r.customer for r in part])
            bulk.open_accounts(
                actor=actor,
                accounts=[
                    bulk.AccountIn(customer, r.account_line or "General", r.terms_days, r.customer.credit_limit)
                    for customer, r in zip(created, part, strict=True)
                    if customer.is_ar
                ],
            )
            progress.advance(len(part))


class AccountFinder:
    """Customers by number with their accounts, loaded once (two queries per 500 customers, whatever the number of
    rows); resolves a row's customer and account line. Only the columns the import reads are loaded: a file of
    20,000 rows may name thousands of customers."""

    CUSTOMER_FIELDS = ("id", "business_id", "number", "is_ar")
    ACCOUNT_FIELDS = ("id", "business_id", "customer_id", "number", "name", "status")

    def __init__(self, numbers: set[str]) -> None:
        customers = Customer.objects.only(*self.CUSTOMER_FIELDS)
        self.customers = {c.number: c for c in bulk.in_slices(customers, "number", numbers)}
        self.accounts: dict[int, list[Account]] = defaultdict(list)
        customer_ids = [c.pk for c in self.customers.values()]
        accounts = Account.objects.only(*self.ACCOUNT_FIELDS).order_by("pk")
        for account in bulk.in_slices(accounts, "customer_id", customer_ids):
            self.accounts[account.customer_id].append(account)

    def find(self, plan: Plan, row: int, number: str, line: str, *, may_open: bool) -> Account | str | None:
        """The account a row posts to; the name of a line to open (`may_open`); or None, with the row's error."""
        customer = self.customers.get(number)
        if customer is None:
            plan.error(row, "customer_number", _("No customer %(n)s in Tabwise.") % {"n": number})
            return None
        if not customer.is_ar:
            plan.error(row, "customer_number", _("Customer %(n)s is a cash customer (no account).") % {"n": number})
            return None
        accounts = self.accounts[customer.pk]
        names = ", ".join(a.name for a in accounts)
        if not line and len(accounts) > 1:
            message = _("Customer %(n)s has several account lines (%(names)s): say which.")
            plan.error(row, "account_line", message % {"n": number, "names": names})
            return None
        matches = [a for a in accounts if not line or a.name.lower() == line.lower()]
        if len(matches) == 1:
            account = matches[0]
            if account.status in (Account.Status.CLOSED, Account.Status.WRITTEN_OFF):
                status = account.get_status_display().lower()
                plan.error(row, "account_line", _("Account %(a)s is %(s)s.") % {"a": account.number, "s": status})
                return None
            return account
        if len(matches) > 1:
            message = _("Customer %(n)s has two accounts named %(line)s.") % {"n": number, "line": line}
            plan.error(row, "account_line", message)
            return None
        if may_open:
            return line or "General"
        if not accounts:
            plan.error(row, "customer_number", _("Customer %(n)s has no account.") % {"n": number})
        else:
            message = _("Customer %(n)s has no account line “%(line)s” (it has: %(names)s).")
            plan.error(row, "account_line", message % {"n": number, "line": line, "names": names})
        return None


def _check_day(plan: Plan, row: int, key: str, day: date, today: date) -> None:
    if day > today:
        plan.error(row, key, _("%(day)s is after today.") % {"day": day.isoformat()})


@dataclass
class InvoicesPlan(Plan):
    # (record, the account it posts to or the name of the line to open for its customer)
    items: list[tuple[InvoiceRecord, Account | str]] = field(default_factory=list)
    finder: AccountFinder | None = None
    total: Decimal = ZERO  # as the invoices will be priced: lines and tax rounded once each

    @classmethod
    def make(cls, reading: Reading, actor: User) -> InvoicesPlan:
        plan = cls(reading, finder=AccountFinder({ref.customer_number for ref in reading.refs}))
        assert plan.finder is not None
        invoices = Invoice.objects.filter(kind=Invoice.Kind.INVOICE)
        taken = bulk.existing(invoices, "number", {ref.number for ref in reading.refs})
        targets: dict[int, Account | str] = {}
        for ref in reading.refs:
            if ref.number in taken:
                plan.error(ref.row, "invoice_number", _("Invoice %(n)s is already in Tabwise.") % {"n": ref.number})
            if ref.customer_number:
                target = plan.finder.find(plan, ref.row, ref.customer_number, ref.account_line, may_open=True)
                if target is not None:
                    targets[ref.row] = target
        today, rounding = business_today(actor.business), actor.business.rounding
        for record in reading.records:
            _check_day(plan, record.row, "invoice_date", record.issued_on, today)
            if record.row in targets:
                plan.items.append((record, targets[record.row]))
                plan.total += sum((line.amount + line.tax for line in price_lines(record.lines, rounding)), ZERO)
        return plan

    def _to_open(self) -> dict[tuple[str, str], str]:
        """(customer number, line in lower case) -> line name, for each account line to open."""
        return {(r.customer_number, t.lower()): t for r, t in self.items if isinstance(t, str)}

    def new_account_names(self) -> list[str]:
        return sorted(f"{number} · {name}" for (number, _line), name in self._to_open().items())

    def counts(self) -> dict[str, Any]:
        return {"invoices": len(self.items), "accounts": len(self._to_open()), "total": str(self.total)}

    def size(self) -> int:
        return len(self.items)

    def execute(self, actor: User, progress: Progress) -> None:
        assert self.finder is not None
        to_open = self._to_open()
        opened = bulk.open_accounts(
            actor=actor,
            accounts=[bulk.AccountIn(self.finder.customers[number], name) for (number, _l), name in to_open.items()],
        )
        by_key = dict(zip(to_open, opened, strict=True))
        invoices = [
            bulk.InvoiceIn(
                account=target if isinstance(target, Account) else by_key[(r.customer_number, target.lower())],
                number=r.number,
                lines=r.lines,
                issued_on=r.issued_on,
                due_on=r.due_on,
            )
            for r, target in sorted(self.items, key=lambda item: (item[0].issued_on, item[0].row))
        ]
        for part in chunks(invoices):
            bulk.post_invoices(actor=actor, invoices=part, source=Entry.Source.IMPORT)
            progress.advance(len(part))


@dataclass
class PaymentsPlan(Plan):
    items: list[tuple[PaymentRecord, Account]] = field(default_factory=list)
    skipped: int = 0

    @classmethod
    def make(cls, reading: Reading, actor: User) -> PaymentsPlan:
        records: list[PaymentRecord] = reading.records
        plan = cls(reading)
        recorded = bulk.existing(Payment.objects.all(), "client_reference", [client_reference(r) for r in records])
        # A payment imported before (from this file, or another holding it) is skipped, whatever its account is now.
        skipped_rows = {r.row for r in records if client_reference(r) in recorded}
        plan.skipped = len(skipped_rows)
        finder = AccountFinder({ref.customer_number for ref in reading.refs})
        targets: dict[int, Account] = {}
        for ref in reading.refs:
            if ref.customer_number and ref.row not in skipped_rows:
                target = finder.find(plan, ref.row, ref.customer_number, ref.account_line, may_open=False)
                if isinstance(target, Account):
                    targets[ref.row] = target
        today = business_today(actor.business)
        for record in records:
            if record.row in targets:
                _check_day(plan, record.row, "date", record.received_on, today)
                plan.items.append((record, targets[record.row]))
        return plan

    def counts(self) -> dict[str, Any]:
        total = sum((record.amount for record, _account in self.items), ZERO)
        return {"payments": len(self.items), "already_imported": self.skipped, "total": str(total)}

    def size(self) -> int:
        return len(self.items)

    def execute(self, actor: User, progress: Progress) -> None:
        zone = business_zone(actor.business)
        payments = [
            PaymentIn(
                account_id=account.pk,
                amount=record.amount,
                method=record.method,
                # Noon on the day, in the business's zone: the payment's date is that day wherever the server is.
                received_at=datetime.combine(record.received_on, time(12), tzinfo=zone),
                reference=record.reference,
                client_reference=client_reference(record),
            )
            for record, account in sorted(self.items, key=lambda item: (item[0].received_on, item[0].row))
        ]
        for part in chunks(payments):
            record_payments(actor=actor, payments=part, source=Entry.Source.IMPORT)
            progress.advance(len(part))


def client_reference(record: PaymentRecord) -> str:
    return f"{CLIENT_REFERENCE_PREFIX}{record.key}"
