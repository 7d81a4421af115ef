""" "Joindre les factures d'origine (PDF)": the editor and the summary say which invoices have no
file (they go without it), and link to the invoice's PDF field, coming back to the reminder."""

import io
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from dunning import services
from dunning.models import Reminder
from ledger.models import Invoice
from tests.factories import make_invoice


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload_link(invoice: Invoice, back: str) -> str:
    return f"{reverse('ledger:invoice_edit', args=[invoice.pk])}?next={quote(back)}#id_pdf"


@pytest.fixture
def attaching_draft(draft: Reminder) -> Reminder:
    return services.update_draft(reminder=draft, actor=None, attach_invoice_pdfs=True)


def test_editor_names_the_invoices_without_a_pdf_and_links_to_their_pdf_field(
    owner_client, business, client_with_email, attaching_draft, late_invoice
):
    with_pdf = make_invoice(business, client_with_email, number="F-2026-050")
    with_pdf.pdf.save("f.pdf", ContentFile(a_pdf()))
    services.update_draft(reminder=attaching_draft, actor=None, invoice_ids=[late_invoice.pk, with_pdf.pk])
    editor = reverse("dunning:reminder_edit", args=[attaching_draft.pk])
    content = owner_client.get(editor).content.decode()
    assert "Sans PDF, donc non jointe" in content
    assert upload_link(late_invoice, editor).replace("&", "&amp;") in content
    assert upload_link(with_pdf, editor).replace("&", "&amp;") not in content


def test_summary_says_which_invoices_go_without_their_pdf(owner_client, attaching_draft, late_invoice):
    summary = reverse("dunning:reminder_detail", args=[attaching_draft.pk])
    content = owner_client.get(summary).content.decode()
    assert "Non jointe, faute de PDF" in content
    assert "F-2026-041" in content
    assert upload_link(late_invoice, summary) in content


def test_nothing_is_said_when_invoices_are_not_attached(owner_client, draft):
    services.update_draft(reminder=draft, actor=None, attach_invoice_pdfs=False)
    content = owner_client.get(reverse("dunning:reminder_detail", args=[draft.pk])).content.decode()
    assert "faute de PDF" not in content


def invoice_form(invoice: Invoice, **extra: object) -> dict[str, object]:
    return {
        "client": invoice.client_id,
        "number": invoice.number,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "total_excl_tax": "1200,00",
        "vat_amount": "0",
        "total_incl_tax": "1200,00",
        "notes": "",
        **extra,
    }


def test_uploading_the_pdf_comes_back_to_the_reminder_which_then_attaches_it(
    owner_client, attaching_draft, late_invoice
):
    summary = reverse("dunning:reminder_detail", args=[attaching_draft.pk])
    edit = reverse("ledger:invoice_edit", args=[late_invoice.pk])
    form = owner_client.get(f"{edit}?next={quote(summary)}").content.decode()
    assert f'name="next" value="{summary}"' in form
    pdf = SimpleUploadedFile("facture.pdf", a_pdf(), content_type="application/pdf")
    response = owner_client.post(edit, invoice_form(late_invoice, pdf=pdf, next=summary))
    assert response.status_code == 302
    assert response["Location"] == summary
    content = owner_client.get(summary).content.decode()
    assert "faute de PDF" not in content
    assert "facture-F-2026-041.pdf" in content


@pytest.mark.parametrize("target", ["https://evil.test/", "//evil.test/", "javascript:alert(1)"])
def test_a_foreign_next_is_ignored(owner_client, late_invoice, target):
    edit = reverse("ledger:invoice_edit", args=[late_invoice.pk])
    form = owner_client.get(f"{edit}?next={quote(target)}").content.decode()
    assert f'name="next" value="{target}"' not in form
    response = owner_client.post(edit, invoice_form(late_invoice, next=target))
    assert response["Location"] == reverse("pages:invoice_detail", args=[late_invoice.pk])


def test_a_quoted_invoice_gets_no_upload_link_and_the_reason(owner_client, attaching_draft, late_invoice):
    Invoice.objects.filter(pk=late_invoice.pk).update(quoted_at=timezone.now())
    content = owner_client.get(reverse("dunning:reminder_detail", args=[attaching_draft.pk])).content.decode()
    assert "faute de PDF" in content
    assert reverse("ledger:invoice_edit", args=[late_invoice.pk]) not in content
    assert "déjà citée dans une relance" in content
