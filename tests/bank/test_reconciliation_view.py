"""The reconciliation page: upload, proposals, confirmation, ignore; another business gets 404;
and the reminder's summary warns about an unconfirmed line that may pay its invoice."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bank import services
from bank.models import BankLine
from dunning.models import Reminder
from ledger.models import Payment
from tests.bank import statements
from tests.factories import make_client, make_invoice, make_reminder

pytestmark = pytest.mark.usefixtures("frozen_today")

DAY = dt.date(2026, 11, 12)


def upload(data: bytes, name: str = "releve.ofx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def invoices(business):
    acme = make_client(business, name="ACME SARL")
    return [
        make_invoice(business, acme, amount="1200.00", number="2024-031"),
        make_invoice(business, make_client(business, name="Garage Petit"), amount="80.00", number="2024-034"),
    ]


def test_upload_then_confirm_the_sure_matches(owner_client, business, invoices):
    data = statements.ofx_sgml(
        [(DAY, "1200.00", "VIR ACME FACT 2024-031"), (DAY, "80.00", "VIR GARAGE PETIT"), (DAY, "5.00", "INTERETS")]
    )
    response = owner_client.post("/banque/importer/", {"file": upload(data)}, follow=True)
    page = response.content.decode()
    assert "Relevé importé : 3 nouveaux virements reçus à rapprocher." in page
    assert "Confirmer les 2 rapprochements sûrs" in page
    assert "Sûre" in page and "Aucune facture trouvée" in page
    again = owner_client.post("/banque/importer/", {"file": upload(data)}, follow=True).content.decode()
    assert "Ce relevé a déjà été importé le 28/11/2026 : aucune nouvelle ligne." in again
    page = owner_client.post("/banque/confirmer-les-sures/", follow=True).content.decode()
    assert "2 virements rapprochés : les règlements sont enregistrés." in page
    assert Payment.objects.filter(invoice__in=invoices).count() == 2
    assert BankLine.objects.filter(status="open").count() == 1


def test_a_refused_file_is_said_at_the_field(owner_client, business):
    response = owner_client.post(
        "/banque/importer/", {"file": upload(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>")}
    )
    assert response.status_code == 422
    assert "il est refusé par sécurité" in response.content.decode()
    assert BankLine.objects.count() == 0


def test_choosing_invoices_and_amounts_on_a_line(owner_client, business, invoices):
    services.import_statement(business=business, actor=None, upload=statements.camt053([(DAY, "600.00", "VIREMENT")]))
    line = BankLine.objects.get()
    page = owner_client.post(
        f"/banque/lignes/{line.pk}/rapprocher/",
        {"other_invoice": str(invoices[0].pk), "other_amount": "600,00"},
        follow=True,
    ).content.decode()
    assert "Virement du 12/11/2026 rapproché : facture n° 2024-031." in page
    invoices[0].refresh_from_db()
    assert str(invoices[0].amount_due) == "600.00"
    page = owner_client.post(
        f"/banque/lignes/{line.pk}/rapprocher/", {"other_invoice": str(invoices[1].pk)}, follow=True
    )
    assert "déjà rapprochée" in page.content.decode()


def test_ignoring_a_line(owner_client, business, invoices):
    services.import_statement(business=business, actor=None, upload=statements.camt053([(DAY, "5.00", "INTERETS")]))
    line = BankLine.objects.get()
    page = owner_client.post(f"/banque/lignes/{line.pk}/ignorer/", follow=True).content.decode()
    assert "Ligne ignorée : elle ne sera plus proposée." in page
    line.refresh_from_db()
    assert line.status == "ignored"


def test_another_business_gets_404(outsider_client, business, invoices):
    services.import_statement(
        business=business, actor=None, upload=statements.camt053([(DAY, "80.00", "GARAGE PETIT")])
    )
    line = BankLine.objects.get()
    assert (
        outsider_client.post(
            f"/banque/lignes/{line.pk}/rapprocher/", {"other_invoice": str(invoices[1].pk)}
        ).status_code
        == 404
    )
    assert outsider_client.post(f"/banque/lignes/{line.pk}/ignorer/").status_code == 404
    # Their own page shows nothing of it, and their bulk confirmation touches nothing.
    assert "GARAGE PETIT" not in outsider_client.get("/banque/").content.decode()
    outsider_client.post("/banque/confirmer-les-sures/")
    line.refresh_from_db()
    assert line.status == "open"


def test_the_page_costs_the_same_queries_whatever_the_number_of_lines(owner_client, business, invoices):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get("/banque/").status_code == 200
        return len(queries)

    services.import_statement(
        business=business, actor=None, upload=statements.camt053([(DAY, "80.00", "GARAGE PETIT"), (DAY, "1.00", "X")])
    )
    services.ignore_line(line=BankLine.objects.get(text="X"), actor=None)
    services.match_line(
        line=BankLine.objects.get(text="GARAGE PETIT"), actor=None, allocations=[(invoices[1].pk, None)]
    )
    few = count_queries()
    rows = [(DAY, f"{10 + n}.00", f"VIR {n}", f"B{n}") for n in range(15)]
    services.import_statement(business=business, actor=None, upload=statements.camt053(rows))
    for n in range(3):
        make_invoice(business, amount=f"{20 + n}.00")
    line = BankLine.objects.filter(text="VIR 0").get()
    services.match_line(line=line, actor=None, allocations=[(invoices[0].pk, None)])
    assert count_queries() == few


def test_the_reminder_summary_warns_about_an_unconfirmed_matching_line(owner_client, business, owner, invoices):
    draft = make_reminder(business, owner, status=Reminder.Status.DRAFT, invoices=[invoices[0]])
    assert "pourrait régler" not in owner_client.get(f"/relances/{draft.pk}/").content.decode()
    services.import_statement(
        business=business, actor=None, upload=statements.camt053([(DAY, "1200.00", "VIR ACME FACT 2024-031")])
    )
    page = owner_client.get(f"/relances/{draft.pk}/").content.decode()
    assert (
        "Un virement du 12/11 de 1\u202f200,00\u202f€ « VIR ACME FACT 2024-031 » pourrait régler la facture n° 2024-031"
        in page
    )
    assert f'href="/banque/#ligne-{BankLine.objects.get().pk}"' in page
