"""The aged balance at a date: what each client owed that evening, by lateness bucket."""

import datetime as dt
import io
from decimal import Decimal

import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.formats import money
from exports.queries import aged_balance
from ledger import queries as ledger_queries
from ledger import services
from ledger.models import Invoice
from tests.exports.helpers import read_csv, read_xlsx, response_bytes
from tests.factories import make_client, make_invoice

AS_OF = dt.date(2026, 11, 15)
HEADER = ["Client", "SIREN", "Factures", "Non échues", "1 à 30 jours", "31 à 60 jours", "61 à 90 jours",
          "Plus de 90 jours", "Total dû"]  # fmt: skip


def pay(invoice, day, amount):
    services.record_payment(invoice=invoice, actor=None, date=day, amount=Decimal(amount))


@pytest.fixture
def books(business, frozen_today):
    """Two clients whose invoices test every rule of the date (comments: the state on AS_OF)."""
    arnaud = make_client(business, name="Arnaud & Fils", siren="732829320")
    berger = make_client(business, name="Berger SARL")
    # 45 days late: 1000 − 300 paid before; the 200 paid after is still owed.
    first = make_invoice(business, arnaud, amount="1000.00", issue_date=dt.date(2026, 9, 1))
    pay(first, dt.date(2026, 11, 10), "300.00")
    pay(first, dt.date(2026, 11, 20), "200.00")
    # Not yet due: 400 − a 100 credit note dated before.
    second = make_invoice(business, arnaud, amount="400.00", issue_date=dt.date(2026, 11, 1))
    services.record_credit_note(invoice=second, actor=None, number="AV-1", date=dt.date(2026, 11, 5), amount="100.00")
    # 137 days late, paid in full only after the date: all of it owed.
    third = make_invoice(business, arnaud, amount="250.00", issue_date=dt.date(2026, 6, 1))
    pay(third, dt.date(2026, 11, 25), "250.00")
    # Issued after the date: not there.
    make_invoice(business, arnaud, amount="80.00", issue_date=dt.date(2026, 11, 20))
    # 15 days late and cancelled since (after the date): still owed that day.
    cancelled_since = make_invoice(business, berger, amount="500.00", issue_date=dt.date(2026, 10, 1))
    services.cancel_invoice(invoice=cancelled_since, actor=None, reason="Erreur de client")
    # Cancelled before the date: not there.
    cancelled_before = make_invoice(business, berger, amount="70.00", issue_date=dt.date(2026, 10, 2))
    before = timezone.make_aware(dt.datetime(2026, 11, 14, 18, 0))
    Invoice.objects.filter(pk=cancelled_before.pk).update(cancelled_at=before, cancel_reason="Doublon")
    # Paid in full before the date: not there.
    paid = make_invoice(business, berger, amount="600.00", issue_date=dt.date(2026, 8, 1))
    pay(paid, dt.date(2026, 11, 1), "600.00")
    return arnaud, berger


def test_amounts_owed_that_evening_by_bucket(business, books):
    balance = aged_balance(business, AS_OF)
    arnaud, berger = balance.rows
    assert (arnaud.name, arnaud.invoices, arnaud.total) == ("Arnaud & Fils", 3, Decimal("1250.00"))
    assert arnaud.amounts == [Decimal("300.00"), 0, Decimal("700.00"), 0, Decimal("250.00")]
    assert (berger.name, berger.invoices, berger.total) == ("Berger SARL", 1, Decimal("500.00"))
    assert berger.amounts == [0, Decimal("500.00"), 0, 0, 0]
    assert balance.totals == [Decimal("300.00"), Decimal("500.00"), Decimal("700.00"), 0, Decimal("250.00")]
    assert (balance.total, balance.invoices) == (Decimal("1750.00"), 4)


