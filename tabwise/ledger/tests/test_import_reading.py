"""Reading import files: amounts, dates, choices and header aliases (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tabwise.core.exports import Upload, normalise_header
from tabwise.ledger import imports
from tabwise.ledger.imports import BadValue, parse_amount, parse_date


def upload(header: list[str], *rows: list[str]) -> Upload:
    keys = [normalise_header(name) for name in header]
    return Upload(
        headers=dict(zip(keys, header, strict=True)),
        rows=[(n, dict(zip(keys, row, strict=True))) for n, row in enumerate(rows, start=2)],
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.5", Decimal("1234.50")),
        ("$1,234.56", Decimal("1234.56")),
        (" $ 12 ", Decimal("12.00")),
        ("1,000,000", Decimal("1000000.00")),
        (".5", Decimal("0.50")),
        ("0.10", Decimal("0.10")),
    ],
)
def test_amounts_are_exact_decimals(text, amount):
    parsed = parse_amount(text)

    assert parsed == amount and isinstance(parsed, Decimal)
    assert str(parsed) == str(amount)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-12.00", "-12.00 is negative: only amounts more than zero can be imported."),
        ("(12.00)", "(12.00) is negative: only amounts more than zero can be imported."),
        ("12.00-", "12.00- is negative: only amounts more than zero can be imported."),
        ("0", "The amount is zero: only amounts more than zero can be imported."),
        ("$0.00", "The amount is zero: only amounts more than zero can be imported."),
        ("30.299999999999997", "30.299999999999997 has more than 2 decimal places."),
        ("1.234,56", "“1.234,56” is not an amount (write it like 1,234.50)."),
        ("12,34", "“12,34” is not an amount (write it like 1,234.50)."),
        ("1e5", "“1e5” is not an amount (write it like 1,234.50)."),
        ("NaN", "“NaN” is not an amount (write it like 1,234.50)."),
        ("ten", "“ten” is not an amount (write it like 1,234.50)."),
        ("1000000000000", "1000000000000 is too large."),
    ],
)
def test_bad_amounts_say_why(text, message):
    with pytest.raises(BadValue) as error:
        parse_amount(text)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        ("2026-01-15 00:00:00", date(2026, 1, 15)),
        ("2026/1/5", date(2026, 1, 5)),
        ("01/15/2026", date(2026, 1, 15)),
        ("1/5/2026", date(2026, 1, 5)),
        ("12-31-2025", date(2025, 12, 31)),
        ("02/29/2028", date(2028, 2, 29)),
    ],
)
def test_dates_are_iso_or_us(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/12/2025", "31/12/2025 is not a US date (MM/DD/YYYY): there is no month 31. If it is day/month, write "
         "12/31/2025 or 2025-12-31."),
        ("02/29/2026", "02/29/2026 is not a date in MM/DD/YYYY (US): February 2026 has no day 29."),
        ("2026-13-01", "2026-13-01 is not a date in YYYY-MM-DD: there is no month 13."),
        ("2026-02-30", "2026-02-30 is not a date in YYYY-MM-DD: February 2026 has no day 30."),
        ("13/13/2026", "13/13/2026 is not a date in MM/DD/YYYY (US): there is no month 13."),
        ("1/5/26", "1/5/26: give the year in four digits (MM/DD/YYYY)."),
        ("Jan 5 2026", "“Jan 5 2026” is not a date: use YYYY-MM-DD or MM/DD/YYYY."),
        ("01/01/1850", "01/01/1850 is too long ago."),
    ],
)  # fmt: skip
def test_bad_dates_say_which_reading_failed(text, message):
    with pytest.raises(BadValue) as error:
        parse_date(text)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Cust #", "customer_number"),
        ("Customer No.", "customer_number"),
        ("CUSTOMER NUMBER", "customer_number"),
        ("cust_no", "customer_number"),
        ("Invoice Date", "invoice_date"),
        ("Inv #", "invoice_number"),
        ("Balance Due", "amount"),
        ("Qty", "quantity"),
        ("Unit Price", "unit_price"),
    ],
)
def test_common_headers_of_other_systems_are_understood(header, key):
    mapping, reading = imports.map_headers(imports.INVOICES, {normalise_header(header): header})

    assert list(mapping.values()) == [key]
    assert reading.headers == {key: header}


def test_two_headers_for_one_column_and_missing_columns_are_errors_on_row_one():
    reading = imports.read_rows("payments", upload(["Cust #", "Customer No", "Amount", "Notes"]))

    assert [(e.row, e.column, e.message) for e in reading.errors] == [
        (1, "Customer No", "Columns “Cust #” and “Customer No” both give the customer number: keep one."),
        (1, "Date", "There is no Date column (accepted headers include: Date, payment date, received, received on, "
         "paid on)."),
        (1, "Method", "There is no Method column (accepted headers include: Method, payment method, type, payment "
         "type, tender)."),
    ]  # fmt: skip
    assert reading.ignored_columns == ["Notes"]


def test_payment_methods_from_other_systems():
    reading = imports.read_rows(
        "payments",
        upload(
            ["Cust #", "Date", "Amount", "Tender"],
            ["1", "2026-01-02", "1", "Cheque"],
            ["1", "2026-01-02", "1", "VISA"],
            ["1", "2026-01-02", "1", "Money Order"],
            ["1", "2026-01-02", "1", "EFT"],
            ["1", "2026-01-02", "1", "Cash"],
        ),
    )

    assert [record.method for record in reading.records] == ["check", "card", "money_order", "ach", "cash"]


def test_identical_payment_rows_are_two_payments_with_stable_keys():
    rows = [["1", "2026-01-02", "10", "cash"], ["1", "2026-01-02", "10", "cash"]]

    first = imports.read_rows("payments", upload(["Cust #", "Date", "Amount", "Method"], *rows))
    again = imports.read_rows("payments", upload(["Customer No", "Date Paid", "Amount", "Method"], *rows))

    assert len({record.key for record in first.records}) == 2
    assert [r.key for r in first.records] == [r.key for r in again.records]


def test_an_invoice_file_takes_an_amount_or_unit_prices_not_both():
    header = ["Cust #", "Invoice #", "Date", "Amount", "Unit price"]

    reading = imports.read_rows("invoices", upload(header, ["1", "A", "2026-01-02", "5", "5"]))

    assert [(e.row, e.column, e.message) for e in reading.errors] == [
        (1, "Unit price", "Give either an Amount per invoice or a Unit price per line, not both.")
    ]


def test_lines_of_one_invoice_must_agree_on_its_customer_and_dates():
    header = ["Cust #", "Invoice #", "Date", "Unit price", "Tax rate", "Qty"]
    reading = imports.read_rows(
        "invoices",
        upload(
            header,
            ["1", "A", "2026-01-02", "5.00", "8.25%", "2"],
            ["2", "A", "2026-01-02", "1.00", "8.25", "1.5"],
            ["1", "B", "2026-01-02", "0", "", "1"],
        ),
    )

    assert [(e.row, e.column, e.message) for e in reading.errors] == [
        (3, "Invoice #", "Invoice A's customer, account line or dates differ from its first row (2)."),
        (3, "Tax rate", "“8.25” is not a tax rate (write 8.25% or 0.0825)."),
        (4, "Unit price", "Invoice B's lines add up to zero."),
    ]
    assert reading.records[0].lines[0].tax_rate == Decimal("0.0825")
