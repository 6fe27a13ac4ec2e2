"""Tabular data to CSV and XLSX, and uploaded CSV or XLSX back to rows.

A report builds one `Table` (typed columns, rows, an optional footer) and serves it with `csv_response` or
`xlsx_response`. Money stays `Decimal` all the way: CSV writes "1234.50" exactly and XLSX gets a number cell with the
format "#,##0.00". Dates are ISO days in CSV and real date cells in XLSX. Text that a spreadsheet would run as a formula
(= + - @, tab, carriage return) is defused: an apostrophe in CSV, a text cell with Excel's quote prefix in XLSX.
`parse_upload` reads a CSV (UTF-8, with or without BOM) or XLSX upload into rows keyed by normalised headers.
`export_response` serves a list page's "export" link in the format the user picked.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.files import File
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tabwise.core import audit
from tabwise.core.errors import DomainError
from tabwise.core.money import CENT

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_ROWS = 50_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_FORMATS = {"money": "#,##0.00", "int": "#,##0", "percent": "0.0%", "date": "yyyy-mm-dd"}
XLSX_WIDTHS = {"money": 14, "int": 10, "percent": 10, "date": 12, "text": 16}

Cell = str | int | Decimal | date | None


class Kind(StrEnum):
    """What a column holds. MONEY: Decimal (or int) amounts. PERCENT: a fraction (Decimal("0.125") is 12.5%)."""

    TEXT = "text"
    MONEY = "money"
    DATE = "date"
    INT = "int"
    PERCENT = "percent"


@dataclass(frozen=True)
class Column:
    header: StrOrPromise
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    """One exportable table. Each row (and the footer) has one cell per column; None is an empty cell."""

    title: StrOrPromise
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    footer: Sequence[Cell] | None = None

    def all_rows(self) -> Iterator[tuple[Sequence[Cell], bool]]:
        """Each row with whether it is the footer (where text, such as "Total", may sit in any column)."""
        for row in self.rows:
            yield self._checked(row), False
        if self.footer is not None:
            yield self._checked(self.footer), True

    def _checked(self, row: Sequence[Cell]) -> Sequence[Cell]:
        if len(row) != len(self.columns):
            raise ValueError(f"{self.title}: a row has {len(row)} cells for {len(self.columns)} columns")
        return row


def _number(value: Cell, kind: Kind) -> Decimal | int:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"a {kind} cell takes a Decimal or an int, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"a {kind} cell cannot hold {value}")
    if kind is Kind.MONEY:
        amount = Decimal(value)
        exponent = amount.as_tuple().exponent
        # Pad "1234.5" to "1234.50"; never round: an amount with more places is shown as it is.
        return amount.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else amount
    if kind is Kind.INT and isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"an int cell cannot hold {value}")
        return int(value)
    return value


def _day(value: Cell) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        # An instant has no calendar day until it is put in the business's time zone (core.clock).
        raise TypeError(f"a date cell takes a date, not {type(value).__name__}")
    return value


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _csv_cell(value: Cell, kind: Kind, footer: bool) -> str:
    if value is None:
        return ""
    if kind is Kind.TEXT or (footer and isinstance(value, str)):
        text = str(value)
        return "'" + text if _is_formula_like(text) else text
    if kind is Kind.DATE:
        return _day(value).isoformat()
    number = _number(value, kind)
    if kind is Kind.PERCENT:
        return format((Decimal(number) * 100).normalize(), "f") + "%"
    return format(number, "f") if isinstance(number, Decimal) else str(number)


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV with a BOM (so Excel reads accents right), header first, footer last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.header) for column in table.columns])
    for row, footer in table.all_rows():
        writer.writerow([_csv_cell(value, col.kind, footer) for value, col in zip(row, table.columns, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(title: str) -> str:
    cleaned = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())  # characters Excel forbids in a sheet name
    return cleaned[:31] or "Sheet"


def xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook: one sheet, a bold header row frozen at the top, typed cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(str(table.title))
    workbook.properties.title = str(table.title)
    bold = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=ILLEGAL_CHARACTERS_RE.sub("", str(column.header)))
        cell.font = bold
        width = max(len(str(column.header)) + 2, XLSX_WIDTHS[column.kind])
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 50)
    sheet.freeze_panes = "A2"
    for row_number, (row, footer) in enumerate(table.all_rows(), start=2):
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=index)
            if column.kind is Kind.TEXT or (footer and isinstance(value, str)):
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell.value = text
                cell.data_type = "s"  # a string cell, never a formula, whatever it starts with
                cell.quotePrefix = _is_formula_like(text)  # and Excel keeps it text when the cell is edited
            else:
                cell.value = _day(value) if column.kind is Kind.DATE else _number(value, column.kind)
                cell.number_format = XLSX_FORMATS[column.kind]
            if footer:
                cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_response(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """A file for the browser to download (or show, `inline`), kept out of shared caches: reports hold PII."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    patch_cache_control(response, private=True, no_store=True)
    return response


