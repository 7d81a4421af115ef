"""Plain factory functions for tests: small, explicit, no JSON fixtures.

Rows are made through the services, as the product makes them, except `make_reminder_row`,
which writes a reminder directly for tests of other apps that only need one to exist.
"""

import datetime as dt
import io
import itertools
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import ApiToken, Business, User
from dunning import services as dunning_services
from dunning.models import Reminder, ReminderInvoice
from ledger import services
from ledger.models import Client, Invoice

PASSWORD = "motdepasse-solide-42"
_seq = itertools.count(1)


def make_business(**fields: Any) -> Business:
    defaults: dict[str, Any] = {
        "legal_name": f"Atelier Test {next(_seq)}",
        "siret": "73282932000074",
        "address_line1": "12 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
        "email": "contact@atelier.test",
        "signature_name": "Camille Martin",
    }
    return Business.objects.create(**{**defaults, **fields})


def make_user(business: Business | None = None, email: str | None = None, password: str = PASSWORD) -> User:
    business = business or make_business()
    return User.objects.create_user(email or f"user{next(_seq)}@relance.test", password, business=business)


def make_token(user: User, name: str = "Comptable") -> str:
    """A new API token of the user; returns the key, shown once."""
    return ApiToken.generate(user=user, name=name)[1]


def make_client(business: Business, **fields: Any) -> Client:
    defaults: dict[str, Any] = {
        "kind": Client.Kind.BUSINESS,
        "name": f"Client {next(_seq)}",
        "email": "compta@client.test",
        "address_line1": "3 place Bellecour",
        "postal_code": "69002",
        "city": "Lyon",
    }
    return services.create_client(business=business, actor=None, **{**defaults, **fields})


def make_invoice(
    business: Business,
    client: Client | None = None,
    *,
    amount: Decimal | str = "1000.00",
    issue_date: dt.date = dt.date(2026, 9, 1),
    due_date: dt.date | None = None,
    number: str | None = None,
) -> Invoice:
    client = client or make_client(business)
    amount = Decimal(amount)
    return services.create_invoice(
        business=business,
        actor=None,
        client=client,
        number=number or f"F-{next(_seq):05d}",
        issue_date=issue_date,
        due_date=due_date or issue_date + dt.timedelta(days=30),
        total_excl_tax=amount,
        vat_amount=Decimal("0.00"),
        total_incl_tax=amount,
    )


def make_reminder(
    business: Business,
    actor: User | None,
    *,
    status: str = Reminder.Status.SAVED,
    invoices: list[Invoice] | None = None,
    level: int | None = None,
    **client_fields: Any,
) -> Reminder:
    """A reminder in the wanted state, through the workflow (its letter is rendered and stored),
    for the given invoices or a fresh one of a new client made with `client_fields`."""
    invoices = invoices or [make_invoice(business, make_client(business, **client_fields))]
    reminder = dunning_services.create_reminder(
        business=business, actor=actor, invoice_ids=[i.pk for i in invoices], level=level
    )
    if status == Reminder.Status.DRAFT:
        return reminder
    reminder = dunning_services.save_reminder(reminder=reminder, actor=actor)
    if status != Reminder.Status.SAVED:
        # States reached through sending, set directly: these tests are about what follows.
        Reminder.objects.filter(pk=reminder.pk).update(status=status)
        reminder.refresh_from_db()
    return reminder


def make_reminder_row(
    *invoices: Invoice,
    status: str = Reminder.Status.SENT,
    level: int = 1,
    at: dt.datetime | None = None,
    deactivated: bool = False,
) -> Reminder:
    """A reminder in any state at any moment, written directly (no letter): the workflow itself
    is tested with `make_reminder`."""
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


# Files


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF of blank A4 pages."""
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


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    """A real image in the given format."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 58, 138)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` × `height` white pixels, tens of kilobytes whatever its size.

    Written chunk by chunk: building it with Pillow would allocate the very image it describes.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + b"\xff" * ((width + 7) // 8)  # filter byte "none", then the row's bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
