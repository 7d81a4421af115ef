"""axe-core (vendored from the npm registry) on every page a user meets, and keyboard basics."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from dunning import services as dunning_services
from tests.browser.axe import (
    assert_no_serious_axe_violations,
    axe_report,
    describe_violations,
    serious_axe_violations,
)
from tests.factories import PASSWORD

ANONYMOUS_PAGES = ["/compte/inscription/", "/compte/connexion/", "/compte/mot-de-passe/oublie/"]
SETTINGS_PAGES = [
    "/compte/parametres/", "/compte/parametres/conditions/", "/compte/parametres/e-mails/",
    "/compte/parametres/jetons/", "/compte/parametres/compte/", "/compte/mot-de-passe/",
]  # fmt: skip
LEDGER_PAGES = [
    "/", "/clients/", "/clients/nouveau/", "/factures/", "/factures/nouvelle/", "/retards/",
]  # fmt: skip


@pytest.mark.browser
def test_axe_check_fails_on_an_unlabelled_field_and_names_the_rule(page: Page) -> None:
    page.set_content('<html lang="fr"><title>Essai</title><main><input type="text" name="q"></main></html>')
    with pytest.raises(AssertionError) as failure:
        assert_no_serious_axe_violations(page)
    assert "[critical] label:" in str(failure.value)
    assert '<input type="text" name="q">' in str(failure.value)


@pytest.mark.browser
def test_anonymous_pages_have_no_serious_accessibility_violation(page: Page, live_server: Any) -> None:
    assert axe_report(page, ANONYMOUS_PAGES) == {}


@pytest.mark.browser
def test_settings_pages_have_no_serious_accessibility_violation(page: Page, user: User) -> None:
    # Signed in through the real login form once in the suite; the other tests inject a session.
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    assert axe_report(page, SETTINGS_PAGES) == {}


@pytest.mark.browser
def test_ledger_pages_with_data_have_no_serious_accessibility_violation(
    signed_in_page: Page, ledger_data: dict[str, Any]
) -> None:
    client, invoice = ledger_data["clients"][0], ledger_data["late"]
    detail_pages = [f"/clients/{client.pk}/", f"/clients/{client.pk}/modifier/", f"/factures/{invoice.pk}/"]
    assert axe_report(signed_in_page, LEDGER_PAGES + detail_pages) == {}


@pytest.mark.browser
def test_reminder_pages_have_no_serious_accessibility_violation(
    signed_in_page: Page, user: User, ledger_data: dict[str, Any]
) -> None:
    assert user.business is not None
    draft = dunning_services.create_reminder(business=user.business, actor=user, invoice_ids=[ledger_data["late"].pk])
    saved = dunning_services.save_reminder(
        reminder=dunning_services.create_reminder(
            business=user.business, actor=user, invoice_ids=[ledger_data["consumer_late"].pk]
        ),
        actor=user,
    )
    paths = ["/relances/", f"/relances/{draft.pk}/modifier/", "/relances/modeles/1/", "/recouvrement/"]
    report = axe_report(signed_in_page, paths)
    for reminder in (draft, saved):
        # The summary hides the letter's text in a disclosure: check it opened as well.
        signed_in_page.goto(f"/relances/{reminder.pk}/")
        for summary in signed_in_page.locator("main details > summary").all():
            summary.click()
        if violations := serious_axe_violations(signed_in_page):
            report[f"/relances/{reminder.pk}/ (opened)"] = describe_violations(violations)
    assert report == {}


@pytest.mark.browser
def test_forms_showing_errors_have_no_serious_accessibility_violation(
    signed_in_page: Page, ledger_data: dict[str, Any]
) -> None:
    page = signed_in_page
    page.goto("/clients/nouveau/")
    page.get_by_role("button", name="Créer le client").click()
    expect(page.get_by_text("Indiquez le nom du client.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.goto("/factures/nouvelle/")
    page.get_by_label("Total HT (€)").fill("douze")
    page.get_by_role("button", name="Créer la facture").click()
    expect(page.get_by_text("Saisissez un montant, par exemple 1 234,56.")).to_be_visible()
    assert_no_serious_axe_violations(page)


@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(signed_in_page: Page) -> None:
    page = signed_in_page
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("main#contenu a, main#contenu button").first).to_be_focused()
