import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from accounts.models import ApiToken, Business, User
from dunning import services
from dunning.models import Reminder
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Letters are written to disk: each test gets its own media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client_with_email(business: Business) -> Client:
    return make_client(business, name="Boulangerie Durand", email="compta@client.fr", contact_name="Paul Durand")


@pytest.fixture
def late_invoice(business: Business, client_with_email: Client) -> Invoice:
    return make_invoice(
        business, client_with_email, amount="1200.00", issue_date=dt.date(2026, 9, 1), number="F-2026-041"
    )


@pytest.fixture
def draft(business: Business, owner: User, late_invoice: Invoice) -> Reminder:
    return services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])


@pytest.fixture
def make_reminder(business: Business, owner: User) -> Callable[..., Reminder]:
    """A reminder in the wanted state for a fresh invoice (or the given ones)."""

    def build(
        status: str = Reminder.Status.SAVED,
        invoices: list[Invoice] | None = None,
        level: int | None = None,
        **kwargs: Any,
    ) -> Reminder:
        invoices = invoices or [make_invoice(business, make_client(business, **kwargs))]
        reminder = services.create_reminder(
            business=business, actor=owner, invoice_ids=[i.pk for i in invoices], level=level
        )
        if status == Reminder.Status.DRAFT:
            return reminder
        reminder = services.save_reminder(reminder=reminder, actor=owner)
        if status != Reminder.Status.SAVED:
            # States reached through sending, set directly: these tests are about what follows.
            Reminder.objects.filter(pk=reminder.pk).update(status=status)
            reminder.refresh_from_db()
        return reminder

    return build


@pytest.fixture
def api(owner: User) -> HttpClient:
    _token, key = ApiToken.generate(user=owner, name="tests")
    return HttpClient(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def outsider_api(outsider: User) -> HttpClient:
    _token, key = ApiToken.generate(user=outsider, name="tests")
    return HttpClient(headers={"Authorization": f"Bearer {key}"})
