import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice, pdf_bytes
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("ledger:invoice_create")


@pytest.fixture
def client_row(business: Business) -> Client:
    return make_client(business, name="Boulangerie Martin")


@pytest.fixture
def vat_business(business: Business) -> Business:
    business.vat_status = Business.VatStatus.VAT
    business.vat_number = "FR40123456824"
    business.save()
    return business


def valid(client_row: Client, /, **overrides: Any) -> dict[str, Any]:
    data = {
        "client": client_row.pk,
        "number": "F-2026-001",
        "issue_date": "2026-11-02",
        "due_date": "",
        "total_excl_tax": "1 234,56",
        "notes": "",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.patch(URL).status_code == 405


def test_form_offers_only_the_business_clients(
    owner_client: HttpClient, client_row: Client, other_business: Business
) -> None:
    make_client(other_business, name="Client d’un autre")
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert "Boulangerie Martin" in response.text
    assert "Client d’un autre" not in response.text
    assert 'type="date" name="issue_date"' in response.text
    assert 'value="2026-11-28"' in response.text


def test_client_can_be_preselected(owner_client: HttpClient, client_row: Client) -> None:
    response = owner_client.get(URL, {"client": client_row.pk})
    assert f'<option value="{client_row.pk}" selected>' in response.text


def test_franchise_business_has_no_vat_fields_and_says_why(owner_client: HttpClient, client_row: Client) -> None:
    response = owner_client.get(URL)
    assert 'name="vat_amount"' not in response.text
    assert "TVA non applicable, art. 293 B du CGI" in response.text


def test_default_due_date_and_its_rule_are_shown(owner_client: HttpClient, client_row: Client) -> None:
    response = owner_client.get(URL)
    assert (
        "l’échéance sera le <strong>28/12/2026</strong> (30 jours, selon vos conditions de paiement)" in response.text
    )
    assert f'hx-get="{reverse("ledger:due_date_hint")}"' in response.text


def test_creates_invoice_with_french_amount_and_computed_due_date(
    owner_client: HttpClient, business: Business, client_row: Client
) -> None:
    response = owner_client.post(URL, valid(client_row))
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pages:invoice_detail", args=[invoice.pk])
    assert invoice.business == business
    assert invoice.total_excl_tax == Decimal("1234.56")
    assert invoice.total_incl_tax == Decimal("1234.56")
    assert invoice.vat_amount == Decimal("0.00")
    assert invoice.amount_due == Decimal("1234.56")
    assert invoice.due_date == dt.date(2026, 12, 2)
    assert AuditEvent.objects.filter(invoice=invoice, action="created").exists()


def test_vat_business_gets_ttc_computed_from_ht_and_vat(
    owner_client: HttpClient, vat_business: Business, client_row: Client
) -> None:
    owner_client.post(URL, valid(client_row, total_excl_tax="1000.00", vat_amount="200,00", total_incl_tax=""))
    invoice = Invoice.objects.get()
    assert (invoice.vat_amount, invoice.total_incl_tax) == (Decimal("200.00"), Decimal("1200.00"))


def test_vat_business_gets_vat_deduced_from_ttc(
    owner_client: HttpClient, vat_business: Business, client_row: Client
) -> None:
    owner_client.post(URL, valid(client_row, total_excl_tax="1000", vat_amount="", total_incl_tax="1 200,00 €"))
    invoice = Invoice.objects.get()
    assert (invoice.vat_amount, invoice.total_incl_tax) == (Decimal("200.00"), Decimal("1200.00"))


def test_explicit_due_date_is_kept(owner_client: HttpClient, client_row: Client) -> None:
    owner_client.post(URL, valid(client_row, due_date="2026-11-15"))
    assert Invoice.objects.get().due_date == dt.date(2026, 11, 15)


def test_real_pdf_is_stored(owner_client: HttpClient, client_row: Client) -> None:
    upload = SimpleUploadedFile("facture.pdf", pdf_bytes(), content_type="application/pdf")
    owner_client.post(URL, {**valid(client_row), "pdf": upload})
    invoice = Invoice.objects.get()
    assert invoice.pdf.name.startswith("invoices/2026/") and invoice.pdf.name.endswith(".pdf")
    assert "facture" not in invoice.pdf.name
    with invoice.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"client": ""}, "client", "Choisissez le client facturé."),
        ({"number": ""}, "number", "Indiquez le numéro de la facture."),
        ({"issue_date": "28/13/2026"}, "issue_date", "Saisissez une date valide."),
        ({"total_excl_tax": "douze"}, "total_excl_tax", "Saisissez un montant, par exemple 1 234,56."),
        ({"total_excl_tax": "12,345"}, "total_excl_tax", "Saisissez au plus 2 chiffres après la virgule."),
        ({"total_excl_tax": "0"}, "total_excl_tax", "Le montant doit être supérieur à zéro."),
        ({"total_excl_tax": "-5"}, "total_excl_tax", "Le montant doit être supérieur à zéro."),
        ({"due_date": "2026-10-01"}, "due_date", "L’échéance ne peut pas précéder la date de facture."),
    ],
)
def test_invalid_input_is_422_with_french_message_and_nothing_written(
    owner_client: HttpClient, client_row: Client, data: dict[str, str], field: str, message: str
) -> None:
    response = owner_client.post(URL, valid(client_row, **data))
    assert response.status_code == 422
    assert message in response.context["form"].errors[field]
    assert not Invoice.objects.exists()


