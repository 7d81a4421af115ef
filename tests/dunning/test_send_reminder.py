import email
import io
import re
from email.message import EmailMessage
from email.policy import default as default_policy

import pdfplumber
import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict
from core.models import AuditEvent
from dunning import services
from dunning.models import Channel, Reminder
from dunning.tasks import send_reminder_email
from tests.factories import make_client, make_invoice, make_reminder


def parse(message: dict) -> EmailMessage:
    parsed = email.message_from_bytes(message["data"], policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.fixture
def sender(business):
    business.reply_to_email = "factures@atelier.test"
    business.sender_name = "Atelier Lumière"
    business.bcc_self = True
    business.save()
    return business


def test_sent_email_reaches_the_server_with_the_letter_attached(
    sender, owner, draft, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=draft, actor=owner)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.sent_at is not None
    # The client's e-mail, then the business's blind copy in its own transaction.
    assert [received["to"] for received in smtp_server.messages] == [["compta@client.fr"], ["contact@atelier.test"]]
    received, copy = smtp_server.messages
    own = parse(copy)
    assert own["To"] == "compta@client.fr" and own["Bcc"] is None
    assert own["Message-ID"] == parse(received)["Message-ID"]
    assert [part.get_content() for part in own.iter_attachments()] == [
        part.get_content() for part in parse(received).iter_attachments()
    ]
    message = parse(received)
    assert message["To"] == "compta@client.fr"
    assert message["Reply-To"] == "factures@atelier.test"
    assert message["Bcc"] is None
    assert message["From"].addresses[0].display_name == "Atelier Lumière"
    assert message["From"].addresses[0].addr_spec == "noreply@relance.test"
    assert message["Message-ID"] == reminder.message_id
    assert message["Subject"].strip() == reminder.subject
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "F-2026-041" in text and "F-2026-041" in html
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == [f"relance-{reminder.reference}.pdf"]
    content = attachments[0].get_content()
    assert content == reminder.pdf.open("rb").read()
    letter = squash(pdf_text(content))
    assert "F-2026-041" in letter
    assert "1200,00€" in letter


def test_original_invoice_pdf_is_attached_when_present(
    owner, business, client_with_email, smtp_server, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    invoice = make_invoice(business, client_with_email, number="F-7")
    invoice.pdf.save("f-7.pdf", ContentFile(b"%PDF-1.4 facture"))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=reminder, actor=owner)
    names = [part.get_filename() for part in parse(smtp_server.messages[0]).iter_attachments()]
    assert names == [f"relance-{reminder.reference}.pdf", "facture-F-7.pdf"]
    assert reminder.snapshot["email"]["attachments"] == names


def test_refused_email_fails_then_retry_sends_exactly_one(
    owner, draft, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = "554 Refused"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(reminder=draft, actor=owner)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SEND_FAILED
    assert "554" in draft.send_error and "refusé" in draft.send_error
    assert smtp_server.messages == []
    message_id = draft.message_id

    smtp_server.refuse = None
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_send(reminder=draft, actor=owner)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SENT
    assert draft.send_attempts == 2
    assert len(smtp_server.messages) == 1
    assert parse(smtp_server.messages[0])["Message-ID"] == message_id
    actions = list(
        AuditEvent.objects.filter(object_type="reminder", object_id=draft.pk).values_list("action", flat=True)
    )
    assert {"send_requested", "send_failed", "send_retried", "sent"} <= set(actions)

    # Neither a second run of the task nor a retry sends it again.
    assert send_reminder_email.call(draft.pk) == "skipped"
    with pytest.raises(Conflict):
        services.retry_send(reminder=draft, actor=owner)
    assert len(smtp_server.messages) == 1


def test_unreachable_server_fails_with_a_french_message(owner, draft, settings, django_capture_on_commit_callbacks):
    from tests.helpers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(reminder=draft, actor=owner)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SEND_FAILED
    assert draft.send_error.startswith("Serveur d’envoi injoignable")


def test_task_sends_only_a_reminder_waiting_to_be_sent(owner, draft, business, smtp_server):
    assert send_reminder_email.call(draft.pk) == "skipped"
    assert send_reminder_email.call(make_reminder(business, owner, status="saved").pk) == "skipped"
    assert smtp_server.messages == []


def test_a_claimed_reminder_is_not_sent_by_a_second_worker(owner, draft, smtp_server):
    reminder = services.send_reminder(reminder=draft, actor=owner)  # on_commit not run: still waiting
    Reminder.objects.filter(pk=reminder.pk).update(send_claimed_at=reminder.frozen_at)
    assert send_reminder_email.call(reminder.pk) == "skipped"
    assert smtp_server.messages == []


def test_client_without_email_cannot_be_sent_to(owner, business):
    invoice = make_invoice(business, make_client(business, email=""))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    with pytest.raises(ValidationError) as error:
        services.send_reminder(reminder=reminder, actor=owner)
    assert error.value.message_dict["channel"] == [
        "Ce client n’a pas d’adresse e-mail : enregistrez la relance pour l’imprimer."
    ]
    reminder.refresh_from_db()
    assert reminder.is_draft


def test_letter_reminder_is_not_sent_by_email_unseen(owner, draft):
    services.update_draft(reminder=draft, actor=owner, channel=Channel.LETTER)
    with pytest.raises(ValidationError) as error:
        services.send_reminder(reminder=draft, actor=owner)
    assert "courrier" in error.value.message_dict["channel"][0]


@pytest.mark.parametrize("status", ["saved", "sending", "sent", "send_failed"])
def test_frozen_reminder_cannot_be_sent_again(owner, business, status):
    with pytest.raises(Conflict):
        services.send_reminder(reminder=make_reminder(business, owner, status=status), actor=owner)


@pytest.mark.parametrize("status", ["draft", "saved", "sending", "sent"])
def test_only_a_failed_send_can_be_retried(owner, business, status):
    with pytest.raises(Conflict, match="échoué"):
        services.retry_send(reminder=make_reminder(business, owner, status=status), actor=owner)


def test_sender_name_cannot_inject_headers_or_spoof_the_address(
    owner, business, draft, smtp_server, django_capture_on_commit_callbacks
):
    business.sender_name = 'Atelier\r\nBcc: victime@example.fr "Faux" <spoof@evil.example>'
    business.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(reminder=draft, actor=owner)
    received = smtp_server.messages[0]
    assert received["to"] == ["compta@client.fr"]
    message = parse(received)
    assert message["Bcc"] is None
    assert [address.addr_spec for address in message["From"].addresses] == ["noreply@relance.test"]
