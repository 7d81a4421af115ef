"""The automation settings and the "À valider" queue in Chromium: accessible, fit a phone, and a
reminder approved from the queue leaves it and the navigation badge."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from automation import services
from automation.models import AutoReminder
from automation.scheduler import PassReport, _make, due_steps
from tests.browser.axe import axe_report
from tests.factories import make_client, make_invoice

PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
PAGES = ["/automatisation/", "/automatisation/a-valider/"]


@pytest.fixture
def waiting(user: User) -> list[AutoReminder]:
    """Two formal notices waiting for approval, as a pass makes them today."""
    assert user.business is not None
    business = user.business
    services.update_automation(business=business, actor=user, enabled=True)
    today = timezone.localdate()
    for name in ["Durand SARL", "Martin & Fils"]:
        client = make_client(business, name=name, email="compta@client.test")
        make_invoice(business, client, issue_date=today - dt.timedelta(days=80), due_date=today - dt.timedelta(days=50))
        make_invoice(business, client, issue_date=today - dt.timedelta(days=30), due_date=today + dt.timedelta(days=10))
    for due in due_steps(business, today):
        _make(business, due.client_id, [due], today, PassReport())
    return list(AutoReminder.objects.filter(status=AutoReminder.Status.AWAITING_APPROVAL))


@pytest.mark.browser
def test_automation_pages_are_accessible_and_fit_a_phone(signed_in_page: Page, waiting: list[AutoReminder]) -> None:
    assert len(waiting) == 2
    assert axe_report(signed_in_page, PAGES) == {}
    signed_in_page.set_viewport_size(PHONE)
    assert axe_report(signed_in_page, PAGES) == {}
    for path in PAGES:
        signed_in_page.goto(path)
        assert signed_in_page.evaluate(OVERFLOW) <= 0, path


@pytest.mark.browser
def test_approving_from_the_queue_in_bulk(signed_in_page: Page, waiting: list[AutoReminder]) -> None:
    page = signed_in_page
    page.goto("/automatisation/a-valider/")
    badge = page.locator(".nav-desktop .nav-count")
    expect(badge).to_contain_text("2")
    page.get_by_label("Sélectionner la relance de Durand SARL").check()
    page.get_by_role("button", name="Valider la sélection").click()
    expect(page.get_by_role("status")).to_contain_text("Relance(s) validée(s) : 1.")
    expect(badge).to_contain_text("1")
    expect(page.get_by_role("main")).not_to_contain_text("Durand SARL")
    page.get_by_role("button", name="Écarter", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Aucune relance à valider.")
    expect(badge).to_have_count(0)
    assert sorted(AutoReminder.objects.values_list("status", flat=True)) == ["dismissed", "saved"]


@pytest.mark.browser
def test_the_plan_editor_saves_and_shows_errors_at_the_steps(signed_in_page: Page, user: User) -> None:
    page = signed_in_page
    page.goto("/automatisation/")
    expect(page.get_by_role("switch")).not_to_be_checked()
    page.get_by_label("Étape 2 : jours après l’échéance").fill("10")
    page.get_by_role("switch").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Relances automatiques enregistrées.")
    expect(page.get_by_label("Étape 2 : jours après l’échéance")).to_have_value("10")
    page.get_by_label("Étape 3 : jours après l’échéance").fill("10")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_contain_text("Deux étapes tombent le même jour")
    assert user.business is not None
    assert [step.offset_days for step in services.plan_steps(services.default_plan(user.business))] == [-3, 10, 21, 45]


@pytest.mark.browser
def test_a_client_is_put_on_another_plan_from_its_page(signed_in_page: Page, user: User) -> None:
    """Plans section, plan form and the client page's box: accessible, fit a phone, and the
    choice made on the client page shows there."""
    assert user.business is not None
    business = user.business
    plan = services.create_plan(
        business=business, actor=user, name="Grands comptes", steps=[{"offset_days": 30, "level": 1}]
    )
    client = make_client(business, name="Durand SARL", email="compta@durand.test")
    invoice = make_invoice(business, client, number="F-001")
    pages = [
        "/automatisation/",
        f"/automatisation/plans/{plan.pk}/",
        f"/clients/{client.pk}/",
        f"/factures/{invoice.pk}/",
    ]
    page = signed_in_page
    assert axe_report(page, pages) == {}
    page.goto(f"/clients/{client.pk}/")
    page.get_by_label("Plan", exact=True).select_option(label="Grands comptes")
    page.locator("#relances-automatiques").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Relances automatiques de Durand SARL : Grands comptes.")
    expect(page.get_by_label("Plan", exact=True)).to_have_value(str(plan.pk))
    page.set_viewport_size(PHONE)
    assert axe_report(page, pages) == {}
    for path in pages:
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, path
