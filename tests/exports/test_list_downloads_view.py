import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import services
from tests.exports.helpers import read_csv, read_xlsx, response_bytes
from tests.factories import make_client, make_invoice

INVOICE_HEADER = [
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
CLIENT_HEADER = [
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


@pytest.fixture
def books(business):
    durand = make_client(business, name="Boulangerie Durand", siren="732829320", phone="+33 4 72 00 00 00")
    evil = make_client(business, name='=HYPERLINK("http://evil.test","clic")')
    late = make_invoice(business, durand, amount="1234.56", issue_date=dt.date(2026, 9, 1), number="F-2026-001")
    services.record_payment(invoice=late, actor=None, date=dt.date(2026, 10, 5), amount=Decimal("234.56"))
    make_invoice(business, evil, amount="99.90", issue_date=dt.date(2026, 11, 20), number="F-2026-002")
    return durand, evil


def test_invoice_csv_has_the_import_headers_french_numbers_and_status(owner_client, books, frozen_today):
    response = owner_client.get("/exports/factures.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="factures-2026-11-28.csv"'
    rows = read_csv(response_bytes(response))
    assert rows[0] == INVOICE_HEADER
    assert rows[1] == [
        "F-2026-002",
        '\'=HYPERLINK("http://evil.test","clic")',
        "",
        "20/11/2026",
        "20/12/2026",
        "99,90",
        "0,00",
        "99,90",
        "99,90",
        "Non échue",
    ]
    assert rows[2] == [
        "F-2026-001",
        "Boulangerie Durand",
        "732829320",
        "01/09/2026",
        "01/10/2026",
        "1234,56",
        "0,00",
        "1234,56",
        "1000,00",
        "En retard",
    ]


def test_invoice_export_follows_the_list_filters(owner_client, books, frozen_today):
    rows = read_csv(response_bytes(owner_client.get("/exports/factures.csv", {"status": "late"})))
    assert [row[0] for row in rows[1:]] == ["F-2026-001"]
    rows = read_csv(
        response_bytes(owner_client.get("/exports/factures.csv", {"client": books[1].pk, "sort": "number"}))
    )
    assert [row[0] for row in rows[1:]] == ["F-2026-002"]


def test_client_csv_has_the_import_headers_and_neutralised_formulas(owner_client, books):
    rows = read_csv(response_bytes(owner_client.get("/exports/clients.csv")))
    assert rows[0] == CLIENT_HEADER
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Boulangerie Durand"][1:5] == ["Professionnel", "", "compta@client.test", "'+33 4 72 00 00 00"]
    assert by_name["Boulangerie Durand"][10] == "732829320"
    assert '\'=HYPERLINK("http://evil.test","clic")' in by_name
    searched = read_csv(response_bytes(owner_client.get("/exports/clients.csv", {"q": "durand"})))
    assert [row[0] for row in searched[1:]] == ["Boulangerie Durand"]


def test_invoice_xlsx_has_real_numbers_and_dates(owner_client, books, frozen_today):
    response = owner_client.get("/exports/factures.xlsx", {"sort": "number"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(response_bytes(response))
    assert [cell.value for cell in sheet[1]] == INVOICE_HEADER
    number, client, _siren, issued, due, excl, vat, incl, owed, status = sheet[2]
    assert number.value == "F-2026-001"
    assert issued.is_date and issued.value == dt.datetime(2026, 9, 1)
    assert due.value == dt.datetime(2026, 10, 1)
    assert [c.value for c in (excl, vat, incl, owed)] == [1234.56, 0, 1234.56, 1000]
    assert all(c.data_type == "n" for c in (excl, vat, incl, owed))
    assert status.value == "En retard"
    evil = sheet[3][1]
    assert evil.value.startswith("=HYPERLINK") and evil.data_type == "s" and evil.quotePrefix


def test_list_pages_link_their_exports_with_the_current_filters(owner_client, books):
    page = owner_client.get("/factures/", {"status": "late"}).content.decode()
    assert 'href="/exports/factures.xlsx?status=late"' in page
    assert 'href="/exports/factures.csv?status=late"' in page
    page = owner_client.get("/clients/", {"q": "dur"}).content.decode()
    assert 'href="/exports/clients.csv?q=dur"' in page


def test_unknown_format_is_not_found(owner_client, books):
    assert owner_client.get("/exports/factures.pdf").status_code == 404


def test_outsider_downloads_only_their_own_rows(outsider_client, books):
    for path in ["/exports/factures.csv", "/exports/clients.csv"]:
        rows = read_csv(response_bytes(outsider_client.get(path)))
        assert len(rows) == 1


def test_anonymous_is_sent_to_login(anonymous_client):
    assert anonymous_client.get("/exports/factures.csv").status_code == 302


def _queries(http, path):
    with CaptureQueriesContext(connection) as captured:
        response = http.get(path)
        response_bytes(response)
    return len(captured)


@pytest.mark.parametrize("path", ["/exports/factures.csv", "/exports/clients.csv", "/exports/factures.xlsx"])
def test_query_count_does_not_grow_with_the_list(owner_client, business, path):
    client = make_client(business)
    make_invoice(business, client)
    small = _queries(owner_client, path)
    for _ in range(6):
        make_invoice(business, make_client(business))
    assert _queries(owner_client, path) == small
