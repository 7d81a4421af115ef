"""What the user sees when the SMTP server refuses a reminder, each case against a real aiosmtpd
server on 127.0.0.1: the reminder ends `send_failed` with a French reason on its page, the retry
button sends it once the server accepts, and the client never receives it twice."""

import email
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from django.urls import reverse

from core.models import AuditEvent
from dunning.models import Reminder
from dunning.tasks import send_reminder_email

CLIENT = "compta@client.fr"
OWN_COPY = "contact@atelier.test"

# (what the server does, what the user reads)
REFUSALS = {
    "recipient refused": (
        {"refuse_recipients": {CLIENT: "550 5.1.1 Boite inconnue"}},
        f"Le serveur d’envoi a refusé le destinataire ({CLIENT} : 550 5.1.1 Boite inconnue).",
    ),
    "temporary error after the message": (
        {"refuse": "451 4.3.0 Reessayez plus tard"},
        "Le serveur d’envoi a refusé l’e-mail (451 4.3.0 Reessayez plus tard).",
    ),
    "message refused": (
        {"refuse": "554 5.7.1 Message refuse"},
        "Le serveur d’envoi a refusé l’e-mail (554 5.7.1 Message refuse).",
    ),
    "greeting refused": (
        {"refuse_hello": "554 5.7.1 Pas de service ici"},
        "Le serveur d’envoi a refusé la connexion (554 5.7.1 Pas de service ici).",
    ),
    "connection closed": (
        {"hang_up": True},
        "Le serveur d’envoi a coupé la connexion sans accepter l’e-mail.",
    ),
}


def refuse(sink: Any, **behaviour: Any) -> None:
    for name, value in behaviour.items():
        setattr(sink, name, value)


def accept_everything(sink: Any) -> None:
    refuse(sink, refuse=None, refuse_recipients={}, refuse_hello=None, hang_up=False)


def copies_for(sink: Any, address: str) -> list[EmailMessage]:
    return [
        email.message_from_bytes(message["data"], policy=default_policy)  # type: ignore[misc]
        for message in sink.messages
        if address in message["to"]
    ]


def post(owner_client, name: str, reminder: Reminder, capture) -> None:
    with capture(execute=True):
        response = owner_client.post(reverse(f"dunning:{name}", args=[reminder.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_reminder_fails_in_french_and_one_retry_sends_it_once(
    case, owner_client, draft, smtp_server, django_capture_on_commit_callbacks, settings
):
    # One try per send: what the user sees and does after a failure (the automatic retries of a
    # temporary failure are tested in test_send_retries.py).
    settings.REMINDER_SEND_ATTEMPTS = 1
    behaviour, reason = REFUSALS[case]
    refuse(smtp_server, **behaviour)

    post(owner_client, "reminder_send", draft, django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SEND_FAILED
    assert draft.send_error == reason
    assert smtp_server.messages == []
    page = owner_client.get(reverse("dunning:reminder_detail", args=[draft.pk])).content.decode()
    assert reason in page
    assert reverse("dunning:reminder_retry", args=[draft.pk]) in page

    # Retried while the server still refuses: failed again, nothing delivered.
    post(owner_client, "reminder_retry", draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert (draft.status, draft.send_error, smtp_server.messages) == (Reminder.Status.SEND_FAILED, reason, [])

    accept_everything(smtp_server)
    post(owner_client, "reminder_retry", draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SENT
    assert draft.send_attempts == 3
    [received] = copies_for(smtp_server, CLIENT)
    assert received["Message-ID"] == draft.message_id

    # Neither another retry nor a duplicate job sends it again.
    post(owner_client, "reminder_retry", draft, django_capture_on_commit_callbacks)
    assert send_reminder_email.call(draft.pk) == "skipped"
    assert len(smtp_server.messages) == 1
    failures = AuditEvent.objects.filter(object_type="reminder", object_id=draft.pk, action="send_failed")
    assert [event.changes["error"] for event in failures] == [reason, reason]


@pytest.fixture
def own_copy(business):
    """The business asked for a copy of each reminder: a second recipient the server may accept."""
    business.bcc_self = True
    business.save()
    return business


def test_refused_client_is_a_failure_even_when_the_own_copy_is_accepted(
    own_copy, owner_client, draft, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse_recipients = {CLIENT: "550 5.1.1 Boite inconnue"}

    post(owner_client, "reminder_send", draft, django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SEND_FAILED
    assert draft.send_error == f"Le serveur d’envoi a refusé le destinataire ({CLIENT} : 550 5.1.1 Boite inconnue)."
    # The business's copy waits for the client's: a copy of an e-mail nobody received would mislead.
    assert smtp_server.messages == []

    accept_everything(smtp_server)
    post(owner_client, "reminder_retry", draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SENT
    [to_client] = copies_for(smtp_server, CLIENT)
    [own] = copies_for(smtp_server, OWN_COPY)
    # The business's copy is the client's e-mail: same Message-ID, addressed to the client.
    assert own["Message-ID"] == to_client["Message-ID"] == draft.message_id
    assert own["To"] == CLIENT and own["Bcc"] is None
    assert (
        own.get_body(preferencelist=("plain",)).get_content()
        == to_client.get_body(preferencelist=("plain",)).get_content()
    )


def test_refused_own_copy_leaves_the_reminder_sent_and_says_so_in_its_history(
    own_copy, owner_client, draft, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse_recipients = {OWN_COPY: "550 5.1.1 Boite pleine"}

    post(owner_client, "reminder_send", draft, django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SENT
    assert len(copies_for(smtp_server, CLIENT)) == 1
    assert copies_for(smtp_server, OWN_COPY) == []
    sent = AuditEvent.objects.get(object_type="reminder", object_id=draft.pk, action="sent")
    assert sent.changes["copy_error"] == (
        f"Le serveur d’envoi a refusé le destinataire ({OWN_COPY} : 550 5.1.1 Boite pleine)."
    )
    # Sent is final: the client cannot receive it a second time.
    post(owner_client, "reminder_retry", draft, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 1
