import datetime as dt
import io
import time
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict
from imports.einvoice import import_einvoice, import_einvoice_files, seller_is
from imports.einvoice_xml import EInvoiceError, Party, read_einvoice
from ledger.models import Client, CreditNote, Invoice
from tests.factories import make_business, make_client, make_invoice, pdf_bytes
from tests.imports.einvoices import (
    BILLION_LAUGHS,
    BUYER_SIREN,
    Sample,
    cii,
    external_entity,
    facturx_pdf,
    ubl,
    zip_of,
)


def run(business, content, name="facture.xml"):
    return import_einvoice(business=business, actor=None, name=name, content=content)


def refusal(business, content, name="facture.xml") -> str:
    with pytest.raises(ValidationError) as caught:
        run(business, content, name)
    return " ".join(caught.value.message_dict["file"])


@pytest.mark.parametrize("profile", ["minimum", "basic", "en16931"])
def test_facturx_pdf_creates_the_invoice_its_client_and_keeps_the_pdf(business, profile):
    pdf = facturx_pdf(Sample(), profile)
    invoice, outcome = run(business, pdf, "FX-2026-001.pdf")
    assert outcome == "created"
    assert (invoice.number, invoice.issue_date) == ("FX-2026-001", dt.date(2026, 9, 1))
    assert (invoice.total_excl_tax, invoice.vat_amount, invoice.total_incl_tax) == (Decimal("1000.00"),) * 1 + (
        Decimal("0.00"),
        Decimal("1000.00"),
    )
    assert invoice.amount_due == Decimal("1000.00")
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == pdf
    client = invoice.client
    assert (client.name, client.siren) == ("Boulangerie Dupain SARL", BUYER_SIREN)
    if profile == "minimum":
        # MINIMUM carries neither the due date nor the buyer's address: the business's terms give it.
        assert invoice.due_date == dt.date(2026, 10, 1)
        assert client.address_line1 == ""
    else:
        assert invoice.due_date == dt.date(2026, 10, 1)
        assert (client.address_line1, client.postal_code, client.city) == ("8 rue du Four", "75006", "Paris")
        assert client.email == "compta@dupain.test"
        assert invoice.notes == "Conditions de paiement : Virement à 30 jours, pénalités au taux BCE + 10 points"


def test_minimum_profile_due_date_follows_the_business_terms(business):
    business.payment_terms = "days_60"
    business.save()
    invoice, _ = run(business, facturx_pdf(Sample(due=None), "minimum"), "f.pdf")
    assert invoice.due_date == dt.date(2026, 10, 31)


def test_cii_xml_with_vat_reads_the_amounts(db):
    business = make_business(vat_status="vat", vat_number="FR44732829320")
    invoice, outcome = run(business, cii(Sample(excl="1234.50", vat="246.90")))
    assert outcome == "created"
    assert (invoice.total_excl_tax, invoice.vat_amount, invoice.total_incl_tax) == (
        Decimal("1234.50"),
        Decimal("246.90"),
        Decimal("1481.40"),
    )
    assert not invoice.pdf


def test_ubl_invoice_creates_the_invoice(business):
    invoice, outcome = run(business, ubl(Sample(number="UBL-7", excl="500.00")))
    assert outcome == "created"
    assert (invoice.number, invoice.total_incl_tax, invoice.due_date) == (
        "UBL-7",
        Decimal("500.00"),
        dt.date(2026, 10, 1),
    )
    assert invoice.client.email == "compta@dupain.test"
    assert invoice.client.postal_code == "75006"


def test_vat_on_an_invoice_of_a_business_in_vat_franchise_is_refused_by_the_ledger_rule(business):
    message = refusal(business, cii(Sample(vat="200.00")))
    assert "franchise en base de TVA" in message
    assert not Invoice.objects.exists() and not Client.objects.exists()


def test_an_existing_client_is_found_by_siren_and_only_its_blanks_are_filled(business):
    client = make_client(business, name="Dupain", siren=BUYER_SIREN, email="moi@dupain.test", address_line1="")
    invoice, _ = run(business, cii(Sample()))
    assert invoice.client == client
    client.refresh_from_db()
    assert (client.name, client.email, client.address_line1) == ("Dupain", "moi@dupain.test", "8 rue du Four")
    assert Client.objects.count() == 1


def test_reimporting_the_same_file_changes_nothing(business):
    pdf = facturx_pdf(Sample())
    first, _ = run(business, pdf, "f.pdf")
    stored_pdf = first.pdf.name
    again, outcome = run(business, pdf, "f.pdf")
    assert outcome == "unchanged"
    assert again.pk == first.pk and again.pdf.name == stored_pdf
    assert Invoice.objects.count() == 1 and Client.objects.count() == 1


