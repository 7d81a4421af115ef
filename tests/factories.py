"""Plain factory functions for tests: small, explicit, no JSON fixtures.

Rows are made through the services, as the product makes them, except `make_reminder_row`,
which writes a reminder directly for tests of other apps that only need one to exist.
"""

import datetime as dt
import io
import itertools
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


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    """A real image in the given format."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 58, 138)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
