"""The aging report page and its CSV, XLSX and PDF agree to the cent with ledger.aging; rows drill down to exactly
the documents behind them.

As of 2026-03-31 (buckets Current, 1-30, 31-60, 61-90, 90+ by due date):

    Casey Cole (C-1), rep Rita:
      T-1 Tools, owner Olga:  invoice 1,000.00 due Feb 04, 200.00 paid  -> 800.00 in 31-60 (55 days)
                              invoice   300.00 due Apr 19              -> 300.00 current
      P-1 Parts, no owner:    invoice   250.00 due Mar 03              -> 250.00 in 1-30 (28 days)
    Dale Dunn (C-2), no rep:
      G-2 General:            invoice   120.00 due Dec 01 2025         -> 120.00 in 90+ (paid only on Apr 02)
                              invoice   400.00 due Jan 14              -> 400.00 in 61-90 (76 days)
      K-2 Credit:             payment    50.00, nothing to apply it to -> 50.00 unapplied credit
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tabwise.core import tenancy
from tabwise.core.testing.factories import CustomerFactory, UserFactory
from tabwise.ledger import aging, reports, services

D = Decimal
AS_OF = date(2026, 3, 31)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def book(in_business, clerk, user_at_level):
    olga = user_at_level(3, first_name="Olga", last_name="Owner")
    rita = user_at_level(4, first_name="Rita", last_name="Rep")
    casey = CustomerFactory(first_name="Casey", last_name="Cole", number="C-1", assigned_rep=rita)
    dale = CustomerFactory(first_name="Dale", last_name="Dunn", number="C-2")

    def account(customer, number, name, owner=None):
        return services.open_account(
            actor=clerk, customer=customer, number=number, name=name, owner=owner, opened_on=date(2025, 10, 1)
        )

    def sell(account, amount, on, due):
        return services.post_invoice(
            actor=clerk, account=account, lines=[services.LineIn("Tools", D(amount))], issued_on=on, due_on=due
        )

    def pay(account, amount, on):
        received_at = datetime(on.year, on.month, on.day, 12, tzinfo=CHICAGO)
        services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(account_id=account.pk, amount=D(amount), method="cash", received_at=received_at),
        )

    tools = account(casey, "T-1", "Tools", owner=olga)
    parts = account(casey, "P-1", "Parts")
    general = account(dale, "G-2", "General")
    credit = account(dale, "K-2", "Credit")
    big = sell(tools, "1000.00", date(2026, 1, 5), date(2026, 2, 4))
    pay(tools, "200.00", date(2026, 1, 25))
    new = sell(tools, "300.00", date(2026, 3, 20), date(2026, 4, 19))
    small = sell(parts, "250.00", date(2026, 2, 1), date(2026, 3, 3))
    oldest = sell(general, "120.00", date(2025, 11, 1), date(2025, 12, 1))
    older = sell(general, "400.00", date(2025, 12, 15), date(2026, 1, 14))
    pay(credit, "50.00", date(2026, 3, 2))
    pay(general, "100.00", date(2026, 4, 2))  # after the day: the 120.00 was still open on Mar 31
    return {
        "olga": olga,
        "rita": rita,
        "casey": casey,
        "dale": dale,
        "tools": tools,
        "parts": parts,
        "general": general,
        "credit": credit,
        "big": big,
        "new": new,
        "small": small,
        "oldest": oldest,
        "older": older,
    }


@pytest.fixture
def viewer(business, user_at_level, client_as):
    return client_as(user_at_level(3))


def aging_url(**params):
    return reverse("ledger:aging") + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def test_the_ledger_as_aged_by_the_selector(book):
    report = aging.aging(as_of=AS_OF, grouping="customer")

    rows = {row.label: (row.amounts, row.credit) for row in report.rows}
    assert rows == {
        "Casey Cole (C-1)": ([D("300.00"), D("250.00"), D("800.00"), D("0"), D("0")], D("0")),
        "Dale Dunn (C-2)": ([D("0"), D("0"), D("0"), D("400.00"), D("120.00")], D("-50.00")),
    }
    assert report.total == D("1820.00")
    assert report.percentages() == [D("16.0"), D("13.4"), D("42.8"), D("21.4"), D("6.4")]


@pytest.mark.parametrize("grouping", ["customer", "account", "owner", "rep", "total"])
def test_the_page_shows_the_selectors_numbers_for_every_grouping(book, viewer, grouping):
    report = aging.aging(as_of=AS_OF, grouping=grouping)

    response = viewer.get(aging_url(as_of="2026-03-31", grouping=grouping))

    assert response.status_code == 200
    page = response.content.decode()
    for index, amount in enumerate(report.totals):
        assert f'data-bucket-total="{index}">${amount:,.2f}</td>' in page
    assert '<td class="num" data-credit-total>-$50.00</td>' in page
    assert '<td class="num" data-grand-total>$1,820.00</td>' in page
    for row in report.rows:
        assert f">${row.total:,.2f}</td></tr>" in page or f">-${-row.total:,.2f}</td></tr>" in page
    assert "16.0%" in page and "42.8%" in page
    assert "<svg " in page and 'aria-label="Balance by age"' in page


def test_rows_link_to_their_documents(book, viewer):
    page = viewer.get(aging_url(as_of="2026-03-31", grouping="owner")).content.decode()

    olga = reverse("ledger:aging-items", args=["owner", book["olga"].pk])
    nobody = reverse("ledger:aging-items", args=["owner", "none"])
    assert f'<a href="{olga}?as_of=2026-03-31">Olga Owner</a>' in page
    assert f'<a href="{nobody}?as_of=2026-03-31">(none)</a>' in page


def test_the_day_defaults_to_the_business_today(book, viewer, time_machine):
    time_machine.move_to(datetime(2026, 3, 31, 20, tzinfo=CHICAGO), tick=False)  # already April 1st in UTC

    page = viewer.get(reverse("ledger:aging")).content.decode()

    assert "Aging as of 2026-03-31" in page
    assert '<td class="num" data-grand-total>$1,820.00</td>' in page


def test_the_csv_has_the_same_numbers(book, viewer):
    response = viewer.get(aging_url(as_of="2026-03-31", grouping="customer", format="csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="aging-customer-2026-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Customer", "Current", "1-30", "31-60", "61-90", "90+", "Unapplied credit", "Total"],
        ["Casey Cole (C-1)", "300.00", "250.00", "800.00", "0.00", "0.00", "0.00", "1350.00"],
        ["Dale Dunn (C-2)", "0.00", "0.00", "0.00", "400.00", "120.00", "-50.00", "470.00"],
        ["Total", "300.00", "250.00", "800.00", "400.00", "120.00", "-50.00", "1820.00"],
    ]


def test_the_xlsx_has_the_same_numbers(book, viewer):
    report = aging.aging(as_of=AS_OF, grouping="account")

    response = viewer.get(aging_url(as_of="2026-03-31", grouping="account", format="xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Account line", "Current", "1-30", "31-60", "61-90", "90+", "Unapplied credit", "Total"]
    body = {row[0]: [D(str(value)) for value in row[1:]] for row in values[1:-1]}
    assert body == {row.label: [*row.amounts, row.credit, row.total] for row in report.rows}
    assert values[-1][0] == "Total"
    assert [D(str(value)) for value in values[-1][1:]] == [*report.totals, report.credit, report.total]


def test_the_pdf_has_the_same_numbers(book, viewer):
    response = viewer.get(aging_url(as_of="2026-03-31", grouping="customer", format="pdf"))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
        )
        words = text.stdout.decode()
        for amount in ("$300.00", "$250.00", "$800.00", "$400.00", "$120.00", "-$50.00", "$1,820.00", "$1,350.00"):
            assert amount in words
        assert "Aging as of 2026-03-31" in words and "Casey Cole (C-1)" in words


def test_a_customers_row_drills_down_to_its_open_documents(book, viewer):
    url = reverse("ledger:aging-items", args=["customer", book["casey"].pk])

    page = viewer.get(url, {"as_of": "2026-03-31"}).content.decode()

    for document, open_on in ((book["big"], "$800.00"), (book["new"], "$300.00"), (book["small"], "$250.00")):
        link = reverse("ledger:entry-detail", args=[document.entry.pk])
        [row] = [row for row in page.split("<tr>") if f'<a href="{link}">Invoice {document.number}</a>' in row]
        assert f'<td class="num">{open_on}</td>' in row
    assert page.count('href="/receivables/entries/') == 3
    assert '<td class="num" data-items-total>$1,350.00</td>' in page
    assert book["oldest"].number not in page


def test_drill_down_shows_what_was_open_on_the_day_not_now(book):
    dale = aging.aging(as_of=AS_OF, grouping="customer").rows[1]
    group_accounts = book["dale"].accounts.all()

    items = aging.aged_items(as_of=AS_OF, accounts=group_accounts)

    # (aged_items orders by due date: credits, which have none, come first on SQLite and last on PostgreSQL)
    credit = next(item for item in items if item.entry.amount < 0)
    assert {item.entry.pk: (item.open_on, item.bucket) for item in items} == {
        book["oldest"].entry.pk: (D("120.00"), 4),
        book["older"].entry.pk: (D("400.00"), 3),
        credit.entry.pk: (D("-50.00"), aging.CREDIT_BUCKET),
    }
    assert sum((item.open_on for item in items), D("0")) == dale.total == D("470.00")


@pytest.mark.parametrize(
    ("grouping", "key", "numbers", "total"),
    [
        ("owner", "none", {"P-1", "G-2", "K-2"}, "720.00"),
        ("rep", "none", {"G-2", "K-2"}, "470.00"),
        ("rep", "rita", {"T-1", "P-1"}, "1350.00"),
        ("account", "parts", {"P-1"}, "250.00"),
        ("total", "all", {"T-1", "P-1", "G-2", "K-2"}, "1820.00"),
    ],
)
def test_each_grouping_drills_down_to_its_accounts(book, viewer, grouping, key, numbers, total):
    key = str(book[key].pk) if key in book else key
    row_totals = {
        reports.row_key(grouping, row.key): row.total for row in aging.aging(as_of=AS_OF, grouping=grouping).rows
    }

    response = viewer.get(reverse("ledger:aging-items", args=[grouping, key]), {"as_of": "2026-03-31", "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:-1]} == numbers
    assert rows[-1][0] == "Total" and D(rows[-1][-1]) == row_totals[key] == D(total)


def test_another_business_gets_a_404_for_a_group(book, other_business, client_as):
    intruder = client_as(UserFactory(business=other_business, level=1))

    for grouping, key in (("customer", book["casey"].pk), ("account", book["tools"].pk), ("owner", book["olga"].pk)):
        assert intruder.get(reverse("ledger:aging-items", args=[grouping, key])).status_code == 404
    assert intruder.get(reverse("ledger:aging-items", args=["nonsense", "1"])).status_code == 404


def test_another_business_sees_none_of_these_rows(book, other_business, client_as):
    intruder = client_as(UserFactory(business=other_business, level=1))

    page = intruder.get(aging_url(as_of="2026-03-31")).content.decode()

    assert "Casey" not in page and "Dale" not in page
    assert "Nothing was owed on that day." in page


def test_level_4_cannot_see_reports(business, user_at_level, client_as):
    client = client_as(user_at_level(4))

    assert client.get(reverse("ledger:aging")).status_code == 403
    assert client.get(reverse("ledger:aging") + "?format=csv").status_code == 403


def test_the_page_runs_a_bounded_number_of_queries(book, viewer, django_assert_max_num_queries):
    with tenancy.no_business(), django_assert_max_num_queries(20):
        viewer.get(aging_url(as_of="2026-03-31", grouping="account"))


def test_a_wrong_grouping_falls_back_to_customers_and_keeps_the_day(book, viewer):
    response = viewer.get(aging_url(as_of="2026-03-31", grouping="bogus"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Aging as of 2026-03-31" in page and "Casey Cole (C-1)" in page
    assert 'id="id_grouping_error"' in page
