import pytest
from django.core.files.base import ContentFile
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger.models import Invoice
from tests.factories import make_invoice, pdf_bytes
from tests.helpers import login_url


def url(pk: int) -> str:
    return reverse("ledger:invoice_pdf", args=[pk])


@pytest.fixture
def invoice(business: Business) -> Invoice:
    invoice = make_invoice(business, number="F 2026/001")
    invoice.pdf.save("original.pdf", ContentFile(pdf_bytes()))
    return invoice


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().get(url(invoice.pk))
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))


def test_outsider_gets_404(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.get(url(invoice.pk)).status_code == 404


def test_wrong_method_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.post(url(invoice.pk)).status_code == 405


def test_owner_downloads_the_original_pdf(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.get(url(invoice.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="facture-f-2026001.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_invoice_without_pdf_is_404(owner_client: HttpClient, business: Business) -> None:
    assert owner_client.get(url(make_invoice(business).pk)).status_code == 404
