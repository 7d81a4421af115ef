"""The full-account ZIP: account.json by its contract, the stored PDFs byte for byte, the CSV lists."""

import datetime as dt
import hashlib
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import AuditEvent
from exports.models import AccountExport
from exports.services import request_account_export
from exports.tasks import build_account_export
from ledger import services
from tests.exports.helpers import read_csv
from tests.factories import image_bytes, make_client, make_invoice, make_reminder, pdf_bytes

CLIENT_KEYS = {"id", "kind", "name", "contact_name", "email", "phone", "address_line1", "address_line2",
               "postal_code", "city", "country", "siren", "notes", "reminders_paused", "pause_reason", "pause_until"}  # fmt: skip
INVOICE_KEYS = {"id", "client_id", "number", "issue_date", "due_date", "total_excl_tax", "vat_amount",
                "total_incl_tax", "amount_due", "status", "pdf", "notes", "cancelled_at", "cancel_reason",
                "disputed", "dispute_reason", "reminders_paused_until"}  # fmt: skip


@pytest.fixture
def account(business, owner, frozen_today):
    business.logo.save("logo.png", ContentFile(image_bytes()), save=True)
    client = make_client(business, name="=Durand", siren="732829320")
    invoice = make_invoice(business, client, amount="1234.56", issue_date=dt.date(2026, 9, 1), number="F-1")
    invoice.pdf.save("facture.pdf", ContentFile(pdf_bytes(2)), save=True)
    services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 10, 3), amount=Decimal("200.00"),
                            reference="VIR 42")  # fmt: skip
    services.record_credit_note(invoice=invoice, actor=owner, number="AV-1", date=dt.date(2026, 10, 4), amount="34.56")
    reminder = make_reminder(business, owner, invoices=[invoice])
    services.update_client(client=client, actor=owner, reminders_paused=True, pause_reason="Travaux",
                           pause_until=dt.date(2026, 12, 31))  # fmt: skip
    return client, invoice, reminder


