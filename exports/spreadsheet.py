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

import copy
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


class _CellMaker:
    """Cells of one worksheet, with their styles built once.

    Setting a number format or a font on each cell makes openpyxl look the style up in the
    workbook's tables every time, which made a 100,000-row list take minutes: each kind of cell
    copies the style of a prototype instead (a StyleArray of a few integers). Plain text and
    whole numbers need no style and go in as bare values.
    """

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.styles: dict[tuple[str, bool], Any] = {}
        for bold in (False, True):
            for kind in ("money", "date", "quoted", "plain"):
                prototype = WriteOnlyCell(sheet)
                if kind == "money":
                    prototype.number_format = MONEY_FORMAT
                elif kind == "date":
                    prototype.number_format = DATE_FORMAT
                elif kind == "quoted":
                    prototype.quotePrefix = True
                if bold:
                    prototype.font = Font(bold=True)
                self.styles[kind, bold] = prototype._style

    def _styled(self, value: Any, style: str, bold: bool, data_type: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if data_type is not None:
            cell.data_type = data_type
        cell._style = copy.copy(self.styles[style, bold])
        return cell

    def __call__(self, value: Any, kind: Kind, bold: bool = False) -> Any:
        if value is None or value == "":
            return self._styled(None, "plain", bold) if bold else None
        if kind == "money":
            return self._styled(quantize(Decimal(value)), "money", bold)
        if kind == "date":
            return self._styled(value if isinstance(value, dt.date) else None, "date", bold)
        if kind == "int":
            return self._styled(int(value), "plain", bold) if bold else int(value)
        text = str(value)
        if text.startswith(FORMULA_STARTS):
            # openpyxl takes any text starting with "=" for a formula: the type is set back to text.
            return self._styled(text, "quoted", bold, data_type="s")
        return self._styled(text, "plain", bold) if bold else text


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
        cell = _CellMaker(worksheet)
        for row in sheet.rows:
            worksheet.append([cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
        for row in sheet.totals:
            worksheet.append([cell(value, kind, bold=True) for value, kind in zip(row, kinds, strict=True)])
    workbook.save(target)
