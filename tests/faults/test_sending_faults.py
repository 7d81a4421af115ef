"""Reminder e-mails sent by real `relance worker` processes, with each task backend (the database,
and RQ on the Redis of 127.0.0.1), to a real SMTP server counting what it received by
Message-ID: a worker killed (SIGKILL) mid-run and started again, and a server that answers
"try again later" to every 7th message. Each e-mail arrives once, or, for the one the killed
worker had in flight, is shown as "Envoi incertain".

The full 1,000-e-mail run is `make bench` (bench/sending_faults.py); the suite sends fewer.
"""

import copy
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.fixtures import Settings

from dunning import services
from dunning.models import Reminder, ReminderInvoice
from dunning.tasks import send_reminder_email
from tests.factories import make_business, make_client, make_invoice, make_user
from tests.helpers import SmtpSink, free_port
from tests.relance.tasks import note_run
from tests.workers import Workers, wait_for

CLIENT = "compta@client.fr"
# Workers that give up quickly on a silent server, call a send uncertain soon after, retry at
# once, and queue again soon a send whose task was lost.
FAST = {"EMAIL_TIMEOUT": 1, "REMINDER_SEND_TIMEOUT": 2, "REMINDER_SEND_ATTEMPTS": 5, "REMINDER_SEND_RETRY_DELAY": 0}
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


class CountingSink(SmtpSink):
    """Answers "451 try again later" to every `refuse_every`-th message (0: never)."""

    def __init__(self, refuse_every: int = 0) -> None:
        super().__init__()
        self.refuse_every = refuse_every
        self.data_commands = 0
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if CLIENT not in envelope.rcpt_tos:
            return await super().handle_DATA(server, session, envelope)
        self.data_commands += 1
        if self.refuse_every and self.data_commands % self.refuse_every == 0:
            self.refused += 1
            return "451 4.3.0 Reessayez plus tard"
        return await super().handle_DATA(server, session, envelope)

    def received(self) -> Counter[str]:
        """How many times each Message-ID reached the client."""
        found: Counter[str] = Counter()
        for message in list(self.messages):
            if CLIENT in message["to"]:
                match = MESSAGE_ID.search(message["data"])
                assert match, message["data"][:500]
                found[match.group(1).decode()] += 1
        return found


@contextmanager
def smtp_server(sink: CountingSink) -> Iterator[int]:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass
class Backend:
    name: str
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(params=["database", "rq"])
def backend(request: pytest.FixtureRequest, settings: Settings) -> Backend:
    """The test enqueues with the same backend as its workers run."""
    if request.param == "database":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
        return Backend("database")
    url = request.getfixturevalue("redis_url")
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    return Backend("rq", {"REDIS_URL": url})


def reminders_to_send(count: int) -> list[Reminder]:
    """`count` reminders in state `sending`, each with its own reference and Message-ID.

    One is frozen through the service (its PDF rendered once); the others are its copies, so
    that the setup does not render `count` letters.
    """
    business = make_business()
    owner = make_user(business)
    client = make_client(business, name="Boulangerie Durand", email=CLIENT)
    invoice = make_invoice(business, client, amount="1200.00")
    draft = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    frozen = services.save_reminder(reminder=draft, actor=owner)
    copies = []
    for number in range(count):
        reminder = copy.copy(frozen)
        reminder.pk = None
        reminder._state.adding = True
        reminder.status = Reminder.Status.SENDING
        reminder.reference = f"{frozen.reference}-{number}"
        reminder.message_id = make_msgid(idstring=f"fault{number}", domain="relance.test")
        reminder.recipient_email = CLIENT
        copies.append(reminder)
    with transaction.atomic():
        created = Reminder.objects.bulk_create(copies)
        ReminderInvoice.objects.bulk_create(ReminderInvoice(reminder=r, invoice=invoice) for r in created)
    return created


def enqueue_sends(reminders: list[Reminder]) -> None:
    with transaction.atomic():
        for reminder in reminders:
            send_reminder_email.enqueue(reminder.pk)


def statuses(reminders: list[Reminder]) -> Counter[str]:
    return Counter(Reminder.objects.filter(pk__in=[r.pk for r in reminders]).values_list("status", flat=True))


def all_settled(reminders: list[Reminder]) -> bool:
    return not Reminder.objects.filter(pk__in=[r.pk for r in reminders], status=Reminder.Status.SENDING).exists()


