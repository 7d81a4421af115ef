"""The real full-account export, restored into a new business: the late-payment figures match to the cent."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from exports.account import write_account_zip
from imports.account import restore_account
from ledger import services
from ledger.models import Client, Invoice
from tests.factories import make_business, make_client, make_invoice, make_reminder, make_user, pdf_bytes
from tests.imports.test_account_round_trip import figures


def test_export_then_restore_gives_the_same_late_payment_figures(db, frozen_today):
    source = make_business(legal_name="Atelier Source", bucket_bounds="20,50,100", bucket_basis="due_date")
    owner = make_user(source)
    clients = [make_client(source, name=f"Client {n}") for n in range(3)]
    for index, amount in enumerate(["1234.56", "0.01", "780.40", "15000.00", "99.95", "310.10"]):
        issue = frozen_today - dt.timedelta(days=23 * index + 5)
        invoice = make_invoice(source, clients[index % 3], amount=amount, issue_date=issue, number=f"EX-{index}")
        if index % 2 == 0:
            services.record_payment(invoice=invoice, actor=owner, date=issue + dt.timedelta(days=2), amount="0.01")
        if index == 3:
            services.record_credit_note(invoice=invoice, actor=owner, number="AV-3", date=issue, amount="4999.99")
        if index == 4:
            services.cancel_invoice(invoice=invoice, actor=owner, reason="Doublon")
        if index == 2:
            services.update_invoice(invoice=invoice, actor=owner, pdf=SimpleUploadedFile("f.pdf", pdf_bytes()))
    make_reminder(source, owner, invoices=[Invoice.objects.get(number="EX-5")])
    services.update_client(
        client=clients[1], actor=owner, reminders_paused=True, pause_reason="Accord", pause_until=None
    )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        write_account_zip(source, archive, lambda done: None)

    target = make_business(legal_name="Compte restauré")
    report = restore_account(business=target, actor=None, archive=buffer.getvalue())
    assert (report.clients, report.invoices, report.pdfs, report.payments, report.credit_notes) == (3, 6, 1, 3, 1)
    target.refresh_from_db()
    for day in (frozen_today, frozen_today + dt.timedelta(days=40), frozen_today - dt.timedelta(days=60)):
        assert figures(target, day) == figures(source, day)
    assert figures(target, frozen_today)[-1][3] > Decimal("0")
    assert Client.objects.get(business=target, name="Client 1").reminders_paused
    assert Invoice.objects.get(business=target, number="EX-4").cancelled_at is not None
