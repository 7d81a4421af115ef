"""A business's books, written in the archive format as the export writes them, restored into a
new business: the late-payment figures are the same to the cent, whatever the bounds."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Business
from imports.account import restore_account
from ledger import services
from ledger.models import Client, CreditNote, Invoice, Payment
from ledger.queries import late_payment_summary
from tests.factories import make_business, make_client, make_invoice, pdf_bytes


def _value(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def archive_of(business: Business, as_of: dt.date) -> bytes:
    """The archive of docs/account-archive.md, written from the database."""
    files: dict[str, bytes] = {}
    invoices = []
    for invoice in Invoice.objects.filter(business=business).order_by("id"):
        pdf = None
        if invoice.pdf:
            pdf = f"pdfs/{invoice.pk}.pdf"
            with invoice.pdf.open("rb") as stored:
                files[pdf] = stored.read()
        row = {field: _value(getattr(invoice, field)) for field in (
            "id", "client_id", "number", "issue_date", "due_date", "total_excl_tax", "vat_amount", "total_incl_tax",
            "amount_due", "notes", "cancelled_at", "cancel_reason", "disputed", "dispute_reason", "reminders_paused_until",
        )}  # fmt: skip
        invoices.append({**row, "status": invoice.status_on(as_of), "pdf": pdf})
    account = {
        "format": "relance-account",
        "version": 1,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "business": {
            field: _value(getattr(business, field))
            for field in (
                "legal_name",
                "siret",
                "vat_status",
                "vat_number",
                "payment_terms",
                "payment_terms_days",
                "penalty_terms",
                "contract_rate",
                "bucket_bounds",
                "bucket_basis",
            )
        },  # fmt: skip
        "clients": [
            {
                field: _value(getattr(client, field))
                for field in (
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
                )
            }  # fmt: skip
            for client in Client.objects.filter(business=business).order_by("id")
        ],
        "invoices": invoices,
        "payments": [
            {f: _value(getattr(p, f)) for f in ("id", "invoice_id", "date", "amount", "method", "reference")}
            for p in Payment.objects.filter(business=business).order_by("id")
        ],
        "credit_notes": [
            {f: _value(getattr(c, f)) for f in ("id", "invoice_id", "number", "date", "amount", "reason")}
            for c in CreditNote.objects.filter(business=business).order_by("id")
        ],
        "reminders": [],
        "audit": [],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr("account.json", json.dumps(account))
        for name, content in files.items():
            zip_file.writestr(name, content)
    return buffer.getvalue()


def figures(business: Business, as_of: dt.date) -> list[tuple[str, int, int, Decimal]]:
    summary = late_payment_summary(business, as_of)
    rows = [*summary.buckets, summary.total, summary.late]
    return [(row.key, row.invoices, row.clients, row.amount_due) for row in rows]


def test_the_late_payment_figures_match_to_the_cent_after_a_round_trip(db, frozen_today):
    source = make_business(legal_name="Atelier Source", bucket_bounds="10,40,75,120", bucket_basis="issue_date")
    clients = [make_client(source, name=f"Client {n}") for n in range(4)]
    amounts = ["1234.56", "99.99", "0.01", "45000.10", "310.33", "7.77", "820.00", "1500.45"]
    for index, amount in enumerate(amounts):
        issue = frozen_today - dt.timedelta(days=17 * index + 3)
        invoice = make_invoice(source, clients[index % 4], amount=amount, issue_date=issue, number=f"RT-{index}")
        if index % 3 == 0:
            services.record_payment(invoice=invoice, actor=None, date=issue + dt.timedelta(days=1), amount="0.01")
        if index % 4 == 1:
            services.record_credit_note(
                invoice=invoice,
                actor=None,
                number=f"AV-{index}",
                date=issue,
                amount=(Decimal(amount) / 2).quantize(Decimal("0.01")),
            )
        if index == 5:
            services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")
        if index == 6:
            services.update_invoice(invoice=invoice, actor=None, pdf=SimpleUploadedFile("f.pdf", pdf_bytes()))
            Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason="Contestée")
    services.update_client(
        client=clients[2], actor=None, reminders_paused=True, pause_reason="Accord", pause_until=None
    )

    target = make_business(legal_name="Compte restauré")
    restore_account(business=target, actor=None, archive=archive_of(source, frozen_today))
    target.refresh_from_db()

    assert (target.bucket_bounds, target.bucket_basis) == ("10,40,75,120", "issue_date")
    for day in (frozen_today, frozen_today + dt.timedelta(days=45), frozen_today - dt.timedelta(days=30)):
        assert figures(target, day) == figures(source, day)
    assert figures(target, frozen_today)[-2][3] > 0
    restored = Invoice.objects.get(business=target, number="RT-6")
    assert restored.disputed and restored.pdf
    assert Invoice.objects.get(business=target, number="RT-5").cancelled_at is not None
    assert Client.objects.get(business=target, name="Client 2").reminders_paused
