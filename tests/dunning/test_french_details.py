"""French as a reader expects it: "dus", singular for 0 and 1, one SIRET format, invoice numbers
never cut at a line end, and a letter footer whose rule does not cross its first line."""

import io
import re

import pdfplumber
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from dunning import services
from dunning.defaults import default_template
from dunning.facts_types import sample_facts
from dunning.letter import LetterData, render_letter_pdf

SIRET = "732 829 320 00074"


def test_bucket_heading_says_dus_without_a_circumflex(owner_client, business, client_with_email, late_invoice):
    from tests.factories import make_invoice

    make_invoice(business, client_with_email, issue_date=late_invoice.issue_date)
    bucket = owner_client.get(reverse("pages:late_payments")).context["summary"].buckets
    key = next(row.key for row in bucket if row.invoices == 2)
    content = owner_client.get(reverse("pages:late_bucket", args=[key])).content.decode()
    assert re.search(r"</strong>\s*dus</p>", content)
    assert "dûs" not in content


def test_zero_and_one_are_singular_in_french(owner_client, late_invoice):
    content = owner_client.get(reverse("pages:late_payments")).content.decode()
    assert "0 facture · 0 client" in content
    assert "1 facture · 1 client" in content
    assert "0 factures" not in content and "0 clients" not in content


def test_zero_is_plural_in_english(owner, late_invoice):
    from django.conf import settings
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(owner)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = http.get(reverse("pages:late_payments")).content.decode()
    assert "0 invoices · 0 clients" in content
    assert "1 invoice · 1 client" in content


def test_french_plural_forms_of_the_catalogue():
    with translation.override("fr"):
        assert translation.ngettext("%(counter)s facture", "%(counter)s factures", 0) == "%(counter)s facture"
        assert translation.ngettext("%(counter)s facture", "%(counter)s factures", 2) == "%(counter)s factures"


def test_siret_is_written_the_same_in_letter_email_and_settings(
    owner, owner_client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=draft, actor=owner)
    message = mail.outbox[0]
    assert f"SIRET {SIRET}" in message.body
    html = message.alternatives[0][0]
    assert f"SIRET {SIRET}" in str(html)
    with pdfplumber.open(reminder.pdf.open("rb")) as pdf:
        text = pdf.pages[0].extract_text()
    assert f"SIRET {SIRET}" in text
    settings_page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert f"SIRET {SIRET}" in settings_page
    assert "73282932000074" not in settings_page.replace('value="73282932000074"', "")


def test_print_view_never_cuts_an_invoice_number(owner_client, draft):
    content = owner_client.get(reverse("dunning:reminder_print", args=[draft.pk])).content.decode()
    assert '<span class="nowrap">F-2026-041</span>' in content


def footer_gap(pdf: bytes) -> float:
    """Points between the footer rule and the top of the first footer line below it."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        rule = max(line["top"] for line in page.lines if line["top"] > page.height * 0.85)
        words = [word for word in page.extract_words() if word["bottom"] > rule - 3]
        return min(word["top"] for word in words) - rule


@pytest.mark.parametrize("level", [1, 3])
def test_footer_rule_stands_clear_of_the_first_footer_line(level):
    template = default_template(level)
    letter = LetterData.from_texts(
        facts=sample_facts(level=level), subject=template["letter_subject"], body=template["letter_body"]
    )
    assert footer_gap(render_letter_pdf(letter)) >= 2
