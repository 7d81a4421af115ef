from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from core.models import AuditEvent
from tests.factories import image_bytes, upload

URL = reverse("accounts:settings")
VALID: dict[str, Any] = {
    "legal_name": "Camille Martin",
    "trade_name": "Atelier Lumière",
    "ei_mention": "on",
    "siret": "732 829 320 00074",
    "activity": "services",
    "address_line1": "12 rue des Lilas",
    "postal_code": "69003",
    "city": "Lyon",
    "country": "France",
    "email": "contact@atelier.test",
    "website": "atelier-lumiere.fr",
    "iban": "fr76 3000 6000 0112 3456 7890 189",
    "bic": "bnpafrpp",
    "vat_status": "franchise",
}


def test_settings_page_shows_the_business_and_the_sections(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "settings"
    assert response.context["form"].instance == business
    for section in ["accounts:settings_terms", "accounts:settings_email", "accounts:tokens", "accounts:account"]:
        assert reverse(section) in response.text
    assert reverse("dunning:templates") in response.text
    assert 'aria-current="page">Entreprise<' in response.text


def test_saving_normalises_siret_iban_bic_and_records_the_change(
    owner: User, owner_client: HttpClient, business: Business
) -> None:
    response = owner_client.post(URL, VALID, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Vos paramètres sont enregistrés." in response.text
    business.refresh_from_db()
    assert business.siret == "73282932000074"
    assert business.iban == "FR7630006000011234567890189"
    assert business.bic == "BNPAFRPP"
    assert business.trade_name == "Atelier Lumière"
    assert business.website == "https://atelier-lumiere.fr"
    event = AuditEvent.objects.get(business=business, action="settings_updated")
    assert event.actor == owner
    assert event.changes["iban"] == ["", "FR7630006000011234567890189"]
    assert "legal_name" in event.changes


def test_saving_unchanged_settings_records_nothing(owner_client: HttpClient, business: Business) -> None:
    owner_client.post(URL, VALID)
    owner_client.post(URL, VALID)
    assert AuditEvent.objects.filter(business=business, action="settings_updated").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "732 829 320 00075", "Ce SIRET n’est pas valide (clé de contrôle incorrecte)."),
        ("siret", "12345", "Saisissez un SIREN (9 chiffres) ou un SIRET (14 chiffres)."),
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "Cet IBAN n’est pas valide (clé de contrôle incorrecte)."),
        ("iban", "3000 6000", "L’IBAN doit commencer par le code pays et deux chiffres"),
        ("bic", "BNP", "Le BIC comporte 8 ou 11 caractères, par exemple BNPAFRPPXXX."),
        ("email", "contact@", "Saisissez une adresse e-mail valide."),
        ("legal_name", "", "Ce champ est obligatoire."),
    ],
)
def test_invalid_identity_is_refused_at_the_field_and_nothing_saved(
    owner_client: HttpClient, business: Business, field: str, value: str, message: str
) -> None:
    before = Business.objects.filter(pk=business.pk).values().get()
    response = owner_client.post(URL, {**VALID, field: value})
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field])
    assert 'aria-invalid="true"' in response.text
    assert Business.objects.filter(pk=business.pk).values().get() == before
    assert not AuditEvent.objects.filter(business=business).exists()


