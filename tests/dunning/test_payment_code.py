"""The "QR code SEPA" (EPC069-12) on letters and e-mails, read back with a real QR decoder
(zxing-cpp) from the PDF rendered to an image and from the e-mail's inline PNG."""

import base64
import dataclasses
import datetime as dt
import email
import io
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default as default_policy

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from dunning import services
from dunning.epc import EMAIL_CONTENT_ID, payment_code
from dunning.facts import rendered_from_snapshot
from dunning.facts_types import sample_facts
from dunning.letter import LetterData, render_letter_pdf
from dunning.models import Reminder
from tests.factories import make_invoice

IBAN = "FR7630006000011234567890189"


@dataclasses.dataclass
class Transfer:
    """A decoded EPC payload, field by field (EPC069-12, version 002)."""

    bic: str
    name: str
    iban: str
    amount: Decimal  # "EUR1750" or "EUR1859.94": the standard allows leaving out zero cents
    text: str


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


def transfer(payload: str) -> Transfer:
    lines = payload.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"], payload
    lines += [""] * (11 - len(lines))
    return Transfer(
        bic=lines[4], name=lines[5], iban=lines[6], amount=Decimal(lines[7].removeprefix("EUR")), text=lines[10]
    )


def pdf_codes(pdf: bytes) -> list[str]:
    """Every QR code on every page, from the PDF rendered at 150 dpi as a printer would."""
    document = pypdfium2.PdfDocument(pdf)
    codes: list[str] = []
    for page in document:
        codes += decode(page.render(scale=150 / 72).to_pil())
    return codes


def letter(facts) -> LetterData:
    return LetterData.from_texts(facts=facts, subject="Relance", body="Bonjour,\n\n{factures}\n\nCordialement")


def parse(message: dict) -> EmailMessage:
    parsed = email.message_from_bytes(message["data"], policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.fixture
def with_iban(business):
    business.iban = IBAN
    business.bic = "AGRIFRPP"
    business.save()
    return business


# What the code holds


def test_the_letter_code_scans_to_the_transfer_the_reminder_asks_for():
    facts = sample_facts()
    (payload,) = pdf_codes(render_letter_pdf(letter(facts)))
    scanned = transfer(payload)
    assert scanned.iban == IBAN
    assert scanned.bic == "AGRIFRPP"
    assert scanned.name == facts.business.name
    # The sample claims penalties: the amount is the total due with them (1,750.00 + 109.94).
    assert facts.include_penalties
    assert scanned.amount == facts.total_due == Decimal("1859.94")
    # Two invoices: the reminder's reference names the payment.
    assert scanned.text == facts.reference


def test_without_penalties_claimed_the_amount_is_the_principal_due():
    facts = dataclasses.replace(sample_facts(), include_penalties=False)
    (payload,) = pdf_codes(render_letter_pdf(letter(facts)))
    assert transfer(payload).amount == facts.amount_due == Decimal("1750.00")


def test_one_invoice_is_named_by_its_number_then_the_reference_the_letter_asks_for():
    facts = sample_facts()
    facts = dataclasses.replace(facts, invoices=facts.invoices[:1], include_penalties=False)
    code = payment_code(facts)
    assert code is not None
    assert code.text == "F-2026-041 R-2026-0042"
    assert code.amount == Decimal("1200.00")


def test_without_a_reference_the_invoice_numbers_name_the_payment():
    facts = dataclasses.replace(sample_facts(), reference="")
    code = payment_code(facts)
    assert code is not None
    assert code.text == "F-2026-041 F-2026-048"


def test_the_letter_says_in_words_what_the_code_holds():
    facts = sample_facts()
    document = letter(facts).document()
    assert document["payment"]["lines"] == [
        f"Bénéficiaire : {facts.business.name}",
        "IBAN : FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189",
        "BIC : AGRIFRPP",
        "Montant : 1\u202f859,94\u202f€",
        f"Référence : {facts.reference}",
    ]
    assert document["payment"]["hint"] == "Scannez avec l’application de votre banque pour payer par virement"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"iban": ""}, id="no IBAN"),
        pytest.param({"iban": "   "}, id="blank IBAN"),
    ],
)
def test_a_business_without_iban_gets_no_code(change):
    facts = sample_facts()
    facts = dataclasses.replace(facts, business=dataclasses.replace(facts.business, **change))
    assert payment_code(facts) is None
    assert letter(facts).document()["payment"] is None
    assert pdf_codes(render_letter_pdf(letter(facts))) == []


def test_nothing_due_or_beyond_the_standard_gives_no_code():
    facts = sample_facts()
    paid = tuple(dataclasses.replace(i, amount_due=Decimal("0.00")) for i in facts.invoices)
    assert payment_code(dataclasses.replace(facts, invoices=paid, include_penalties=False)) is None
    huge = tuple(dataclasses.replace(i, amount_due=Decimal("600000000.00")) for i in facts.invoices)
    assert payment_code(dataclasses.replace(facts, invoices=huge, include_penalties=False)) is None


