"""The "Importer" pages: upload, mapping, dry run, commit, background progress, tenancy."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from accounts.models import Business, User
from imports.csv_services import receive_csv
from imports.csv_task import progress_path, run_csv_import
from imports.models import CsvImport
from ledger.models import Invoice

pytestmark = pytest.mark.usefixtures("media_root", "frozen_today")

TEXT = (
    "Numéro,Client,Date de facture,Date d'échéance,Total TTC\n"
    'F-1,Atelier Dupont,01/09/2026,01/10/2026,"1 200,00"\n'
    'F-2,Atelier Dupont,15/09/2026,15/10/2026,"600,00"\n'
)


def upload(http: HttpClient, text: str = TEXT, kind: str = "invoices") -> Any:
    return http.post("/importer/", {"kind": kind, "file": SimpleUploadedFile("ventes.csv", text.encode(), "text/csv")})


def mapping_of(csv_import: CsvImport) -> dict[str, str]:
    return {key: str(column) for key, column in csv_import.mapping.items()}


def test_the_importer_is_reachable_from_the_lists_and_the_settings(owner_client: HttpClient) -> None:
    for path in ("/clients/", "/factures/", "/compte/parametres/"):
        assert 'href="/importer/' in owner_client.get(path).content.decode()
    page = owner_client.get("/importer/?contenu=payments").content.decode()
    assert re.search(r'value="payments"[^>]*checked', page)


def test_upload_then_mapping_then_dry_run_then_commit(owner_client: HttpClient, business: Business) -> None:
    response = upload(owner_client)
    csv_import = CsvImport.objects.get(business=business)
    assert response.status_code == 302 and response["Location"] == f"/importer/csv/{csv_import.pk}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Correspondance des colonnes" in page and "Virgule" in page.title() or "virgule" in page
    # The recognised columns are selected.
    assert re.search(r'name="number"[^>]*>.*?<option value="0" selected>Numéro</option>', page, re.S)
    assert re.search(r'name="total_incl_tax"[^>]*>.*?<option value="4" selected>Total TTC</option>', page, re.S)

    response = owner_client.post(f"/importer/csv/{csv_import.pk}/verifier/", mapping_of(csv_import))
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "Essai réussi" in page and "Importer les 2 lignes" in page
    assert not Invoice.objects.exists()

    response = owner_client.post(f"/importer/csv/{csv_import.pk}/importer/")
    page = owner_client.get(response["Location"]).content.decode()
    assert "Import terminé" in page and "Résultat de l’import" in page
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["F-1", "F-2"]
    # Committed once: a second POST imports nothing more and says why.
    response = owner_client.post(f"/importer/csv/{csv_import.pk}/importer/", follow=True)
    assert "Vérifiez d’abord le fichier" in response.content.decode()


def test_a_bad_row_is_shown_with_its_line_column_and_message(owner_client: HttpClient, business: Business) -> None:
    upload(owner_client, TEXT.replace("15/09/2026", "15/13/2026"))
    csv_import = CsvImport.objects.get(business=business)
    response = owner_client.post(f"/importer/csv/{csv_import.pk}/verifier/", mapping_of(csv_import), follow=True)
    page = response.content.decode()
    assert "Essai : le fichier contient des erreurs" in page
    assert re.search(r">3</td>\s*<td[^>]*>Date de facture</td>\s*<td[^>]*>Date inexistante : 15/13/2026.</td>", page)
    assert f"/importer/csv/{csv_import.pk}/importer/" not in page
    response = owner_client.post(f"/importer/csv/{csv_import.pk}/importer/", follow=True)
    assert not Invoice.objects.exists()


def test_correcting_the_mapping_and_missing_columns(owner_client: HttpClient, business: Business) -> None:
    upload(owner_client)
    csv_import = CsvImport.objects.get(business=business)
    mapping = mapping_of(csv_import) | {"client": ""}
    response = owner_client.post(f"/importer/csv/{csv_import.pk}/verifier/", mapping)
    assert response.status_code == 422
    assert "Associez une colonne du fichier à : Client." in response.content.decode()
    # The due date read from another column, on the user's word: now the issue date.
    mapping = mapping_of(csv_import) | {"due_date": "2"}
    owner_client.post(f"/importer/csv/{csv_import.pk}/verifier/", mapping)
    csv_import.refresh_from_db()
    assert csv_import.mapping["due_date"] == 2 and csv_import.error_count == 0


def test_unreadable_or_oversized_uploads_are_refused_at_the_field(owner_client: HttpClient) -> None:
    response = upload(owner_client, "une seule colonne\nvaleur\n")
    assert response.status_code == 422
    assert "Séparateur introuvable" in response.content.decode()
    response = owner_client.post("/importer/", {"kind": "invoices"})
    assert "Choisissez un fichier CSV." in response.content.decode()
    assert not CsvImport.objects.exists()


class UnreadableBody:
    def read(self, *args: Any) -> bytes:
        raise AssertionError("the request body was read")

    readline = read


def refused_unread(http: HttpClient, path: str, megabytes: int) -> int:
    response = http.generic(
        "POST",
        path,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(megabytes * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    return int(response.status_code)


def test_the_upload_takes_20_mb_where_other_pages_stop_at_6(owner_client: HttpClient) -> None:
    assert refused_unread(owner_client, "/importer/", 22) == 413
    assert refused_unread(owner_client, "/clients/nouveau/", 7) == 413
    assert refused_unread(owner_client, "/importer/csv/1/verifier/", 7) == 413
    # A 20 Mo file is read (and refused here for its content, not its size); one byte more is too big.
    data = b"x" * (20 * 1024 * 1024)
    response = owner_client.post("/importer/", {"kind": "invoices", "file": SimpleUploadedFile("gros.csv", data)})
    assert response.status_code == 422
    assert "Séparateur introuvable" in response.content.decode()
    response = owner_client.post(
        "/importer/", {"kind": "invoices", "file": SimpleUploadedFile("gros.csv", data + b"x")}
    )
    assert "Ce fichier dépasse 20 Mo" in response.content.decode()


def test_a_large_file_runs_in_the_background_with_a_progress_bar(
    owner_client: HttpClient, business: Business, owner: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IMPORT_CSV_SYNC_MAX_ROWS = 1
    upload(owner_client)
    csv_import = CsvImport.objects.get(business=business)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        owner_client.post(f"/importer/csv/{csv_import.pk}/verifier/", mapping_of(csv_import))
    assert len(callbacks) == 1
    csv_import.refresh_from_db()
    assert csv_import.status == CsvImport.Status.QUEUED
    page = owner_client.get(f"/importer/csv/{csv_import.pk}/progression/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in page.content.decode() and "attend son tour" in page.content.decode()

    # As the worker reports while the transaction is open: one row of two done.
    CsvImport.objects.filter(pk=csv_import.pk).update(status=CsvImport.Status.RUNNING)
    progress_path(csv_import).write_text("1 2\n")
    page = owner_client.get(f"/importer/csv/{csv_import.pk}/progression/", headers={"HX-Request": "true"})
    assert '<progress value="1" max="2"' in page.content.decode()
    assert "<strong>1</strong> ligne traitée sur 2." in page.content.decode()
    assert "HX-Refresh" not in page.headers
    CsvImport.objects.filter(pk=csv_import.pk).update(status=CsvImport.Status.QUEUED)

    callbacks[0]()  # the worker runs the task
    assert run_csv_import.call(csv_import.pk) == "skipped"  # a second run of the same id does nothing
    page = owner_client.get(f"/importer/csv/{csv_import.pk}/progression/", headers={"HX-Request": "true"})
    assert page.headers["HX-Refresh"] == "true"
    assert "Essai réussi" in owner_client.get(f"/importer/csv/{csv_import.pk}/").content.decode()
    assert not progress_path(csv_import).exists()

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/importer/csv/{csv_import.pk}/importer/")
    csv_import.refresh_from_db()
    assert csv_import.committed_at is not None and Invoice.objects.count() == 2


def test_a_run_whose_worker_died_is_taken_over(business: Business, owner: User) -> None:
    import datetime as dt

    from django.utils import timezone

    upload_file = SimpleUploadedFile("v.csv", TEXT.encode())
    csv_import = receive_csv(business=business, actor=owner, kind="invoices", upload=upload_file)
    CsvImport.objects.filter(pk=csv_import.pk).update(
        status=CsvImport.Status.RUNNING, dry_run=False, heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert run_csv_import.call(csv_import.pk) == "skipped"
    CsvImport.objects.filter(pk=csv_import.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=11))
    assert run_csv_import.call(csv_import.pk) == "done"
    csv_import.refresh_from_db()
    assert csv_import.committed_at is not None and Invoice.objects.count() == 2


def test_another_business_gets_404_everywhere(
    owner_client: HttpClient, outsider_client: HttpClient, business: Business, media_root: Path
) -> None:
    upload(owner_client)
    csv_import = CsvImport.objects.get(business=business)
    pk = csv_import.pk
    assert outsider_client.get(f"/importer/csv/{pk}/").status_code == 404
    assert outsider_client.get(f"/importer/csv/{pk}/progression/").status_code == 404
    assert outsider_client.post(f"/importer/csv/{pk}/verifier/", mapping_of(csv_import)).status_code == 404
    assert outsider_client.post(f"/importer/csv/{pk}/importer/").status_code == 404
    assert "ventes.csv" not in outsider_client.get("/importer/").content.decode()
    csv_import.refresh_from_db()
    assert csv_import.status == CsvImport.Status.MAPPING


def test_anonymous_visitors_are_sent_to_login(anonymous_client: HttpClient) -> None:
    assert anonymous_client.get("/importer/").status_code == 302
