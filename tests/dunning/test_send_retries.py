"""Temporary refusals (4xx) and an unreachable server: tried again after a doubling delay,
never a second copy, and a failure the user sees once the attempts are spent."""

import datetime as dt
from collections.abc import Callable
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from dunning.tasks import retry_delay, send_reminder_email
from tests.helpers import SmtpSink

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def send(draft: Reminder, owner: Any, capture: Any) -> Reminder:
    with capture(execute=True):
        services.send_reminder(reminder=draft, actor=owner)
    draft.refresh_from_db()
    return draft


def actions(reminder: Reminder) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="reminder", object_id=reminder.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def flaky(smtp_server: SmtpSink) -> Callable[[str, int], None]:
    """The test's SMTP server, made to refuse its first messages: `flaky(reply, times)`."""

    def refuse(reply: str, times: int) -> None:
        smtp_server.refuse, smtp_server.refuse_count = reply, times

    return refuse


def test_a_temporary_refusal_is_tried_again_and_delivered_once(
    owner, draft, smtp_server, flaky, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_SEND_ATTEMPTS = 3
    flaky("451 4.3.0 Try again later", 2)

    reminder = send(draft, owner, django_capture_on_commit_callbacks)

    assert reminder.status == Reminder.Status.SENT
    assert reminder.send_attempts == 3
    assert reminder.send_error == ""
    [message] = smtp_server.messages
    assert message_from_bytes(message["data"], policy=default_policy)["Message-ID"] == reminder.message_id
    assert actions(reminder).count("sent") == 1
    assert "send_failed" not in actions(reminder)


def test_temporary_refusals_that_outlast_the_attempts_end_failed_and_shown(
    owner, owner_client, draft, smtp_server, flaky, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_SEND_ATTEMPTS = 3
    flaky("451 4.3.0 Try again later", 99)

    reminder = send(draft, owner, django_capture_on_commit_callbacks)

    assert reminder.status == Reminder.Status.SEND_FAILED
    assert reminder.send_attempts == 3
    assert "451" in reminder.send_error
    assert smtp_server.messages == []
    assert actions(reminder).count("send_failed") == 1
    page = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
    assert "Échec d’envoi" in page
    assert "451 4.3.0 Try again later" in page
    assert reverse("dunning:reminder_retry", args=[reminder.pk]) in page


def test_a_permanent_refusal_is_not_tried_again(
    owner, draft, smtp_server, flaky, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_SEND_ATTEMPTS = 3
    flaky("550 5.7.1 Rejected", 1)

    reminder = send(draft, owner, django_capture_on_commit_callbacks)

    assert (reminder.status, reminder.send_attempts) == (Reminder.Status.SEND_FAILED, 1)
    assert smtp_server.messages == []


def test_a_recipient_refused_for_now_is_tried_again(
    owner, draft, smtp_server, settings, django_capture_on_commit_callbacks
):
    """Greylisting answers RCPT with 450."""
    settings.REMINDER_SEND_ATTEMPTS = 2
    smtp_server.refuse_recipients = {draft.client.email: "450 4.2.0 Greylisted"}
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=draft, actor=owner)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.send_attempts) == (Reminder.Status.SEND_FAILED, 2)

    smtp_server.refuse_recipients = {}
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_send(reminder=reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_with_a_queue_the_next_attempt_waits_a_doubling_delay_and_the_page_says_so(
    owner, owner_client, draft, smtp_server, flaky, settings
):
    settings.TASKS = DATABASE_TASKS
    settings.REMINDER_SEND_RETRY_DELAY = 60
    flaky("421 4.7.0 Busy", 5)
    reminder = services.send_reminder(reminder=draft, actor=owner)
    [first] = DBTaskResult.objects.all()

    assert send_reminder_email.call(reminder.pk) == "retry"
    before = timezone.now()

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENDING
    assert reminder.send_claimed_at is None
    assert "421" in reminder.send_error
    [second] = DBTaskResult.objects.exclude(pk=first.pk)
    assert second.args_kwargs == {"args": [reminder.pk, 2], "kwargs": {}}
    assert dt.timedelta(seconds=55) < second.run_after - before <= dt.timedelta(seconds=60)
    page = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
    assert "Relance essaiera de nouveau d’elle-même." in page
    assert [retry_delay(attempt) for attempt in (1, 2, 3)] == [60, 120, 240]
    # The first task run again finds the reminder waiting and may send it: only one copy leaves.
    assert send_reminder_email.call(reminder.pk, 2) == "retry"
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_send_whose_task_was_lost_is_queued_again_once(owner, draft, settings, smtp_server):
    settings.TASKS = DATABASE_TASKS
    reminder = services.send_reminder(reminder=draft, actor=owner)
    DBTaskResult.objects.all().delete()
    long_ago = timezone.now() - dt.timedelta(seconds=services.unclaimed_send_bound() + 1)
    Reminder.objects.filter(pk=reminder.pk).update(updated_at=long_ago)

    assert services.requeue_unclaimed_sends() == [reminder.pk]
    assert services.requeue_unclaimed_sends() == []
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [reminder.pk]

    assert send_reminder_email.call(reminder.pk) == "sent"
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_claimed_or_recent_send_is_not_queued_again(owner, draft, settings):
    settings.TASKS = DATABASE_TASKS
    reminder = services.send_reminder(reminder=draft, actor=owner)
    assert services.requeue_unclaimed_sends() == []

    long_ago = timezone.now() - dt.timedelta(seconds=services.unclaimed_send_bound() + 1)
    Reminder.objects.filter(pk=reminder.pk).update(updated_at=long_ago, send_claimed_at=timezone.now())
    assert services.requeue_unclaimed_sends() == []
