"""A reminder whose interest cannot be computed (a half-year rate the tables do not know).

The shipped ECB table is known through 2026-04-01: an invoice late since October 2026 needs the
rate of the second half of 2026, which is missing. The 40 € indemnity (C. com. D441-5) depends on
no rate: it is still claimed from a business debtor, and the letter says that interest runs
until payment, without a figure.
"""

import datetime as dt
import email
import io
import re
from email.policy import default as default_policy

import pdfplumber
import pytest
from django.urls import reverse

from dunning import services
from dunning.models import Level, Reminder
from tests.factories import make_client, make_invoice

INTEREST_RUNS = "courent jusqu’au complet paiement"
INDEMNITY = "l’indemnité forfaitaire pour frais de recouvrement de 40,00 €"


def squash(text: str) -> str:
    """Spaces of any kind removed: PDF extraction and HTML keep different ones."""
    return re.sub(r"\s", "", text)


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def second_reminder(business, owner, late_invoice) -> Reminder:
    """A second reminder claiming penalties, for an invoice due on 1 October 2026."""
    assert late_invoice.due_date == dt.date(2026, 10, 1)
    return services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], level=Level.SECOND)


def test_editor_claims_the_indemnity_and_says_why_interest_has_no_figure(owner_client, second_reminder):
    assert second_reminder.include_penalties
    content = owner_client.get(reverse("dunning:reminder_edit", args=[second_reminder.pk])).content.decode()
    assert "préparée sans pénalités" not in content
    assert "second semestre 2026" in content
    assert "Intérêts de retard non chiffrés" in content
    assert squash("40,00 €") in squash(content)
    assert "administrateur de Relance" in content


def test_summary_letter_claims_the_indemnity_and_mentions_running_interest(owner_client, second_reminder):
    response = owner_client.get(reverse("dunning:reminder_detail", args=[second_reminder.pk]))
    rendered = response.context["rendered"]
    assert rendered.facts.include_penalties
    assert rendered.facts.interest_unknown
    assert rendered.facts.indemnity == 40
    letter = rendered.letter_text
    assert squash(INDEMNITY) in squash(letter)
    assert INTEREST_RUNS in letter
    assert "au taux convenu ou, à défaut, au taux de la BCE majoré de 10 points" in letter
    assert "0,00 €" not in letter.replace("1 200,00", "")
    assert squash("1 240,00 €") in squash(letter)  # total due: principal + indemnity
    content = response.content.decode()
    assert "préparée sans pénalités" not in content
    assert "Intérêts de retard non chiffrés" in content


def test_frozen_letter_pdf_claims_the_indemnity_and_never_asks_to_add_the_rate(owner, owner_client, second_reminder):
    reminder = services.save_reminder(reminder=second_reminder, actor=owner)
    text = pdf_text(reminder.pdf.open("rb").read())
    assert squash(INDEMNITY) in squash(text)
    assert squash(INTEREST_RUNS) in squash(text)
    assert "Intérêts" not in text  # no interest column of zeros in the invoice table
    assert reminder.snapshot["totals"]["indemnity"] == "40.00"
    assert reminder.snapshot["totals"]["total_due"] == "1240.00"
    content = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
    assert "ajoutez" not in content.lower()
    assert "non chiffrés" in content
    assert "second semestre 2026" in content


def test_sent_email_claims_the_indemnity_without_a_statement_of_zero_interest(
    owner, second_reminder, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=second_reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    message = email.message_from_bytes(smtp_server.messages[0]["data"], policy=default_policy)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert squash(INDEMNITY) in squash(text)
    assert INTEREST_RUNS in text
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [f"relance-{reminder.reference}.pdf"]


def test_consumer_is_never_charged_the_indemnity_when_the_rate_is_unknown(owner, business):
    client = make_client(business, kind="consumer", name="Sophie Lambert")
    invoice = make_invoice(business, client, issue_date=dt.date(2026, 9, 1))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=Level.SECOND)
    reminder = services.save_reminder(reminder=reminder, actor=owner)
    assert reminder.snapshot["totals"]["indemnity"] == "0.00"
    assert "40,00" not in pdf_text(reminder.pdf.open("rb").read())