def test_a_long_business_name_is_cut_to_the_standard_seventy_characters():
    facts = sample_facts()
    long_name = "Atelier " + "très " * 30 + "long EI"
    facts = dataclasses.replace(facts, business=dataclasses.replace(facts.business, name=long_name))
    (payload,) = pdf_codes(render_letter_pdf(letter(facts)))
    assert transfer(payload).name == long_name[:70]


# The reminder workflow: frozen letters, e-mails, print view


def test_a_saved_letter_carries_the_code_and_keeps_it_when_rendered_again(with_iban, owner, draft):
    reminder = services.save_reminder(reminder=draft, actor=owner)
    stored = reminder.pdf.open("rb").read()
    (payload,) = pdf_codes(stored)
    scanned = transfer(payload)
    assert scanned.iban == IBAN
    assert scanned.text == f"F-2026-041 {reminder.reference}"
    assert scanned.amount == Decimal(reminder.snapshot["totals"]["total_due"])
    # The frozen letter renders to the very same bytes from its snapshot.
    assert render_letter_pdf(rendered_from_snapshot(reminder).letter) == stored


def test_a_letter_frozen_before_the_code_existed_is_rendered_without_it(with_iban, owner, draft):
    reminder = services.save_reminder(reminder=draft, actor=owner)
    snapshot = reminder.snapshot
    del snapshot["letter"]["payment_code"]
    Reminder.objects.filter(pk=reminder.pk).update(snapshot=snapshot)
    reminder.refresh_from_db()
    assert pdf_codes(render_letter_pdf(rendered_from_snapshot(reminder).letter)) == []


def test_the_sent_email_shows_the_code_as_an_inline_image(
    with_iban, owner, draft, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(reminder=draft, actor=owner)
    message = parse(smtp_server.messages[0])
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'src="cid:{EMAIL_CONTENT_ID}"' in html
    assert "Scannez avec l’application de votre banque pour payer par virement" in html
    (image,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == f"<{EMAIL_CONTENT_ID}>"
    assert image.get_content_disposition() == "inline"
    (payload,) = decode(Image.open(io.BytesIO(image.get_content())))
    scanned = transfer(payload)
    assert scanned.iban == IBAN
    assert scanned.amount == Decimal(reminder.snapshot["totals"]["total_due"])
    assert scanned.text == f"F-2026-041 {reminder.reference}"
    # The PDF files are still the only attachments.
    assert [part.get_filename() for part in message.iter_attachments() if part.get_content_type() != "image/png"] == [
        f"relance-{reminder.reference}.pdf"
    ]


def test_an_email_without_iban_has_no_image(business, owner, draft, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(reminder=draft, actor=owner)
    message = parse(smtp_server.messages[0])
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert "cid:" not in message.get_body(preferencelist=("html",)).get_content()


def test_the_email_preview_shows_the_code_to_the_browser(with_iban, owner_client, draft):
    html = owner_client.get(reverse("dunning:reminder_email", args=[draft.pk])).content.decode()
    assert "cid:" not in html
    start = html.index('src="data:image/png;base64,') + len('src="data:image/png;base64,')
    png = base64.b64decode(html[start : html.index('"', start)])
    (payload,) = decode(Image.open(io.BytesIO(png)))
    assert transfer(payload).iban == IBAN


def test_the_print_view_draws_the_code_as_vector(with_iban, owner_client, draft):
    html = owner_client.get(reverse("dunning:reminder_print", args=[draft.pk])).content.decode()
    assert '<section class="payment"' in html
    assert "<svg" in html and "<script" not in html.split('<section class="payment"')[1].split("</section>")[0]


def test_a_letter_reminder_scans_too(with_iban, owner, late_invoice):
    second = make_invoice(late_invoice.business, late_invoice.client, amount="300.00", issue_date=dt.date(2026, 9, 10))
    reminder = services.create_reminder(
        business=late_invoice.business, actor=owner, invoice_ids=[late_invoice.pk, second.pk], level=3
    )
    reminder = services.save_reminder(reminder=reminder, actor=owner)
    (payload,) = pdf_codes(reminder.pdf.open("rb").read())
    scanned = transfer(payload)
    assert scanned.text == reminder.reference
    assert scanned.amount == Decimal(reminder.snapshot["totals"]["total_due"])


def test_the_largest_code_fits_the_standard_and_scans_at_print_size():
    """70-character name and 140-character remittance, accented (two bytes each in UTF-8), the
    largest amount: still within version 13, with the fixed mask, and read back from the letter."""
    facts = sample_facts()
    name = "Société Éléonore Bâtiment Évolution Génie " * 2
    facts = dataclasses.replace(facts, business=dataclasses.replace(facts.business, name=name, iban=IBAN))
    code = payment_code(facts)
    assert code is not None
    code = dataclasses.replace(code, text="Réglement é" * 20, amount=Decimal("999999999.99"))
    assert len(code.name) == 70 and len(code.text) == 220
    code = dataclasses.replace(code, text=code.text[:140])
    qr = code.qr()
    assert qr.version <= 13 and qr.mask == 0 and qr.error == "M"
    (payload,) = decode(Image.open(io.BytesIO(code.png(scale=4))))
    assert transfer(payload) == Transfer(bic=code.bic, name=code.name, iban=IBAN, amount=code.amount, text=code.text)
