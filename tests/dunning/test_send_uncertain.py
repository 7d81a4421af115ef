"""A send that never finished (the worker died while the SMTP server had the message and had not
answered) becomes "Envoi incertain": never re-sent by itself, only by the user's decision —
"Renvoyer" with the same Message-ID, or "Marquer comme envoyée" without sending anything."""

import datetime as dt
import email
import socket
import threading
from email.policy import default as default_policy

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from dunning.tasks import send_reminder_email
from tests.factories import make_reminder
from tests.stalling_smtp import stalling_smtp_server

CLIENT = "compta@client.fr"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def bound() -> dt.timedelta:
    return dt.timedelta(seconds=django_settings.REMINDER_SEND_TIMEOUT)


def events(reminder: Reminder, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="reminder", object_id=reminder.pk, action=action))


def message_ids(messages: list[dict]) -> list[str]:
    return [email.message_from_bytes(m["data"], policy=default_policy)["Message-ID"] for m in messages]


@pytest.fixture
def started(owner, draft) -> Reminder:
    """Sent by the user and taken by a worker that then vanished: `sending`, claimed a moment ago."""
    reminder = services.send_reminder(reminder=draft, actor=owner)  # its task never runs here
    Reminder.objects.filter(pk=reminder.pk).update(send_claimed_at=timezone.now())
    reminder.refresh_from_db()
    return reminder


@pytest.fixture
def started_just_now_elsewhere(business, owner) -> Reminder:
    """Another reminder whose send has just started."""
    reminder = make_reminder(business, owner, status=Reminder.Status.SENDING)
    Reminder.objects.filter(pk=reminder.pk).update(send_claimed_at=timezone.now())
    return reminder


@pytest.fixture
def stuck(started) -> Reminder:
    """The same, claimed longer ago than the bound."""
    Reminder.objects.filter(pk=started.pk).update(send_claimed_at=timezone.now() - bound() - dt.timedelta(seconds=1))
    started.refresh_from_db()
    return started


@pytest.fixture
def uncertain(stuck) -> Reminder:
    assert services.reclaim_stale_sends() == [stuck.pk]
    stuck.refresh_from_db()
    return stuck


def test_a_send_unfinished_past_the_bound_becomes_uncertain_once_and_sends_nothing(started, smtp_server):
    claimed_at = started.send_claimed_at
    assert claimed_at is not None
    with time_machine.travel(claimed_at + bound() - dt.timedelta(seconds=1), tick=False):
        assert services.reclaim_stale_sends() == []
    started.refresh_from_db()
    assert started.status == Reminder.Status.SENDING

    with time_machine.travel(claimed_at + bound() + dt.timedelta(seconds=1), tick=False):
        assert services.reclaim_stale_sends() == [started.pk]
        assert services.reclaim_stale_sends() == []

    started.refresh_from_db()
    assert started.status == Reminder.Status.SEND_UNCERTAIN
    assert started.get_status_display() == "Envoi incertain"
    assert started.sent_at is None
    assert smtp_server.messages == []
    [event] = events(started, "send_uncertain")
    assert event.actor is None
    assert event.changes["timeout_seconds"] == django_settings.REMINDER_SEND_TIMEOUT


def test_a_send_no_worker_has_started_keeps_waiting_for_one(owner, draft):
    """Nothing has left while no worker holds the send: it goes when a worker runs."""
    reminder = services.send_reminder(reminder=draft, actor=owner)
    with time_machine.travel(timezone.now() + bound() * 10, tick=False):
        assert services.reclaim_stale_sends() == []
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENDING


def test_the_reminder_page_reclaims_a_stuck_send_and_explains_it(owner_client, stuck):
    page = owner_client.get(reverse("dunning:reminder_detail", args=[stuck.pk])).content.decode()

    stuck.refresh_from_db()
    assert stuck.status == Reminder.Status.SEND_UNCERTAIN
    assert len(events(stuck, "send_uncertain")) == 1
    assert "Envoi incertain" in page
    assert "s’est interrompu avant que le serveur d’envoi ait répondu" in page
    assert "L’e-mail a donc pu arriver chez votre client, ou non" in page
    assert f'action="{reverse("dunning:reminder_resend", args=[stuck.pk])}"' in page
    assert f'action="{reverse("dunning:reminder_mark_sent", args=[stuck.pk])}"' in page
    assert "votre client recevra un second exemplaire" in page
    assert "même identifiant de message" in page
    # Deactivating is the user's choice here too.
    assert f'action="{reverse("dunning:reminder_deactivate", args=[stuck.pk])}"' in page


def test_the_reminder_page_of_a_send_within_the_bound_only_says_it_is_going(owner_client, started):
    page = owner_client.get(reverse("dunning:reminder_detail", args=[started.pk])).content.decode()

    started.refresh_from_db()
    assert started.status == Reminder.Status.SENDING
    assert "Envoi en cours" in page
    assert "Envoi incertain" not in page
    assert reverse("dunning:reminder_resend", args=[started.pk]) not in page
    assert reverse("dunning:reminder_mark_sent", args=[started.pk]) not in page


