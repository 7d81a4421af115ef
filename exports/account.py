"""The full-account ZIP: every row of the business as `account.json`, the stored PDFs, the CSV lists.

`account.json` follows one contract, which Relance's account restore reads:

    {"format": "relance-account", "version": 1, "exported_at": ISO date-time,
     "business": {…}, "reminder_templates": […], "clients": […], "invoices": […],
     "payments": […], "credit_notes": […], "reminders": […], "audit": […]}

Ids are those of this database (links between rows use them: `client_id`, `invoice_id`);
amounts are decimal strings ("1234.56"), dates ISO ("2026-03-31"), date-times ISO with their
offset. A row's stored file is named by its path inside the ZIP (`pdf`, `logo`), or null when
it has none — or when the file is missing on the server (then `pdf_missing` is true).
Frozen reminders keep `pdf_sha256`, the hash recorded when they were frozen: the copy in the
ZIP is byte for byte the stored file, so the hash can be checked on it.

Memory stays bounded whatever the size of the account: rows are read a chunk at a time and
written to the JSON member as they come, files are copied into the ZIP in blocks, and the ZIP
is written to a file on disk. The JSON is written first, so the PDFs' names in it are computed
(from ids), and the files copied in a second pass.
"""

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.models import Business
from core.models import AuditEvent
from dunning.models import Reminder, ReminderTemplate
from exports.queries import payments_of
from exports.spreadsheet import write_csv
from exports.tables import client_sheet, invoice_sheet, payment_sheet
from ledger.models import Client, CreditNote, Invoice

FORMAT = "relance-account"
VERSION = 1
CHUNK = 1000
COPY_BLOCK = 64 * 1024

BUSINESS_FIELDS = [
    "legal_name",
    "trade_name",
    "ei_mention",
    "siret",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone",
    "email",
    "website",
    "iban",
    "bic",
    "vat_status",
    "vat_number",
    "activity",
    "payment_terms",
    "payment_terms_days",
    "penalty_terms",
    "contract_rate",
    "signature_name",
    "signature_title",
    "sender_name",
    "reply_to_email",
    "bcc_self",
    "bucket_bounds",
    "bucket_basis",
    "created_at",
]
TEMPLATE_FIELDS = [
    "level",
    "letter_subject",
    "letter_body",
    "email_subject",
    "email_body",
    "include_penalties",
    "updated_at",
]
CLIENT_FIELDS = [
    "id",
    "kind",
    "name",
    "contact_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "siren",
    "notes",
    "reminders_paused",
    "pause_reason",
    "pause_until",
    "created_at",
    "updated_at",
]
INVOICE_FIELDS = [
    "id",
    "client_id",
    "number",
    "issue_date",
    "due_date",
    "total_excl_tax",
    "vat_amount",
    "total_incl_tax",
    "amount_due",
    "notes",
    "cancelled_at",
    "cancel_reason",
    "disputed",
    "dispute_reason",
    "reminders_paused_until",
    "quoted_at",
    "created_at",
    "updated_at",
]
PAYMENT_FIELDS = ["id", "invoice_id", "date", "amount", "method", "reference", "created_at"]
CREDIT_NOTE_FIELDS = ["id", "invoice_id", "number", "date", "amount", "reason", "created_at"]
REMINDER_FIELDS = [
    "id",
    "client_id",
    "level",
    "channel",
    "status",
    "reference",
    "subject",
    "body",
    "letter_subject",
    "letter_body",
    "include_penalties",
    "attach_invoice_pdfs",
    "recipient_email",
    "message_id",
    "send_error",
    "send_attempts",
    "registered_number",
    "receipt_date",
    "created_at",
    "frozen_at",
    "sent_at",
    "deactivated_at",
    "snapshot",
    "pdf_sha256",
]
AUDIT_FIELDS = [
    "id",
    "created_at",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "invoice_id",
    "client_id",
    "changes",
]

Progress = Callable[[int], None]


def invoice_pdf_name(invoice_id: int) -> str:
    return f"factures/facture-{invoice_id}.pdf"


def reminder_pdf_name(reminder_id: int) -> str:
    return f"relances/relance-{reminder_id}.pdf"


def logo_name(stored: str | None) -> str:
    return f"logo{PurePosixPath(stored or '').suffix.lower()}"


def item_count(business: Business) -> int:
    """How many rows and files the export goes through, for its progress bar."""
    models: list[type[Model]] = [ReminderTemplate, Client, Invoice, CreditNote, Reminder, AuditEvent]
    rows = sum(model.objects.filter(business=business).count() for model in models)  # type: ignore[attr-defined]
    rows += payments_of(business).count()
    files = Invoice.objects.filter(business=business).exclude(pdf="").count()
    files += Reminder.objects.filter(business=business).exclude(pdf="").count()
    return rows + files