def test_vat_status_needs_a_valid_vat_number(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "vat_status": "vat", "vat_number": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["vat_number"] == [
        "Indiquez votre numéro de TVA intracommunautaire (assujetti à la TVA)."
    ]
    response = owner_client.post(URL, {**VALID, "vat_status": "vat", "vat_number": "FR 00 732829320"})
    assert response.context["form"].errors["vat_number"] == [
        "Ce numéro de TVA n’est pas valide (clé de contrôle incorrecte)."
    ]
    response = owner_client.post(URL, {**VALID, "vat_status": "vat", "vat_number": "FR40 303 265 045"})
    assert response.context["form"].errors["vat_number"] == ["Ce numéro de TVA ne correspond pas à votre SIREN."]
    business.refresh_from_db()
    assert business.vat_status == "franchise"


def test_vat_errors_show_together_with_other_field_errors(owner_client: HttpClient) -> None:
    response = owner_client.post(URL, {**VALID, "vat_status": "vat", "vat_number": "", "iban": "FR00"})
    errors = response.context["form"].errors
    assert "vat_number" in errors and "iban" in errors


def test_vat_number_is_saved_normalised_and_cleared_with_the_franchise(
    owner_client: HttpClient, business: Business
) -> None:
    response = owner_client.post(URL, {**VALID, "vat_status": "vat", "vat_number": "fr44 732 829 320"})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.vat_number == "FR44732829320"
    assert business.vat_mention == "N° TVA intracommunautaire : FR44732829320"
    owner_client.post(URL, {**VALID, "vat_status": "franchise", "vat_number": "FR44732829320"})
    business.refresh_from_db()
    assert business.vat_number == ""
    assert business.vat_mention == "TVA non applicable, art. 293 B du CGI"


def test_logo_png_is_stored_under_our_own_name_and_served(
    owner_client: HttpClient, business: Business, media_root: Path
) -> None:
    response = owner_client.post(URL, {**VALID, "logo": upload("../../mon logo.png", image_bytes("PNG"))})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.logo.name.startswith("logos/logo-") and business.logo.name.endswith(".png")
    assert (media_root / business.logo.name).is_file()
    served = owner_client.get(reverse("accounts:logo"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == image_bytes("PNG")  # type: ignore[attr-defined]
    assert reverse("accounts:logo") in owner_client.get(URL).text


def test_logo_jpeg_is_accepted_and_replaces_the_old_file(
    owner_client: HttpClient, business: Business, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    owner_client.post(URL, {**VALID, "logo": upload("a.png", image_bytes("PNG"))})
    business.refresh_from_db()
    old = media_root / business.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, {**VALID, "logo": upload("b.jpg", image_bytes("JPEG"), "image/jpeg")})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.logo.name.endswith(".jpg")
    assert not old.exists()


def test_logo_can_be_removed(
    owner_client: HttpClient, business: Business, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    owner_client.post(URL, {**VALID, "logo": upload("a.png", image_bytes("PNG"))})
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {**VALID, "remove_logo": "on"})
    business.refresh_from_db()
    assert not business.logo
    assert not any(media_root.rglob("*.png"))
    assert owner_client.get(reverse("accounts:logo")).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "faux.png",
            b"\x89PNG\r\n\x1a\n ceci n'est pas une image",
            "Ce fichier n’est pas une image PNG ou JPEG lisible.",
        ),
        ("texte.png", b"bonjour", "Ce fichier n’est pas une image PNG ou JPEG lisible."),
        ("anime.gif", image_bytes("GIF"), "Le logo doit être une image PNG ou JPEG."),
        ("enorme.png", image_bytes("PNG") + b"\0" * (1024 * 1024), "Le logo ne doit pas dépasser 1 Mo."),
    ],
)
def test_bad_logo_is_refused_and_nothing_saved(
    owner_client: HttpClient, business: Business, media_root: Path, name: str, content: bytes, message: str
) -> None:
    response = owner_client.post(URL, {**VALID, "logo": upload(name, content)})
    assert response.status_code == 422
    assert response.context["form"].errors["logo"] == [message]
    business.refresh_from_db()
    assert not business.logo
    assert business.siret == "73282932000074"
    assert not any(media_root.rglob("*.*"))


def test_settings_need_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = HttpClient().post(URL, VALID)
    assert response.status_code == 302


def test_settings_refuse_delete(owner_client: HttpClient) -> None:
    assert owner_client.delete(URL).status_code == 405
    assert owner_client.post(reverse("accounts:logo")).status_code == 405


def test_an_outsider_changes_only_their_own_business(
    outsider_client: HttpClient, business: Business, other_business: Business
) -> None:
    outsider_client.post(URL, {**VALID, "legal_name": "Concurrent modifié"})
    business.refresh_from_db()
    other_business.refresh_from_db()
    assert business.legal_name != "Concurrent modifié"
    assert other_business.legal_name == "Concurrent modifié"


def test_a_user_without_business_gets_404(staff: User) -> None:
    http = HttpClient()
    http.force_login(staff)
    assert http.get(URL).status_code == 404
    assert http.get(reverse("accounts:logo")).status_code == 404


def test_the_letterhead_preview_shows_the_saved_identity(owner_client: HttpClient) -> None:
    owner_client.post(URL, VALID)
    response = owner_client.get(URL)
    assert "Atelier Lumière EI" in response.text
    assert "SIRET 732 829 320 00074" in response.text
    assert "TVA non applicable, art. 293 B du CGI" in response.text


def test_settings_page_query_count(owner_client: HttpClient, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        assert owner_client.get(URL).status_code == 200
