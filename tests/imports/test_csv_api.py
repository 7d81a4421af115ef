"""POST /api/v1/imports/csv and GET /api/v1/imports/csv/{id}: the contract, 202 for big files, tenancy."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Business
from ledger.models import Invoice
from tests.helpers import ApiClient

pytestmark = pytest.mark.usefixtures("media_root", "frozen_today")

TEXT = (
    "N° facture;Client;Date;Échéance;Montant TTC\n"
    "F-1;Atelier Dupont;01/09/2026;01/10/2026;1 200,00\n"
    "F-2;Atelier Dupont;15/09/2026;15/10/2026;abc\n"
)
GOOD = TEXT.replace("abc", "600,00")


def post(api: ApiClient, text: str, kind: str = "invoices", dry_run: str | None = None) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile("ventes.csv", text.encode("utf-8-sig")), "kind": kind}
    if dry_run is not None:
        data["dry_run"] = dry_run
    return api.http.post("/api/v1/imports/csv", data)


def test_dry_run_by_default_reports_errors_with_row_column_message(api: ApiClient) -> None:
    response = post(api, TEXT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in ("created", "updated", "errors", "dry_run", "committed", "status")} == {
        "created": 1,
        "updated": 0,
        "errors": [{"row": 3, "column": "Montant TTC", "message": "Saisissez un montant, par exemple 1 234,56."}],
        "dry_run": True,
        "committed": False,
        "status": "done",
    }
    assert body["columns"]["total_incl_tax"] == "Montant TTC"
    assert not Invoice.objects.exists()


def test_commit_is_all_or_nothing_then_idempotent(api: ApiClient) -> None:
    response = post(api, TEXT, dry_run="false")
    assert response.json()["error_count"] == 1 and not Invoice.objects.exists()
    response = post(api, GOOD, dry_run="false")
    assert (response.json()["created"], response.json()["committed"]) == (2, True)
    again = post(api, GOOD, dry_run="false").json()
    assert (again["created"], again["updated"], again["unchanged"], again["errors"]) == (0, 0, 2, [])
    assert Invoice.objects.count() == 2
    assert api.get(again["url"].removeprefix("/api/v1")).json()["unchanged"] == 2


def test_the_mapping_can_be_corrected_by_header(api: ApiClient) -> None:
    text = GOOD.replace("N° facture", "Réf.")
    data = {"file": SimpleUploadedFile("v.csv", text.encode()), "kind": "invoices", "mapping": '{"number": "Réf."}'}
    body = api.http.post("/api/v1/imports/csv", data).json()
    assert (body["created"], body["columns"]["number"]) == (2, "Réf.")
    data = {"file": SimpleUploadedFile("v.csv", text.encode()), "kind": "invoices", "mapping": '{"number": "Ref"}'}
    response = api.http.post("/api/v1/imports/csv", data)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Aucune colonne « Ref » dans le fichier."


def test_a_big_file_answers_202_with_the_url_of_its_report(
    api: ApiClient, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IMPORT_CSV_SYNC_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, GOOD, dry_run="false")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    report = api.get(response.json()["url"].removeprefix("/api/v1"))
    assert report.status_code == 200
    assert (report.json()["status"], report.json()["created"], report.json()["rows_done"]) == ("done", 2, 2)


def test_bad_requests_get_422_in_french(api: ApiClient) -> None:
    response = post(api, "Montant;Date\n1;01/01/2026\n")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == ("Associez une colonne du fichier à : N° facture, Client.")
    response = post(api, GOOD, kind="devis")
    assert response.status_code == 422
    response = api.http.post("/api/v1/imports/csv", {"kind": "invoices"})
    assert response.status_code == 422


def test_another_business_cannot_read_a_report(api: ApiClient, outsider_api: ApiClient, business: Business) -> None:
    url = post(api, GOOD).json()["url"].removeprefix("/api/v1")
    assert outsider_api.get(url).status_code == 404
    assert ApiClient(None).get(url).status_code == 401
    assert ApiClient(None).http.post("/api/v1/imports/csv", {"kind": "invoices"}).status_code == 401


def test_the_api_upload_accepts_20_mb_and_other_routes_keep_10(api: ApiClient) -> None:
    class Unread:
        def read(self, *args: Any) -> bytes:
            raise AssertionError("read")

        readline = read

    def status(path: str, megabytes: int) -> int:
        return int(
            api.http.generic(
                "POST",
                path,
                CONTENT_TYPE="multipart/form-data; boundary=x",
                CONTENT_LENGTH=str(megabytes * 1024 * 1024),
                **{"wsgi.input": Unread()},
            ).status_code
        )

    assert status("/api/v1/imports/csv", 22) == 413
    assert status("/api/v1/clients", 11) == 413
    response = api.http.post(
        "/api/v1/imports/csv", {"kind": "invoices", "file": SimpleUploadedFile("x.csv", b"x" * (15 * 1024 * 1024))}
    )
    assert response.status_code == 422
    assert "Séparateur introuvable" in response.json()["detail"][0]["msg"]


def test_openapi_documents_the_report_and_the_202(api: ApiClient) -> None:
    schema = api.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/imports/csv"]["post"]
    assert set(operation["responses"]) >= {"200", "202", "401", "422"}
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"file", "kind", "dry_run"} <= set(form["properties"])
    report = schema["components"]["schemas"]["CsvReport"]["properties"]
    assert {"created", "updated", "errors"} <= set(report)
    assert set(schema["components"]["schemas"]["CsvRowError"]["properties"]) == {"row", "column", "message"}
