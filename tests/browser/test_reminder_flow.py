"""The reminder flow in Chromium: from the dashboard to a saved letter and to a sent e-mail."""

import datetime as dt
import email
import hashlib
import io
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pdfplumber
import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from accounts.models import User
from dunning.models import Reminder
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice

# Issued 45 days ago with 30 days to pay: 15 days late, in the "1 à 30 jours" bucket.
ISSUED_DAYS_AGO = 45
BUCKET = "1 à 30 jours"
SENTENCE = "Nous pouvons convenir d’un échéancier si cela vous aide."


@pytest.fixture
def confirmations(signed_in_page: Page) -> list[str]:
    """Accepts every confirm dialog (relance.js's data-confirm) and keeps its question."""
    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    signed_in_page.on("dialog", accept)
    return questions


def late_invoice(user: User, *, client_name: str, client_email: str, number: str) -> Invoice:
    business = user.business
    assert business is not None
    client = make_client(business, name=client_name, email=client_email)
    issued = timezone.localdate() - dt.timedelta(days=ISSUED_DAYS_AGO)
    return make_invoice(business, client, amount="1200.00", issue_date=issued, number=number)


def open_reminder_editor(page: Page, invoice: Invoice) -> None:
    """Dashboard → Retards de paiement → the bucket's card → "Relancer" on the invoice."""
    page.goto("/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Retards de paiement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retards de paiement")
    page.get_by_role("region", name="Tranches").get_by_role("link", name=re.compile(BUCKET)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Retard : {BUCKET}")
    page.get_by_role("button", name=f"Relancer {invoice.client.name} pour la facture {invoice.number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relancer {invoice.client.name}")


def history_row(page: Page, reference: str) -> Any:
    return page.locator("#results tbody tr").filter(has=page.get_by_role("link", name=reference, exact=True))


@pytest.mark.browser
def test_letter_is_previewed_edited_saved_printed_filtered_and_deactivated(
    signed_in_page: Page, user: User, confirmations: list[str]
) -> None:
    page = signed_in_page
    invoice = late_invoice(user, client_name="Menuiserie Roux", client_email="", number="F-2026-101")
    today = timezone.localdate()
    page.add_init_script("window.print = () => { window.__printed = true; };")

    open_reminder_editor(page, invoice)
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu : Menuiserie Roux")

    page.get_by_role("button", name="Modifier").click()
    body = page.get_by_label("Texte du courrier")
    body.click()
    body.press("Control+End")
    body.press_sequentially(f"\n{SENTENCE}")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu : Menuiserie Roux")
    page.get_by_text("Texte du courrier", exact=True).click()
    expect(page.get_by_role("region", name="Texte du courrier")).to_contain_text(SENTENCE)

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("enregistrée : vous pouvez l’imprimer")
    assert confirmations == [
        "Enregistrer la relance pour l’imprimer ? Une fois enregistrée, la relance ne pourra plus "
        "être modifiée ni supprimée, seulement désactivée."
    ]
    reminder = Reminder.objects.get(client=invoice.client)
    assert reminder.status == Reminder.Status.SAVED
    assert SENTENCE in reminder.body
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reminder.reference} : Menuiserie Roux")
    proof = page.get_by_role("region", name="Preuve")
    expect(proof).to_contain_text("Enregistrée")
    expect(proof.locator("code", has_text=re.compile(r"^[0-9a-f]{64}$"))).to_have_text(reminder.pdf_sha256)
    download_url = page.get_by_role("button", name="Télécharger le PDF").get_attribute("href")
    assert download_url is not None
    served = page.request.get(download_url)
    assert hashlib.sha256(served.body()).hexdigest() == reminder.pdf_sha256

    page.get_by_role("button", name="Imprimer").click()
    page.wait_for_function("window.__printed === true")
    letter = page.get_by_role("main", name=re.compile(r"^Lettre : "))
    expect(letter).to_contain_text("Menuiserie Roux")
    expect(letter).to_contain_text("F-2026-101")
    expect(letter).to_contain_text(SENTENCE)

    page.get_by_role("link", name="← Retour").click()
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Lettres de relance").click()
    expect(history_row(page, reminder.reference)).to_contain_text("Menuiserie Roux")

    page.get_by_label("Du", exact=True).fill(today.isoformat())
    page.get_by_label("Au", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"date_from={today.isoformat()}&date_to={today.isoformat()}"))
    expect(page.locator("#results")).to_contain_text("1 relance correspondant aux filtres")
    expect(history_row(page, reminder.reference)).to_be_visible()

    page.get_by_label("Du", exact=True).fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("Au", exact=True).fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#results")).to_contain_text("Aucune relance ne correspond à ces filtres.")
    expect(history_row(page, reminder.reference)).to_have_count(0)

    page.get_by_role("button", name="Effacer les filtres").click()
    history_row(page, reminder.reference).get_by_role("link", name=reminder.reference).click()
    page.get_by_role("button", name="Désactiver").click()
    expect(page.locator(".message-success")).to_contain_text("Relance désactivée")
    assert confirmations[-1].startswith("Désactiver cette relance ?")
    reminder.refresh_from_db()
    assert reminder.deactivated_at is not None

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Lettres de relance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lettres de relance")
    expect(history_row(page, reminder.reference)).to_have_count(0)
    page.get_by_label("Afficher les relances désactivées").check()
    expect(history_row(page, reminder.reference)).to_contain_text("Désactivée")


