"""A level-2 reminder to a professional client shows, in the editor, the summary and the PDF,
the same interest and indemnity as `relance penalties` for the same invoice and date, and keeps
them once saved, whatever happens to the invoice afterwards."""

import datetime as dt
import email
import email.policy
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from dunning import services as dunning_services
from dunning.models import Reminder
from ledger import services as ledger_services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice

PARIS = ZoneInfo("Europe/Paris")
UNTIL = dt.date(2026, 3, 15)


@pytest.fixture
def on_until() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def invoice(business: Business) -> Invoice:
    client = make_client(business, name="Boulangerie Durand", email="compta@durand.test")
    return make_invoice(
        business, client, amount="1000.00", issue_date=dt.date(2025, 12, 16), due_date=dt.date(2026, 1, 15)
    )


def cli_penalties() -> dict[str, Any]:
    out = io.StringIO()
    call_command(
        "penalties",
        "--amount=1000.00",
        "--due-date=2026-01-15",
        f"--until={UNTIL.isoformat()}",
        "--debtor=business",
        stdout=out,
    )
    return json.loads(out.getvalue())


def french(amount: str) -> str:
    return amount.replace(".", ",")


def plain(text: str) -> str:
    """Narrow and ordinary no-break spaces as plain spaces: pages and PDF text alike."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return plain("\n".join(page.extract_text() or "" for page in document.pages))


def test_level_2_reminder_shows_the_cli_figures_in_editor_summary_and_pdf(
    owner_client: HttpClient, owner: User, business: Business, invoice: Invoice, on_until: None
) -> None:
    expected = cli_penalties()
    assert (expected["interest"], expected["indemnity"]) == ("19.64", "40.00")
    interest, indemnity = french(expected["interest"]), french(expected["indemnity"])
    total_due = "1 059,64"

    reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=2)
    assert reminder.include_penalties, "level 2 claims penalties by default"

    editor = owner_client.get(reverse("dunning:reminder_edit", args=[reminder.pk]))
    assert editor.status_code == 200
    assert interest in editor.text and indemnity in editor.text

    summary = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk]))
    assert summary.status_code == 200
    page = plain(summary.text)
    assert interest in page and indemnity in page and total_due in page

    pdf = owner_client.get(reverse("dunning:reminder_pdf", args=[reminder.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert interest in text and indemnity in text and total_due in text


def test_saved_reminder_keeps_its_figures_after_the_invoice_is_paid(
    owner_client: HttpClient, owner: User, business: Business, invoice: Invoice
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=PARIS), tick=False):
        reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=2)
        reminder = dunning_services.save_reminder(reminder=reminder, actor=owner)
    assert reminder.snapshot["totals"]["interest"] == "19.64"
    assert reminder.snapshot["totals"]["indemnity"] == "40.00"

    with time_machine.travel(dt.datetime(2026, 4, 20, 12, 0, tzinfo=PARIS), tick=False):
        ledger_services.record_payment(
            invoice=invoice, actor=owner, date=dt.date(2026, 4, 20), amount=Decimal("1000.00")
        )
        summary = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk]))
        stored = owner_client.get(reverse("dunning:reminder_pdf", args=[reminder.pk]))

    reminder = Reminder.objects.get(pk=reminder.pk)
    assert reminder.snapshot["totals"] == {
        "amount_due": "1000.00",
        "interest": "19.64",
        "indemnity": "40.00",
        "total_due": "1059.64",
    }
    assert "19,64" in summary.text and "40,00" in summary.text
    text = pdf_text(stored.content)
    assert "19,64" in text and "40,00" in text


def test_sent_level_2_reminder_carries_the_penalty_statement_with_the_same_figures(
    owner_client: HttpClient,
    owner: User,
    business: Business,
    invoice: Invoice,
    on_until: None,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=2)
    summary = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk]))
    assert "decompte-penalites-R-2026-0001.pdf" in summary.text
    with django_capture_on_commit_callbacks(execute=True):
        reminder = dunning_services.send_reminder(reminder=reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    message = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert list(parts) == [f"relance-{reminder.reference}.pdf", f"decompte-penalites-{reminder.reference}.pdf"]
    statement = pdf_text(parts[f"decompte-penalites-{reminder.reference}.pdf"])
    assert "Décompte des pénalités de retard" in statement
    assert "du 16/01/2026 au 15/03/2026 59 1 000,00 € 12,15 % 19,64 €" in statement
    assert "Indemnité forfaitaire : 40,00 €" in statement and "Total dû 1 059,64 €" in statement


def test_no_statement_when_the_reminder_claims_no_penalties(
    owner_client: HttpClient, owner: User, business: Business, invoice: Invoice, on_until: None
) -> None:
    reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=1)
    assert not reminder.include_penalties
    summary = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk]))
    assert "decompte-penalites" not in summary.text