def test_the_pdf_completes_an_invoice_imported_as_xml(business):
    run(business, cii(Sample()))
    invoice, outcome = run(business, facturx_pdf(Sample()), "f.pdf")
    assert outcome == "updated"
    assert invoice.pdf


def test_a_number_already_in_the_books_with_another_content_is_refused(business):
    make_invoice(business, number="FX-2026-001", amount="900.00")
    with pytest.raises(Conflict) as caught:
        run(business, cii(Sample()))
    assert "déjà enregistrée avec un contenu différent" in str(caught.value)
    assert "total TTC 1\u202f000,00\u202f€ au lieu de 900,00\u202f€" in str(caught.value)
    assert Invoice.objects.get().total_incl_tax == Decimal("900.00")
    assert Client.objects.filter(siren=BUYER_SIREN).count() == 0


def test_an_invoice_of_another_seller_is_refused(business):
    message = refusal(business, cii(Sample(seller_name="Autre Société", seller_siren="552100554")))
    assert "n’est pas votre entreprise" in message
    assert "Autre Société, SIREN 552100554" in message
    assert not Invoice.objects.exists()


def test_the_same_name_with_another_siren_is_another_seller(business):
    message = refusal(business, ubl(Sample(seller_name=business.legal_name, seller_siren="552100554")))
    assert "n’est pas votre entreprise" in message


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        (Party(name="X", siren="732829320"), True),
        (Party(name="X", vat_number="FR 44 732829320"), True),
        (Party(name="X", vat_number="FR44552100554"), False),
        (Party(name="atelier  TEST-99 ei"), True),
        (Party(name="Atelier Test 98"), False),
        (Party(), False),
    ],
)
def test_the_seller_is_recognised_by_siren_vat_number_or_name(db, party, expected):
    business = make_business(legal_name="Atelier Test 99", siret="73282932000074")
    if party.siren == "" and not party.vat_number:
        business.siret = ""
    assert seller_is(business, party) is expected


def test_the_seller_is_compared_on_vat_numbers_when_no_siren(db):
    business = make_business(siret="", vat_status="vat", vat_number="BE0123456789")
    assert seller_is(business, Party(name="X", vat_number="BE 0123.456.789"))
    assert not seller_is(business, Party(name="X", vat_number="BE0999999999"))


def test_a_foreign_currency_is_refused(business):
    assert "seules les factures en euros" in refusal(business, ubl(Sample(currency="USD")))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<rsm:CrossIndustryInvoice", "mal formé"),
        (b"<root/>", "pas une facture électronique reconnue"),
        (b"bonjour", "Format non reconnu"),
        (cii(Sample()).replace(b"<ram:GrandTotalAmount>1000.00", b"<ram:GrandTotalAmount>mille"), "Montant illisible"),
        (cii(Sample()).replace(b"20260901", b"20261301"), "Date illisible"),
        (ubl(Sample()).replace(b"<cbc:ID>FX-2026-001</cbc:ID>", b""), "le numéro de facture"),
        (pdf_bytes(), "ne contient pas de facture électronique Factur-X"),
        (b"%PDF-1.7 garbage", "illisible"),
    ],
)
def test_a_malformed_file_is_refused_with_a_french_message(business, content, expected):
    assert expected in refusal(business, content)
    assert not Invoice.objects.exists()


def test_billion_laughs_is_refused_at_once(business):
    started = time.perf_counter()
    message = refusal(business, BILLION_LAUGHS)
    assert "DOCTYPE" in message
    assert time.perf_counter() - started < 0.5


def test_billion_laughs_in_utf16_is_refused_too(business):
    message = refusal(business, BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))
    assert "DOCTYPE" in message


