"""The settings page: on/off, the sending window, the default plan's steps, the 30-day preview;
and the same settings through the API."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from accounts.models import Business, User
from automation import services
from automation.models import AutomationSettings, AutoReminder, PlanStep
from automation.scheduler import PassReport, preview
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db
URL = "/automatisation/"


def posted_steps(*steps: tuple[int, int, str, bool]) -> dict[str, str]:
    data = {}
    for n, (offset, level, channel, approval) in enumerate(steps):
        data[f"steps-{n}-offset_days"] = str(offset)
        data[f"steps-{n}-level"] = str(level)
        data[f"steps-{n}-channel"] = channel
        if approval:
            data[f"steps-{n}-needs_approval"] = "on"
    return data


def test_automation_is_off_with_the_default_plan_until_turned_on(business: Business, owner_client: HttpClient) -> None:
    page = owner_client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="enabled" id="id_enabled">' in html  # not checked
    assert AutomationSettings.objects.get(business=business).enabled is False
    plan = services.default_plan(business)
    assert [(s.offset_days, s.level, s.channel, s.needs_approval) for s in services.plan_steps(plan)] == [
        (-3, 0, "email", False),
        (7, 1, "email", False),
        (21, 2, "email", False),
        (45, 3, "letter", True),
    ]


def test_the_owner_turns_it_on_and_edits_the_plan(business: Business, owner_client: HttpClient) -> None:
    data = {"enabled": "on", "window_start": "08:30", "window_end": "12:00"}
    data |= posted_steps((10, 1, "email", False), (30, 2, "email", True), (60, 3, "letter", True))
    data |= {"steps-3-offset_days": "", "steps-3-level": "1", "steps-3-channel": "email"}
    answer = owner_client.post(URL, data)
    assert answer.status_code == 302
    automation = AutomationSettings.objects.get(business=business)
    assert (automation.enabled, automation.window_start, automation.window_end) == (
        True,
        dt.time(8, 30),
        dt.time(12, 0),
    )
    steps = services.plan_steps(services.default_plan(business))
    assert [(s.offset_days, s.level, s.needs_approval) for s in steps] == [(10, 1, False), (30, 2, True), (60, 3, True)]
    # The removed steps are retired, not deleted: what they sent keeps counting.
    assert PlanStep.objects.filter(plan__business=business, active=False).count() == 4


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (((7, 1, "email", False), (7, 2, "email", False)), "même jour"),
        (((7, 2, "email", False), (21, 1, "email", False)), "ne redescendent pas"),
        (((3, 0, "email", False),), "avant l’échéance"),
        (((-2, 1, "email", False),), "après l’échéance"),
        (((400, 1, "email", False),), "entre -365 et 365"),
    ],
)
def test_a_bad_plan_is_refused_at_the_steps_and_nothing_changes(
    business: Business, owner_client: HttpClient, steps: tuple[tuple[int, int, str, bool], ...], message: str
) -> None:
    answer = owner_client.post(URL, {"window_start": "09:00", "window_end": "18:00"} | posted_steps(*steps))
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert len(services.plan_steps(services.default_plan(business))) == 4


def test_a_window_ending_before_it_starts_is_refused(business: Business, owner_client: HttpClient) -> None:
    answer = owner_client.post(
        URL, {"window_start": "18:00", "window_end": "09:00"} | posted_steps((7, 1, "email", False))
    )
    assert answer.status_code == 422
    assert "L’heure de fin doit suivre l’heure de début." in answer.content.decode()


def test_the_preview_shows_the_next_30_days(
    business: Business, owner: User, owner_client: HttpClient, clock: Callable[..., None]
) -> None:
    client = make_client(business, name="Alpha")
    make_invoice(business, client, number="A-1", issue_date=dt.date(2026, 10, 6), due_date=dt.date(2026, 11, 5))
    make_invoice(business, client, number="A-2", issue_date=dt.date(2026, 10, 5), due_date=dt.date(2026, 11, 4))
    clock(dt.date(2026, 11, 2))
    planned = [(p.day, p.step.level, len(p.invoice_ids)) for p in preview(business, dt.date(2026, 11, 2))]
    assert planned == [
        (dt.date(2026, 11, 2), 0, 2),
        (dt.date(2026, 11, 12), 1, 2),  # the 11th is a public holiday
        (dt.date(2026, 11, 25), 2, 1),
        (dt.date(2026, 11, 26), 2, 1),
    ]
    html = owner_client.get(URL).content.decode()
    assert "Aperçu" in html
    assert "A-1" in html and "A-2" in html
    # Only a preview: nothing was made.
    assert not AutoReminder.objects.exists()


# API


def test_api_reads_and_changes_the_settings(business: Business, api: ApiClient) -> None:
    body = api.get("/automation").json()
    assert body == {
        "enabled": False,
        "window_start": "09:00",
        "window_end": "18:00",
        "steps": [
            {"offset_days": -3, "level": 0, "channel": "email", "needs_approval": False},
            {"offset_days": 7, "level": 1, "channel": "email", "needs_approval": False},
            {"offset_days": 21, "level": 2, "channel": "email", "needs_approval": False},
            {"offset_days": 45, "level": 3, "channel": "letter", "needs_approval": True},
        ],
    }
    changed = api.patch("/automation", {"enabled": True, "window_end": "17:00"}).json()
    assert (changed["enabled"], changed["window_start"], changed["window_end"]) == (True, "09:00", "17:00")
    assert len(changed["steps"]) == 4
    steps = [
        {"offset_days": 15, "level": 1},
        {"offset_days": 40, "level": 3, "channel": "letter", "needs_approval": True},
    ]
    assert api.patch("/automation", {"steps": steps}).json()["steps"] == [
        {"offset_days": 15, "level": 1, "channel": "email", "needs_approval": False},
        {"offset_days": 40, "level": 3, "channel": "letter", "needs_approval": True},
    ]


def test_api_refuses_bad_settings_at_their_field(business: Business, api: ApiClient) -> None:
    assert errors_at(api.patch("/automation", {"window_start": "19:00"}), "window_end") == [
        "L’heure de fin doit suivre l’heure de début."
    ]
    assert errors_at(
        api.patch("/automation", {"steps": [{"offset_days": 7, "level": 1}, {"offset_days": 7, "level": 2}]}), "steps"
    )
    assert api.patch("/automation", {"enabled": None}).status_code == 422
    assert api.patch("/automation", {"unknown": 1}).status_code == 422
    assert api.get("/automation").json()["window_end"] == "18:00"


def test_pass_uses_the_steps_set_through_the_api(
    business: Business, api: ApiClient, pass_on: Callable[..., PassReport]
) -> None:
    api.patch("/automation", {"enabled": True, "steps": [{"offset_days": 30, "level": 1}]})
    make_invoice(business, make_client(business), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    assert pass_on(dt.date(2026, 11, 2)).created == 0
    assert pass_on(dt.date(2026, 11, 19)).created == 1
