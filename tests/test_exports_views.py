"""Exporting lists as CSV and XLSX: exactly the rows the list shows (its filter applied), money as exact decimals."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.exports import read_upload
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import CustomerFactory, PhoneFactory
from tabwise.ledger import services
from tabwise.ledger.models import Account
from tabwise.tenants.models import Business
from tabwise.users.models import User

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _march_2026(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 9, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def clerk(user_at_level: Callable[..., User]) -> User:
    return user_at_level(3)


@pytest.fixture
def books(business: Business, clerk: User) -> dict[str, Any]:
    """Three customers; Lopez owes 0.30 - 0.10 on Tools (amounts a float would get wrong), Lopez Jr is paid up."""
    with tenancy.business_scope(business):
        lopez = CustomerFactory(number="1001", first_name="Maria", last_name="Lopez", credit_limit=Decimal("1500.10"))
        PhoneFactory(customer=lopez, number="+13125550142", is_primary=True)
        junior = CustomerFactory(number="1002", first_name="Ray", last_name="Lopezjr")
        other = CustomerFactory(number="1003", first_name="Ann", last_name="Smith")
        tools = services.open_account(actor=clerk, customer=lopez, name="Tools", opened_on=date(2026, 1, 2))
        paid = services.open_account(actor=clerk, customer=junior, name="General", opened_on=date(2026, 1, 3))
        closed = services.open_account(actor=clerk, customer=other, name="Paint", opened_on=date(2026, 1, 4))
        services.update_account(actor=clerk, account=closed, status=Account.Status.CLOSED)
        for amount, day in (("0.10", 5), ("0.20", 6)):
            lines = [services.LineIn("Bit", Decimal(amount))]
            on = date(2026, 1, day)
            services.post_invoice(actor=clerk, account=tools, lines=lines, issued_on=on, number=f"T{day}")
        services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(
                account_id=tools.pk,
                amount=Decimal("0.10"),
                method="cash",
                received_at=datetime(2026, 1, 20, 12, tzinfo=CHICAGO),
            ),
        )
    return {"tools": tools, "paid": paid, "closed": closed}


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[dict[str, str]]:
    return [row for _n, row in read_upload(SimpleUploadedFile("x.xlsx", response.content)).rows]


def test_the_customer_list_exports_with_its_search_applied(books, clerk, client_as):
    web = client_as(clerk)

    response = web.get(reverse("customers:export"), {"q": "Lopez", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    assert csv_rows(response) == [
        ["Number", "Kind", "Name", "Phone", "A/R", "Status", "Credit limit"],
        ["1001", "Person", "Maria Lopez", "'+13125550142", "yes", "Active", "1500.10"],  # the formula guard
        ["1002", "Person", "Ray Lopezjr", "", "yes", "Active", "0.00"],
    ]
    page = web.get(reverse("customers:list"), {"q": "Lopez"}).content.decode()
    assert 'href="/customers/export/?q=Lopez&amp;format=xlsx"' in page


def test_the_customer_list_as_xlsx_has_the_same_rows_and_exact_amounts(books, clerk, client_as):
    response = client_as(clerk).get(reverse("customers:export"), {"q": "Lopez", "format": "xlsx"})

    rows = xlsx_rows(response)
    assert [(r["number"], r["name"], Decimal(r["credit_limit"])) for r in rows] == [
        ("1001", "Maria Lopez", Decimal("1500.10")),
        ("1002", "Ray Lopezjr", Decimal("0")),
    ]


def test_the_accounts_list_exports_with_its_filter(books, clerk, client_as):
    web = client_as(clerk)

    everything = csv_rows(web.get(reverse("ledger:account-list-export")))
    open_only = csv_rows(web.get(reverse("ledger:account-list-export"), {"status": "open", "format": "csv"}))
    lopez = xlsx_rows(web.get(reverse("ledger:account-list-export"), {"q": "Lopez", "format": "xlsx"}))

    tools, paid, closed = books["tools"], books["paid"], books["closed"]
    assert everything == [
        ["Account", "Account line", "Customer number", "Customer", "Status", "Owner", "Terms (days)", "Credit limit",
         "Balance", "Opened on"],
        [tools.number, "Tools", "1001", "Maria Lopez", "Open", "", "30", "0.00", "0.20", "2026-01-02"],
        [paid.number, "General", "1002", "Ray Lopezjr", "Open", "", "30", "0.00", "0.00", "2026-01-03"],
        [closed.number, "Paint", "1003", "Ann Smith", "Closed", "", "30", "0.00", "0.00", "2026-01-04"],
    ]  # fmt: skip
    assert [row[0] for row in open_only[1:]] == [tools.number, paid.number]
    assert [(r["account"], Decimal(r["balance"])) for r in lopez] == [
        (tools.number, Decimal("0.20")),
        (paid.number, Decimal("0.00")),
    ]


def test_an_account_open_items_and_ledger_export_exactly(books, clerk, client_as):
    web = client_as(clerk)
    tools = books["tools"]

    items = csv_rows(web.get(reverse("ledger:open-items-export", args=[tools.pk]), {"format": "csv"}))
    ledger = csv_rows(web.get(reverse("ledger:ledger-export", args=[tools.pk]), {"format": "csv"}))

    assert items == [
        ["Document", "Number", "Date", "Due on", "Amount", "Open", "Days past due"],
        ["Invoice", "T6", "2026-01-06", "2026-02-05", "0.20", "0.20", "25"],
    ]
    assert [row[:3] + row[4:] for row in ledger] == [
        ["Date", "Document", "Number", "Source", "Amount", "Open", "Balance"],
        ["2026-01-05", "Invoice", "T5", "Office", "0.10", "0.00", "0.10"],
        ["2026-01-06", "Invoice", "T6", "Office", "0.20", "0.20", "0.30"],
        ["2026-01-20", "Payment", "R-1", "Office", "-0.10", "0.00", "0.20"],
    ]


def test_each_export_is_written_in_the_audit_log(business, books, clerk, client_as):
    client_as(clerk).get(reverse("customers:export"), {"q": "Lopez", "format": "xlsx", "page": "2"})

    with tenancy.business_scope(business):
        event = AuditEvent.objects.get(event_type="LIST_EXPORTED")
    assert (event.actor, event.payload) == (
        clerk,
        {"list": "Customers", "format": "xlsx", "rows": 2, "filters": {"q": "Lopez"}},
    )


def test_another_business_account_is_a_404_and_an_unknown_format_too(books, other_business, user_at_level, client_as):
    intruder = client_as(user_at_level(1, business=other_business))
    tools = books["tools"]

    for name in ("ledger:open-items-export", "ledger:ledger-export"):
        assert intruder.get(reverse(name, args=[tools.pk])).status_code == 404
    assert csv_rows(intruder.get(reverse("ledger:account-list-export"))) == [csv_rows_header()]
    assert intruder.get(reverse("customers:export"), {"format": "pdf"}).status_code == 404


def csv_rows_header() -> list[str]:
    return [
        "Account", "Account line", "Customer number", "Customer", "Status", "Owner", "Terms (days)", "Credit limit",
        "Balance", "Opened on",
    ]  # fmt: skip


@pytest.mark.parametrize(("level", "status"), [(5, 200)])
def test_anyone_who_may_see_a_list_may_export_it(books, user_at_level, client_as, level, status):
    web: Client = client_as(user_at_level(level))

    assert web.get(reverse("customers:export")).status_code == status
    assert web.get(reverse("ledger:account-list-export")).status_code == status