def _fields(row: Model, names: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _stored(name: str | None) -> bool:
    return bool(name) and default_storage.exists(name or "")


def _invoice(invoice: Invoice, today: dt.date) -> dict[str, Any]:
    data = _fields(invoice, INVOICE_FIELDS)
    data["status"] = invoice.status_on(today)
    data["pdf"] = invoice_pdf_name(invoice.pk) if _stored(invoice.pdf.name) else None
    data["pdf_missing"] = bool(invoice.pdf.name) and data["pdf"] is None
    return data


def _reminder(reminder: Reminder) -> dict[str, Any]:
    data = _fields(reminder, REMINDER_FIELDS)
    data["invoice_ids"] = sorted(line.invoice_id for line in reminder.lines.all())
    data["created_by"] = reminder.created_by.email if reminder.created_by else None
    data["pdf"] = reminder_pdf_name(reminder.pk) if _stored(reminder.pdf.name) else None
    data["pdf_missing"] = bool(reminder.pdf.name) and data["pdf"] is None
    return data


def _audit(event: AuditEvent) -> dict[str, Any]:
    data = _fields(event, AUDIT_FIELDS)
    data["actor"] = event.actor.email if event.actor else None
    return data


def _business(business: Business) -> dict[str, Any]:
    data = _fields(business, BUSINESS_FIELDS)
    data["id"] = business.pk
    data["logo"] = logo_name(business.logo.name) if _stored(business.logo.name) else None
    return data


class _JsonWriter:
    """Writes the document piece by piece: one row in memory at a time."""

    def __init__(self, target: IO[str], progress: Progress) -> None:
        self.target = target
        self.progress = progress
        self.encoder = DjangoJSONEncoder(ensure_ascii=False)

    def value(self, value: Any) -> str:
        return self.encoder.encode(value)

    def section(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        self.target.write(f",\n{json.dumps(name)}: [")
        done = 0
        for index, row in enumerate(rows):
            self.target.write(("," if index else "") + "\n  " + self.value(row))
            done += 1
            if done == CHUNK:
                self.progress(done)
                done = 0
        self.target.write("\n]")
        self.progress(done)


def _each(queryset: QuerySet[Any], convert: Callable[[Any], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in queryset.iterator(chunk_size=CHUNK):
        yield convert(row)


def write_account_json(business: Business, target: IO[str], progress: Progress) -> None:
    today = timezone.localdate()
    writer = _JsonWriter(target, progress)
    head = {"format": FORMAT, "version": VERSION, "exported_at": timezone.localtime().isoformat()}
    target.write("{" + writer.value(head)[1:-1])
    target.write(f',\n"business": {writer.value(_business(business))}')
    templates = ReminderTemplate.objects.filter(business=business).order_by("level")
    writer.section("reminder_templates", (_fields(template, TEMPLATE_FIELDS) for template in templates))
    clients = Client.objects.filter(business=business).order_by("id")
    writer.section("clients", _each(clients, lambda client: _fields(client, CLIENT_FIELDS)))
    invoices = Invoice.objects.filter(business=business).order_by("id")
    writer.section("invoices", _each(invoices, lambda invoice: _invoice(invoice, today)))
    payments = payments_of(business).order_by("id")
    writer.section("payments", _each(payments, lambda payment: _fields(payment, PAYMENT_FIELDS)))
    notes = CreditNote.objects.filter(business=business).order_by("id")
    writer.section("credit_notes", _each(notes, lambda note: _fields(note, CREDIT_NOTE_FIELDS)))
    reminders = (
        Reminder.objects.filter(business=business).select_related("created_by").prefetch_related("lines").order_by("id")
    )
    writer.section("reminders", _each(reminders, _reminder))
    events = AuditEvent.objects.filter(business=business).select_related("actor").order_by("id")
    writer.section("audit", _each(events, _audit))
    target.write("\n}\n")


def _copy(archive: zipfile.ZipFile, stored: str, name: str, moment: dt.datetime | None) -> bool:
    """One stored file into the ZIP, in blocks; False when it is gone from the server."""
    when = timezone.localtime(moment or timezone.now()).timetuple()[:6]
    member = zipfile.ZipInfo(name, date_time=when)
    # PDFs and images are compressed already.
    member.compress_type = zipfile.ZIP_STORED
    try:
        with default_storage.open(stored, "rb") as source, archive.open(member, "w", force_zip64=True) as target:
            while block := source.read(COPY_BLOCK):
                target.write(block)
    except (OSError, ValueError):
        return False
    return True


def copy_files(business: Business, archive: zipfile.ZipFile, progress: Progress) -> None:
    if _stored(business.logo.name):
        _copy(archive, business.logo.name or "", logo_name(business.logo.name), None)
    invoices = (
        Invoice.objects.filter(business=business).exclude(pdf="").order_by("id").values_list("pk", "pdf", "created_at")
    )
    reminders = (
        Reminder.objects.filter(business=business).exclude(pdf="").order_by("id").values_list("pk", "pdf", "frozen_at")
    )
    for rows, name_of in ((invoices, invoice_pdf_name), (reminders, reminder_pdf_name)):
        for pk, stored, moment in rows.iterator(chunk_size=CHUNK):
            _copy(archive, stored, name_of(pk), moment)
            progress(1)


def write_account_zip(business: Business, archive: zipfile.ZipFile, progress: Progress) -> None:
    with archive.open("account.json", "w", force_zip64=True) as member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="\n")
        write_account_json(business, text, progress)
        text.flush()
        text.detach()
    today = timezone.localdate()
    lists = [
        ("clients.csv", client_sheet(Client.objects.filter(business=business).order_by("name", "id"))),
        ("invoices.csv", invoice_sheet(Invoice.objects.filter(business=business).order_by("issue_date", "id"), today)),
        ("payments.csv", payment_sheet(payments_of(business))),
    ]
    for name, sheet in lists:
        with archive.open(name, "w", force_zip64=True) as member:
            write_csv(sheet, member)
    copy_files(business, archive, progress)