def build(business, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, created = request_account_export(business=business, actor=owner)
    assert created
    export.refresh_from_db()
    assert export.status == AccountExport.Status.DONE, export.error
    return export


def test_zip_holds_the_contract_json_the_pdfs_and_the_lists(
    business, owner, account, django_capture_on_commit_callbacks
):
    client, invoice, reminder = account
    export = build(business, owner, django_capture_on_commit_callbacks)
    with zipfile.ZipFile(export.zip_file.path) as zipped:
        names = set(zipped.namelist())
        data = json.loads(zipped.read("account.json"))
        files = {name: zipped.read(name) for name in names if not name.endswith((".json", ".csv"))}
        invoices_csv = read_csv(zipped.read("invoices.csv"))
        clients_csv = read_csv(zipped.read("clients.csv"))
        payments_csv = read_csv(zipped.read("payments.csv"))
    assert (data["format"], data["version"]) == ("relance-account", 1)
    assert dt.datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    assert data["business"]["legal_name"] == business.legal_name
    assert data["business"]["logo"] == "logo.png"
    assert files["logo.png"] == business.logo.read()

    [client_row] = data["clients"]
    assert client_row.keys() >= CLIENT_KEYS
    assert (client_row["id"], client_row["name"], client_row["pause_until"]) == (client.pk, "=Durand", "2026-12-31")

    [invoice_row] = data["invoices"]
    assert invoice_row.keys() >= INVOICE_KEYS
    assert invoice_row["client_id"] == client.pk
    assert (invoice_row["total_incl_tax"], invoice_row["amount_due"]) == ("1234.56", "1000.00")
    assert (invoice_row["issue_date"], invoice_row["status"]) == ("2026-09-01", "late")
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        assert files[invoice_row["pdf"]] == stored.read()

    assert data["payments"] == [
        {"id": data["payments"][0]["id"], "invoice_id": invoice.pk, "date": "2026-10-03", "amount": "200.00",
         "method": "transfer", "reference": "VIR 42", "created_at": data["payments"][0]["created_at"]}
    ]  # fmt: skip
    [note] = data["credit_notes"]
    assert (note["invoice_id"], note["number"], note["amount"], note["date"]) == (
        invoice.pk,
        "AV-1",
        "34.56",
        "2026-10-04",
    )

    [reminder_row] = data["reminders"]
    assert reminder_row["invoice_ids"] == [invoice.pk]
    assert reminder_row["pdf_sha256"] == reminder.pdf_sha256
    assert hashlib.sha256(files[reminder_row["pdf"]]).hexdigest() == reminder.pdf_sha256
    assert len(data["audit"]) == AuditEvent.objects.filter(business=business).count()
    assert {"action", "object_type", "object_id", "created_at", "actor", "changes"} <= data["audit"][0].keys()

    assert invoices_csv[1][0] == "F-1" and invoices_csv[1][8] == "1000,00"
    assert clients_csv[1][0] == "'=Durand"
    assert payments_csv == [
        ["N° facture", "Date du règlement", "Montant", "Moyen de paiement", "Référence"],
        ["F-1", "03/10/2026", "200,00", "Virement", "VIR 42"],
    ]
    assert export.progress_done == export.progress_total > 0


def test_a_second_run_of_the_task_does_nothing(business, owner, account, django_capture_on_commit_callbacks):
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert build_account_export.call(export.pk) == "skipped"


def test_asking_again_while_one_is_queued_gives_it_back(business, owner, account):
    first, created = request_account_export(business=business, actor=owner)
    again, created_again = request_account_export(business=business, actor=owner)
    assert created and not created_again and again.pk == first.pk


def test_missing_invoice_pdf_is_named_not_fatal(business, owner, account, django_capture_on_commit_callbacks):
    _client, invoice, _reminder = account
    invoice.refresh_from_db()
    invoice.pdf.storage.delete(invoice.pdf.name)
    export = build(business, owner, django_capture_on_commit_callbacks)
    with zipfile.ZipFile(export.zip_file.path) as zipped:
        [row] = json.loads(zipped.read("account.json"))["invoices"]
    assert (row["pdf"], row["pdf_missing"]) == (None, True)


def test_pages_request_follow_and_download(owner_client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/exports/compte/")
    export = AccountExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/compte/{export.pk}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Télécharger le ZIP" in page
    download = owner_client.get(f"/exports/compte/{export.pk}/telecharger/")
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert "Export complet du compte" in owner_client.get("/exports/").content.decode()


def test_outsider_gets_404_on_every_operation_of_anothers_export(
    owner_client, outsider_client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/exports/compte/")
    export = AccountExport.objects.get()
    for path in [f"/exports/compte/{export.pk}/", f"/exports/compte/{export.pk}/telecharger/"]:
        assert outsider_client.get(path).status_code == 404
    assert "compte/" + str(export.pk) not in outsider_client.get("/exports/").content.decode()


def test_an_export_whose_worker_died_is_taken_over(business, owner, account):
    export, _created = request_account_export(business=business, actor=owner)
    silent_since = timezone.now() - dt.timedelta(minutes=11)
    AccountExport.objects.filter(pk=export.pk).update(
        status=AccountExport.Status.RUNNING, claim_token="dead", heartbeat_at=silent_since
    )
    assert build_account_export.call(export.pk) == "done"
    export.refresh_from_db()
    assert export.status == AccountExport.Status.DONE and export.claim_token != "dead"


def test_a_running_export_still_reporting_is_left_alone(business, owner, account):
    export, _created = request_account_export(business=business, actor=owner)
    AccountExport.objects.filter(pk=export.pk).update(
        status=AccountExport.Status.RUNNING, claim_token="alive", heartbeat_at=timezone.now()
    )
    assert build_account_export.call(export.pk) == "skipped"
