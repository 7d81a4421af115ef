"""The reminder editor in Chromium: its facts table fits at 1280 px, the level changes after the
confirmation dialog, "Aperçu" after a channel change shows the summary, and deleting the draft
goes back to the bucket the user came from."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from accounts.models import User
from dunning.defaults import default_template
from dunning.models import Level, Reminder
from law.rates import HalfYear
from ledger.models import Invoice
from rates import services as rates_services
from tests.factories import make_client, make_invoice

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def questions(signed_in_page: Page) -> list[str]:
    """Accepts every confirm dialog and keeps its question."""
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    signed_in_page.on("dialog", accept)
    return asked


@pytest.fixture
def invoice(user: User) -> Invoice:
    business = user.business
    assert business is not None
    client = make_client(business, name="Boulangerie Lefèvre et Fils", email="compta@lefevre.test")
    return make_invoice(
        business,
        client,
        amount="12345.67",
        issue_date=timezone.localdate() - dt.timedelta(days=75),
        number="F-2026-0321",
    )


def open_editor_from_the_bucket(page: Page, invoice: Invoice) -> str:
    """The bucket's listing, then "Relancer" on the invoice; returns the bucket's address."""
    page.goto("/retards/31-60/")
    bucket = page.url
    page.get_by_role("button", name=f"Relancer {invoice.client.name} pour la facture {invoice.number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relancer {invoice.client.name}")
    return bucket


@pytest.mark.browser
def test_facts_table_shows_its_penalties_column_whole_at_1280_px(
    signed_in_page: Page, invoice: Invoice, user: User
) -> None:
    # A known rate for the half-year in progress: the widest cell, interest plus indemnity.
    for half_year in {HalfYear.of(invoice.due_date), HalfYear.of(timezone.localdate())}:
        rates_services.set_ecb_rate(half_year=half_year, rate=Decimal("2.15"), source="test", origin="test")
    page = signed_in_page
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    open_editor_from_the_bucket(page, invoice)
    card = page.locator(".editor-facts .facts-card").filter(has=page.locator("table"))
    expect(card.locator("tbody td").last).to_contain_text("40,00")
    wrap = card.locator(".table-wrap")
    assert wrap.evaluate("element => element.scrollWidth - element.clientWidth") <= 0
    heading = card.get_by_role("columnheader", name="Pénalités").bounding_box()
    box = wrap.bounding_box()
    assert heading is not None and box is not None
    assert heading["x"] + heading["width"] <= box["x"] + box["width"] + 0.5


@pytest.mark.browser
def test_level_changes_after_the_confirmation_dialog(
    signed_in_page: Page, invoice: Invoice, questions: list[str]
) -> None:
    page = signed_in_page
    open_editor_from_the_bucket(page, invoice)
    page.get_by_label("3 · Mise en demeure").check()
    page.get_by_role("button", name="Changer de niveau").click()
    expect(page.locator(".message-success")).to_contain_text("Niveau changé")
    assert questions and "vos modifications seront perdues" in questions[0]
    reminder = Reminder.objects.get(client=invoice.client)
    assert reminder.level == Level.FORMAL_NOTICE
    expect(page.get_by_label("Objet de l’e-mail")).to_have_value(default_template(3)["email_subject"])


@pytest.mark.browser
def test_one_click_on_apercu_after_choosing_the_letter(signed_in_page: Page, invoice: Invoice) -> None:
    page = signed_in_page
    open_editor_from_the_bucket(page, invoice)
    page.get_by_role("radio", name="Courrier").check()
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Aperçu : {invoice.client.name}")
    expect(page.get_by_role("heading", name="Le courrier", exact=True)).to_be_visible()


@pytest.mark.browser
def test_deleting_the_draft_goes_back_to_the_bucket(
    signed_in_page: Page, invoice: Invoice, questions: list[str], user: Any
) -> None:
    page = signed_in_page
    bucket = open_editor_from_the_bucket(page, invoice)
    page.get_by_role("button", name="Aperçu").click()
    page.get_by_role("button", name="Supprimer", exact=True).click()
    expect(page.locator(".message-success")).to_have_text("Brouillon supprimé.")
    assert page.url == bucket
    assert not Reminder.objects.filter(client=invoice.client).exists()


@pytest.mark.browser
def test_bucket_listing_shows_its_relancer_buttons_without_scrolling_at_1280_px(
    signed_in_page: Page, invoice: Invoice, user: User
) -> None:
    business = user.business
    assert business is not None
    paused = make_client(
        business, name="Garage Fontaine Automobiles", reminders_paused=True, pause_reason="Échéancier accordé"
    )
    make_invoice(business, paused, amount="1234.50", issue_date=invoice.issue_date, number="F-2026-0322")
    Reminder.objects.all().delete()
    page = signed_in_page
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    page.goto("/retards/31-60/")
    expect(page.get_by_text("Relances en pause")).to_be_visible()
    wrap = page.locator("#results .table-wrap")
    assert wrap.evaluate("element => element.scrollWidth - element.clientWidth") <= 0
