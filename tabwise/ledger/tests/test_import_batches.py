"""Importing from another system through the pages: dry run, preview, all-or-nothing import, idempotency, tenancy."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from unittest import mock
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory
from tabwise.customers.models import Customer
from tabwise.ledger import selectors, services
from tabwise.ledger.models import Account, Entry, ImportBatch, Invoice, Payment
from tabwise.ledger.services import bulk
from tabwise.ledger.services import imports as import_services
from tabwise.tenants.models import Business
from tabwise.users.models import User
from tests.routes import business_fingerprint

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
BATCH = ("ledger.ImportBatch",)  # the dry run's own row: everything else must stay as it was

CUSTOMERS = [
    ["Cust #", "Type", "First Name", "Last Name", "Company", "Phone", "E-mail", "Address", "City", "ST", "Zip Code",
     "Credit Limit", "A/R", "Line", "Terms"],
    ["1001", "person", "Maria", "Lopez", "", "(312) 555-0142", "maria@example.com", "12 Oak St", "Springfield", "IL",
     "62701", "$1,500.00", "yes", "Tools", "30"],
    ["1002", "company", "", "", "Eastside Auto Repair", "312-555-0199", "", "400 W Main St", "Springfield", "IL",
     "2134", "10,000", "yes", "", "Net 15"],
    ["1003", "person", "Sam", "Cash", "", "", "", "", "", "", "", "", "no", "", ""],
]  # fmt: skip
INVOICES = [
    ["Customer No", "Line", "Invoice #", "Invoice Date", "Due Date", "Total", "Description"],
    ["1001", "Tools", "A-100", "01/15/2026", "02/14/2026", "$1,250.00", "Socket set"],
    ["1001", "Tools", "A-101", "2026-02-03", "", "89.99", "Torque wrench"],
    ["1002", "", "A-102", "01/20/2026", "", "2,000.10", "Fleet service"],
    ["1002", "Paint", "A-103", "2026-02-10", "", "300.00", "Paint gun"],
]
PAYMENTS = [
    ["Customer Number", "Account Line", "Date Paid", "Amount", "Payment Type", "Ref", "Check #"],
    ["1001", "Tools", "01/31/2026", "500.00", "Check", "", "4471"],
    ["1001", "Tools", "02/20/2026", "1,000.00", "cash", "", ""],
    ["1002", "General", "02/01/2026", "2000.10", "ACH", "TX-9", ""],
    ["1002", "Paint", "02/15/2026", "50.00", "card", "", ""],
]


def csv_file(rows: Sequence[Sequence[str]], name: str = "file.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: Sequence[Sequence[Any]], name: str = "file.xlsx") -> SimpleUploadedFile:
    """As a spreadsheet user saves it: numbers as numbers, dates as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def _march_2026(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 9, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def owner(user_at_level: Callable[..., User]) -> User:
    return user_at_level(1)


@pytest.fixture
def web(owner: User, client_as: Callable[[User], Client]) -> Client:
    return client_as(owner)


def upload(web: Client, kind: str, file: SimpleUploadedFile) -> ImportBatch:
    response = web.post(reverse("ledger:import-start"), {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenancy.all_businesses():
        return ImportBatch.objects.latest("pk")


def confirm(web: Client, batch: ImportBatch) -> ImportBatch:
    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    with tenancy.all_businesses():
        return ImportBatch.objects.get(pk=batch.pk)


def import_all(web: Client, *, as_xlsx: bool = False) -> list[ImportBatch]:
    make = (lambda rows, n: xlsx_file(rows, f"{n}.xlsx")) if as_xlsx else (lambda rows, n: csv_file(rows, f"{n}.csv"))
    done = []
    for kind, rows in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        batch = upload(web, kind, make(rows, kind))
        assert (batch.status, batch.errors) == ("ready", [])
        done.append(confirm(web, batch))
        assert (done[-1].status, done[-1].failure) == ("completed", "")
    return done


def books(business: Business) -> dict[str, Any]:
    """What the business's receivables look like, in plain values (to compare two imports)."""
    with tenancy.business_scope(business):
        return {
            "customers": sorted(Customer.objects.values_list("number", "kind", "last_name", "company_name", "is_ar")),
            "accounts": sorted(
                (a.customer.number, a.name, a.terms_days, a.credit_limit, a.balance)
                for a in Account.objects.select_related("customer")
            ),
            "entries": sorted(
                (e.account.name, e.kind, e.number if e.kind == "invoice" else "", e.amount, e.open_amount, e.posted_on)
                for e in Entry.objects.select_related("account")
            ),
            "payments": sorted(Payment.objects.values_list("amount", "method", "reference", "client_reference")),
        }


# -- a good set of files ------------------------------------------------------------------------------------------


def test_good_files_import_customers_accounts_invoices_and_payments_with_exact_balances(business, web, owner):
    batches = import_all(web)

    with tenancy.business_scope(business):
        maria = Customer.objects.get(number="1001")
        assert (maria.first_name, maria.last_name, maria.credit_limit) == ("Maria", "Lopez", Decimal("1500.00"))
        assert [p.number for p in maria.phones.all()] == ["+13125550142"]
        assert [str(a) for a in maria.addresses.all()] == ["12 Oak St, Springfield, IL 62701"]
        eastside = Customer.objects.get(number="1002")
        assert (eastside.kind, eastside.company_name) == ("company", "Eastside Auto Repair")
        assert eastside.addresses.get().zip_code == "02134"  # a spreadsheet's lost leading zero, put back
        assert Customer.objects.get(number="1003").is_ar is False
        accounts = {(a.customer.number, a.name): a for a in Account.objects.select_related("customer")}
        assert sorted(accounts) == [("1001", "Tools"), ("1002", "General"), ("1002", "Paint")]
        assert (accounts["1001", "Tools"].terms_days, accounts["1001", "Tools"].credit_limit) == (
            30,
            Decimal("1500.00"),
        )
        assert (accounts["1002", "General"].terms_days, accounts["1002", "General"].credit_limit) == (
            15,
            Decimal("10000.00"),
        )
        # 1,250.00 + 89.99 owed, 500.00 + 1,000.00 paid: 160.01 of credit. 2,000.10 paid in full. 300.00 - 50.00.
        assert {key: a.balance for key, a in accounts.items()} == {
            ("1001", "Tools"): Decimal("-160.01"),
            ("1002", "General"): Decimal("0.00"),
            ("1002", "Paint"): Decimal("250.00"),
        }
        for account in accounts.values():
            assert selectors.verify_account(account) == []
        a100 = Invoice.objects.select_related("entry").get(number="A-100")
        assert a100.entry is not None
        assert (a100.issued_on, a100.due_on, a100.total, a100.entry.open_amount) == (
            date(2026, 1, 15), date(2026, 2, 14), Decimal("1250.00"), Decimal("0.00"))  # fmt: skip
        assert Invoice.objects.get(number="A-102").due_on == date(2026, 2, 4)  # the account's 15 days
        assert set(Entry.objects.values_list("source", flat=True)) == {"import"}
        check = Payment.objects.get(method="check")
        assert (check.amount, check.reference, check.entry.posted_on) == (
            Decimal("500.00"),
            "Check 4471",
            date(2026, 1, 31),
        )
        # Oldest first: the January check went to A-100; the February cash finished A-100, then A-101.
        assert sorted(
            (a.credit.payment.method, a.debit.number, a.amount, a.applied_on)
            for a in accounts["1001", "Tools"].allocations.select_related("credit__payment", "debit")
        ) == [
            ("cash", "A-100", Decimal("750.00"), date(2026, 2, 20)),
            ("cash", "A-101", Decimal("89.99"), date(2026, 2, 20)),
            ("check", "A-100", Decimal("500.00"), date(2026, 1, 31)),
        ]
        events = AuditEvent.objects.filter(event_type="IMPORT_COMPLETED").order_by("pk")
        assert [(e.actor, e.payload["kind"], e.payload["sha256"]) for e in events] == [
            (owner, b.kind, b.sha256) for b in batches
        ]
        assert [e.payload.get(k) for e, k in zip(events, ["customers", "invoices", "payments"], strict=True)] == [
            3,
            4,
            4,
        ]
    assert batches[1].result == {"invoices": 4, "accounts": 1, "total": "3640.09"}


def test_the_preview_shows_the_counts_and_writes_nothing_until_confirmed(business, web):
    before = business_fingerprint(business, ignoring=BATCH)

    batch = upload(web, "customers", csv_file(CUSTOMERS, "old-system.csv"))
    page = web.get(reverse("ledger:import-detail", args=[batch.pk])).content.decode()

    assert batch.status == "ready"
    assert batch.preview == {"customers": 3, "accounts": 2, "ignored_columns": [], "new_accounts": []}
    assert "3 customers" in page and "2 new accounts" in page and 'action="/receivables/imports/' in page
    assert business_fingerprint(business, ignoring=BATCH) == before


def test_confirming_twice_imports_once(business, web):
    import_all(web)
    with tenancy.all_businesses():
        batches = list(ImportBatch.objects.order_by("pk"))
    after_first = business_fingerprint(business)

    for batch in batches:
        assert confirm(web, batch).status == "completed"
        with tenancy.business_scope(business):
            assert batch.created_by is not None
            import_services.run_import(batch_id=batch.pk, actor=batch.created_by)  # a second worker, too

    assert business_fingerprint(business) == after_first


def test_a_payment_file_imported_again_posts_nothing_twice(business, web):
    import_all(web)
    before = business_fingerprint(business, ignoring=BATCH)
    extended = [*PAYMENTS, ["1002", "Paint", "02/27/2026", "25.00", "cash", "", ""]]

    again = upload(web, "payments", csv_file(extended, "payments-march.csv"))
    assert again.preview["payments"] == 1 and again.preview["already_imported"] == 4
    confirm(web, again)

    with tenancy.business_scope(business):
        paint = Account.objects.get(name="Paint")
        assert paint.balance == Decimal("225.00")
        assert Payment.objects.count() == 5
    assert business_fingerprint(business, ignoring=BATCH) != before


def test_csv_and_xlsx_files_give_the_same_books(business, other_business, user_at_level, client_as):
    import_all(client_as(user_at_level(1)))
    import_all(client_as(user_at_level(1, business=other_business)), as_xlsx=True)

    assert books(business) == books(other_business)
    assert books(business)["accounts"][0][4] == Decimal("-160.01")


def test_an_xlsx_with_number_and_date_cells_reads_like_text(business, web):
    rows: list[list[Any]] = [
        ["Customer #", "Invoice No", "Date", "Amount"],
        [1001, 20417, date(2026, 1, 15), 1250.5],
        [1001, 20418, datetime(2026, 2, 1), 19.99],
    ]
    CustomerFactory(business=business, number="1001")
    with tenancy.business_scope(business):
        services.open_account(actor=web_user(web), customer=Customer.objects.get(number="1001"))

    batch = confirm(web, upload(web, "invoices", xlsx_file(rows)))

    assert batch.status == "completed"
    with tenancy.business_scope(business):
        assert sorted(Invoice.objects.values_list("number", "issued_on", "total")) == [
            ("20417", date(2026, 1, 15), Decimal("1250.50")),
            ("20418", date(2026, 2, 1), Decimal("19.99")),
        ]


def web_user(web: Client) -> User:
    return User.objects.get(pk=web.session["_auth_user_id"])


# -- bad rows -----------------------------------------------------------------------------------------------------


def test_the_dry_run_reports_every_bad_row_with_its_column_and_reason_and_writes_nothing(business, web, owner):
    CustomerFactory(business=business, number="1001", last_name="Already")
    bad = [
        CUSTOMERS[0],
        CUSTOMERS[1],  # 1001 is already in Tabwise
        ["1004", "person", "Ann", "", "", "555", "not-an-email", "1 Elm", "", "Illinois", "62A01", "-5", "maybe", "",
         "40 days"],
        ["1005", "robot", "", "", "", "", "", "", "", "", "", "12.345", "", "", ""],
        ["1004", "company", "", "", "Twice Co", "", "", "", "", "", "", "", "", "", "Net 400"],
    ]  # fmt: skip
    before = business_fingerprint(business, ignoring=BATCH)

    batch = upload(web, "customers", csv_file(bad))

    assert batch.status == "invalid"
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "Cust #", "Customer 1001 is already in Tabwise."),
        (3, "Last Name", "Give the last name (or the company name, for a company)."),
        (3, "Phone", "“555” is not a valid phone number."),
        (3, "E-mail", "“not-an-email” is not a valid email address."),
        (3, "City", "Give the street, city and state of the address, or none of them."),
        (3, "ST", "“Illinois”: give the state as two letters (IL)."),
        (3, "Zip Code", "“62A01” is not a ZIP code."),
        (3, "Credit Limit", "-5 is negative: only amounts more than zero can be imported."),
        (3, "A/R", "“maybe”: write yes or no."),
        (4, "Type", "Unknown kind “robot” (use person or company)."),
        (4, "Credit Limit", "12.345 has more than 2 decimal places."),
        (5, "Cust #", "Customer 1004 is also on row 3."),
        (5, "Terms", "“Net 400” is not a number of days from 0 to 365."),
    ]
    assert business_fingerprint(business, ignoring=BATCH) == before
    page = web.get(reverse("ledger:import-detail", args=[batch.pk])).content.decode()
    assert "13 problems to fix" in page and "Give the last name" in page
    assert '<button type="button" disabled' in page and "import-confirm" not in page


def test_bad_invoice_rows_name_the_row_the_column_and_the_reason(business, web, owner):
    with tenancy.business_scope(business):
        maria = cast(Customer, CustomerFactory(business=business, number="1001"))
        CustomerFactory(business=business, number="2002", is_ar=False)
        tools = services.open_account(actor=owner, customer=maria, name="Tools", opened_on=date(2026, 1, 2))
        services.open_account(actor=owner, customer=maria, name="Paint", opened_on=date(2026, 1, 2))
        services.post_invoice(
            actor=owner,
            account=tools,
            lines=[services.LineIn("Old", Decimal("5"))],
            number="A-1",
            issued_on=date(2026, 1, 3),
        )
    rows = [
        ["Customer No", "Line", "Invoice #", "Invoice Date", "Due Date", "Total", "Description"],
        ["9999", "Tools", "A-2", "2026-01-15", "", "10.00", ""],  # unknown customer
        ["1001", "Tools", "A-1", "2026-01-15", "", "10.00", ""],  # number already in Tabwise
        ["1001", "Tools", "A-3", "13/05/2025", "", "10.00", ""],  # day first
        ["1001", "Tools", "A-4", "02/30/2026", "", "$0.00", ""],  # no such day; zero
        ["1001", "", "A-5", "2026-01-15", "2026-01-01", "1,0.00", ""],  # which line; due before; bad amount
        ["1001", "Tools", "A-3", "2026-01-16", "", "(5.00)", ""],  # number twice in the file; negative
        ["2002", "", "A-6", "2026-04-01", "", "10", ""],  # cash customer; after today
        ["1001", "Tools", "", "", "", "", ""],  # nothing
    ]
    before = business_fingerprint(business, ignoring=BATCH)

    batch = upload(web, "invoices", csv_file(rows))

    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "Customer No", "No customer 9999 in Tabwise."),
        (3, "Invoice #", "Invoice A-1 is already in Tabwise."),
        (4, "Invoice Date", "13/05/2025 is not a US date (MM/DD/YYYY): there is no month 13. If it is day/month, "
         "write 05/13/2025 or 2025-05-13."),
        (5, "Invoice Date", "02/30/2026 is not a date in MM/DD/YYYY (US): February 2026 has no day 30."),
        (5, "Total", "The amount is zero: only amounts more than zero can be imported."),
        (6, "Line", "Customer 1001 has several account lines (Tools, Paint): say which."),
        (6, "Due Date", "The due date is before the invoice date."),
        (6, "Total", "“1,0.00” is not an amount (write it like 1,234.50)."),
        (7, "Invoice #", "Invoice A-3 is also on row 4."),
        (7, "Total", "(5.00) is negative: only amounts more than zero can be imported."),
        (8, "Customer No", "Customer 2002 is a cash customer (no account)."),
        (8, "Invoice Date", "2026-04-01 is after today."),
        (9, "Invoice #", "Give the invoice number."),
        (9, "Invoice Date", "Give the invoice date."),
        (9, "Total", "Give the amount."),
    ]  # fmt: skip
    assert business_fingerprint(business, ignoring=BATCH) == before


