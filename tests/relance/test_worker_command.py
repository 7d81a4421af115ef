import datetime as dt
import email
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from accounts.models import Business
from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from dunning.tasks import send_reminder_email
from tests.factories import make_business, make_client, make_invoice, make_user
from tests.relance.tasks import rename_business
from tests.stalling_smtp import StallingSink, stalling_smtp_server
from tests.workers import Workers, wait_for

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CLIENT = "compta@client.fr"


@pytest.fixture(autouse=True)
def signal_handlers_restored() -> Iterator[None]:
    """django_tasks_db's worker installs its own SIGINT, SIGTERM and SIGQUIT handlers and leaves
    them: for the rest of the run, Ctrl-C or a SIGTERM would end the test process with exit 0."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    saved = {number: signal.getsignal(number) for number in signals}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_worker_help_lists_its_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "relance.cli", "worker", "--help"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--batch" in result.stdout
    assert "--max-tasks" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_enqueued_with_the_database_backend(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    business = make_business(trade_name="Avant")
    result = rename_business.enqueue(business.pk, "Après")
    assert result.status == TaskResultStatus.READY

    call_command("worker", "--batch", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "Après"
    assert Business.objects.get(pk=business.pk).trade_name == "Après"


@pytest.mark.django_db(transaction=True)
def test_worker_stops_after_max_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    business = make_business()
    first = rename_business.enqueue(business.pk, "Un")
    second = rename_business.enqueue(business.pk, "Deux")

    call_command("worker", "--batch", "--max-tasks", "1", verbosity=0)

    statuses = set()
    for result in (first, second):
        result.refresh()
        statuses.add(result.status)
    assert statuses == {TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY}


def test_worker_refuses_the_immediate_backend(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="sans worker"):
        call_command("worker", "--batch")


def test_worker_refuses_a_non_positive_max_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(CommandError, match="nombre positif"):
        call_command("worker", "--max-tasks", "0")


# A worker killed while the SMTP server had the message and had not answered


def status_of(reminder: Reminder) -> str:
    return Reminder.objects.values_list("status", flat=True).get(pk=reminder.pk)


# The killed worker would wait this long for the server's answer; the next ones declare a send
# uncertain after SEND_TIMEOUT seconds.
PATIENT_EMAIL_TIMEOUT = 60
EMAIL_TIMEOUT = 1
SEND_TIMEOUT = 2


@pytest.fixture
def stuck_send(settings: Settings, tmp_path: Path) -> Iterator[tuple[Reminder, StallingSink, Workers]]:
    """A reminder whose worker was killed (SIGKILL) while the server held the message unanswered,
    and a fresh worker running with a short bound."""
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    business = make_business()
    owner = make_user(business)
    client = make_client(business, name="Boulangerie Durand", email=CLIENT)
    invoice = make_invoice(business, client, amount="1200.00")
    draft = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    with stalling_smtp_server() as (sink, port):
        workers = Workers(tmp_path, settings.MEDIA_ROOT, port)
        try:
            reminder = services.send_reminder(reminder=draft, actor=owner)
            doomed = workers.start(
                EMAIL_TIMEOUT=PATIENT_EMAIL_TIMEOUT, REMINDER_SEND_TIMEOUT=10 * PATIENT_EMAIL_TIMEOUT
            )
            if not sink.received.wait(60):
                pytest.fail(f"The worker never handed the message over\n{workers.log()}")
            reminder.refresh_from_db()
            assert (reminder.status, reminder.send_claimed_at is not None) == (Reminder.Status.SENDING, True)

            doomed.send_signal(signal.SIGKILL)
            assert doomed.wait(timeout=15) == -signal.SIGKILL
            assert status_of(reminder) == Reminder.Status.SENDING

            workers.start(EMAIL_TIMEOUT=EMAIL_TIMEOUT, REMINDER_SEND_TIMEOUT=SEND_TIMEOUT)
            wait_for(lambda: status_of(reminder) != Reminder.Status.SENDING, 60, "The sweep", workers)
            reminder.refresh_from_db()
            yield reminder, sink, workers
        finally:
            workers.stop_all()


def received_ids(messages: list[dict[str, Any]]) -> list[str]:
    return [
        email.message_from_bytes(message["data"], policy=default_policy)["Message-ID"]
        for message in messages
        if CLIENT in message["to"]
    ]


def signed_in(reminder: Reminder) -> HttpClient:
    http = HttpClient()
    http.force_login(reminder.created_by)
    return http


def assert_uncertain(reminder: Reminder, sink: StallingSink, owner_client: HttpClient) -> None:
    assert reminder.status == Reminder.Status.SEND_UNCERTAIN
    assert reminder.send_claimed_at is not None
    declared = AuditEvent.objects.get(object_type="reminder", object_id=reminder.pk, action="send_uncertain")
    assert declared.created_at - reminder.send_claimed_at >= dt.timedelta(seconds=SEND_TIMEOUT)
    # The server had the whole message; nothing was answered, nothing was sent again.
    [stalled] = sink.stalled
    assert email.message_from_bytes(stalled, policy=default_policy)["Message-ID"] == reminder.message_id
    assert sink.messages == []
    page = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
    assert "Envoi incertain" in page
    assert "L’e-mail a donc pu arriver chez votre client, ou non" in page
    assert reverse("dunning:reminder_resend", args=[reminder.pk]) in page
    assert reverse("dunning:reminder_mark_sent", args=[reminder.pk]) in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_killed_worker_leaves_an_uncertain_send_that_renvoyer_delivers_once_with_its_message_id(
    stuck_send: tuple[Reminder, StallingSink, Workers],
) -> None:
    reminder, sink, workers = stuck_send
    owner_client = signed_in(reminder)
    assert_uncertain(reminder, sink, owner_client)

    response = owner_client.post(reverse("dunning:reminder_resend", args=[reminder.pk]))

    assert response.status_code == 302
    wait_for(lambda: status_of(reminder) == Reminder.Status.SENT, 60, "The resend", workers)
    assert received_ids(sink.messages) == [reminder.message_id]

    # The task run again after its success finds the reminder sent and stops.
    again = send_reminder_email.enqueue(reminder.pk)
    wait_for(lambda: again.refresh() or again.is_finished, 60, "The repeated task", workers)
    assert (again.status, again.return_value) == (TaskResultStatus.SUCCESSFUL, "skipped")
    assert received_ids(sink.messages) == [reminder.message_id]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_killed_worker_leaves_an_uncertain_send_that_marquer_comme_envoyee_closes_without_sending(
    stuck_send: tuple[Reminder, StallingSink, Workers],
) -> None:
    reminder, sink, workers = stuck_send
    owner_client = signed_in(reminder)
    assert_uncertain(reminder, sink, owner_client)
    tasks_before = DBTaskResult.objects.count()

    response = owner_client.post(reverse("dunning:reminder_mark_sent", args=[reminder.pk]))

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.sent_at == reminder.send_claimed_at
    # Nothing queued, and the running worker sends nothing over a few of its sweeps.
    assert DBTaskResult.objects.count() == tasks_before
    time.sleep(SEND_TIMEOUT * 1.5)
    assert status_of(reminder) == Reminder.Status.SENT
    assert sink.messages == []


@pytest.mark.django_db(transaction=True)
def test_worker_declares_stale_sends_uncertain_when_it_starts(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    business = make_business()
    client = make_client(business, email=CLIENT)
    reminder = services.create_reminder(business=business, actor=None, invoice_ids=[make_invoice(business, client).pk])
    reminder = services.save_reminder(reminder=reminder, actor=None)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.REMINDER_SEND_TIMEOUT + 1)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SENDING, send_claimed_at=long_ago)

    call_command("worker", "--batch", verbosity=0)

    assert status_of(reminder) == Reminder.Status.SEND_UNCERTAIN