def run_killed_worker(count: int, backend: Backend, tmp_path: Path, media_root: Path) -> dict[str, Any]:
    """Sends `count` e-mails; the first worker is killed a third of the way, a second one ends
    the work. Returns what the server received and what the reminders say, with timings."""
    sink = CountingSink()
    with smtp_server(sink) as port:
        workers = Workers(tmp_path, media_root, port, backend=backend.name)
        reminders = reminders_to_send(count)
        enqueue_sends(reminders)
        try:
            started = time.monotonic()
            doomed = workers.start(**FAST, **backend.env)
            wait_for(lambda: len(sink.messages) >= count // 3, 60 + count, "A third of the e-mails", workers)
            workers.kill(doomed)
            delivered_when_killed = len(sink.messages)
            workers.start(**FAST, **backend.env)
            wait_for(lambda: all_settled(reminders), 120 + count, "Every reminder sent or uncertain", workers)
            elapsed = time.monotonic() - started
        finally:
            workers.stop_all()
    return {
        "reminders": {r.pk: r for r in Reminder.objects.filter(pk__in=[r.pk for r in reminders])},
        "received": sink.received(),
        "delivered_when_killed": delivered_when_killed,
        "seconds": elapsed,
        "log": workers.log(),
    }


def assert_each_delivered_once_or_uncertain(count: int, run: dict[str, Any]) -> None:
    reminders: dict[int, Reminder] = run["reminders"]
    received: Counter[str] = run["received"]
    assert 0 < run["delivered_when_killed"] < count, "the worker was killed mid-run"
    by_status = Counter(r.status for r in reminders.values())
    assert set(by_status) <= {Reminder.Status.SENT, Reminder.Status.SEND_UNCERTAIN}, by_status
    # Only the one the killed worker had in flight may be uncertain.
    assert by_status[Reminder.Status.SEND_UNCERTAIN] <= 1, by_status
    duplicates = {message_id: times for message_id, times in received.items() if times > 1}
    assert duplicates == {}
    ours = {r.message_id for r in reminders.values()}
    assert set(received) <= ours
    for reminder in reminders.values():
        if reminder.status == Reminder.Status.SENT:
            assert received[reminder.message_id] == 1, reminder.pk
    assert len(received) >= count - by_status[Reminder.Status.SEND_UNCERTAIN]


# The suite's count; `make bench` runs 1,000 (RELANCE_FAULT_EMAILS=1000).
KILLED_RUN_COUNT = int(os.environ.get("RELANCE_FAULT_EMAILS", "90"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300 + KILLED_RUN_COUNT)
def test_a_worker_killed_mid_run_and_started_again_delivers_each_email_once_or_shows_it_uncertain(
    backend: Backend, settings: Settings, tmp_path: Path
) -> None:
    run = run_killed_worker(KILLED_RUN_COUNT, backend, tmp_path, Path(settings.MEDIA_ROOT))
    # Read by `make bench` (pytest -s): the run's pace, the kill and restart included.
    print(
        f"\n{backend.name}: {KILLED_RUN_COUNT} e-mails in {run['seconds']:.1f} s "
        f"({KILLED_RUN_COUNT / run['seconds']:.1f}/s), {Counter(r.status for r in run['reminders'].values())}"
    )

    assert_each_delivered_once_or_uncertain(KILLED_RUN_COUNT, run)
    uncertain = [r for r in run["reminders"].values() if r.status == Reminder.Status.SEND_UNCERTAIN]
    for reminder in uncertain:
        http = HttpClient()
        http.force_login(reminder.created_by)
        page = http.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
        assert "Envoi incertain" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
def test_a_server_refusing_every_seventh_message_for_now_gets_each_email_once_after_retries(
    backend: Backend, settings: Settings, tmp_path: Path
) -> None:
    count = 42
    sink = CountingSink(refuse_every=7)
    with smtp_server(sink) as port:
        workers = Workers(tmp_path, Path(settings.MEDIA_ROOT), port, backend=backend.name)
        reminders = reminders_to_send(count)
        enqueue_sends(reminders)
        try:
            # A second between attempts: the retries wait for their time in the queue.
            workers.start(**{**FAST, "REMINDER_SEND_RETRY_DELAY": 1}, **backend.env)
            wait_for(lambda: all_settled(reminders), 240, "Every reminder sent", workers)
        finally:
            workers.stop_all()

    assert statuses(reminders) == {Reminder.Status.SENT: count}
    received = sink.received()
    assert sorted(received) == sorted(r.message_id for r in reminders)
    assert set(received.values()) == {1}
    assert sink.refused >= count // 7
    # Each refusal cost one more attempt, and nothing else did.
    attempts = Reminder.objects.filter(pk__in=[r.pk for r in reminders]).aggregate(total=Sum("send_attempts"))
    assert attempts["total"] == count + sink.refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
def test_two_workers_never_run_the_same_task(backend: Backend, settings: Settings, tmp_path: Path) -> None:
    notes = tmp_path / "runs.txt"
    count = 100
    workers = Workers(tmp_path, Path(settings.MEDIA_ROOT), free_port(), backend=backend.name)
    try:
        workers.start(**backend.env)
        workers.start(**backend.env)
        # Both workers up (each says so in its log) before the queue fills, and each task long
        # enough (50 ms) that neither runs all of them before the other has polled: a worker
        # starting a second later used to find the queue already empty.
        logs = [tmp_path / f"worker-{index}.log" for index in range(2)]
        wait_for(lambda: all(log.stat().st_size for log in logs), 60, "Both workers up", workers)
        with transaction.atomic():
            for key in range(count):
                note_run.enqueue(str(notes), key, 0.05)
        wait_for(lambda: notes.exists() and len(notes.read_text().split()) >= count, 240, "Every task", workers)
    finally:
        # A stopped worker finishes the task in hand: a duplicate run, were there one, shows.
        workers.stop_all()

    runs = Counter(int(key) for key in notes.read_text().split())
    assert sorted(runs) == list(range(count))
    assert set(runs.values()) == {1}
    # Both took their share: the test did race them.
    logs = [path.read_text(errors="replace") for path in sorted(tmp_path.glob("worker-*.log"))]
    assert all("note_run" in log for log in logs), logs
