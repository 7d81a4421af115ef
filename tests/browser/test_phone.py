"""The app at a phone's width (390 px): nothing wider than the screen, the menu folds away."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.axe import assert_no_serious_axe_violations, axe_report

PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.browser
def test_dashboard_fits_a_phone_and_its_menu_opens_the_navigation(
    signed_in_page: Page, ledger_data: dict[str, Any]
) -> None:
    page = signed_in_page
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.locator(".bars")).to_be_visible()
    expect(page.get_by_role("link", name=ledger_data["late"].number)).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0

    navigation = page.get_by_role("navigation", name="Navigation principale")
    clients_link = navigation.get_by_role("link", name="Clients")
    expect(clients_link).to_be_hidden()
    navigation.get_by_text("Menu", exact=True).click()
    expect(clients_link).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert_no_serious_axe_violations(page)

    clients_link.click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")


@pytest.mark.browser
def test_lists_and_forms_fit_a_phone(signed_in_page: Page, ledger_data: dict[str, Any]) -> None:
    page = signed_in_page
    page.set_viewport_size(PHONE)
    invoice = ledger_data["late"]
    widths = {}
    for path in ["/clients/", "/factures/", "/factures/nouvelle/", "/clients/nouveau/", f"/factures/{invoice.pk}/"]:
        page.goto(path)
        widths[path] = page.evaluate(OVERFLOW)
    assert {path: extra for path, extra in widths.items() if extra > 0} == {}


@pytest.mark.browser
def test_pages_at_phone_width_have_no_serious_accessibility_violation(
    signed_in_page: Page, ledger_data: dict[str, Any]
) -> None:
    # Some violations exist only once the layout narrows (scrollable previews, stacked tables).
    signed_in_page.set_viewport_size(PHONE)
    client, invoice = ledger_data["clients"][0], ledger_data["late"]
    paths = [
        "/", "/clients/", f"/clients/{client.pk}/", "/factures/", "/factures/nouvelle/", f"/factures/{invoice.pk}/",
        "/retards/", "/relances/", "/relances/modeles/1/", "/recouvrement/",
    ]  # fmt: skip
    assert axe_report(signed_in_page, paths) == {}
