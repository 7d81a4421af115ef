"""What leaves with a frozen reminder's e-mail: its files, read from storage or rendered from its snapshot.

The message itself is built by `dunning.emails.reminder_message`.
"""

from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives

from dunning.emails import invoice_attachments, reminder_message, statement_name
from dunning.epc import payment_code
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


def reminder_files(reminder: Reminder) -> list[tuple[str, bytes]]:
    """The stored letter, the penalty statement when the e-mail names one, the original invoices."""
    with reminder.pdf.open("rb") as pdf:
        files = [(reminder.pdf_filename, pdf.read())]
    if statement_name(reminder.reference) in reminder.snapshot["email"]["attachments"]:
        files.append((statement_name(reminder.reference), statement_pdf(reminder)))
    for name, path in invoice_attachments(reminder):
        with default_storage.open(path, "rb") as invoice_pdf:
            files.append((name, invoice_pdf.read()))
    return files


def build_reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    return reminder_message(
        reminder,
        attachments=reminder_files(reminder),
        payment=payment_code(rendered_from_snapshot(reminder).facts),
    )
