"""The page of an e-mail refused for now, in Chromium: the server's answer and the coming
retry fit a desktop and a phone."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from dunning import services
from dunning.models import Reminder
from tests.factories import make_client, make_invoice

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
ERROR = "Le serveur d’envoi a refusé l’e-mail (451 4.7.1 Greylisted, please try again in 5 minutes)."


@pytest.fixture
def waiting(user: User, settings: Any) -> Reminder:
    """Sent, refused for now by the server: waiting for its next attempt."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    business = user.business
    assert business is not None
    client = make_client(business, name="Boulangerie Durand", email="compta@client.fr")
    invoice = make_invoice(business, client, amount="1200.00", issue_date=timezone.localdate() - dt.timedelta(days=60))
    draft = services.create_reminder(business=business, actor=user, invoice_ids=[invoice.pk])
    reminder = services.send_reminder(reminder=draft, actor=user)
    Reminder.objects.filter(pk=reminder.pk).update(send_error=ERROR, send_attempts=1)
    return reminder


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_send_refused_for_now_shows_the_answer_and_the_coming_retry(
    signed_in_page: Page, waiting: Reminder, viewport: ViewportSize, tmp_path: Path
) -> None:
    page = signed_in_page
    page.set_viewport_size(viewport)
    page.goto(f"/relances/{waiting.pk}/")

    expect(page.get_by_text("Envoi en cours").first).to_be_visible()
    expect(page.get_by_text(ERROR)).to_be_visible()
    expect(page.get_by_text("Relance essaiera de nouveau d’elle-même.")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=tmp_path / f"send-retry-{viewport['width']}.png", full_page=viewport == DESKTOP)
