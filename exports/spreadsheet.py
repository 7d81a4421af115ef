"""Tables as CSV for French Excel and as XLSX, written as they stream in.

CSV: `;` between cells, UTF-8 with a byte-order mark, decimal comma, dates dd/mm/yyyy — what
Excel set to French opens into the right columns with numbers and dates recognised, and what
Relance's CSV import reads back. Amounts have no thousands separator: a space inside a number
would turn it into text in some spreadsheets.

XLSX: real numbers (format `# ##0,00 €` in a French Excel) and real dates, the header row bold
and frozen, columns sized for their content.

A cell of text beginning with `=`, `+`, `-` or `@` (or a tab or carriage return) would be run
as a formula by the spreadsheet ("CSV injection", OWASP): a client named
`=HYPERLINK("http://…")` must stay a name. In CSV such a text gets a leading `'`, which
spreadsheets read as "text follows"; in XLSX the cell is written as text with Excel's own
quote-prefix flag, exactly what Excel stores when one types `'=…`: the value itself is kept.
Numbers and dates are never prefixed: they are written as numbers and dates.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core.formats import quantize, short_date

BOM = "\ufeff"
SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Bytes gathered before a chunk of CSV leaves: large enough for few writes, small enough for
# a response that starts at once and a memory that does not grow with the file.
CSV_CHUNK = 64 * 1024
MONEY_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")

Kind = Literal["text", "money", "date", "int"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 14


Row = Sequence[Any]


@dataclass(frozen=True)
class Sheet:
    """A title, columns and rows (an iterable read once, as it comes); optional total rows, in bold."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Row]
    totals: Sequence[Row] = ()


def spreadsheet_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: Any, kind: Kind) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return f"{quantize(Decimal(value)):.2f}".replace(".", ",")
    if kind == "date":
        return short_date(value)
    if kind == "int":
        return str(int(value))
    return spreadsheet_text(str(value))


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The sheet as CSV bytes, BOM first, a chunk at a time (for a streaming response or a ZIP member)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([column.header for column in sheet.columns])
    kinds = [column.kind for column in sheet.columns]

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    for row in _all_rows(sheet):
        writer.writerow([csv_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
        if buffer.tell() >= CSV_CHUNK:
            yield flush()
    yield flush()


def _all_rows(sheet: Sheet) -> Iterator[Row]:
    yield from sheet.rows
    yield from sheet.totals


def write_csv(sheet: Sheet, target: IO[bytes]) -> None:
    for chunk in csv_chunks(sheet):
        target.write(chunk)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, kind: Kind, *, bold: bool = False) -> WriteOnlyCell:
    if value is None or value == "":
        cell = WriteOnlyCell(sheet, value=None)
    elif kind == "money":
        cell = WriteOnlyCell(sheet, value=quantize(Decimal(value)))
        cell.number_format = MONEY_FORMAT
    elif kind == "date":
        cell = WriteOnlyCell(sheet, value=value if isinstance(value, dt.date) else None)
        cell.number_format = DATE_FORMAT
    elif kind == "int":
        cell = WriteOnlyCell(sheet, value=int(value))
    else:
        text = str(value)
        cell = WriteOnlyCell(sheet, value=text)
        # openpyxl takes any text starting with "=" for a formula: the type is set back to text.
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes]) -> None:
    """The sheets into one workbook, written row by row (openpyxl's write-only mode keeps no rows)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        for index, column in enumerate(sheet.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        worksheet.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=column.header)
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="right" if column.kind in ("money", "int") else "left")
            header.append(cell)
        worksheet.append(header)
        kinds = [column.kind for column in sheet.columns]
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(worksheet, value, kind) for value, kind in zip(row, kinds, strict=True)])
        for row in sheet.totals:
            worksheet.append(
                [_xlsx_cell(worksheet, value, kind, bold=True) for value, kind in zip(row, kinds, strict=True)]
            )
    workbook.save(target)