EXPORT_FORMATS = ("csv", "xlsx")


def export_response(request: HttpRequest, table: Table, filename: str) -> HttpResponse:
    """A list's "export" link: the table as CSV (`?format=csv`, the default) or XLSX (`?format=xlsx`).

    Exports carry customers' data out of Tabwise, so each one writes LIST_EXPORTED (what, how many rows, the filter)
    in the business's audit log. An unknown format is a 404.
    """
    chosen = request.GET.get("format", "csv") or "csv"
    if chosen not in EXPORT_FORMATS:
        raise Http404(_("Export as CSV or XLSX."))
    filters = {key: value for key, value in request.GET.items() if key not in ("format", "page") and value}
    audit.record_event(
        event_type="LIST_EXPORTED",
        payload={"list": str(table.title), "format": chosen, "rows": len(table.rows), "filters": filters},
    )
    return xlsx_response(table, filename) if chosen == "xlsx" else csv_response(table, filename)


def csv_response(table: Table, filename: str) -> HttpResponse:
    filename = filename if filename.lower().endswith(".csv") else f"{filename}.csv"
    return download_response(csv_bytes(table), content_type=CSV_TYPE, filename=filename)


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    filename = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    return download_response(xlsx_bytes(table), content_type=XLSX_TYPE, filename=filename)


def _upload_error(message: str, code: str) -> DomainError:
    return DomainError(message, field="file", code=code)


def _is_blank(row: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """All rows (blank ones included, so the first row stays first), refusing more than MAX_UPLOAD_ROWS of data."""
    kept: list[list[str]] = []
    filled = 0
    for row in rows:
        kept.append(row)
        filled += not _is_blank(row)
        if filled > MAX_UPLOAD_ROWS + 1:  # + 1: the header row
            raise _upload_error(_("The file has more than %(max)d rows.") % {"max": MAX_UPLOAD_ROWS}, "too_many_rows")
    return kept


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        raise _upload_error(message, "bad_encoding") from exc
    try:
        return _bounded(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _upload_error(_("The CSV file cannot be read: %(error)s") % {"error": exc}, "bad_file") from exc


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # how openpyxl reads a number; the shortest form that reads back the same
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _upload_error(_("The file is not a readable XLSX workbook."), "bad_file") from exc
    try:
        sheet = workbook.worksheets[0]
        return _bounded([_xlsx_text(value).strip() for value in row] for row in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def normalise_header(name: str) -> str:
    """' Amount  Due ' -> 'amount_due': stripped, lower case, each run of spaces one underscore."""
    return "_".join(name.strip().lower().split())


@dataclass(frozen=True)
class Upload:
    """An uploaded table: each non-blank row keyed by normalised header, with its row number in the file (the
    header is row 1; blank rows count, so the number is the one the user sees in their spreadsheet), and each
    normalised header with the header as written, in the file's order."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]


def _keyed(rows: list[list[str]]) -> Upload:
    if all(_is_blank(row) for row in rows):
        raise _upload_error(_("The file is empty."), "empty_file")
    header = [normalise_header(cell) for cell in rows[0]]
    if _is_blank(header):
        message = _("The first row must name the columns (for example: customer, amount, date).")
        raise _upload_error(message, "missing_header")
    if any(re.fullmatch(r"[-+$]?[\d.,/:_-]+", name) for name in header if name):
        raise _upload_error(_("The first row looks like data. Add a row naming the columns."), "missing_header")
    named = [name for name in header if name]
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        raise _upload_error(_("Columns named twice: %(names)s") % {"names": ", ".join(duplicates)}, "duplicate_column")
    return Upload(
        headers={name: written.strip() for name, written in zip(header, rows[0], strict=True) if name},
        rows=[
            (number, {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name})
            for number, row in enumerate(rows[1:], start=2)
            if not _is_blank(row)
        ],
    )


def read_upload(file: File) -> Upload:
    """Like `parse_upload`, keeping the row numbers and the headers as written (for errors a user can find)."""
    name = (file.name or "").lower()
    if not name.endswith((".csv", ".txt", ".xlsx")):
        raise _upload_error(_("Upload a CSV or XLSX file."), "unknown_file_type")
    if file.seekable():
        file.seek(0)
    data = file.read()
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise _upload_error(_("The file is empty."), "empty_file")
    return _keyed(_xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data))


def parse_upload(file: File) -> list[dict[str, str]]:
    """Read an uploaded CSV or XLSX (first sheet) into one dict per non-blank row, keyed by normalised header.

    Raises DomainError(field="file") for a file that is not .csv/.txt/.xlsx, empty, unreadable, without a header
    row, with a column named twice or with more than MAX_UPLOAD_ROWS rows. Every value is a stripped string.
    """
    return [row for _number, row in read_upload(file).rows]
