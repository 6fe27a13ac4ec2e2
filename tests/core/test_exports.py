"""CSV and XLSX exports: money stays exact, dates stay dates, and no cell runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tabwise.core.exports import Column, Kind, Table, csv_bytes, csv_response, xlsx_bytes, xlsx_response

AMOUNTS = [Decimal("1234.50"), Decimal("0.10"), Decimal("-99999999999.99"), Decimal("0.1"), Decimal("1E+3"), 7]


def aging_table(**overrides: object) -> Table:
    fields: dict[str, object] = {
        "title": "Aging: North/South [March]",
        "columns": [
            Column("Customer"),
            Column("Balance", Kind.MONEY),
            Column("Due on", Kind.DATE),
            Column("Visits", Kind.INT),
            Column("Share", Kind.PERCENT),
        ],
        "rows": [
            ['=HYPERLINK("http://evil.example","Pay")', Decimal("1234.50"), date(2025, 1, 2), 3, Decimal("0.125")],
            ["Ann Lee", Decimal("-0.10"), None, -2, 1],
        ],
        "footer": ["Total", Decimal("1234.40"), None, 1, None],
    }
    fields.update(overrides)
    return Table(**fields)


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_writes_each_amount_exactly_and_reads_back_as_the_same_decimal():
    table = Table("Amounts", [Column("Amount", Kind.MONEY)], [[amount] for amount in AMOUNTS])

    rows = read_csv(csv_bytes(table))

    assert [row[0] for row in rows[1:]] == ["1234.50", "0.10", "-99999999999.99", "0.10", "1000.00", "7.00"]
    assert [Decimal(row[0]) for row in rows[1:]] == [Decimal(amount) for amount in AMOUNTS]


def test_csv_has_the_header_first_iso_dates_percentages_and_the_footer_last():
    rows = read_csv(csv_bytes(aging_table()))

    assert rows[0] == ["Customer", "Balance", "Due on", "Visits", "Share"]
    assert rows[2] == ["Ann Lee", "-0.10", "", "-2", "100%"]
    assert rows[1][1:] == ["1234.50", "2025-01-02", "3", "12.5%"]
    assert rows[3] == ["Total", "1234.40", "", "1", ""]


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    table = Table("T", [Column("Name"), Column("Balance", Kind.MONEY)], [[text, Decimal("-5.00")]])

    rows = read_csv(csv_bytes(table))

    assert rows[1] == ["'" + text, "-5.00"]  # the negative amount is a number, not text: left alone


def test_xlsx_has_typed_cells_with_number_formats():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(aging_table())))
    sheet = workbook.active

    assert sheet.title == "Aging North South March"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["Customer", "Balance", "Due on", "Visits", "Share"]
    assert all(cell.font.bold for cell in sheet[1])
    balance, due_on, visits, share = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    assert (balance.data_type, balance.number_format) == ("n", "#,##0.00")
    assert Decimal(repr(balance.value)) == Decimal("1234.50")
    assert (sheet["B3"].value, sheet["B3"].number_format) == (-0.1, "#,##0.00")
    assert due_on.is_date and due_on.value == datetime(2025, 1, 2) and due_on.number_format == "yyyy-mm-dd"
    assert (visits.value, visits.number_format) == (3, "#,##0")
    assert (share.value, share.number_format) == (0.125, "0.0%")
    assert sheet["C3"].value is None
    assert [cell.value for cell in sheet[4]] == ["Total", 1234.4, None, 1, None]
    assert sheet["A4"].font.bold and sheet["B4"].font.bold


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(aging_table()))).active

    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","Pay")'
    assert cell.quotePrefix  # Excel keeps it text even when someone edits the cell
    assert not sheet["A3"].quotePrefix


def test_xlsx_drops_control_characters_that_excel_cannot_store():
    table = Table("T", [Column("Note")], [["bell\x07 here"]])

    assert load_workbook(io.BytesIO(xlsx_bytes(table))).active["A2"].value == "bell here"


def test_responses_are_downloads_with_the_right_type_and_no_caching():
    csv_download = csv_response(aging_table(), "aging 2025-03")
    xlsx_download = xlsx_response(aging_table(), "aging.xlsx")

    assert csv_download["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_download["Content-Disposition"] == 'attachment; filename="aging 2025-03.csv"'
    assert xlsx_download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx_download["Content-Disposition"] == 'attachment; filename="aging.xlsx"'
    assert "no-store" in csv_download["Cache-Control"] and "private" in xlsx_download["Cache-Control"]
    assert csv_download.content == csv_bytes(aging_table())


def test_a_non_ascii_file_name_is_encoded_for_the_header():
    response = csv_response(aging_table(), "antigüedad")

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''antig%C3%BCedad.csv"


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        (Column("Amount", Kind.MONEY), 12.5, TypeError),
        (Column("Amount", Kind.MONEY), "12.50", TypeError),
        (Column("Amount", Kind.MONEY), Decimal("NaN"), ValueError),
        (Column("Count", Kind.INT), Decimal("1.5"), ValueError),
        (Column("Due on", Kind.DATE), datetime(2025, 1, 2, 12, 0), TypeError),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_rather_than_guessed(column, value, error):
    table = Table("T", [column], [[value]])

    with pytest.raises(error):
        csv_bytes(table)
    with pytest.raises(error):
        xlsx_bytes(table)


def test_a_row_with_the_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match="2 cells for 1 columns"):
        csv_bytes(Table("T", [Column("Name")], [["a", "b"]]))
