"""The "Décompte des pénalités de retard" PDF, per invoice and per client."""

import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from ledger import services
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice

PARIS = ZoneInfo("Europe/Paris")


def travel(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def known_rates_day() -> Iterator[dt.date]:
    with travel(dt.date(2026, 3, 15)):
        yield dt.date(2026, 3, 15)


@pytest.fixture
def professional(business: Business) -> Client:
    return make_client(business, name="Boulangerie Durand")


@pytest.fixture
def invoice(business: Business, professional: Client) -> Invoice:
    return make_invoice(
        business,
        professional,
        number="F-2025-120",
        amount="1000.00",
        issue_date=dt.date(2025, 12, 16),
        due_date=dt.date(2026, 1, 15),
    )


def invoice_url(invoice: Invoice) -> str:
    return reverse("statements:statement_invoice", args=[invoice.pk])


def client_url(client: Client) -> str:
    return reverse("statements:statement_client", args=[client.pk])


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    return re.sub(r"[ \t\u202f\u00a0]+", " ", text)


def test_urls_sit_under_the_invoice_and_the_client() -> None:
    assert reverse("statements:statement_invoice", args=[7]) == "/factures/7/decompte.pdf"
    assert reverse("statements:statement_client", args=[7]) == "/clients/7/decompte.pdf"


def test_owner_downloads_the_invoice_statement_with_the_figures_of_the_law(
    owner_client: HttpClient, invoice: Invoice, known_rates_day: dt.date
) -> None:
    response = owner_client.get(invoice_url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="decompte-penalites-f-2025-120-2026-03-15.pdf"'
    text = pdf_text(response.content)
    assert "Décompte des pénalités de retard" in text
    assert "arrêté au 15 mars 2026" in text
    assert "Facture n° F-2025-120 du 16/12/2025" in text
    assert "du 16/01/2026 au 15/03/2026 59 1 000,00 € 12,15 % 19,64 €" in text
    assert "Indemnité forfaitaire : 40,00 €" in text
    assert "Total des pénalités 59,64 €" in text
    assert "Total dû 1 059,64 €" in text
    assert "L441-10" in text and "D441-5" in text


def test_the_statement_never_changes_the_invoice(
    owner_client: HttpClient, invoice: Invoice, known_rates_day: dt.date
) -> None:
    before = Invoice.objects.filter(pk=invoice.pk).values().get()
    assert owner_client.get(invoice_url(invoice)).status_code == 200
    assert Invoice.objects.filter(pk=invoice.pk).values().get() == before


def test_client_statement_lists_every_late_invoice_of_that_client_only(
    owner_client: HttpClient,
    owner: User,
    business: Business,
    professional: Client,
    invoice: Invoice,
    known_rates_day: dt.date,
) -> None:
    second = make_invoice(business, professional, number="F-2026-007", amount="300.00", issue_date=dt.date(2026, 1, 10))
    not_due = make_invoice(business, professional, number="F-2026-030", issue_date=dt.date(2026, 3, 1))
    paid = make_invoice(business, professional, number="F-2025-099", issue_date=dt.date(2025, 11, 1))
    services.record_payment(invoice=paid, actor=owner, date=dt.date(2025, 12, 1), amount=Decimal("1000.00"))
    other = make_invoice(business, make_client(business), number="F-AUTRE", issue_date=dt.date(2025, 12, 1))
    response = owner_client.get(client_url(professional))
    assert response.status_code == 200
    assert "decompte-penalites-boulangerie-durand-2026-03-15.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "F-2025-120" in text and second.number in text
    for absent in (not_due, paid, other):
        assert absent.number not in text
    # Two invoices: two indemnities.
    assert "Indemnités forfaitaires 80,00 €" in text


def test_consumer_statement_has_no_indemnity(
    owner_client: HttpClient, business: Business, known_rates_day: dt.date
) -> None:
    consumer = make_client(business, kind=Client.Kind.CONSUMER, name="Sophie Lambert")
    make_invoice(business, consumer, number="F-P-1", issue_date=dt.date(2025, 12, 16), due_date=dt.date(2026, 1, 15))
    response = owner_client.get(client_url(consumer))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Indemnité" not in text
    assert "Aucune indemnité forfaitaire pour frais de recouvrement n’est due par un consommateur" in text


def test_missing_rate_gives_a_page_naming_the_half_year_not_a_pdf(
    owner_client: HttpClient, business: Business, professional: Client
) -> None:
    late = make_invoice(business, professional, number="F-2026-100", issue_date=dt.date(2026, 9, 1))
    with travel(dt.date(2026, 11, 28)):
        for url in (invoice_url(late), client_url(professional)):
            response = owner_client.get(url)
            assert response.status_code == 409
            assert response["Content-Type"].startswith("text/html")
            assert "Le taux BCE du second semestre 2026 n’est pas connu" in response.text
            assert reverse("rates:rates") + "#ajouter" in response.text


def test_nothing_late_gives_a_clear_409(
    owner_client: HttpClient, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    not_due = make_invoice(business, professional, number="F-2026-040", issue_date=dt.date(2026, 3, 10))
    response = owner_client.get(invoice_url(not_due))
    assert response.status_code == 409
    assert "La facture n° F-2026-040 n’est pas en retard" in response.text
    response = owner_client.get(client_url(professional))
    assert response.status_code == 409
    assert "Boulangerie Durand n’a aucune facture en retard" in response.text


def test_outsider_gets_404(
    outsider_client: HttpClient, invoice: Invoice, professional: Client, known_rates_day: dt.date
) -> None:
    assert outsider_client.get(invoice_url(invoice)).status_code == 404
    assert outsider_client.get(client_url(professional)).status_code == 404


def test_anonymous_is_sent_to_login(invoice: Invoice, professional: Client) -> None:
    for url in (invoice_url(invoice), client_url(professional)):
        response = HttpClient().get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_wrong_method_is_405(owner_client: HttpClient, invoice: Invoice, professional: Client) -> None:
    assert owner_client.post(invoice_url(invoice)).status_code == 405
    assert owner_client.post(client_url(professional)).status_code == 405


def test_client_page_offers_the_statement_only_with_late_invoices(
    owner_client: HttpClient, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    page = reverse("pages:client_detail", args=[professional.pk])
    assert client_url(professional) not in owner_client.get(page).text
    make_invoice(business, professional, issue_date=dt.date(2026, 1, 1))
    assert client_url(professional) in owner_client.get(page).text
