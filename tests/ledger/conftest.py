"""Helpers for the ledger's tests: a frozen Paris date, reminders, real PDF files."""

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from dunning.models import Reminder, ReminderInvoice
from ledger.models import Invoice

TODAY = dt.date(2026, 11, 28)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    """Noon in Paris on the acceptance date: pages compute lateness from "today"."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_reminder(
    *invoices: Invoice,
    status: str = Reminder.Status.SENT,
    level: int = 1,
    at: dt.datetime | None = None,
    deactivated: bool = False,
) -> Reminder:
    """A reminder in any state, written directly: the workflow itself is the dunning app's."""
    first = invoices[0]
    at = at or timezone.now()
    frozen = status != Reminder.Status.DRAFT
    reminder = Reminder.objects.create(
        business=first.business,
        client=first.client,
        level=level,
        status=status,
        subject="Rappel",
        body="Bonjour",
        frozen_at=at if frozen else None,
        sent_at=at if status == Reminder.Status.SENT else None,
        deactivated_at=at if deactivated else None,
    )
    ReminderInvoice.objects.bulk_create([ReminderInvoice(reminder=reminder, invoice=invoice) for invoice in invoices])
    if frozen:
        # What dunning's save service does when it freezes a reminder.
        Invoice.objects.filter(pk__in=[i.pk for i in invoices], quoted_at__isnull=True).update(quoted_at=at)
    return reminder


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def many_page_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` empty A4 pages, written by hand: about 70 bytes a page.

    One flat page tree (the page size inherited from it) and a classic cross-reference table;
    pypdf would take seconds to write 55,000 pages, this takes a tenth of that.
    """
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []

    def write_object(number: int, body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj" % number + body + b"endobj\n")

    write_object(1, b"<</Type/Catalog/Pages 2 0 R>>")
    kids = b" ".join(b"%d 0 R" % number for number in range(3, pages + 3))
    write_object(2, b"<</Type/Pages/MediaBox[0 0 595 842]/Count %d/Kids[%s]>>" % (pages, kids))
    for number in range(3, pages + 3):
        write_object(number, b"<</Type/Page/Parent 2 0 R>>")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (pages + 3))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (pages + 3, xref))
    return out.getvalue()


def login_url(path: str) -> str:
    from urllib.parse import quote

    from django.conf import settings
    from django.shortcuts import resolve_url

    return f"{resolve_url(settings.LOGIN_URL)}?next={quote(path)}"
