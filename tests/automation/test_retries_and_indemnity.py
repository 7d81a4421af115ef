"""An automatic e-mail the SMTP server refused for now is sent again by dunning's send task, with
growing delays, once at a time; and a missing interest rate never holds the 40 € indemnity back."""

import datetime as dt
import email
from collections.abc import Callable
from decimal import Decimal
from email.policy import default as default_policy
from typing import Any

import pytest

from accounts.models import Business
from automation.scheduler import PassReport
from dunning.models import Reminder
from tests.factories import make_client, make_invoice
from tests.helpers import SmtpSink

pytestmark = pytest.mark.django_db


def test_a_refused_email_is_retried_by_the_send_task_then_left_to_the_user(
    automated: Business, pass_on: Callable[..., PassReport], smtp_server: SmtpSink, settings: Any
) -> None:
    """An automatic e-mail goes through dunning's send task like a manual one, with its retries
    (REMINDER_SEND_ATTEMPTS, growing delays; the test backend runs them at once); then it stays
    failed, shown to the user, and later passes do not send it again behind their back."""
    settings.REMINDER_SEND_ATTEMPTS = 3
    make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    smtp_server.refuse = "451 4.3.0 Try again later"
    day = dt.date(2026, 11, 2)
    pass_on(day, dt.time(10, 0))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.send_attempts) == (Reminder.Status.SEND_FAILED, 3)
    pass_on(day, dt.time(11, 0))
    pass_on(day + dt.timedelta(days=1), dt.time(10, 0))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.send_attempts) == (Reminder.Status.SEND_FAILED, 3)
    assert smtp_server.messages == []
    assert Reminder.objects.count() == 1


def test_a_retry_that_gets_through_delivers_once(
    automated: Business, pass_on: Callable[..., PassReport], smtp_server: SmtpSink, settings: Any
) -> None:
    settings.REMINDER_SEND_ATTEMPTS = 3
    make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    smtp_server.refuse = "451 4.3.0 Try again later"
    smtp_server.refuse_count = 1
    day = dt.date(2026, 11, 2)
    pass_on(day, dt.time(10, 0))
    pass_on(day, dt.time(11, 0))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.send_attempts) == (Reminder.Status.SENT, 2)
    assert len(smtp_server.messages) == 1


def test_a_missing_rate_never_holds_the_indemnity_back(
    automated: Business, pass_on: Callable[..., PassReport], smtp_server: SmtpSink
) -> None:
    """The shipped ECB table stops before the second half of 2026: no interest figure, but the
    second reminder (which claims penalties) still leaves, with the 40 € indemnity."""
    make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    pass_on(dt.date(2026, 11, 2))  # J+32: the second reminder
    reminder = Reminder.objects.get()
    assert (reminder.level, reminder.include_penalties, reminder.status) == (2, True, Reminder.Status.SENT)
    assert Decimal(reminder.snapshot["totals"]["indemnity"]) == Decimal("40.00")
    message = email.message_from_bytes(smtp_server.messages[0]["data"], policy=default_policy)
    assert "40,00" in message.get_body(preferencelist=("plain",)).get_content()
