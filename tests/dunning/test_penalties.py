"""penalties_for_invoice: the law core fed from a stored invoice (payments, credit notes, notice)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Business
from dunning.models import Reminder, ReminderInvoice
from dunning.penalties import formal_notice_date, penalties_for_invoice
from law.penalties import legal_basis
from law.rates import MissingRate, RateTables
from ledger import services
from ledger.models import Client, Invoice, Payment
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db

day = dt.date.fromisoformat


def late_invoice(business: Business, kind: str = Client.Kind.BUSINESS, amount: str = "1000.00") -> Invoice:
    client = make_client(business, kind=kind)
    return make_invoice(business, client, amount=amount, issue_date=day("2025-05-16"), due_date=day("2025-06-15"))


def formal_notice(invoice: Invoice, *, received: dt.date | None, status: str = Reminder.Status.SENT) -> Reminder:
    reminder = Reminder.objects.create(
        business=invoice.business,
        client=invoice.client,
        level=3,
        status=status,
        subject="Mise en demeure",
        body="…",
        frozen_at=None if status == Reminder.Status.DRAFT else timezone.now(),
        receipt_date=received,
    )
    ReminderInvoice.objects.create(reminder=reminder, invoice=invoice)
    return reminder


def test_same_figures_as_relance_penalties_for_the_same_invoice_and_date(business: Business) -> None:
    invoice = late_invoice(business)
    out = io.StringIO()
    call_command(
        "penalties",
        "--amount",
        "1000.00",
        "--due-date",
        "2025-06-15",
        "--until",
        "2025-08-15",
        "--debtor",
        "business",
        stdout=out,
    )
    assert penalties_for_invoice(invoice, day("2025-08-15")).as_json() == json.loads(out.getvalue())


def test_payments_count_from_their_dates(business: Business) -> None:
    invoice = late_invoice(business)
    services.record_payment(invoice=invoice, actor=None, date=day("2025-07-10"), amount=Decimal("400.00"))
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert [(s.start, s.end, s.base) for s in result.segments] == [
        (day("2025-06-16"), day("2025-06-30"), Decimal("1000.00")),
        (day("2025-07-01"), day("2025-07-10"), Decimal("1000.00")),
        (day("2025-07-11"), day("2025-08-15"), Decimal("600.00")),
    ]
    assert result.outstanding == Decimal("600.00")


def test_a_credit_note_reduces_the_principal_from_the_start(business: Business) -> None:
    invoice = late_invoice(business)
    services.record_credit_note(
        invoice=invoice, actor=None, number="AV-1", date=day("2025-08-01"), amount=Decimal("250.00")
    )
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert {segment.base for segment in result.segments} == {Decimal("750.00")}
    assert result.outstanding == Decimal("750.00")


def test_a_fully_credited_or_cancelled_invoice_owes_nothing(business: Business) -> None:
    credited = late_invoice(business)
    services.record_credit_note(
        invoice=credited, actor=None, number="AV-2", date=day("2025-06-01"), amount=Decimal("1000.00")
    )
    # The service re-reads the invoice under its lock: its answer is the cancelled invoice.
    cancelled = services.cancel_invoice(invoice=late_invoice(business), actor=None, reason="Erreur de client")
    for invoice in (credited, cancelled):
        result = penalties_for_invoice(invoice, day("2025-08-15"))
        assert (result.interest, result.indemnity, result.outstanding) == (Decimal("0.00"),) * 3
        assert result.days_late == 61


def test_the_business_contract_rate_applies_to_professional_clients(business: Business) -> None:
    business.penalty_terms = Business.PenaltyTerms.CONTRACT
    business.contract_rate = Decimal("15.00")
    business.save()
    invoice = late_invoice(business)
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert {segment.rate for segment in result.segments} == {Decimal("15.00")}
    assert result.warnings == ()  # 15 % is above 3 × 3.71 and 3 × 2.76


def test_a_consumer_owes_nothing_without_a_received_formal_notice(business: Business) -> None:
    invoice = late_invoice(business, kind=Client.Kind.CONSUMER)
    formal_notice(invoice, received=None)
    formal_notice(invoice, received=day("2025-07-01"), status=Reminder.Status.DRAFT)
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert (result.interest, result.indemnity) == (Decimal("0.00"), Decimal("0.00"))
    assert "Aucune mise en demeure reçue" in result.warnings[0]


def test_a_consumer_owes_legal_interest_from_the_earliest_received_notice(business: Business) -> None:
    invoice = late_invoice(business, kind=Client.Kind.CONSUMER)
    formal_notice(invoice, received=day("2025-07-20"))
    deactivated = formal_notice(invoice, received=day("2025-07-05"), status=Reminder.Status.SAVED)
    deactivated.deactivated_at = timezone.now()
    deactivated.save()
    assert formal_notice_date(invoice) == day("2025-07-05")
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert [(s.start, s.rate) for s in result.segments] == [(day("2025-07-06"), Decimal("2.76"))]
    assert result.indemnity == Decimal("0.00")


def test_a_consumer_never_gets_the_business_contract_rate(business: Business) -> None:
    business.penalty_terms = Business.PenaltyTerms.CONTRACT
    business.contract_rate = Decimal("15.00")
    business.save()
    invoice = late_invoice(business, kind=Client.Kind.CONSUMER)
    formal_notice(invoice, received=day("2025-07-05"))
    result = penalties_for_invoice(invoice, day("2025-08-15"))
    assert {segment.rate for segment in result.segments} == {Decimal("2.76")}
    assert result.warnings == ()


def test_an_unknown_half_year_raises(business: Business) -> None:
    invoice = late_invoice(business)
    with pytest.raises(MissingRate, match="second semestre 2026"):
        penalties_for_invoice(invoice, day("2026-07-02"))


def test_given_tables_are_used_instead_of_the_database(business: Business) -> None:
    invoice = late_invoice(business)
    with pytest.raises(MissingRate, match="premier semestre 2025"):
        penalties_for_invoice(invoice, day("2025-08-15"), RateTables())


def test_a_prefetched_list_of_professional_invoices_needs_no_query(
    business: Business, tables: RateTables, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        invoice = late_invoice(business)
        services.record_payment(invoice=invoice, actor=None, date=day("2025-07-01"), amount=Decimal("100.00"))
    invoices = list(
        Invoice.objects.select_related("client", "business").prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("date")), "credit_notes"
        )
    )
    with django_assert_num_queries(0):
        results = [penalties_for_invoice(invoice, day("2025-08-15"), tables) for invoice in invoices]
    assert {result.interest for result in results} == {Decimal("19.21")}  # 5.40 + 0.33 + 13.48 (900 × 12.15 % × 45/365)


def test_legal_basis_cites_the_articles() -> None:
    assert "L441-10" in legal_basis("business") and "D441-5" in legal_basis("business")
    assert "1231-6" in legal_basis("consumer") and "1344-1" in legal_basis("consumer")
    assert "40" not in legal_basis("consumer")