def test_bad_payment_rows_are_reported(business, web, owner):
    with tenancy.business_scope(business):
        maria = cast(Customer, CustomerFactory(business=business, number="1001"))
        services.open_account(actor=owner, customer=maria, name="Tools", opened_on=date(2026, 1, 2))
    rows = [
        ["Customer", "Date", "Amount", "Method"],
        ["1001", "2026-01-15", "10.00", "bitcoin"],
        ["1001", "1/5/26", "-10.00", ""],
        ["1002", "2026-01-15", "10.00", "cash"],
    ]

    batch = upload(web, "payments", csv_file(rows))

    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (1, "Customer number", "There is no Customer number column (accepted headers include: Customer number, "
         "number, no, customer no, customer id)."),
    ]  # fmt: skip
    rows[0][0] = "Cust No"
    batch = upload(web, "payments", csv_file(rows))
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "Method", "Unknown method “bitcoin” (use cash, check, card, ACH or money order)."),
        (3, "Date", "1/5/26: give the year in four digits (MM/DD/YYYY)."),
        (3, "Amount", "-10.00 is negative: only amounts more than zero can be imported."),
        (3, "Method", "Give the method: cash, check, card, ACH or money order."),
        (4, "Cust No", "No customer 1002 in Tabwise."),
    ]


