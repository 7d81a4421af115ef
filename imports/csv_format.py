"""Reading a CSV file as French spreadsheets and invoicing tools write it.

What is detected, on the file alone, before anyone maps a column:
- the encoding: UTF-8 (with or without the byte-order mark Excel writes) when the whole file
  decodes as UTF-8, else Windows-1252 (Excel's "CSV (séparateur : point-virgule)" on Windows);
- the separator: `;` (French Excel), `,` or tab, the one that splits the header and the first
  rows into the same number of columns, most columns first;
- the columns: each header recognised, whatever its accents, case and punctuation, among the
  names of `HEADERS` (the user corrects the proposal on the mapping page).

Values are read with `parse_amount` (decimal comma, spaces, no-break and narrow no-break spaces
or dots between thousands, a trailing €) and `parse_date` (dd/mm/yyyy or ISO yyyy-mm-dd).
Nothing here touches the database.
"""

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.dates import OUT_OF_RANGE, in_range
from core.money import parse_amount as _parse_amount

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
ENCODING_NAMES = {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
# A bigger field is not a spreadsheet cell but a damaged file (an unclosed quote swallowing
# the rest of it): csv refuses it instead of holding it in memory.
MAX_FIELD = 10_000
csv.field_size_limit(MAX_FIELD)
SAMPLE_BYTES = 64 * 1024
READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class FileFormat:
    encoding: str
    delimiter: str
    headers: list[str]
    rows: int  # data rows, the header excluded


class UnreadableFile(Exception):
    """The file is not a CSV this importer can read; the message, in French, says why."""


def detect_encoding(stream: IO[bytes]) -> str:
    """Reads the whole stream (in blocks): UTF-8 only when every byte of it decodes as UTF-8."""
    stream.seek(0)
    start = stream.read(len(codecs.BOM_UTF8))
    if start == codecs.BOM_UTF8:
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    block = start
    try:
        while block:
            decoder.decode(block)
            block = stream.read(READ_BLOCK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def text_stream(stream: IO[bytes], encoding: str) -> io.TextIOWrapper:
    stream.seek(0)
    # Windows-1252 leaves five bytes undefined: shown as "�" in the report, never a crash.
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")


def detect_delimiter(sample: str) -> str:
    lines = sample.splitlines()[:20]
    if not lines:
        raise UnreadableFile(_("Le fichier est vide."))
    best, best_score = ";", 0
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for row in rows[1:] if len(row) == width)
        # Columns of the header, if the other rows agree with it.
        score = width if width > 1 and consistent >= (len(rows) - 1) * 0.8 else 0
        if score > best_score:
            best, best_score = delimiter, score
    if best_score == 0:
        raise UnreadableFile(
            _(
                "Séparateur introuvable : le fichier doit avoir des colonnes séparées par « ; », « , » ou une tabulation."
            )
        )
    return best


def detect_format(stream: IO[bytes]) -> FileFormat:
    """Encoding, separator, headers and number of data rows; reads the stream twice, by blocks."""
    encoding = detect_encoding(stream)
    text = text_stream(stream, encoding)
    try:
        delimiter = detect_delimiter(text.read(SAMPLE_BYTES))
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        try:
            headers = [header.strip() for header in next(reader)]
        except StopIteration:
            raise UnreadableFile(_("Le fichier est vide.")) from None
        rows = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error as error:
        raise UnreadableFile(
            _("Fichier CSV illisible (%(error)s) : vérifiez les guillemets.") % {"error": error}
        ) from None
    finally:
        text.detach()
    if not any(headers):
        raise UnreadableFile(_("La première ligne doit donner le nom des colonnes."))
    return FileFormat(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows)


def read_rows(stream: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The data rows with their line number in the file (the header is line 1), blank rows skipped.

    A line number counts physical lines, so a quoted cell spread over two lines moves the next
    rows down, as a spreadsheet shows them."""
    text = text_stream(stream, encoding)
    try:
        reader = csv.reader(text, delimiter=delimiter)
        next(reader, None)
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                yield line, row
            line = reader.line_num + 1
    finally:
        text.detach()


def normalise(header: str) -> str:
    """ "N° Facture", "n_facture", "Nº de facture" → "n facture" / "n de facture": no accents,
    lower case, any run of other characters one space."""
    text = unicodedata.normalize("NFKD", header.replace("°", " ").replace("º", " "))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.split(r"[^a-z0-9]+", text)).strip()


# Amounts and dates


def parse_amount(value: str) -> Decimal:
    """An amount of a cell: "1 234,56", "1 234,56" (no-break spaces), "1.234,56", "1234.56", "12 €"."""
    amount = _parse_amount(value.strip())
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Deux décimales au plus : %(value)s.") % {"value": value.strip()})
    return amount.quantize(Decimal("0.01"))


_FRENCH_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.]+)?")


def parse_date(value: str) -> dt.date:
    """dd/mm/yyyy (also with - or .), or ISO yyyy-mm-dd (a time after it is ignored)."""
    text = value.strip()
    french = _FRENCH_DATE.fullmatch(text)
    iso = _ISO_DATE.fullmatch(text)
    try:
        if french:
            day = dt.date(int(french[3]), int(french[2]), int(french[1]))
        elif iso:
            day = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        else:
            raise ValidationError(_("Date illisible « %(value)s » : écrivez-la jj/mm/aaaa.") % {"value": text})
    except ValueError:
        raise ValidationError(_("Date inexistante : %(value)s.") % {"value": text}) from None
    if not in_range(day):
        raise ValidationError(str(OUT_OF_RANGE))
    return day