def test_resend_delivers_one_copy_with_the_same_message_id(
    owner, owner_client, uncertain, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("dunning:reminder_resend", args=[uncertain.pk]))

    assert response.status_code == 302
    uncertain.refresh_from_db()
    assert uncertain.status == Reminder.Status.SENT
    assert [m["to"] for m in smtp_server.messages] == [[CLIENT]]
    assert message_ids(smtp_server.messages) == [uncertain.message_id]
    [resent] = events(uncertain, "resent")
    assert resent.actor == owner
    assert resent.changes["message_id"] == uncertain.message_id

    # Sent is final: neither the button again nor a duplicate job sends a third copy.
    with django_capture_on_commit_callbacks(execute=True):
        again = owner_client.post(reverse("dunning:reminder_resend", args=[uncertain.pk]), follow=True)
    assert "déjà envoyée" in again.content.decode()
    assert send_reminder_email.call(uncertain.pk) == "skipped"
    assert len(smtp_server.messages) == 1


def test_mark_sent_records_the_send_without_sending(owner, owner_client, uncertain, smtp_server):
    response = owner_client.post(reverse("dunning:reminder_mark_sent", args=[uncertain.pk]), follow=True)

    uncertain.refresh_from_db()
    assert uncertain.status == Reminder.Status.SENT
    # The e-mail left, if it did, when the worker handed it over.
    assert uncertain.sent_at == uncertain.send_claimed_at
    assert smtp_server.messages == []
    assert "Relance marquée comme envoyée" in response.content.decode()
    [marked] = events(uncertain, "marked_sent")
    assert marked.actor == owner


@pytest.mark.parametrize("status", ["draft", "saved", "sending", "sent", "send_failed"])
def test_only_an_uncertain_send_can_be_resent_or_marked_sent(business, owner, status, smtp_server):
    reminder = make_reminder(business, owner, status=status)
    for action in (services.resend_uncertain, services.mark_sent):
        with pytest.raises(Conflict):
            action(reminder=reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.status == status
    assert smtp_server.messages == []


def test_a_stuck_send_nobody_has_looked_at_yet_can_be_marked_sent(owner, stuck):
    """The action finds the send past the bound itself: no page or sweep needed first."""
    services.mark_sent(reminder=stuck, actor=owner)
    stuck.refresh_from_db()
    assert stuck.status == Reminder.Status.SENT
    assert [e.action for e in AuditEvent.objects.filter(object_id=stuck.pk).order_by("id")][-2:] == [
        "send_uncertain",
        "marked_sent",
    ]


def test_an_uncertain_send_can_be_deactivated(owner, uncertain):
    services.deactivate_reminder(reminder=uncertain, actor=owner)
    uncertain.refresh_from_db()
    assert uncertain.deactivated_at is not None


def test_the_dashboard_counts_uncertain_sends_to_check(owner_client, uncertain):
    page = owner_client.get(reverse("pages:dashboard")).content.decode()
    assert "1</strong> envoi incertain : à vérifier" in page


# The API


def test_api_shows_the_state_and_resends(api, uncertain, smtp_server, django_capture_on_commit_callbacks):
    assert api.get(f"/reminders/{uncertain.pk}").json()["status"] == "send_uncertain"

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/reminders/{uncertain.pk}/resend")

    assert response.status_code == 200
    assert response.json()["status"] == "sending"
    uncertain.refresh_from_db()
    assert uncertain.status == Reminder.Status.SENT
    assert message_ids(smtp_server.messages) == [uncertain.message_id]

    conflict = api.post(f"/reminders/{uncertain.pk}/resend")
    assert conflict.status_code == 409
    assert "déjà envoyée" in conflict.json()["detail"]
    assert api.post(f"/reminders/{uncertain.pk}/mark-sent").status_code == 409
    assert len(smtp_server.messages) == 1


def test_api_reading_a_stuck_send_finds_it_uncertain(api, stuck, started_just_now_elsewhere):
    assert api.get(f"/reminders/{stuck.pk}").json()["status"] == "send_uncertain"
    assert api.get(f"/reminders/{started_just_now_elsewhere.pk}").json()["status"] == "sending"


def test_api_marks_sent(api, uncertain, smtp_server):
    response = api.post(f"/reminders/{uncertain.pk}/mark-sent")
    assert response.status_code == 200
    assert response.json()["status"] == "sent"
    assert response.json()["sent_at"] is not None
    assert smtp_server.messages == []
    assert api.post(f"/reminders/{uncertain.pk}/mark-sent").status_code == 409


def test_api_refuses_while_the_send_is_going(api, started):
    for path in ("resend", "mark-sent"):
        response = api.post(f"/reminders/{started.pk}/{path}")
        assert response.status_code == 409
        assert "en cours d’envoi" in response.json()["detail"]


def test_another_business_cannot_touch_an_uncertain_send(outsider_api, outsider_client, uncertain):
    for path in ("resend", "mark-sent"):
        assert outsider_api.post(f"/reminders/{uncertain.pk}/{path}").status_code == 404
    assert outsider_client.post(reverse("dunning:reminder_resend", args=[uncertain.pk])).status_code == 404
    assert outsider_client.post(reverse("dunning:reminder_mark_sent", args=[uncertain.pk])).status_code == 404
    uncertain.refresh_from_db()
    assert uncertain.status == Reminder.Status.SEND_UNCERTAIN


# A worker that was only slow, not dead


def _send_in_a_thread(reminder_id: int, outcome: list[str]) -> threading.Thread:
    def run() -> None:
        try:
            outcome.append(send_reminder_email.call(reminder_id))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("accept", "status"), [(True, "sent"), (False, "send_failed")])