def test_a_file_that_is_not_a_table_is_refused_on_the_form(business, web):
    for name, content, message in (
        ("notes.pdf", b"%PDF-1.7", "Upload a CSV or XLSX file."),
        ("empty.csv", b"\xef\xbb\xbf\n", "The file is empty."),
        ("broken.xlsx", b"not a zip", "The file is not a readable XLSX workbook."),
    ):
        response = web.post(
            reverse("ledger:import-start"), {"kind": "invoices", "file": SimpleUploadedFile(name, content)}
        )

        assert response.status_code == 200
        assert message in response.content.decode()
    with tenancy.business_scope(business):
        assert ImportBatch.objects.count() == 0


def test_a_file_with_one_bad_row_cannot_be_imported(business, web):
    rows = [*CUSTOMERS, ["1004", "person", "Ann", "", "", "", "", "", "", "", "", "", "", "", ""]]
    batch = upload(web, "customers", csv_file(rows))
    before = business_fingerprint(business, ignoring=BATCH)

    response = web.post(reverse("ledger:import-confirm", args=[batch.pk]), follow=True)

    assert "This file has bad rows" in response.content.decode()
    with tenancy.all_businesses():
        assert ImportBatch.objects.get(pk=batch.pk).status == "invalid"
    assert business_fingerprint(business, ignoring=BATCH) == before
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 0


