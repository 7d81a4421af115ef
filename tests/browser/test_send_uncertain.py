"""The page of a send that stopped before the server answered, in Chromium: the explanation and
both choices fit a desktop and a phone, and "Renvoyer" warns of a second copy before it acts."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, ViewportSize, expect

from accounts.models import User
from dunning import services
from dunning.models import Reminder
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import make_client, make_invoice

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def stuck(user: User, settings: Any) -> Reminder:
    """Sent, taken by a worker that died before the server answered, longer ago than the bound."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    business = user.business
    assert business is not None
    client = make_client(business, name="Boulangerie Durand", email="compta@client.fr")
    invoice = make_invoice(business, client, amount="1200.00", issue_date=timezone.localdate() - dt.timedelta(days=60))
    draft = services.create_reminder(business=business, actor=user, invoice_ids=[invoice.pk])
    reminder = services.send_reminder(reminder=draft, actor=user)
    started = timezone.now() - dt.timedelta(seconds=settings.REMINDER_SEND_TIMEOUT + 60)
    Reminder.objects.filter(pk=reminder.pk).update(frozen_at=started - dt.timedelta(seconds=2), send_claimed_at=started)
    return reminder


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_uncertain_send_page_explains_and_offers_both_choices(
    signed_in_page: Page, stuck: Reminder, viewport: ViewportSize, tmp_path: Path
) -> None:
    page = signed_in_page
    page.set_viewport_size(viewport)
    page.goto(f"/relances/{stuck.pk}/")

    box = page.get_by_role("region", name="Envoi incertain : l’e-mail est-il arrivé ?")
    expect(box).to_contain_text("L’e-mail a donc pu arriver chez votre client, ou non")
    mark_sent = box.get_by_role("button", name="Marquer comme envoyée")
    resend = box.get_by_role("button", name="Renvoyer")
    expect(mark_sent).to_be_visible()
    expect(resend).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert_no_serious_axe_violations(page)
    page.screenshot(path=tmp_path / f"send-uncertain-{viewport['width']}.png", full_page=viewport == DESKTOP)

    questions: list[str] = []

    def refuse(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    resend.click()
    expect(box).to_be_visible()
    [question] = questions
    assert "Renvoyer la relance à compta@client.fr ?" in question
    assert "votre client recevra un second exemplaire" in question
    stuck.refresh_from_db()
    assert stuck.status == Reminder.Status.SEND_UNCERTAIN

    page.once("dialog", lambda dialog: dialog.accept())
    mark_sent.click()
    expect(page.get_by_text("Relance marquée comme envoyée")).to_be_visible()
    expect(page.get_by_role("region", name="Envoi incertain : l’e-mail est-il arrivé ?")).to_have_count(0)
    stuck.refresh_from_db()
    assert stuck.status == Reminder.Status.SENT
