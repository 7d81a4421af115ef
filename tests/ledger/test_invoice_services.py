"""What ledger.services adds for the pages: PDF checks and safe updates of the total."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Business
from ledger import services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice, pdf_bytes

pytestmark = pytest.mark.django_db


def test_update_below_settled_amount_raises_validation_error_not_integrity_error(business: Business) -> None:
    invoice = make_invoice(business, amount="500.00")
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 5), amount=Decimal("400.00"))
    with pytest.raises(ValidationError) as error:
        services.update_invoice(invoice=invoice, actor=None, total_excl_tax=Decimal("300.00"), total_incl_tax=None)
    assert "total_incl_tax" in error.value.message_dict
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.total_incl_tax, stored.amount_due) == (Decimal("500.00"), Decimal("100.00"))


def test_update_recomputes_ttc_and_due_date_when_blank(business: Business) -> None:
    invoice = make_invoice(business, amount="500.00", issue_date=dt.date(2026, 9, 1))
    services.update_invoice(
        invoice=invoice, actor=None, total_excl_tax=Decimal("800.00"), total_incl_tax=None, due_date=None
    )
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.total_incl_tax, stored.amount_due) == (Decimal("800.00"), Decimal("800.00"))
    assert stored.due_date == dt.date(2026, 10, 1)


def test_update_to_a_taken_number_is_a_field_error(business: Business) -> None:
    make_invoice(business, number="F-1")
    invoice = make_invoice(business, number="F-2")
    with pytest.raises(ValidationError) as error:
        services.update_invoice(invoice=invoice, actor=None, number="F-1")
    assert error.value.message_dict == {"number": ["Une facture n° F-1 existe déjà."]}


def test_create_refuses_a_fake_pdf(business: Business) -> None:
    fake = SimpleUploadedFile("f.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.create_invoice(
            business=business,
            actor=None,
            client=make_client(business),
            number="F-1",
            issue_date=dt.date(2026, 9, 1),
            total_excl_tax=Decimal("10.00"),
            pdf=fake,
        )
    assert error.value.message_dict == {"pdf": ["Ce fichier n’est pas un PDF."]}
    assert not Invoice.objects.exists()


def test_create_accepts_a_real_pdf_and_names_it_randomly(business: Business, settings: object) -> None:
    real = SimpleUploadedFile("Facture client.pdf", pdf_bytes(2), content_type="application/pdf")
    invoice = services.create_invoice(
        business=business,
        actor=None,
        client=make_client(business),
        number="F-1",
        issue_date=dt.date(2026, 9, 1),
        total_excl_tax=Decimal("10.00"),
        pdf=real,
    )
    assert invoice.pdf.name.endswith(".pdf")
    assert "Facture" not in invoice.pdf.name
