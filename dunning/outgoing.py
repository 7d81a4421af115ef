"""The message that leaves: a frozen reminder's e-mail with its attachments, from its snapshot."""

from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives

from dunning.emails import invoice_attachments, statement_name
from dunning.facts import rendered_from_snapshot
from dunning.letter import render_statement_pdf
from dunning.models import Reminder
from dunning.statement import reminder_statement


def statement_pdf(reminder: Reminder) -> bytes:
    """The penalty statement of a frozen reminder, from its snapshot: the figures its letter shows."""
    rendered = rendered_from_snapshot(reminder)
    data = reminder_statement(
        facts=rendered.facts,
        segments=[line.segments for line in rendered.lines],
        logo_path=rendered.letter.logo_path,
        place=rendered.letter.place,
    )
    return render_statement_pdf(data)


def build_reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail of a frozen reminder, exactly as its snapshot recorded it."""
    email = reminder.snapshot["email"]
    message = EmailMultiAlternatives(
        subject=email["subject"],
        body=email["text"],
        from_email=email["from"],
        to=[reminder.recipient_email],
        bcc=email["bcc"],
        reply_to=email["reply_to"],
        headers={"Message-ID": reminder.message_id, "X-Relance-Reference": reminder.reference},
    )
    message.attach_alternative(email["html"], "text/html")
    with reminder.pdf.open("rb") as pdf:
        message.attach(reminder.pdf_filename, pdf.read(), "application/pdf")
    if statement_name(reminder.reference) in email["attachments"]:
        message.attach(statement_name(reminder.reference), statement_pdf(reminder), "application/pdf")
    for name, path in invoice_attachments(reminder):
        with default_storage.open(path, "rb") as invoice_pdf:
            message.attach(name, invoice_pdf.read(), "application/pdf")
    return message