def received_message(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.browser
def test_email_is_previewed_sent_received_with_its_letter_and_listed_as_sent(
    signed_in_page: Page, user: User, confirmations: list[str], smtp_server: Any
) -> None:
    page = signed_in_page
    invoice = late_invoice(
        user, client_name="Boulangerie Martin", client_email="compta@boulangerie-martin.test", number="F-2026-102"
    )

    open_reminder_editor(page, invoice)
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu : Boulangerie Martin")
    expect(page.get_by_role("region", name="L’e-mail")).to_contain_text("compta@boulangerie-martin.test")

    page.get_by_role("button", name="Envoyer par e-mail").click()
    expect(page.locator(".message-success")).to_have_text("Relance envoyée à compta@boulangerie-martin.test.")
    assert confirmations[0].startswith("Envoyer la relance à compta@boulangerie-martin.test ?")
    reminder = Reminder.objects.get(client=invoice.client)
    assert reminder.status == Reminder.Status.SENT
    expect(page.get_by_role("region", name="Preuve")).to_contain_text(reminder.message_id)

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["to"] == ["compta@boulangerie-martin.test"]
    message = received_message(smtp_server.messages[0]["data"])
    assert message["To"] == "compta@boulangerie-martin.test"
    attachments = list(message.iter_attachments())
    assert [part.get_content_type() for part in attachments] == ["application/pdf"]
    with pdfplumber.open(io.BytesIO(attachments[0].get_content())) as pdf:
        text = "\n".join(pdf_page.extract_text() or "" for pdf_page in pdf.pages)
    assert "F-2026-102" in text
    assert "Boulangerie Martin" in text

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Lettres de relance").click()
    row = history_row(page, reminder.reference)
    expect(row).to_contain_text("Boulangerie Martin")
    expect(row).to_contain_text("F-2026-102")
    expect(row.locator(".badge")).to_have_text("Envoyée")


@pytest.mark.browser
def test_client_without_email_cannot_be_sent_an_email_and_the_summary_says_why(
    signed_in_page: Page, user: User, smtp_server: Any
) -> None:
    page = signed_in_page
    invoice = late_invoice(user, client_name="Jeanne Morel", client_email="", number="F-2026-103")
    assert Client.objects.get(pk=invoice.client_id).email == ""

    open_reminder_editor(page, invoice)
    page.get_by_role("button", name="Aperçu").click()
    send = page.get_by_role("button", name="Envoyer par e-mail")
    expect(send).to_be_disabled()
    expect(send).to_have_accessible_description(
        "Ce client n’a pas d’adresse e-mail : enregistrez la relance pour l’imprimer."
    )
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_be_enabled()
    assert smtp_server.messages == []
