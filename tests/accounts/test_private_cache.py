"""What a logged-in user sees is never stored by a browser or a shared cache."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import ApiToken, Business, User
from accounts.services import update_business
from dunning import services as dunning_services
from tests.factories import image_bytes, make_client, make_invoice, upload

PRIVATE = "private, no-store"


def test_a_page_of_a_logged_in_user_is_private_and_not_stored(owner_client: HttpClient) -> None:
    response = owner_client.get(reverse("pages:dashboard"))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_a_not_found_page_of_a_logged_in_user_is_not_stored_either(owner_client: HttpClient) -> None:
    response = owner_client.get("/factures/999999/")
    assert response.status_code == 404
    assert response["Cache-Control"] == PRIVATE


def test_a_letter_pdf_download_is_private_and_not_stored(
    owner_client: HttpClient, owner: User, business: Business, media_root: Path
) -> None:
    client = make_client(business, name="Boulangerie Durand")
    invoice = make_invoice(business, client, amount="1200.00", issue_date=dt.date(2026, 1, 5))
    reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    response = owner_client.get(reverse("dunning:reminder_pdf", args=[reminder.pk]), {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == PRIVATE
    assert "Boulangerie Durand" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_the_logo_is_private_and_not_stored(owner_client: HttpClient, business: Business, media_root: Path) -> None:
    update_business(business=business, actor=None, logo=upload("logo.png", image_bytes()))
    response = owner_client.get(reverse("accounts:logo"))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_an_api_answer_to_a_token_is_private_and_not_stored(owner: User) -> None:
    _token, key = ApiToken.generate(user=owner, name="Comptable")
    response = HttpClient(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/clients")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_pages_for_anonymous_visitors_are_left_alone() -> None:
    response = HttpClient().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "no-store" not in HttpClient().get("/api/v1/clients").get("Cache-Control", "")


def test_static_files_are_left_alone_for_a_logged_in_user(owner_client: HttpClient) -> None:
    response = owner_client.get("/static/css/relance.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_logging_in_answers_with_a_response_that_is_not_stored(owner: User) -> None:
    response = HttpClient().post(reverse("accounts:login"), {"email": owner.email, "password": "motdepasse-solide-42"})
    assert response.status_code == 302
    assert response["Cache-Control"] == PRIVATE
