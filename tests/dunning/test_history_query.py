"""The reminder history: one query, so the page and the API give the same reminders."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Business, User
from dunning import queries, services
from dunning.models import Reminder
from ledger.models import Client
from tests.factories import make_client, make_invoice, make_reminder
from tests.helpers import ApiClient


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def history(business: Business, owner: User) -> dict[str, Any]:
    alice = make_client(business, name="Alice", email="alice@client.test")
    bob = make_client(business, name="Bob", email="")
    rows = {
        "alice_1": make_reminder(business, owner, invoices=[make_invoice(business, alice)], level=1),
        "alice_2": make_reminder(
            business, owner, status=Reminder.Status.SENT, invoices=[make_invoice(business, alice)], level=2
        ),
        "bob_1": make_reminder(business, owner, invoices=[make_invoice(business, bob)], level=1),
        "bob_failed": make_reminder(
            business, owner, status=Reminder.Status.SEND_FAILED, invoices=[make_invoice(business, bob)], level=2
        ),
        "alice_draft": make_reminder(
            business, owner, status=Reminder.Status.DRAFT, invoices=[make_invoice(business, alice)]
        ),
        "bob_draft": make_reminder(
            business, owner, status=Reminder.Status.DRAFT, invoices=[make_invoice(business, bob)]
        ),
    }
    services.deactivate_reminder(reminder=rows["bob_1"], actor=owner)
    days = {
        "alice_1": dt.date(2026, 10, 1),
        "alice_2": dt.date(2026, 10, 20),
        "bob_1": dt.date(2026, 10, 10),
        "bob_failed": dt.date(2026, 11, 5),
    }
    for key, day in days.items():
        Reminder.objects.filter(pk=rows[key].pk).update(frozen_at=at(day))
    Reminder.objects.filter(pk=rows["alice_draft"].pk).update(created_at=at(dt.date(2026, 10, 2)))
    Reminder.objects.filter(pk=rows["bob_draft"].pk).update(created_at=at(dt.date(2026, 11, 2)))
    return {"alice": alice, "bob": bob, **rows}


def api_params(page_params: dict[str, Any]) -> dict[str, Any]:
    """The same filters under the API's names."""
    names = {"date_from": "sent_from", "date_to": "sent_to", "client": "client_id", "inactive": "include_inactive"}
    return {names.get(key, key): "true" if key == "inactive" else value for key, value in page_params.items()}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"inactive": "on"},
        {"date_from": "2026-10-01", "date_to": "2026-10-15"},
        {"date_from": "2026-10-15", "inactive": "on"},
        {"date_to": "2026-10-01"},
        {"client": "alice"},
        {"client": "bob", "inactive": "on"},
        {"level": 2},
        {"level": 1, "inactive": "on"},
        {"channel": "letter", "inactive": "on"},
        {"channel": "email"},
        {"status": "sent"},
        {"status": "saved", "inactive": "on"},
        {"status": "send_failed"},
        {"status": "draft"},
        {"status": "draft", "date_from": "2026-10-01", "date_to": "2026-10-31"},
        {"status": "draft", "client": "bob"},
    ],
)
def test_history_page_and_api_list_the_same_reminders(
    owner_client: HttpClient, api: ApiClient, history: dict[str, Any], params: dict[str, Any]
) -> None:
    if "client" in params:
        params = {**params, "client": history[params["client"]].pk}
    page = owner_client.get(reverse("dunning:history"), params)
    response = api.get("/reminders", {**api_params(params), "limit": 200})
    assert page.status_code == response.status_code == 200, response.content
    page_ids = [reminder.pk for reminder in page.context["page"].object_list]
    assert page_ids, "each case should list something"
    assert page_ids == [reminder["id"] for reminder in response.json()["items"]]
    assert response.json()["count"] == len(page_ids)


@pytest.mark.parametrize("count", [3, 30])
def test_the_history_costs_two_queries_whatever_the_reminders(
    business: Business, client_with_email: Client, owner: User, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        make_reminder(
            business,
            owner,
            invoices=[make_invoice(business, client_with_email), make_invoice(business, client_with_email)],
        )
    with django_assert_num_queries(2):
        reminders = list(queries.reminder_history(business, level=1, show_deactivated=True))
        assert all(len(reminder.lines.all()) == 2 for reminder in reminders)
    assert len(reminders) == count
