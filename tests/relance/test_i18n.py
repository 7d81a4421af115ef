"""English as the second locale: French stays the source text, English comes from locale/en.

Pages follow the language cookie (the footer switch) or Accept-Language; documents for clients
and authorities (letters, client e-mails, the API's messages) stay French whatever the choice.
"""

import datetime as dt
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from accounts.models import ApiToken, Business, User
from dunning import services as dunning_services
from ledger.models import Client
from tests.factories import make_client, make_invoice

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# (url name, English strings, the French strings they replace)
PAGES = [
    (
        "pages:dashboard",
        ["Dashboard", "Late payments", "Reminder letters", "Outstanding"],
        ["Tableau de bord", "encours"],
    ),
    ("ledger:client_list", ["Clients", "New client", "Search"], ["Nouveau client", "Rechercher"]),
    (
        "ledger:invoice_create",
        ["New invoice", "Invoice number", "Create the invoice"],
        ["Nouvelle facture", "Numéro de facture"],
    ),
    (
        "pages:late_payments",
        ["Late payments", "Total outstanding", "Of which late"],
        ["Retards de paiement", "Encours total"],
    ),
    (
        "dunning:history",
        ["Reminder letters", "Export as PDF", "Show deactivated reminders"],
        ["Lettres de relance", "Exporter en PDF"],
    ),
    ("accounts:settings", ["Settings", "Business", "Bank details", "Save"], ["Paramètres", "Coordonnées bancaires"]),
]


@pytest.fixture
def late_invoice(business: Business) -> Any:
    client = make_client(business, name="Boulangerie Durand")
    return make_invoice(business, client, amount="1200.00", issue_date=dt.date(2026, 1, 5), number="F-2026-001")


def english(user: User, *, cookie: bool = True) -> HttpClient:
    http = HttpClient() if cookie else HttpClient(headers={"Accept-Language": "en-GB,en;q=0.9"})
    http.force_login(user)
    if cookie:
        http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


@pytest.mark.parametrize(("name", "english_texts", "french_texts"), PAGES)
def test_pages_speak_english_with_the_language_cookie(
    owner: User, late_invoice: Any, name: str, english_texts: list[str], french_texts: list[str]
) -> None:
    response = english(owner).get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="en"' in response.text
    for text in english_texts:
        assert text in response.text
    for text in french_texts:
        assert text not in response.text


@pytest.mark.parametrize(("name", "english_texts", "french_texts"), PAGES)
def test_pages_speak_english_with_an_english_browser(
    owner: User, late_invoice: Any, name: str, english_texts: list[str], french_texts: list[str]
) -> None:
    response = english(owner, cookie=False).get(reverse(name))
    assert response.status_code == 200
    assert english_texts[0] in response.text
    assert french_texts[0] not in response.text


@pytest.mark.parametrize(("name", "english_texts", "french_texts"), PAGES)
def test_pages_stay_french_by_default(
    owner_client: HttpClient, late_invoice: Any, name: str, english_texts: list[str], french_texts: list[str]
) -> None:
    response = owner_client.get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text
    for text in french_texts:
        assert text in response.text
    assert english_texts[-1] not in response.text


@pytest.mark.parametrize(("name", "english_texts", "french_texts"), PAGES)
def test_french_cookie_wins_over_an_english_browser(
    owner: User, late_invoice: Any, name: str, english_texts: list[str], french_texts: list[str]
) -> None:
    http = english(owner, cookie=False)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = http.get(reverse(name))
    assert french_texts[0] in response.text
    assert english_texts[-1] not in response.text


def test_dashboard_figures_and_plurals_in_english(owner: User, late_invoice: Any) -> None:
    response = english(owner).get(reverse("pages:dashboard"))
    assert "Unpaid invoices (outstanding)" in response.text
    assert "1 unpaid invoice" in response.text
    assert "(1 invoice, 1 client)" in response.text
    assert "1\u202f200,00\u202f€" in response.text


def test_client_form_without_a_name_says_so_in_english(owner: User) -> None:
    response = english(owner).post(reverse("ledger:client_create"), {"kind": "business", "name": ""})
    assert response.status_code == 422
    assert "Enter the client’s name." in response.text
    assert "Check the fields marked below." in response.text
    assert "Indiquez le nom du client." not in response.text
    assert not Client.objects.exists()


def test_client_form_without_a_name_says_so_in_french_by_default(owner_client: HttpClient) -> None:
    response = owner_client.post(reverse("ledger:client_create"), {"kind": "business", "name": ""})
    assert response.status_code == 422
    assert "Indiquez le nom du client." in response.text


def test_service_error_is_english_at_the_field(owner: User, late_invoice: Any) -> None:
    url = reverse("pages:payment_create", args=[late_invoice.pk])
    response = english(owner).post(
        url, {"payment-date": "2026-02-01", "payment-amount": "5000", "payment-method": "transfer"}
    )
    assert response.status_code == 422
    assert "The amount exceeds the amount due (1\u202f200,00\u202f€): an overpayment is refused." in response.text


