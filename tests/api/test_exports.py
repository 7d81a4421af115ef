import datetime as dt

import pytest

from exports.models import AccountExport
from tests.exports.helpers import read_csv, read_xlsx, response_bytes
from tests.factories import make_client, make_invoice


@pytest.fixture
def books(business, frozen_today):
    client = make_client(business, name="Durand", siren="732829320")
    make_invoice(business, client, amount="1234.56", issue_date=dt.date(2026, 9, 1), number="F-1")
    make_invoice(business, client, amount="100.00", issue_date=dt.date(2026, 11, 20), number="F-2")
    return client


def test_aged_balance_as_csv_and_xlsx(api, books):
    response = api.get("/exports/aged-balance", {"as_of": "2026-11-28", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="balance-agee-2026-11-28.csv"'
    rows = read_csv(response_bytes(response))
    assert rows[1] == ["Durand", "732829320", "2", "100,00", "0,00", "1234,56", "0,00", "0,00", "1334,56"]
    sheet = read_xlsx(response_bytes(api.get("/exports/aged-balance", {"as_of": "2026-11-28", "format": "xlsx"})))
    assert [cell.value for cell in sheet[3]] == ["Total", None, 2, 100, 0, 1234.56, 0, 0, 1334.56]


def test_aged_balance_at_an_earlier_date_leaves_out_later_invoices(api, books):
    rows = read_csv(response_bytes(api.get("/exports/aged-balance", {"as_of": "2026-10-15", "format": "csv"})))
    assert rows[1] == ["Durand", "732829320", "1", "0,00", "1234,56", "0,00", "0,00", "0,00", "1234,56"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"as_of": "31/12/2026", "format": "csv"}, "as_of", "Date invalide (format AAAA-MM-JJ)."),
        ({"as_of": "2026-02-30", "format": "csv"}, "as_of", "Date invalide (format AAAA-MM-JJ)."),
        ({"as_of": "2300-01-01", "format": "csv"}, "as_of", "Date hors limites"),
        ({"as_of": "2026-11-28", "format": "pdf"}, "format", "Valeur non autorisée : choisissez parmi csv, xlsx."),
    ],
)
def test_bad_date_or_format_is_422_in_french(api, books, params, field, message):
    response = api.get("/exports/aged-balance", params)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", field]
    assert error["msg"].startswith(message)


def test_lists_follow_the_filters_of_their_list_routes(api, books, frozen_today):
    rows = read_csv(response_bytes(api.get("/exports/invoices", {"status": "late"})))
    assert [row[0] for row in rows[1:]] == ["F-1"]
    rows = read_csv(response_bytes(api.get("/exports/clients", {"q": "dur"})))
    assert [row[0] for row in rows[1:]] == ["Durand"]
    sheet = read_xlsx(response_bytes(api.get("/exports/payments", {"format": "xlsx"})))
    assert sheet.max_row == 1


def test_account_export_start_status_download(api, books, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/exports/account")
    assert response.status_code == 202
    export_id = response.json()["id"]
    status = api.get(f"/exports/account/{export_id}").json()
    assert status["status"] == "done"
    assert status["download_url"] == f"/api/v1/exports/account/{export_id}/download"
    download = api.get(f"/exports/account/{export_id}/download")
    assert download["Content-Type"] == "application/zip"
    assert response_bytes(download)[:2] == b"PK"


def test_account_export_not_ready_is_404_to_download(api, books):
    export_id = api.post("/exports/account").json()["id"]
    assert api.get(f"/exports/account/{export_id}").json()["status"] == "queued"
    assert api.get(f"/exports/account/{export_id}/download").status_code == 404


def test_outsider_sees_nothing_of_another_business(api, outsider_api, books, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export_id = api.post("/exports/account").json()["id"]
    for path in [f"/exports/account/{export_id}", f"/exports/account/{export_id}/download"]:
        response = outsider_api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Introuvable."}
    for path in ["/exports/aged-balance", "/exports/invoices", "/exports/clients"]:
        assert len(read_csv(response_bytes(outsider_api.get(path)))) <= 2
    rows = read_csv(response_bytes(outsider_api.get("/exports/aged-balance")))
    assert rows[1][0] == "Total" and rows[1][-1] == "0,00"
    assert AccountExport.objects.count() == 1


def test_without_token_is_401(anonymous_client):
    assert anonymous_client.get("/api/v1/exports/aged-balance").status_code == 401
