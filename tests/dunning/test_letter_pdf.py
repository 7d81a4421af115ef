import datetime as dt
import io
import re
from dataclasses import replace
from decimal import Decimal

import pdfplumber
import pypdf
import pytest
from django.template.loader import render_to_string
from PIL import Image

from dunning.defaults import default_template
from dunning.facts_types import InvoiceFacts, ReminderFacts, sample_facts
from dunning.letter import (
    LETTER_TEMPLATE,
    LetterData,
    SegmentFacts,
    StatementData,
    StatementInvoice,
    bare_compile_arguments,
    letter_payload,
    render_letter_pdf,
    render_letters_pdf,
    render_statement_pdf,
)

INJECTION = '#set page(fill: red) <script>alert(1)</script> ]) } #pagebreak() "'


def facts_with(count: int, *, level: int = 2, consumer: bool = False) -> ReminderFacts:
    facts = sample_facts(level=level, consumer=consumer)
    invoices = tuple(
        InvoiceFacts(
            number=f"F-2026-{100 + index}",
            issue_date=dt.date(2026, 7, 1) + dt.timedelta(days=7 * index),
            due_date=dt.date(2026, 8, 1) + dt.timedelta(days=7 * index),
            total=Decimal("1234.50") + 100 * index,
            paid=Decimal("200.00") if index % 3 == 0 else Decimal("0.00"),
            amount_due=Decimal("1234.50") + 100 * index - (Decimal("200.00") if index % 3 == 0 else 0),
            days_late=119 - 7 * index,
            interest=Decimal("45.67") - index,
            indemnity=Decimal("0.00") if consumer else Decimal("40.00"),
        )
        for index in range(count)
    )
    return replace(facts, invoices=invoices)


def letter_for(facts: ReminderFacts, **options) -> LetterData:
    template = default_template(facts.level)
    return LetterData.from_texts(
        facts=facts, subject=template["letter_subject"], body=template["letter_body"], **options
    )


def pdf_text(pdf: bytes) -> tuple[int, str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages), "\n".join(page.extract_text() or "" for page in document.pages)