def test_success_message_is_english(owner: User) -> None:
    response = english(owner).post(
        reverse("ledger:client_create"), {"kind": "business", "name": "Atelier Nord"}, follow=True
    )
    assert "Client “Atelier Nord” created." in response.text


def test_language_switch_sets_the_cookie_and_goes_back(owner_client: HttpClient) -> None:
    back = reverse("ledger:invoice_list") + "?status=late"
    response = owner_client.post(reverse("set_language"), {"language": "en", "next": back})
    assert response.status_code == 302
    assert response.url == back
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "New invoice" in owner_client.get(reverse("ledger:invoice_list")).text
    owner_client.post(reverse("set_language"), {"language": "fr", "next": back})
    assert "Nouvelle facture" in owner_client.get(reverse("ledger:invoice_list")).text


def test_language_switch_ignores_a_foreign_next_and_an_unknown_language(owner_client: HttpClient) -> None:
    response = owner_client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.test/"})
    assert response.status_code == 302
    assert "evil.test" not in response.url
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switch_is_in_every_footer_with_a_label(owner_client: HttpClient) -> None:
    for http, url in [(owner_client, reverse("pages:dashboard")), (HttpClient(), reverse("accounts:login"))]:
        text = http.get(url).text
        footer = text[text.index('<footer class="container app-footer">') :]
        assert f'action="{reverse("set_language")}"' in footer
        assert '<label for="language-select">Langue</label>' in footer
        assert '<option value="fr" lang="fr" selected>Français</option>' in footer
        assert '<option value="en" lang="en">English</option>' in footer


def test_login_page_in_english_for_an_english_browser(db: None) -> None:
    response = HttpClient(headers={"Accept-Language": "en"}).get(reverse("accounts:login"))
    assert "Forgot your password?" in response.text
    assert '<option value="en" lang="en" selected>English</option>' in response.text


def test_reminder_summary_is_english_around_a_french_letter(
    owner: User, business: Business, late_invoice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    draft = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    response = english(owner).get(reverse("dunning:reminder_detail", args=[draft.pk]))
    assert response.status_code == 200
    assert "Send by email" in response.text
    assert "Reminder preview" in response.text
    assert "Madame, Monsieur" in response.text


def test_api_messages_stay_french_for_an_english_client(owner: User, business: Business, late_invoice: Any) -> None:
    key = ApiToken.generate(user=owner, name="tests")[1]
    http = HttpClient(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})
    response = http.delete(f"/api/v1/clients/{late_invoice.client_id}")
    assert response.status_code == 409
    assert response.json() == {"detail": "Ce client a des factures : il ne peut pas être supprimé."}


def test_password_reset_email_follows_the_page_language(owner: User) -> None:
    http = HttpClient(headers={"Accept-Language": "en"})
    http.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Relance password"
    assert "The link is valid for 3 days and can be used only once." in mail.outbox[0].body


def test_every_catalogue_entry_has_an_english_translation_with_the_same_placeholders() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    entries = {key: value for key, value in catalogue.items() if key != ""}
    assert len(entries) > 900
    for key, english_text in entries.items():
        french = key[0] if isinstance(key, tuple) else key
        assert english_text, f"no translation for {key!r}"
        assert set(PLACEHOLDER.findall(english_text)) <= set(PLACEHOLDER.findall(french)) | {"%(counter)s"}, key


def test_french_source_text_is_never_replaced_in_french() -> None:
    """The msgids are the French text: in French each one must come back unchanged, whatever
    Django's own French catalogues contain."""
    with CATALOGUE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    singulars = [key for key in catalogue if isinstance(key, str) and key]
    with translation.override("fr"):
        changed = [msgid for msgid in singulars if translation.gettext(msgid) != msgid]
    assert changed == []


def test_every_plural_has_its_french_forms_where_zero_is_singular() -> None:
    """French takes the singular for 0 and 1 ("0 facture"); without a French entry, gettext
    would fall back to the English rule and write "0 factures"."""
    with CATALOGUE.open("rb") as handle:
        english_plurals = {key[0] for key in gettext.GNUTranslations(handle)._catalog if isinstance(key, tuple)}  # type: ignore[attr-defined]
    with (CATALOGUE.parent.parent.parent / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        french = gettext.GNUTranslations(handle)
    french_plurals = {key[0] for key in french._catalog if isinstance(key, tuple)}  # type: ignore[attr-defined]
    assert english_plurals
    assert english_plurals <= french_plurals
    for msgid in french_plurals:
        forms = [french._catalog[(msgid, index)] for index in (0, 1)]  # type: ignore[attr-defined]
        assert forms[0] == msgid
        assert french.ngettext(msgid, forms[1], 0) == french.ngettext(msgid, forms[1], 1) == msgid
        assert french.ngettext(msgid, forms[1], 2) == forms[1] != msgid


def test_reminder_editor_is_english_about_levels_and_unknown_rates(
    owner: User, business: Business, late_invoice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    draft = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], level=2)
    response = english(owner).get(reverse("dunning:reminder_edit", args=[draft.pk]))
    assert "(suggested)" in response.text
    assert "Change the level" in response.text
    assert "Late-payment interest without a figure." in response.text
    assert "Relance does not know the ECB rate for the" in response.text