def test_client_of_another_business_is_refused(
    owner_client: HttpClient, client_row: Client, other_business: Business
) -> None:
    stranger = make_client(other_business)
    response = owner_client.post(URL, valid(client_row, client=stranger.pk))
    assert response.status_code == 422
    assert "Choisissez un client de votre liste." in response.context["form"].errors["client"]
    assert not Invoice.objects.exists()


def test_duplicate_number_is_refused(owner_client: HttpClient, business: Business, client_row: Client) -> None:
    make_invoice(business, client_row, number="F-2026-001")
    response = owner_client.post(URL, valid(client_row))
    assert response.status_code == 422
    assert "Une facture n° F-2026-001 existe déjà." in response.context["form"].errors["number"]
    assert Invoice.objects.count() == 1


def test_same_number_in_another_business_is_fine(
    owner_client: HttpClient, client_row: Client, other_business: Business
) -> None:
    make_invoice(other_business, number="F-2026-001")
    assert owner_client.post(URL, valid(client_row)).status_code == 302


def test_vat_total_mismatch_is_refused(owner_client: HttpClient, vat_business: Business, client_row: Client) -> None:
    response = owner_client.post(URL, valid(client_row, total_excl_tax="100", vat_amount="20", total_incl_tax="130"))
    assert response.status_code == 422
    assert "Le total TTC doit être égal au total HT plus la TVA." in response.context["form"].errors["total_incl_tax"]


def test_fake_pdf_is_refused(owner_client: HttpClient, client_row: Client) -> None:
    upload = SimpleUploadedFile("facture.pdf", b"GIF89a not a pdf at all", content_type="application/pdf")
    response = owner_client.post(URL, {**valid(client_row), "pdf": upload})
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == ["Ce fichier n’est pas un PDF."]
    assert not Invoice.objects.exists()


def test_damaged_pdf_is_refused(owner_client: HttpClient, client_row: Client) -> None:
    upload = SimpleUploadedFile("facture.pdf", b"%PDF-1.7\n garbage without objects", content_type="application/pdf")
    response = owner_client.post(URL, {**valid(client_row), "pdf": upload})
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == ["Ce PDF est illisible ou endommagé : exportez-le à nouveau."]


def test_oversized_pdf_is_refused(owner_client: HttpClient, client_row: Client) -> None:
    content = pdf_bytes() + b"%" + b"0" * (5 * 1024 * 1024)
    upload = SimpleUploadedFile("facture.pdf", content, content_type="application/pdf")
    response = owner_client.post(URL, {**valid(client_row), "pdf": upload})
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == ["Le fichier dépasse 5 Mo : envoyez un PDF plus léger."]
    assert not Invoice.objects.exists()
