"""Automation on: a business whose owner turned automatic reminders on, and a clock to move."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from accounts.models import Business, User
from automation import services
from automation.scheduler import PassReport, run_pass
from tests.helpers import PARIS


@pytest.fixture
def automated(business: Business, owner: User) -> Business:
    services.update_automation(business=business, actor=owner, enabled=True)
    return business


@pytest.fixture
def clock() -> Iterator[Callable[[dt.date, dt.time], None]]:
    """`clock(day, time)` stops the clock at that moment in Paris."""
    traveller = time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=PARIS), tick=False)
    shift = traveller.start()

    def move(day: dt.date, at: dt.time = dt.time(10, 0)) -> None:
        shift.move_to(dt.datetime.combine(day, at, tzinfo=PARIS))

    yield move
    traveller.stop()


@pytest.fixture
def pass_on(
    clock: Callable[[dt.date, dt.time], None], django_capture_on_commit_callbacks: Any
) -> Callable[..., PassReport]:
    """One scheduler pass at that moment in Paris (10:00 unless told), its e-mails sent after
    commit as in production (the test's transaction never commits)."""

    def run(day: dt.date, at: dt.time = dt.time(10, 0)) -> PassReport:
        clock(day, at)
        with django_capture_on_commit_callbacks(execute=True):
            return run_pass(owner="test-scheduler")

    return run


@pytest.fixture
def awaiting(automated: Business, pass_on: Callable[..., PassReport]) -> Any:
    """A formal notice by letter waiting for approval: an invoice at J+50 on Thursday 12 November."""
    from automation.models import AutoReminder
    from tests.factories import make_client, make_invoice

    client = make_client(automated, name="Durand SARL", email="compta@durand.test")
    make_invoice(automated, client, number="F-050", issue_date=dt.date(2026, 8, 24), due_date=dt.date(2026, 9, 23))
    pass_on(dt.date(2026, 11, 12))
    return AutoReminder.objects.get(status=AutoReminder.Status.AWAITING_APPROVAL)