def flat(text: str) -> str:
    """Extracted text with every kind of space made ordinary, for substring checks."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_letter_is_a_pdf_with_subject_client_invoices_and_amounts():
    pdf = render_letter_pdf(letter_for(sample_facts(level=2)))
    assert pdf.startswith(b"%PDF-")
    pages, text = pdf_text(pdf)
    text = flat(text)
    assert pages == 1
    assert "Objet : Deuxième relance : factures n° F-2026-041 et F-2026-048 impayées" in text
    assert "Boulangerie Durand SARL" in text
    assert "À l’attention de M. Paul Durand" in text
    assert "Lyon, le 28 novembre 2026" in text
    assert "Notre référence : R-2026-0042" in text
    for expected in ["F-2026-041", "F-2026-048", "1 200,00 €", "550,00 €", "1 750,00 €", "1 859,94 €", "29,94 €"]:
        assert expected in text
    assert "SIRET 732 829 320 00074" in text
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text
    assert "Camille Martin" in text and "Graphiste" in text


def test_letter_is_pdfa_2b_and_pdfua_1_tagged_and_in_french():
    reader = pypdf.PdfReader(io.BytesIO(render_letter_pdf(letter_for(sample_facts(level=1)))))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_data().decode()
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr-FR"
    assert reader.metadata is not None
    assert reader.metadata.title == "Rappel : factures n°\u00a0F-2026-041 et F-2026-048 arrivées à échéance"


def test_fonts_are_embedded():
    reader = pypdf.PdfReader(io.BytesIO(render_letter_pdf(letter_for(sample_facts()))))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert names and all("Inter" in name for name in names)


def test_injection_strings_in_client_name_and_user_text_print_literally():
    facts = sample_facts(level=2)
    facts = replace(facts, client=replace(facts.client, name=INJECTION, contact="<b>Léa</b>"))
    data = LetterData.from_texts(
        facts=facts,
        subject="Objet #strong[gras] $x$ {client_nom}",
        body="Madame, Monsieur,\n\n#set text(fill: red) *pas gras* _pas italique_ `code` @ref <label> \\ // pas un commentaire\n\n{factures}",
    )
    pages, text = pdf_text(render_letter_pdf(data))
    text = flat(text)
    assert pages == 1
    assert INJECTION in text  # recipient block
    assert f"Objet : Objet #strong[gras] $x$ {INJECTION}" in text
    assert "#set text(fill: red) *pas gras* _pas italique_ `code` @ref <label> \\ // pas un commentaire" in text
    assert "À l’attention de <b>Léa</b>" in text


@pytest.mark.parametrize("level", [1, 2, 3])
@pytest.mark.parametrize("count", [1, 10])
def test_one_and_ten_invoice_letters_fit_on_one_page(level, count):
    pdf = render_letter_pdf(letter_for(facts_with(count, level=level), registered_number="1A 234 567 8901 2"))
    pages, text = pdf_text(pdf)
    assert pages == 1
    assert f"F-2026-{100 + count - 1}" in text


def test_ten_invoice_table_has_penalty_columns_and_totals():
    pages, text = pdf_text(render_letter_pdf(letter_for(facts_with(10, level=3))))
    text = flat(text)
    assert "Intérêts" in text and "Indemnité" in text
    assert "Total 16 845,00 € 800,00 € 16 045,00 € 411,70 € 400,00 €" in text
    assert "Total dû, pénalités comprises : 16 856,70 €" in text


def test_consumer_letter_has_no_indemnity_column():
    _, text = pdf_text(render_letter_pdf(letter_for(sample_facts(consumer=True, level=3))))
    assert "Indemnité" not in text
    assert "40,00" not in text


def test_formal_notice_by_post_is_headed_registered_letter_with_its_number():
    data = letter_for(sample_facts(level=3), registered_number="1A 234 567 8901 2")
    text = flat(pdf_text(render_letter_pdf(data))[1])
    assert "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION" in text
    assert "n° 1A 234 567 8901 2" in text
    assert "Objet : Mise en demeure de payer – factures n° F-2026-041 et F-2026-048" in text


def test_formal_notice_by_email_and_earlier_levels_claim_no_registered_letter():
    by_email = letter_for(sample_facts(level=3), channel="email", registered_number="1A 234")
    second = letter_for(sample_facts(level=2))
    for data in (by_email, second):
        assert "RECOMMANDÉE" not in pdf_text(render_letter_pdf(data))[1]


def test_letter_without_a_factures_line_still_shows_the_invoice_table():
    data = LetterData.from_texts(
        facts=sample_facts(), subject="Relance", body="Madame,\n\nMerci de régler.\n\nCordialement."
    )
    blocks = data.document()["blocks"]
    assert [block["type"] for block in blocks] == ["paragraph", "paragraph", "invoices", "paragraph"]
    assert "N° facture" in pdf_text(render_letter_pdf(data))[1]


def test_same_letter_gives_the_same_bytes():
    data = letter_for(sample_facts())
    assert render_letter_pdf(data) == render_letter_pdf(data)


def test_several_letters_in_one_document_each_start_a_new_page():
    first = letter_for(sample_facts(level=1))
    other = sample_facts(level=2)
    second = letter_for(replace(other, client=replace(other.client, name="Fleuriste Rose SAS")))
    pdf = render_letters_pdf([first, second, first])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        texts = [page.extract_text() for page in document.pages]
    assert len(texts) == 3
    assert "Boulangerie Durand SARL" in texts[0] and "Rappel" in texts[0]
    assert "Fleuriste Rose SAS" in texts[1] and "Deuxième relance" in texts[1]
    xmp = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp


def test_letter_with_empty_subject_and_body_still_renders_with_a_title():
    facts = replace(sample_facts(), invoices=())
    pdf = render_letter_pdf(LetterData.from_texts(facts=facts, subject="  ", body=""))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Lettre de relance – Boulangerie Durand SARL"
    assert "N° facture" in pdf_text(pdf)[1]


def test_no_letters_is_an_error():
    with pytest.raises(ValueError, match="Aucune lettre"):
        render_letters_pdf([])


def test_logo_is_printed_when_the_file_exists(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (30, 58, 138)).save(logo)
    with pdfplumber.open(io.BytesIO(render_letter_pdf(letter_for(sample_facts(), logo_path=logo)))) as document:
        assert len(document.pages[0].images) == 1
    missing = render_letter_pdf(letter_for(sample_facts(), logo_path=tmp_path / "absent.png"))
    with pdfplumber.open(io.BytesIO(missing)) as document:
        assert document.pages[0].images == []


def test_bare_typst_compile_of_the_same_template_gives_the_same_letter():
    import typst

    data = letter_for(sample_facts())
    arguments = bare_compile_arguments(LETTER_TEMPLATE, letter_payload(data))
    bare = typst.compile(**arguments)
    assert isinstance(bare, bytes)
    assert flat(pdf_text(bare)[1]) == flat(pdf_text(render_letter_pdf(data))[1])


# Penalty statement


def statement(consumer: bool = False) -> StatementData:
    facts = sample_facts(consumer=consumer)
    return StatementData(
        business=facts.business,
        client=replace(facts.client, name=INJECTION) if consumer else facts.client,
        as_of=dt.date(2026, 11, 28),
        reference="R-2026-0042",
        notice_date=dt.date(2026, 11, 2) if consumer else None,
        invoices=(
            StatementInvoice(
                number="F-2025-198",
                issue_date=dt.date(2025, 5, 2),
                due_date=dt.date(2025, 6, 1),
                total=Decimal("2000.00"),
                amount_due=Decimal("500.00"),
                days_late=545,
                segments=(
                    SegmentFacts(
                        dt.date(2025, 6, 2),
                        dt.date(2025, 6, 30),
                        29,
                        Decimal("13.15"),
                        Decimal("2000.00"),
                        Decimal("20.90"),
                    ),
                    SegmentFacts(
                        dt.date(2025, 7, 1),
                        dt.date(2025, 9, 15),
                        77,
                        Decimal("12.15"),
                        Decimal("2000.00"),
                        Decimal("51.26"),
                    ),
                    SegmentFacts(
                        dt.date(2025, 9, 16),
                        dt.date(2025, 12, 31),
                        107,
                        Decimal("12.15"),
                        Decimal("500.00"),
                        Decimal("17.81"),
                    ),
                ),
                interest=Decimal("89.97"),
                indemnity=Decimal("40.00"),
            ),
        ),
    )


def test_statement_lists_each_segment_with_rate_base_and_interest():
    pdf = render_statement_pdf(statement())
    pages, text = pdf_text(pdf)
    text = flat(text)
    assert pages == 1
    assert "Décompte des pénalités de retard" in text
    assert "arrêté au 28 novembre 2026" in text
    assert "Facture n° F-2025-198 du 02/05/2025" in text
    assert "du 02/06/2025 au 30/06/2025 29 2 000,00 € 13,15 % 20,90 €" in text
    assert "du 01/07/2025 au 15/09/2025 77 2 000,00 € 12,15 % 51,26 €" in text
    assert "du 16/09/2025 au 31/12/2025 107 500,00 € 12,15 % 17,81 €" in text
    assert "Indemnités forfaitaires 40,00 €" in text
    assert "Total des pénalités 129,97 €" in text
    assert "Total dû 629,97 €" in text
    assert "L441-10" in text and "D441-5" in text
    assert "Sources des taux" in text
    xmp = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp


def test_consumer_statement_claims_no_indemnity_and_prints_names_literally():
    text = flat(pdf_text(render_statement_pdf(statement(consumer=True)))[1])
    assert INJECTION in text
    assert "Indemnités forfaitaires" not in text
    assert "Total des pénalités 89,97 €" in text
    assert "mise en demeure reçue le 2 novembre 2026" in text
    assert "Aucune indemnité forfaitaire" in text


# Print view


def test_print_view_shows_the_same_letter_escaped_and_opens_the_print_dialog():
    facts = sample_facts(level=3)
    facts = replace(facts, client=replace(facts.client, name="<script>alert(1)</script>"))
    data = letter_for(facts, registered_number="1A 234")
    html = render_to_string(
        "dunning/letter_print.html", {"letter": data, "blocks": data.document()["blocks"], "back_url": "/relances/7/"}
    )
    assert '<body class="letter-print" data-autoprint>' in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Mise en demeure de payer" in html
    assert "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION" in html and "n° 1A 234" in html
    assert html.count("<tr>") == 1 + 2 + 1  # head, two invoices, totals
    assert "Total dû, pénalités comprises" in html
    assert 'href="/relances/7/"' in html
    assert "data-print" in html
    assert "css/letter.css" in html and "relance.css" not in html
    assert "TVA non applicable, art. 293 B du CGI" in html
