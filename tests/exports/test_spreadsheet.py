import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from exports.spreadsheet import Column, Sheet, csv_chunks, spreadsheet_text, write_xlsx
from tests.exports.helpers import read_csv

COLUMNS = [Column("Nom"), Column("Montant", "money"), Column("Date", "date"), Column("Nombre", "int")]
DANGEROUS = ['=HYPERLINK("http://evil.test","x")', "+33 6 12 34 56 78", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_prefixed(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Boulangerie Durand", "O'Neil", "1234", "Café = bon"])
def test_harmless_text_is_kept_as_typed(text):
    assert spreadsheet_text(text) == text


def test_csv_has_bom_semicolons_decimal_comma_french_dates_and_neutralised_formulas():
    rows = [[name, Decimal("1234.5"), dt.date(2026, 3, 1), 3] for name in DANGEROUS[:4]]
    raw = b"".join(csv_chunks(Sheet("t", COLUMNS, rows, totals=[["Total", Decimal("-0.5"), None, 12]])))
    parsed = read_csv(raw)
    assert parsed[0] == ["Nom", "Montant", "Date", "Nombre"]
    assert [row[0] for row in parsed[1:5]] == ["'" + text for text in DANGEROUS[:4]]
    assert parsed[1][1:] == ["1234,50", "01/03/2026", "3"]
    # Numbers are never prefixed, even negative ones: they stay numbers for the spreadsheet.
    assert parsed[5] == ["Total", "-0,50", "", "12"]


def test_csv_comes_in_bounded_chunks():
    rows = ([f"Client {i}", Decimal("1.00"), None, i] for i in range(20_000))
    chunks = list(csv_chunks(Sheet("t", COLUMNS, rows)))
    assert len(chunks) > 3
    assert max(len(chunk) for chunk in chunks) < 70 * 1024


def test_xlsx_keeps_numbers_and_dates_typed_and_formulas_as_text():
    target = io.BytesIO()
    rows = [[DANGEROUS[0], Decimal("1234.56"), dt.date(2026, 3, 1), 7], ["Durand", None, None, 0]]
    write_xlsx([Sheet("Feuille", COLUMNS, rows, totals=[["Total", Decimal("1234.56"), None, 7]])], target)
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue())).active
    assert [cell.value for cell in sheet[1]] == ["Nom", "Montant", "Date", "Nombre"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    name, amount, day, count = sheet[2]
    assert (name.value, name.data_type, name.quotePrefix) == (DANGEROUS[0], "s", True)
    assert amount.value == pytest.approx(1234.56) and amount.data_type == "n"
    assert "0.00" in amount.number_format
    assert day.value == dt.datetime(2026, 3, 1) and day.is_date
    assert count.value == 7
    assert sheet["A3"].quotePrefix is False
    assert sheet["A4"].font.bold
    assert sheet.column_dimensions["A"].width == 14
