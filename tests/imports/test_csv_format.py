"""Reading CSV files as French tools write them: encodings, separators, amounts, dates, headers."""

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from imports.csv_fields import guess_mapping, missing_required
from imports.csv_format import UnreadableFile, detect_format, normalise, parse_amount, parse_date, read_rows

HEADER = "N° facture;Client;Date;Échéance;Montant TTC"
ROW = "F-001;Café Müller;05/01/2026;04/02/2026;1 234,56"


def stream(text: str, encoding: str = "utf-8", bom: bool = False) -> io.BytesIO:
    data = text.encode(encoding)
    return io.BytesIO((codecs.BOM_UTF8 if bom else b"") + data)


@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252")],
)
def test_encoding_is_detected_and_accents_read_back(encoding: str, bom: bool, detected: str) -> None:
    data = stream(f"{HEADER}\r\n{ROW}\r\n", encoding, bom)
    found = detect_format(data)
    assert found.encoding == detected
    assert found.headers == ["N° facture", "Client", "Date", "Échéance", "Montant TTC"]
    assert [row for _line, row in read_rows(data, found.encoding, found.delimiter)] == [
        ["F-001", "Café Müller", "05/01/2026", "04/02/2026", "1 234,56"]
    ]


def test_a_file_valid_in_utf8_until_its_last_block_is_windows_1252() -> None:
    # The first megabyte is plain ASCII; the only accented byte comes after it.
    rows = "".join(f"F-{n:06d};Client;05/01/2026;;100,00\n" for n in range(40_000))
    data = stream(f"{HEADER}\n{rows}F-X;Société;05/01/2026;;1,00\n", "cp1252")
    assert len(data.getvalue()) > 1024 * 1024
    found = detect_format(data)
    assert found.encoding == "cp1252"
    assert found.rows == 40_001
    assert list(read_rows(data, "cp1252", ";"))[-1][1][1] == "Société"


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_separator_is_detected(delimiter: str) -> None:
    text = delimiter.join(["N° facture", "Client", "Date", "Montant TTC"]) + "\n"
    text += delimiter.join(["F-1", "Dupont", "2026-01-05", '"1 234,56"' if delimiter == "," else "1 234,56"]) + "\n"
    found = detect_format(stream(text))
    assert found.delimiter == delimiter
    assert found.headers == ["N° facture", "Client", "Date", "Montant TTC"]
    assert list(read_rows(stream(text), "utf-8", delimiter)) == [(2, ["F-1", "Dupont", "2026-01-05", "1 234,56"])]


def test_a_decimal_comma_does_not_make_the_comma_the_separator() -> None:
    text = "Numéro;Client;Montant TTC\nF-1;Dupont;12,50\nF-2;Durand;1 000,00\n"
    assert detect_format(stream(text)).delimiter == ";"


def test_line_numbers_count_the_header_and_skip_blank_rows() -> None:
    text = 'Nom;Notes\nDupont;"deux\nlignes"\n;\nDurand;x\n'
    assert list(read_rows(stream(text), "utf-8", ";")) == [(2, ["Dupont", "deux\nlignes"]), (5, ["Durand", "x"])]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "vide"), ("seule colonne\nvaleur\n", "Séparateur introuvable")],
)
def test_unreadable_files_are_refused_in_french(text: str, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        detect_format(stream(text))


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234.5", "1234.50"),
        ("12 €", "12.00"),
        (" 80,00 ", "80.00"),
    ],
)
def test_amounts_in_french_and_english_notations(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["12,345", "douze", "1,2,3", "１２"])
def test_unreadable_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("05/01/2026", dt.date(2026, 1, 5)),
        ("5/1/2026", dt.date(2026, 1, 5)),
        ("05.01.2026", dt.date(2026, 1, 5)),
        ("2026-01-05", dt.date(2026, 1, 5)),
        ("2026-01-05T00:00:00", dt.date(2026, 1, 5)),
    ],
)
def test_dates_day_first_or_iso(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2026", "Date inexistante"),
        ("01/13/2026", "Date inexistante"),
        ("2026/01/05", "Date illisible"),
        ("01/01/2200", "Date hors limites"),
    ],
)
def test_impossible_dates_are_refused_in_french(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_date(text)


def test_headers_are_compared_without_accents_case_or_punctuation() -> None:
    assert normalise("N° Facture") == normalise("nº facture") == normalise("n_facture") == "n facture"
    assert normalise("Date d’échéance") == normalise("DATE D'ECHEANCE") == "date d echeance"


def test_relance_exports_are_recognised_without_manual_mapping() -> None:
    invoices = [
        "N° facture",
        "Client",
        "SIREN",
        "Date",
        "Échéance",
        "Montant HT",
        "TVA",
        "Montant TTC",
        "Reste dû",
        "Statut",
    ]
    assert guess_mapping("invoices", invoices) == {
        "number": 0,
        "client": 1,
        "siren": 2,
        "issue_date": 3,
        "due_date": 4,
        "total_excl_tax": 5,
        "vat_amount": 6,
        "total_incl_tax": 7,
        "amount_due": 8,
    }
    clients = [
        "Nom",
        "Type",
        "Contact",
        "Email",
        "Téléphone",
        "Adresse",
        "Complément d'adresse",
        "Code postal",
        "Ville",
        "Pays",
        "SIREN",
    ]
    assert guess_mapping("clients", clients) == {
        "name": 0,
        "kind": 1,
        "contact_name": 2,
        "email": 3,
        "phone": 4,
        "address_line1": 5,
        "address_line2": 6,
        "postal_code": 7,
        "city": 8,
        "country": 9,
        "siren": 10,
    }
    payments = ["N° facture", "Date du règlement", "Montant", "Moyen de paiement", "Référence"]
    assert guess_mapping("payments", payments) == {
        "invoice_number": 0,
        "date": 1,
        "amount": 2,
        "method": 3,
        "reference": 4,
    }


def test_common_french_headers_are_recognised() -> None:
    headers = ["Numéro", "Date de facture", "Date d'échéance", "Total TTC", "Client", "Email", "SIRET", "Montant HT"]
    assert guess_mapping("invoices", headers) == {
        "number": 0,
        "issue_date": 1,
        "due_date": 2,
        "total_incl_tax": 3,
        "client": 4,
        "email": 5,
        "siren": 6,
        "total_excl_tax": 7,
    }
    with translation.override("fr"):
        missing = missing_required("invoices", guess_mapping("invoices", ["Numéro", "Montant"]))
    assert missing == ["Client", "Date de facture"]