def test_a_send_declared_uncertain_that_ends_after_all_records_how_it_ended(owner, draft, settings, accept, status):
    settings.TASKS = DATABASE_TASKS
    with stalling_smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        reminder = services.send_reminder(reminder=draft, actor=owner)
        outcome: list[str] = []
        thread = _send_in_a_thread(reminder.pk, outcome)
        assert sink.received.wait(30)

        settings.REMINDER_SEND_TIMEOUT = 0
        assert services.reclaim_stale_sends() == [reminder.pk]
        sink.release(accept=accept)
        thread.join(30)
        assert not thread.is_alive()

    reminder.refresh_from_db()
    assert reminder.status == status
    assert len(sink.messages) == (1 if accept else 0)
    assert outcome == ["sent" if accept else "failed"]


@pytest.mark.django_db(transaction=True)
def test_a_slow_send_that_ends_after_the_user_marked_it_sent_leaves_it_sent(owner, draft, settings):
    settings.TASKS = DATABASE_TASKS
    with stalling_smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        reminder = services.send_reminder(reminder=draft, actor=owner)
        outcome: list[str] = []
        thread = _send_in_a_thread(reminder.pk, outcome)
        assert sink.received.wait(30)
        settings.REMINDER_SEND_TIMEOUT = 0
        services.mark_sent(reminder=reminder, actor=owner)
        sink.release(accept=False)
        thread.join(30)
        assert not thread.is_alive()

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert events(reminder, "send_failed") == []


@pytest.mark.django_db(transaction=True)
def test_a_server_silent_after_taking_the_message_makes_the_send_uncertain_not_failed(owner, draft, settings):
    """The worker's wait for the answer runs out: the server may deliver what it has."""
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_TIMEOUT = 1
    with stalling_smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        reminder = services.send_reminder(reminder=draft, actor=owner)
        assert send_reminder_email.call(reminder.pk) == "uncertain"

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SEND_UNCERTAIN
    assert len(sink.stalled) == 1
    assert events(reminder, "send_failed") == []
    [declared] = events(reminder, "send_uncertain")
    assert declared.changes["error"] == "Le serveur d’envoi n’a pas répondu après avoir reçu l’e-mail."


@pytest.mark.django_db(transaction=True)
def test_a_server_silent_before_the_message_is_a_plain_failure(owner, draft, settings):
    """Nothing was handed over: the send failed, and "Réessayer l’envoi" cannot make a duplicate.
    (The last automatic attempt here; an earlier one is tried again, tests/dunning/test_send_retries.py.)"""
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_TIMEOUT = 1
    settings.REMINDER_SEND_ATTEMPTS = 1
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        reminder = services.send_reminder(reminder=draft, actor=owner)
        assert send_reminder_email.call(reminder.pk) == "failed"

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SEND_FAILED
    assert events(reminder, "send_uncertain") == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("accept", [True, False], ids=["first-copy-accepted", "first-copy-refused"])
def test_a_resend_queued_while_the_first_attempt_was_still_waiting_sends_one_copy_in_all(
    owner, draft, settings, accept
):
    settings.TASKS = DATABASE_TASKS
    with stalling_smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        reminder = services.send_reminder(reminder=draft, actor=owner)
        outcome: list[str] = []
        thread = _send_in_a_thread(reminder.pk, outcome)
        assert sink.received.wait(30)
        settings.REMINDER_SEND_TIMEOUT = 0
        services.resend_uncertain(reminder=reminder, actor=owner)  # queued, no worker has it yet
        sink.release(accept=accept)
        thread.join(30)
        assert not thread.is_alive()

        # The queued resend: it stays home when the first copy was accepted, goes otherwise.
        assert send_reminder_email.call(reminder.pk) == ("skipped" if accept else "sent")

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert message_ids(sink.messages) == [reminder.message_id]