def test_an_external_entity_is_never_read(business, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    message = refusal(business, external_entity(str(secret)))
    assert "DOCTYPE" in message and "MOT-DE-PASSE" not in message


def test_the_reader_alone_refuses_entities_even_without_the_doctype_scan(monkeypatch):
    from imports import einvoice_xml

    monkeypatch.setattr(einvoice_xml, "DOCTYPE", __import__("re").compile(rb"(?!)"))
    started = time.perf_counter()
    with pytest.raises(EInvoiceError, match="DOCTYPE|mal formé|reconnue"):
        read_einvoice(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "hostile",
    [
        BILLION_LAUGHS,
        BILLION_LAUGHS.replace(b"<a>&lol9;</a>", b"<a>&lol1;</a>").split(b" <!ENTITY lol2")[0] + b"]>\n<r/>",
    ],
)
def test_a_facturx_pdf_whose_xml_declares_entities_is_refused(business, hostile):
    # A forger's Factur-X: a PDF whose factur-x.xml declares entities.
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", hostile)
    buffer = io.BytesIO()
    writer.write(buffer)
    started = time.perf_counter()
    message = refusal(business, buffer.getvalue(), "f.pdf")
    assert "DOCTYPE" in message
    assert time.perf_counter() - started < 1
    assert not Invoice.objects.exists()


def test_a_credit_note_is_recorded_on_the_invoice_it_cites(business):
    invoice, _ = run(business, cii(Sample(number="F-10", excl="1000.00")))
    credit = Sample(number="AV-1", type_code="381", excl="200.00", preceding="F-10", due=None)
    credited, outcome = run(business, cii(credit))
    assert (credited.pk, outcome) == (invoice.pk, "credited")
    assert credited.amount_due == Decimal("800.00")
    assert CreditNote.objects.get().number == "AV-1"
    again, outcome = run(business, ubl(credit, credit_note=True))
    assert outcome == "unchanged" and CreditNote.objects.count() == 1


def test_a_credit_note_of_an_unknown_invoice_is_refused(business):
    message = refusal(business, ubl(Sample(number="AV-2", type_code="381", preceding="F-404"), credit_note=True))
    assert "absente de vos factures" in message


def test_several_files_and_a_zip_give_one_report_per_file(business):
    archive = zip_of(
        {
            "a/F-1.pdf": facturx_pdf(Sample(number="F-1")),
            "F-2.xml": ubl(Sample(number="F-2")),
            "autre.xml": cii(Sample(number="F-3", seller_siren="552100554", seller_name="Autre")),
            "../evil.xml": cii(Sample(number="F-4")),
            "__MACOSX/._F-1.pdf": b"noise",
            "notes.txt": b"hello",
        }
    )
    reports = import_einvoice_files(
        business=business,
        actor=None,
        uploads=[
            ("lot.zip", archive),
            ("F-5.xml", cii(Sample(number="F-5"))),
            ("F-2bis.xml", ubl(Sample(number="F-2"))),
        ],
    )
    summary = [(report.name, report.outcome) for report in reports]
    assert summary == [
        ("a/F-1.pdf", "created"),
        ("F-2.xml", "created"),
        ("autre.xml", "refused"),
        ("../evil.xml", "refused"),
        ("notes.txt", "refused"),
        ("F-5.xml", "created"),
        ("F-2bis.xml", "unchanged"),
    ]
    assert "Chemin de fichier interdit" in reports[3].message
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["F-1", "F-2", "F-5"]


def test_a_zip_bomb_is_refused_from_its_declared_size(business, monkeypatch):
    from imports import einvoice

    monkeypatch.setattr(einvoice, "MAX_TOTAL_BYTES", 1000)
    archive = zip_of({"big.xml": b" " * 2000})
    reports = import_einvoice_files(business=business, actor=None, uploads=[("lot.zip", archive)])
    assert [(r.name, r.outcome) for r in reports] == [("lot.zip", "refused")]
    assert "50 Mo" in reports[0].message


def test_too_many_files_in_a_zip_are_refused(business, monkeypatch):
    from imports import einvoice

    monkeypatch.setattr(einvoice, "MAX_FILES", 2)
    archive = zip_of({f"{n}.xml": b"<a/>" for n in range(3)})
    reports = import_einvoice_files(business=business, actor=None, uploads=[("lot.zip", archive)])
    assert reports[0].outcome == "refused" and "3 fichiers" in reports[0].message


def test_an_entry_larger_than_it_declares_is_cut_at_the_bound(business, monkeypatch):
    from imports import einvoice

    monkeypatch.setattr(einvoice, "MAX_FILE_BYTES", 100)
    reports = import_einvoice_files(business=business, actor=None, uploads=[("lot.zip", zip_of({"a.xml": b" " * 500}))])
    assert reports[0].outcome == "refused" and "5 Mo" in reports[0].message


def test_an_import_in_one_business_never_touches_another(business, other_business):
    make_invoice(other_business, number="FX-2026-001", amount="900.00")
    other_client = make_client(other_business, siren=BUYER_SIREN)
    invoice, outcome = run(business, cii(Sample()))
    assert outcome == "created"
    assert invoice.client.business == business and invoice.client != other_client
    assert Invoice.objects.filter(business=other_business).get().total_incl_tax == Decimal("900.00")
    # The other business's seller identity does not pass for this one's.
    other_business.siret = "55210055400013"
    other_business.save()
    assert "n’est pas votre entreprise" in refusal(other_business, cii(Sample(number="X-1")))
