"""User text is data: a client named like markup shows as text in pages, e-mail and PDF."""

import email
import io
import re
from email.policy import default as default_policy

import pdfplumber
import pytest
from django.urls import reverse

from dunning import services
from tests.factories import make_client, make_invoice

SCRIPT = "<script>alert(1)</script>"
TYPST = "#set page(fill: red)"


@pytest.fixture(params=[SCRIPT, TYPST])
def hostile_name(request):
    return request.param


@pytest.fixture
def hostile_draft(business, owner, hostile_name):
    client = make_client(business, name=hostile_name, contact_name=hostile_name, email="compta@client.fr")
    invoice = make_invoice(business, client, number="F-<b>1</b>")
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    services.update_draft(
        reminder=reminder, actor=owner, body="Bonjour {client_nom},\n<i>{facture_numero}</i>\n\n{factures}"
    )
    reminder.refresh_from_db()
    return reminder


def squash(text):
    return re.sub(r"\s", "", text)


def test_editor_and_summary_escape_the_client_name(owner_client, hostile_draft, hostile_name):
    for name in ["reminder_edit", "reminder_detail", "reminder_email"]:
        content = owner_client.get(reverse(f"dunning:{name}", args=[hostile_draft.pk])).content.decode()
        assert SCRIPT not in content
        assert "<b>1</b>" not in content and "<i>F-" not in content
        if hostile_name == SCRIPT:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_email_html_escapes_and_pdf_prints_literally(
    owner, hostile_draft, hostile_name, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=hostile_draft, actor=owner)
    message = email.message_from_bytes(smtp_server.messages[0]["data"], policy=default_policy)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert SCRIPT not in html and "<b>1</b>" not in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert hostile_name in text  # plain text is shown as text by any mail reader
    attachment = next(message.iter_attachments()).get_content()
    with pdfplumber.open(io.BytesIO(attachment)) as pdf:
        page_text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        # `#set page(fill: red)`, if evaluated, would paint a rectangle as large as the page.
        page_sized = [
            rect
            for page in pdf.pages
            for rect in page.rects
            if rect["width"] >= page.width * 0.9 and rect["height"] >= page.height * 0.9
        ]
    assert squash(hostile_name) in squash(page_text)
    assert squash("F-<b>1</b>") in squash(page_text)
    assert page_sized == []
    reminder.refresh_from_db()
    assert reminder.snapshot["facts"]["client"]["name"] == hostile_name