def test_today_the_totals_are_those_of_the_late_payments_page(business, books, frozen_today):
    balance = aged_balance(business, frozen_today)
    summary = ledger_queries.late_payment_summary(business, frozen_today)
    assert balance.totals == [row.amount_due for row in summary.buckets]
    assert balance.total == summary.total.amount_due
    assert balance.invoices == summary.total.invoices


def test_csv_has_one_row_per_client_and_the_total(owner_client, books):
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-15", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="balance-agee-2026-11-15.csv"'
    rows = read_csv(response_bytes(response))
    assert rows == [
        HEADER,
        ["Arnaud & Fils", "732829320", "3", "300,00", "0,00", "700,00", "0,00", "250,00", "1250,00"],
        ["Berger SARL", "", "1", "0,00", "500,00", "0,00", "0,00", "0,00", "500,00"],
        ["Total", "", "4", "300,00", "500,00", "700,00", "0,00", "250,00", "1750,00"],
    ]


def test_xlsx_amounts_are_numbers(owner_client, books):
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-15", "format": "xlsx"})
    sheet = read_xlsx(response_bytes(response))
    assert [cell.value for cell in sheet[1]] == HEADER
    assert [cell.value for cell in sheet[4]] == ["Total", None, 4, 300, 500, 700, 0, 250, 1750]
    assert sheet["I4"].data_type == "n" and sheet["I4"].font.bold


def _flat(text):
    return text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")


def test_pdf_totals_equal_the_csv(owner_client, books):
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-15", "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        assert pdf.pages[0].width > pdf.pages[0].height, "landscape"
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Balance âgée au 15 novembre 2026" in text
    total_line = _flat(next(line for line in text.splitlines() if line.startswith("Total ")))
    csv_total = read_csv(response_bytes(owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-15",
                                                                                     "format": "csv"})))[-1]  # fmt: skip
    expected = [money(Decimal(value.replace(",", "."))) if value != "0,00" else "–" for value in csv_total[3:]]
    assert total_line == _flat("Total " + csv_total[2] + " " + " ".join(expected))
    assert "Page 1 sur 1" in text


def test_pdf_of_many_clients_runs_over_pages_with_the_header_repeated(owner_client, business, frozen_today):
    for index in range(45):
        make_invoice(business, make_client(business, name=f"Client {index:02d}"), issue_date=dt.date(2026, 9, 1))
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-28", "format": "pdf"})
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) == 2
    assert all("Non échues" in page for page in pages)
    assert "Page 2 sur 2" in pages[1]
    assert _flat("Total 45") in _flat(pages[1])


def test_bad_date_or_format_shows_the_page_with_french_errors(owner_client, books):
    response = owner_client.get("/exports/balance-agee/", {"as_of": "31/02/2026", "format": "csv"})
    assert response.status_code == 422
    assert "Saisissez une date valide." in response.content.decode()
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2026-11-15", "format": "doc"})
    assert response.status_code == 422
    assert "Choisissez un format : PDF, Excel ou CSV." in response.content.decode()
    response = owner_client.get("/exports/balance-agee/", {"as_of": "2300-01-01", "format": "csv"})
    assert response.status_code == 422


def test_outsider_gets_an_empty_balance(outsider_client, books):
    rows = read_csv(response_bytes(outsider_client.get("/exports/balance-agee/", {"as_of": "2026-11-15",
                                                                                    "format": "csv"})))  # fmt: skip
    assert rows[1:] == [["Total", "", "0", "0,00", "0,00", "0,00", "0,00", "0,00", "0,00"]]


def test_one_query_whatever_the_number_of_invoices(business, books):
    with CaptureQueriesContext(connection) as small:
        aged_balance(business, AS_OF)
    for index in range(5):
        invoice = make_invoice(business, make_client(business), issue_date=dt.date(2026, 7, 1 + index))
        pay(invoice, dt.date(2026, 8, 1), "10.00")
    with CaptureQueriesContext(connection) as large:
        balance = aged_balance(business, AS_OF)
    assert len(large) == len(small) == 1
    assert len(balance.rows) == 7