def test_data_changed_since_the_preview_refuses_the_import_and_lists_the_rows(business, web, owner):
    import_all_but = upload(web, "customers", csv_file(CUSTOMERS))
    CustomerFactory(business=business, number="1002")  # someone adds 1002 by hand meanwhile
    before = business_fingerprint(business, ignoring=BATCH)

    batch = confirm(web, import_all_but)

    assert batch.status == "invalid"
    assert batch.errors == [{"row": 3, "column": "Cust #", "message": "Customer 1002 is already in Tabwise."}]
    assert business_fingerprint(business, ignoring=BATCH) == before


def test_an_error_in_the_middle_rolls_back_everything(business, web, monkeypatch):
    import_all_customers = confirm(web, upload(web, "customers", csv_file(CUSTOMERS)))
    assert import_all_customers.status == "completed"
    batch = upload(web, "invoices", csv_file(INVOICES))
    before = business_fingerprint(business, ignoring=BATCH)
    monkeypatch.setattr(import_services, "CHUNK", 2)
    calls = []
    real = bulk.post_invoices

    def second_call_fails(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(bulk, "post_invoices", second_call_fails)

    batch = confirm(web, batch)

    assert len(calls) == 2
    assert (batch.status, batch.failure) == ("failed", "An unexpected error stopped the import.")
    assert business_fingerprint(business, ignoring=BATCH) == before
    monkeypatch.setattr(bulk, "post_invoices", real)
    assert confirm(web, batch).status == "completed"  # a failed batch wrote nothing and can be confirmed again


# -- big files, tenancy, levels -----------------------------------------------------------------------------------


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    def run() -> None:
        with (
            tenancy.no_business(),
            django_capture_on_commit_callbacks(execute=True),
            mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        ):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


def test_a_big_file_is_imported_in_the_background_and_its_page_follows_it(
    business, web, owner, monkeypatch, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(import_services, "INLINE_ROWS", 2)
    batch = upload(web, "customers", csv_file(CUSTOMERS))

    with django_capture_on_commit_callbacks(execute=True):
        queued = confirm(web, batch)
    page = web.get(reverse("ledger:import-detail", args=[batch.pk]), headers={"HX-Request": "true"}).content.decode()

    assert queued.status == "queued"
    assert 'hx-trigger="every 2s"' in page and "in the background" in page
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 0
    run_tasks()
    with tenancy.all_businesses():
        assert ImportBatch.objects.get(pk=batch.pk).status == "completed"
    with tenancy.business_scope(business):
        assert Customer.objects.count() == 3
        assert AuditEvent.objects.get(event_type="IMPORT_COMPLETED").actor == owner
    page = web.get(reverse("ledger:import-detail", args=[batch.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in page and "Imported on" in page


def test_another_business_batch_is_a_404(business, other_business, web, user_at_level, client_as):
    batch = upload(web, "customers", csv_file(CUSTOMERS))
    intruder = client_as(user_at_level(1, business=other_business))

    for name, method in (("import-detail", "get"), ("import-confirm", "post"), ("import-errors", "get")):
        assert getattr(intruder, method)(reverse(f"ledger:{name}", args=[batch.pk])).status_code == 404
    with tenancy.all_businesses():
        assert ImportBatch.objects.get(pk=batch.pk).status == "ready"
    assert b"old-system" not in intruder.get(reverse("ledger:import-start")).content


@pytest.mark.parametrize(("level", "status"), [(1, 200), (2, 403), (5, 403)])
def test_importing_is_level_one_by_default(business, user_at_level, client_as, level, status):
    assert client_as(user_at_level(level)).get(reverse("ledger:import-start")).status_code == status


def test_a_level_that_may_import_but_not_open_accounts_is_told_so(business, user_at_level, client_as):
    from tabwise.tenants.models import FunctionLevel

    with tenancy.business_scope(business):
        FunctionLevel.objects.create(function="ledger.import", level=3)
        FunctionLevel.objects.create(function="ledger.manage_accounts", level=2)
    business.security_version += 1
    business.save()

    batch = upload(client_as(user_at_level(3)), "customers", csv_file(CUSTOMERS))

    assert batch.status == "invalid"
    assert batch.errors == [
        {
            "row": 0,
            "column": "",
            "message": "Your security level also needs: Open accounts, set terms, limits and holds.",
        }
    ]


def test_the_problems_download_lists_every_bad_row(business, web):
    rows = [*CUSTOMERS, ["1004", "person", "Ann", "", "", "", "", "", "", "", "", "", "", "", ""]]
    batch = upload(web, "customers", csv_file(rows, "old.csv"))

    response = web.get(reverse("ledger:import-errors", args=[batch.pk]), {"format": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="old-problems.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [
        ["Row", "Column", "Problem"],
        ["5", "Last Name", "Give the last name (or the company name, for a company)."],
    ]


@pytest.mark.parametrize("kind", ["customers", "invoices", "payments"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_template_downloads_and_reads_back_without_problems(business, web, kind, file_format):
    from tabwise.core.exports import read_upload
    from tabwise.ledger import imports

    response = web.get(reverse("ledger:import-template"), {"kind": kind, "format": file_format})
    file = SimpleUploadedFile(f"template.{file_format}", response.content)

    reading = imports.read_rows(kind, read_upload(file))
    assert (reading.errors, reading.ignored_columns, len(reading.records)) == ([], [], 2)


def test_imported_invoice_numbers_move_the_numbering_on(business, web, owner):
    confirm(web, upload(web, "customers", csv_file(CUSTOMERS)))
    rows = [["Cust #", "Line", "Invoice #", "Date", "Amount"], ["1001", "Tools", "1500", "2026-01-10", "10.00"]]
    confirm(web, upload(web, "invoices", csv_file(rows)))

    with tenancy.business_scope(business):
        account = Account.objects.get(name="Tools")
        sale = services.post_invoice(actor=owner, account=account, lines=[services.LineIn("Wrench", Decimal("5"))])

    assert sale.number == "1501"


def test_an_invoice_file_with_lines_posts_one_invoice_per_number(business, web):
    confirm(web, upload(web, "customers", csv_file(CUSTOMERS)))
    rows = [
        ["Cust #", "Line", "Invoice #", "Date", "Qty", "Unit Price", "Tax Rate", "Description", "Item"],
        ["1001", "Tools", "T-1", "2026-01-10", "2", "10.00", "8.25%", "Socket", "SK-1"],
        ["1001", "Tools", "T-1", "2026-01-10", "1", "5.55", "", "Rag", ""],
        ["1001", "Tools", "T-2", "2026-01-11", "1", "1.00", "", "Tape", ""],
    ]

    batch = confirm(web, upload(web, "invoices", csv_file(rows)))

    assert batch.result == {"invoices": 2, "accounts": 0, "total": "28.20"}
    with tenancy.business_scope(business):
        t1 = Invoice.objects.get(number="T-1")
        assert (t1.subtotal, t1.tax_total, t1.total, t1.lines.count()) == (
            Decimal("25.55"), Decimal("1.65"), Decimal("27.20"), 2)  # fmt: skip
        assert Account.objects.get(name="Tools").balance == Decimal("28.20")


def test_invoicing_hundreds_of_rows_takes_a_bounded_number_of_queries(business, web, django_assert_max_num_queries):
    customers = [CUSTOMERS[0]] + [
        [str(2000 + n), "person", "Al", f"Number{n}", "", "", "", "", "", "", "", "", "yes", "", ""] for n in range(200)
    ]
    confirm(web, upload(web, "customers", csv_file(customers)))
    invoices = [INVOICES[0]] + [[str(2000 + n), "", f"B-{n}", "2026-01-15", "", "10.00", ""] for n in range(200)]
    batch = upload(web, "invoices", csv_file(invoices))

    with django_assert_max_num_queries(60):
        batch = confirm(web, batch)

    assert batch.status == "completed"
    with tenancy.business_scope(business):
        assert Account.objects.filter(balance=Decimal("10.00")).count() == 200


def test_checking_a_payment_file_asks_the_database_the_same_number_of_times_for_10_or_400_rows(business, web, owner):
    customers = [CUSTOMERS[0]] + [
        [str(3000 + n), "person", "", f"Payer{n}", "", "", "", "", "", "", "", "", "yes", "", ""] for n in range(100)
    ]
    confirm(web, upload(web, "customers", csv_file(customers)))

    def queries_to_check(rows: int) -> int:
        payments = [PAYMENTS[0]] + [
            [str(3000 + n % 100), "", f"02/{1 + n % 28:02d}/2026", f"{1 + n}.00", "cash", f"r{n}", ""]
            for n in range(rows)
        ]
        content = csv_file(payments)
        with tenancy.business_scope(business), CaptureQueriesContext(connection) as queries:
            run = import_services.dry_run(
                actor=owner, kind="payments", content=content.read(), file_name="payments.csv"
            )
        assert (run.errors, run.plan.size()) == ([], rows)
        return len(queries)

    # Customers, their accounts and the payments already imported are read in slices of 500, never row by row.
    assert queries_to_check(10) == queries_to_check(400)
