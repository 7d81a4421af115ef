"""The reminder e-mail: text and HTML parts from templates, the names of its attachments, the message.

Its text and HTML parts come from `emails/reminder.txt` and `emails/reminder.html`; its subject
is the reminder's own, written by the user and rendered with the placeholders, so it has no
template of its own.

Rendering (at preview and at freezing) and sending (from the frozen snapshot) are separate: the
task sends exactly what the snapshot holds, so a retry sends the very e-mail the user saw. The
files it carries are read by `dunning.outgoing`.
"""

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.mime.image import MIMEImage
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.models import Business
from dunning.epc import EMAIL_CONTENT_ID, PAYMENT_TITLE, SCAN_HINT, PaymentCode
from dunning.models import Reminder
from ledger.models import Client

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Header values on one line: a newline in a name or subject must not become a header.

    Only line breaks go: the no-break spaces of "n° F-12" stay.
    """
    return _LINE_BREAKS.sub(" ", text or "").strip()


@dataclass
class Envelope:
    from_email: str
    to: list[str]
    reply_to: list[str]
    bcc: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"from": self.from_email, "to": self.to, "reply_to": self.reply_to, "bcc": self.bcc}


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str
    envelope: Envelope
    attachments: list[str] = field(default_factory=list)
    # The HTML shows the "QR code SEPA" (an inline image the message carries, built again from
    # the frozen facts when it is sent).
    payment_code: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "attachments": self.attachments,
            "payment_code": self.payment_code,
            **self.envelope.as_json(),
        }


def envelope_for(business: Business, client: Client) -> Envelope:
    """From: the business's name at the platform's address (we may not send as its domain)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    # Kept readable ("Atelier Lumière <…>"); Django encodes it for the wire when sending.
    name = one_line(business.sender_name or business.display_name)
    reply_to = [business.reply_to] if business.reply_to else []
    bcc_address = business.email or business.reply_to
    return Envelope(
        from_email=str(Address(display_name=name, addr_spec=address)),
        to=[client.email] if client.email else [],
        reply_to=reply_to,
        bcc=[bcc_address] if business.bcc_self and bcc_address else [],
    )


def render_email(
    *,
    business: Business,
    client: Client,
    subject: str,
    body_text: str,
    body_html: SafeString,
    attachments: list[str],
    payment: PaymentCode | None = None,
) -> RenderedEmail:
    context = {
        "business": business,
        "client": client,
        "subject": one_line(subject),
        "body_text": body_text,
        "body_html": body_html,
        "attachments": attachments,
        "payment": payment,
        "payment_cid": EMAIL_CONTENT_ID,
        "payment_title": PAYMENT_TITLE,
        "scan_hint": SCAN_HINT,
    }
    return RenderedEmail(
        subject=one_line(subject),
        text=render_to_string("emails/reminder.txt", context),
        html=render_to_string("emails/reminder.html", context),
        envelope=envelope_for(business, client),
        attachments=attachments,
        payment_code=payment is not None,
    )


def browser_html(email: RenderedEmail, payment: PaymentCode | None) -> str:
    """The HTML part as a browser shows it: the image the message carries inline, as a data: URL."""
    if payment is None or not email.payment_code:
        return email.html
    image = base64.b64encode(payment.png()).decode("ascii")
    return email.html.replace(f"cid:{EMAIL_CONTENT_ID}", f"data:image/png;base64,{image}")


def invoice_attachments(reminder: Reminder) -> list[tuple[str, str]]:
    """(file name, storage path) of the original invoice PDFs to attach, when there are some."""
    if not reminder.attach_invoice_pdfs:
        return []
    return [
        (f"facture-{invoice.number}.pdf".replace("/", "-"), str(invoice.pdf.name))
        for invoice in reminder.invoices.order_by("due_date", "number")
        if invoice.pdf
    ]


def statement_name(reference: str) -> str:
    return f"decompte-penalites-{reference}.pdf"


def attachment_names(reminder: Reminder, reference: str, *, statement: bool = False) -> list[str]:
    """`statement`: the reminder claims penalties, so the "Décompte des pénalités de retard" goes along."""
    names = [f"relance-{reference}.pdf"]
    if statement:
        names.append(statement_name(reference))
    names += [name for name, _path in invoice_attachments(reminder)]
    return names


def reminder_message(
    reminder: Reminder, *, attachments: Sequence[tuple[str, bytes]], payment: PaymentCode | None = None
) -> EmailMultiAlternatives:
    """The e-mail of a frozen reminder, exactly as its snapshot recorded it, with its PDF files
    and, when its HTML shows one, the image of its "QR code SEPA"."""
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
    for name, content in attachments:
        message.attach(name, content, "application/pdf")
    if payment is not None and email.get("payment_code"):
        image = MIMEImage(payment.png(), "png")
        image.add_header("Content-ID", f"<{EMAIL_CONTENT_ID}>")
        image.add_header("Content-Disposition", "inline", filename="qr-code-sepa.png")
        message.attach(image)
    return message
