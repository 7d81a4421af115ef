import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from dunning.models import Reminder
from ledger import services
from ledger.models import Invoice
from tests.factories import make_invoice, make_reminder_row, pdf_bytes
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("ledger:invoice_edit", args=[pk])


def data_of(invoice: Invoice, **overrides: Any) -> dict[str, Any]:
    data = {
        "client": invoice.client_id,
        "number": invoice.number,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "total_excl_tax": str(invoice.total_excl_tax),
        "notes": "",
    }
    return {**data, **overrides}


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, number="F-1", amount="500.00", issue_date=dt.date(2026, 10, 1))


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().get(url(invoice.pk))
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))


def test_outsider_gets_404_and_changes_nothing(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.get(url(invoice.pk)).status_code == 404
    assert outsider_client.post(url(invoice.pk), data_of(invoice, number="X")).status_code == 404
    invoice.refresh_from_db()
    assert invoice.number == "F-1"


def test_wrong_method_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.delete(url(invoice.pk)).status_code == 405


def test_form_is_prefilled_with_french_amounts(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.get(url(invoice.pk))
    assert 'value="500,00"' in response.text
    assert 'value="2026-10-01"' in response.text


def test_update_changes_amount_due_and_is_logged(owner_client: HttpClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount=Decimal("100.00"))
    response = owner_client.post(url(invoice.pk), data_of(invoice, total_excl_tax="600,00", due_date="2026-11-15"))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.total_incl_tax, invoice.amount_due) == (Decimal("600.00"), Decimal("500.00"))
    event = AuditEvent.objects.get(invoice=invoice, action="updated")
    assert event.changes["due_date"] == ["2026-10-31", "2026-11-15"]
    history = owner_client.get(reverse("pages:invoice_detail", args=[invoice.pk])).text
    assert "Échéance : 31/10/2026 → 15/11/2026" in history


def test_total_below_what_was_paid_is_refused_without_writing(owner_client: HttpClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount=Decimal("400.00"))
    response = owner_client.post(url(invoice.pk), data_of(invoice, total_excl_tax="300"))
    assert response.status_code == 422
    assert (
        "Le total TTC ne peut pas être inférieur aux règlements et avoirs déjà enregistrés."
        in response.context["form"].errors["total_excl_tax"]
    )
    assert response.context["invoice"].total_incl_tax == Decimal("500.00")
    invoice.refresh_from_db()
    assert (invoice.total_incl_tax, invoice.amount_due) == (Decimal("500.00"), Decimal("100.00"))


def test_duplicate_number_is_refused(owner_client: HttpClient, business: Business, invoice: Invoice) -> None:
    make_invoice(business, number="F-2")
    response = owner_client.post(url(invoice.pk), data_of(invoice, number="F-2"))
    assert response.status_code == 422
    assert "Une facture n° F-2 existe déjà." in response.context["form"].errors["number"]
    invoice.refresh_from_db()
    assert invoice.number == "F-1"


def test_invoice_quoted_by_a_sent_reminder_is_locked(owner_client: HttpClient, invoice: Invoice) -> None:
    make_reminder_row(invoice)
    page = owner_client.get(url(invoice.pk))
    assert page.status_code == 200
    assert "Une relance enregistrée ou envoyée cite cette facture" in page.text
    assert "enregistrer un règlement, ajouter un avoir ou annuler la facture" in page.text
    assert 'name="number"' not in page.text
    response = owner_client.post(url(invoice.pk), data_of(invoice, number="F-NEW"))
    assert response.status_code == 409
    invoice.refresh_from_db()
    assert invoice.number == "F-1"


def test_draft_reminder_does_not_lock(owner_client: HttpClient, invoice: Invoice) -> None:
    make_reminder_row(invoice, status=Reminder.Status.DRAFT)
    assert owner_client.post(url(invoice.pk), data_of(invoice, number="F-NEW")).status_code == 302


def test_cancelled_invoice_cannot_be_edited(owner_client: HttpClient, invoice: Invoice) -> None:
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")
    response = owner_client.post(url(invoice.pk), data_of(invoice, number="F-NEW"))
    assert response.status_code == 409
    assert "Cette facture est annulée" in response.text


def test_pdf_can_be_replaced_and_removed(owner_client: HttpClient, invoice: Invoice) -> None:
    upload = SimpleUploadedFile("f.pdf", pdf_bytes(), content_type="application/pdf")
    owner_client.post(url(invoice.pk), {**data_of(invoice), "pdf": upload})
    invoice.refresh_from_db()
    assert invoice.pdf
    page = owner_client.get(url(invoice.pk))
    assert "Retirer le PDF actuel" in page.text
    owner_client.post(url(invoice.pk), {**data_of(invoice), "remove_pdf": "on"})
    invoice.refresh_from_db()
    assert not invoice.pdf


def test_fake_pdf_is_refused_on_edit(owner_client: HttpClient, invoice: Invoice) -> None:
    upload = SimpleUploadedFile("f.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = owner_client.post(url(invoice.pk), {**data_of(invoice, number="F-NEW"), "pdf": upload})
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == ["Ce fichier n’est pas un PDF."]
    invoice.refresh_from_db()
    assert invoice.number == "F-1" and not invoice.pdf
