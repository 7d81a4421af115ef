"""A new user's first steps in Chromium: a client, an invoice, a partial payment, the amount due."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect


def squeeze(text: str) -> str:
    # Amounts are written with no-break and narrow no-break spaces; compare them as plain spaces.
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.browser
def test_new_user_sees_amount_due_drop_after_a_partial_payment(
    page: Page, live_server: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    issued = timezone.localdate() - dt.timedelta(days=90)

    page.goto("/compte/inscription/")
    page.get_by_label("Adresse e-mail").fill("lea@atelier-lea.test")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("Aquarelle-et-cafe-2026")
    page.get_by_label("Confirmez le mot de passe").fill("Aquarelle-et-cafe-2026")
    page.get_by_label("Nom de votre entreprise").fill("Atelier Léa")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte de réception")
    activation = re.search(r"http\S+/compte/inscription/activer/\S+/", mailoutbox[-1].body)
    assert activation is not None
    page.goto(activation.group(0))
    page.get_by_role("button", name="Activer mon compte").click()

    expect(page).to_have_url(re.compile(r"/compte/parametres/$"))
    page.get_by_label("SIREN ou SIRET").fill("732 829 320 00074")
    page.get_by_label(re.compile(r"^Adresse( \(facultatif\)| \*)?$")).fill("8 rue de la Paix")
    page.get_by_label("Code postal").fill("75002")
    page.get_by_label("Ville").fill("Paris")
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.get_by_label("IBAN")).to_have_value(re.compile(r"FR76\s?3000"))
    expect(page.get_by_label("Aperçu de l’en-tête de vos lettres")).to_contain_text("SIRET 732 829 320 00074")

    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Clients").click()
    page.get_by_role("button", name="Nouveau client").first.click()
    page.get_by_label("Professionnel").check()
    page.get_by_label(re.compile(r"^Nom ou raison sociale")).fill("Boulangerie Martin")
    page.get_by_label("E-mail").fill("compta@boulangerie-martin.test")
    page.get_by_label(re.compile(r"^Adresse( \(facultatif\)| \*)?$")).fill("3 place Bellecour")
    page.get_by_label("Code postal").fill("69002")
    page.get_by_label("Ville").fill("Lyon")
    page.get_by_role("button", name="Créer le client").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boulangerie Martin")

    page.goto("/factures/nouvelle/")
    page.get_by_label("Client").select_option(label="Boulangerie Martin")
    page.get_by_label("Numéro de facture").fill("F-2026-001")
    page.get_by_label("Date de facture").fill(issued.isoformat())
    page.get_by_label("Total HT (€)").fill("1 200,00")
    page.get_by_role("button", name="Créer la facture").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("F-2026-001")
    expect(page.get_by_role("heading", level=1)).to_contain_text("En retard")

    page.get_by_text("Enregistrer un règlement").click()
    page.get_by_label("Date du règlement").fill(timezone.localdate().isoformat())
    page.get_by_label("Montant (€)").fill("200,00")
    page.get_by_role("button", name="Enregistrer le règlement").click()
    expect(page.locator(".message-success")).to_contain_text("Règlement de")

    navigation.get_by_role("link", name="Tableau de bord", exact=True).click()
    card = page.locator("article.card").filter(has=page.get_by_role("heading", name="Factures impayées (encours)"))
    assert squeeze(card.locator(".figure").inner_text()) == "1 000,00 €"
    assert "1 facture non réglée" in squeeze(card.inner_text())
    assert squeeze(card.locator(".amount-late").inner_text()) == "1 000,00 €"
