"""Uploaded CSV and XLSX files become rows keyed by normalised header; a bad file gets a clear refusal."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tabwise.core.errors import DomainError
from tabwise.core.exports import Column, Kind, Table, csv_bytes, parse_upload, xlsx_bytes


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refusal(name: str, content: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_upload(upload(name, content))
    assert caught.value.field == "file"
    return caught.value


def test_a_csv_with_a_bom_reads_into_rows_keyed_by_normalised_header():
    content = "\ufeff Customer Number ,Amount  Due,Note\r\nA-1,12.50,Café\r\n,,\r\nB-2, 0.10 \r\n".encode()

    rows = parse_upload(upload("payments.CSV", content))

    assert rows == [
        {"customer_number": "A-1", "amount_due": "12.50", "note": "Café"},
        {"customer_number": "B-2", "amount_due": "0.10", "note": ""},
    ]


def test_a_csv_without_a_bom_reads_the_same():
    assert parse_upload(upload("p.csv", b"Amount\n12.50\n")) == [{"amount": "12.50"}]


def test_an_upload_already_read_once_is_read_from_the_start():
    file = upload("p.csv", b"Amount\n12.50\n")
    file.read()

    assert parse_upload(file) == [{"amount": "12.50"}]


def test_an_xlsx_reads_its_first_sheet_with_numbers_and_dates_as_text():
    content = xlsx_file(
        [["Customer", "Amount", "Paid on", None], ["A-1", 12.5, date(2025, 1, 2), None], [], ["B-2", 40]]
    )

    rows = parse_upload(upload("payments.xlsx", content))

    assert rows == [
        {"customer": "A-1", "amount": "12.5", "paid_on": "2025-01-02"},
        {"customer": "B-2", "amount": "40", "paid_on": ""},
    ]


def test_our_own_exports_read_back_with_exact_amounts():
    table = Table(
        "Payments",
        [Column("Customer"), Column("Amount", Kind.MONEY), Column("Paid on", Kind.DATE)],
        [["A-1", Decimal("1234.50"), date(2025, 3, 1)], ["B-2", Decimal("0.10"), None]],
    )

    from_csv = parse_upload(upload("p.csv", csv_bytes(table)))
    from_xlsx = parse_upload(upload("p.xlsx", xlsx_bytes(table)))

    assert from_csv == [
        {"customer": "A-1", "amount": "1234.50", "paid_on": "2025-03-01"},
        {"customer": "B-2", "amount": "0.10", "paid_on": ""},
    ]
    assert [Decimal(row["amount"]) for row in from_xlsx] == [Decimal("1234.50"), Decimal("0.10")]
    assert [row["paid_on"] for row in from_xlsx] == ["2025-03-01", ""]


@pytest.mark.parametrize("name", ["payments.xls", "payments.pdf", "payments", "payments.csv.exe"])
def test_a_file_that_is_not_csv_or_xlsx_is_refused(name):
    assert refusal(name, b"Amount\n1\n").code == "unknown_file_type"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,\n,,\n"])
def test_an_empty_csv_is_refused(content):
    error = refusal("p.csv", content)

    assert error.code == "empty_file"
    assert error.message == "The file is empty."


def test_an_empty_workbook_is_refused():
    assert refusal("p.xlsx", xlsx_file([])).code == "empty_file"


@pytest.mark.parametrize("content", [b"\nAmount\n12.50\n", b"1001,12.50,2025-01-02\n1002,3.00,2025-01-03\n"])
def test_a_csv_without_a_header_row_is_refused(content):
    assert refusal("p.csv", content).code == "missing_header"


def test_a_column_named_twice_is_refused():
    error = refusal("p.csv", b"Amount,amount \n1,2\n")

    assert (error.code, error.message) == ("duplicate_column", "Columns named twice: amount")


def test_a_csv_that_is_not_utf8_is_refused():
    assert refusal("p.csv", "Nombre\nJosé\n".encode("cp1252")).code == "bad_encoding"


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    assert refusal("p.xlsx", b"Amount\n12.50\n").code == "bad_file"


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("tabwise.core.exports.MAX_UPLOAD_ROWS", 2)

    assert parse_upload(upload("p.csv", b"a\n1\n\n2\n")) == [{"a": "1"}, {"a": "2"}]
    assert refusal("p.csv", b"a\n1\n2\n3\n").code == "too_many_rows"
