import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.audit import AuditEvent
from core.errors import Conflict
from imports.account import restore_account
from ledger.models import Client, CreditNote, Invoice, Payment
from ledger.queries import late_payment_summary
from tests.factories import make_business, make_client, pdf_bytes
from tests.imports.accounts import account, archive


@pytest.fixture
def empty(db):
    return make_business(legal_name="Nouveau compte")


def refusal(business, content) -> str:
    with pytest.raises(ValidationError) as caught:
        restore_account(business=business, actor=None, archive=content)
    return " ".join(caught.value.message_dict["file"])


def nothing_written(business) -> bool:
    return (
        not Client.objects.filter(business=business).exists() and not Invoice.objects.filter(business=business).exists()
    )


def test_the_account_is_restored_with_its_states_and_pdfs(empty, frozen_today):
    report = restore_account(business=empty, actor=None, archive=archive())
    assert (report.clients, report.invoices, report.pdfs, report.payments, report.credit_notes) == (2, 4, 1, 2, 1)
    empty.refresh_from_db()
    assert (empty.legal_name, empty.bucket_bounds) == ("Atelier Restauré", "15,45,90")

    dupain = Client.objects.get(business=empty, siren="552100554")
    assert (dupain.contact_name, dupain.notes, dupain.reminders_paused) == (
        "Jeanne Dupain",
        "Paie toujours en retard.",
        False,
    )
    martin = Client.objects.get(business=empty, name="Paul Martin")
    # A pause that ended before the export stays as it was, though a user could not set it today.
    assert (martin.kind, martin.reminders_paused, martin.pause_reason, martin.pause_until) == (
        "consumer",
        True,
        "Échéancier accordé",
        dt.date(2026, 1, 31),
    )

    invoices = {invoice.number: invoice for invoice in Invoice.objects.filter(business=empty)}
    first = invoices["F-2026-001"]
    assert first.amount_due == Decimal("700.00")
    with first.pdf.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert list(Payment.objects.filter(invoice=first).values_list("date", "amount", "method")) == [
        (dt.date(2026, 7, 20), Decimal("300.00"), "transfer"),
        (dt.date(2026, 8, 20), Decimal("200.00"), "cheque"),
    ]
    disputed = invoices["F-2026-002"]
    assert (disputed.disputed, disputed.dispute_reason, disputed.reminders_paused_until) == (
        True,
        "Livraison incomplète",
        dt.date(2027, 1, 15),
    )
    assert disputed.amount_due == Decimal("400.50") and CreditNote.objects.get().invoice == disputed
    cancelled = invoices["F-2026-003"]
    assert cancelled.cancelled_at == dt.datetime(2026, 9, 2, 9, 15, tzinfo=dt.UTC)
    assert cancelled.cancel_reason == "Erreur de destinataire"
    assert AuditEvent.objects.filter(business=empty, action="restored").count() == 3


def test_the_late_payment_figures_follow_the_restored_bounds(empty, frozen_today):
    restore_account(business=empty, actor=None, archive=archive())
    empty.refresh_from_db()
    summary = late_payment_summary(empty, frozen_today)
    assert summary.total.amount_due == Decimal("1180.50")  # 700.00 + 400.50 + 80.00; the cancelled one is out
    assert summary.late.amount_due == Decimal("1100.50")
    assert [bucket.key for bucket in summary.buckets][:1] and len(summary.buckets) == 5


def test_a_business_with_books_is_refused(empty):
    make_client(empty)
    with pytest.raises(Conflict, match="entreprise vide"):
        restore_account(business=empty, actor=None, archive=archive())
    assert Client.objects.filter(business=empty).count() == 1


def test_one_refused_row_leaves_the_business_empty_and_no_pdf_behind(empty, media_root):
    data = account()
    data["credit_notes"][0]["amount"] = "9999.00"
    message = refusal(empty, archive(data))
    assert "avoir n° 1" in message and "reste dû" in message
    assert nothing_written(empty)
    assert not list((media_root / "invoices").rglob("*.pdf")) if (media_root / "invoices").exists() else True
    empty.refresh_from_db()
    assert empty.legal_name == "Nouveau compte"


def test_an_amount_due_that_does_not_add_up_is_refused(empty):
    data = account()
    data["invoices"][0]["amount_due"] = "650.00"
    assert "reste dû recalculé (700.00)" in refusal(empty, archive(data))
    assert nothing_written(empty)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"pas un zip", "pas une archive ZIP"),
        (archive(files={}, raw_manifest=b"{"), "JSON est mal formé"),
        (archive(raw_manifest=json.dumps({"format": "autre"}).encode()), "format « relance-account » attendu"),
        (archive(raw_manifest=json.dumps({"format": "relance-account", "version": 2}).encode()), "Version 2"),
        (archive(account(clients="x")), "« clients » doit être une liste"),
        (archive(account(), files={}), "Fichier absent de l’archive : « pdfs/F-2026-001.pdf »"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(empty, content, expected):
    assert expected in refusal(empty, content)
    assert nothing_written(empty)


def test_a_zip_without_manifest_is_refused(empty):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zip_file:
        zip_file.writestr("autre.txt", "x")
    assert "ne contient pas « account.json »" in refusal(empty, buffer.getvalue())


def test_a_pdf_path_out_of_the_archive_is_refused(empty):
    data = account()
    data["invoices"][0]["pdf"] = "../../etc/passwd"
    assert "Chemin interdit" in refusal(empty, archive(data))
    assert nothing_written(empty)


def test_a_row_with_a_wrong_type_names_the_row(empty):
    data = account()
    data["invoices"][1]["issue_date"] = "15/09/2026"
    assert "facture n° 2 : « issue_date » est illisible" in refusal(empty, archive(data))


def test_a_row_refused_by_a_ledger_rule_names_the_row(empty):
    data = account()
    data["invoices"][0]["total_incl_tax"] = "1300.00"
    assert "facture n° 1 : Le total TTC doit être égal au total HT plus la TVA." in refusal(empty, archive(data))


def test_a_payment_of_an_unknown_invoice_is_refused(empty):
    data = account()
    data["payments"][0]["invoice_id"] = 999
    assert "règlement n° 1 : sa facture" in refusal(empty, archive(data))


def test_the_restore_never_touches_another_business(empty, other_business):
    other_client = make_client(other_business, siren="552100554")
    restore_account(business=empty, actor=None, archive=archive())
    assert Client.objects.filter(business=other_business).get() == other_client
    assert not Invoice.objects.filter(business=other_business).exists()
