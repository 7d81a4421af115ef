"""The "Pénalités de retard" panel of the invoice page."""

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Business, User
from dunning.models import Reminder, ReminderInvoice
from ledger import services
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice

PARIS = ZoneInfo("Europe/Paris")


def travel(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def known_rates_day() -> Iterator[dt.date]:
    """2026 S1: the shipped tables know both the ECB rate (2.15) and the legal rate (2.62)."""
    with travel(dt.date(2026, 3, 15)):
        yield dt.date(2026, 3, 15)


def url(invoice: Invoice) -> str:
    return reverse("pages:invoice_detail", args=[invoice.pk])


def plain(text: str) -> str:
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def panel_of(response: Any) -> str:
    match = re.search(r'<section class="card penalty-panel".*?</section>', response.text, re.S)
    assert match, "no penalty panel on the page"
    return plain(match.group(0))


def formal_notice(invoice: Invoice, *, receipt_date: dt.date | None) -> Reminder:
    reminder = Reminder.objects.create(
        business=invoice.business,
        client=invoice.client,
        level=3,
        channel="letter",
        status=Reminder.Status.SAVED,
        subject="Mise en demeure",
        body="…",
        frozen_at=timezone.now(),
        registered_number="1A 234 567 8901 2",
        receipt_date=receipt_date,
    )
    ReminderInvoice.objects.create(reminder=reminder, invoice=invoice)
    return reminder


@pytest.fixture
def professional(business: Business) -> Client:
    return make_client(business, name="Boulangerie Durand")


@pytest.fixture
def consumer(business: Business) -> Client:
    return make_client(business, kind=Client.Kind.CONSUMER, name="Sophie Lambert")


def b2b_invoice(business: Business, client: Client) -> Invoice:
    return make_invoice(
        business, client, amount="1000.00", issue_date=dt.date(2025, 12, 16), due_date=dt.date(2026, 1, 15)
    )


def test_professional_late_invoice_shows_days_interest_indemnity_total_and_basis(
    owner_client: HttpClient, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    invoice = b2b_invoice(business, professional)
    response = owner_client.get(url(invoice))
    assert response.status_code == 200
    panel = panel_of(response)
    assert "59 jours" in panel
    assert "Intérêts au 15/03/2026" in panel and "19,64 €" in panel
    assert "40,00 €" in panel and "D441-5" in panel
    assert "1 059,64 €" in panel  # remaining 1000.00 + 19.64 + 40.00
    assert "art. L441-10 du Code de commerce" in panel
    # The segments, in a <details>: période, jours, base, taux, intérêts.
    assert "<details" in panel and "du 16/01/2026 au 15/03/2026" in panel
    assert "12,15 %" in panel and "1 000,00 €" in panel
    assert reverse("statements:statement_invoice", args=[invoice.pk]) in panel


def test_partial_payment_lowers_the_base_from_the_day_after_it(
    owner_client: HttpClient, owner: User, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    invoice = b2b_invoice(business, professional)
    services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 2, 14), amount=Decimal("400.00"))
    panel = panel_of(owner_client.get(url(invoice)))
    # 30 days on 1000.00 (16/01–14/02), then 29 days on 600.00, at 12.15 %.
    assert "du 16/01/2026 au 14/02/2026" in panel and "du 15/02/2026 au 15/03/2026" in panel
    assert "9,99 €" in panel and "5,79 €" in panel and "15,78 €" in panel
    assert "40,00 €" in panel  # partly paid on time or not, the indemnity stays


def test_missing_rate_names_the_half_year_and_links_to_the_rates_page(
    owner_client: HttpClient, business: Business, professional: Client
) -> None:
    invoice = make_invoice(business, professional, amount="500.00", issue_date=dt.date(2026, 9, 1))
    with travel(dt.date(2026, 11, 28)):
        response = owner_client.get(url(invoice))
    assert response.status_code == 200
    panel = panel_of(response)
    assert "Le taux BCE du second semestre 2026 n’est pas connu" in panel
    assert reverse("rates:rates") + "#ajouter" in panel
    assert "non calculables" in panel
    assert "40,00 €" in panel  # the indemnity does not depend on any rate
    assert reverse("statements:statement_invoice", args=[invoice.pk]) not in panel


def test_consumer_without_formal_notice_accrues_nothing(
    owner_client: HttpClient, business: Business, consumer: Client, known_rates_day: dt.date
) -> None:
    invoice = b2b_invoice(business, consumer)
    panel = panel_of(owner_client.get(url(invoice)))
    assert "Aucun intérêt ne court sans mise en demeure" in panel
    assert "1344-1" in panel
    assert "Aucune indemnité forfaitaire" in panel and "L111-8" in panel
    assert "40,00 €" not in panel


def test_consumer_formal_notice_without_receipt_date_says_interest_cannot_run_yet(
    owner_client: HttpClient, business: Business, consumer: Client, known_rates_day: dt.date
) -> None:
    invoice = b2b_invoice(business, consumer)
    notice = formal_notice(invoice, receipt_date=None)
    panel = panel_of(owner_client.get(url(invoice)))
    assert (
        "La mise en demeure n’a pas de date de réception enregistrée : "
        "les intérêts ne peuvent pas encore courir." in panel
    )
    assert reverse("dunning:reminder_detail", args=[notice.pk]) in panel
    assert "Aucun intérêt ne court sans mise en demeure" not in panel


def test_consumer_interest_runs_from_the_notice_receipt_at_the_legal_rate(
    owner_client: HttpClient, business: Business, consumer: Client, known_rates_day: dt.date
) -> None:
    invoice = b2b_invoice(business, consumer)
    formal_notice(invoice, receipt_date=dt.date(2026, 2, 1))
    panel = panel_of(owner_client.get(url(invoice)))
    # 42 days (02/02–15/03) × 1000.00 × 2.62 % / 365 = 3.01; no indemnity for a consumer.
    assert "du 02/02/2026 au 15/03/2026" in panel and "2,62 %" in panel and "3,01 €" in panel
    assert "1 003,01 €" in panel
    assert "Aucun intérêt ne court" not in panel and "pas de date de réception" not in panel


def test_contract_rate_below_the_floor_is_warned(
    owner_client: HttpClient, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    business.penalty_terms = Business.PenaltyTerms.CONTRACT
    business.contract_rate = Decimal("5.00")
    business.save()
    invoice = b2b_invoice(business, professional)
    panel = panel_of(owner_client.get(url(invoice)))
    assert "inférieur au minimum légal du premier semestre 2026" in panel
    assert "5,00 %" in panel


def test_no_panel_before_the_due_date_nor_once_paid(
    owner_client: HttpClient, owner: User, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    not_due = make_invoice(business, professional, issue_date=dt.date(2026, 3, 1), due_date=dt.date(2026, 3, 31))
    assert "penalty-panel" not in owner_client.get(url(not_due)).text
    paid = b2b_invoice(business, professional)
    services.record_payment(invoice=paid, actor=owner, date=dt.date(2026, 3, 1), amount=Decimal("1000.00"))
    assert "penalty-panel" not in owner_client.get(url(paid)).text


def test_outsider_never_sees_the_panel(
    outsider_client: HttpClient, business: Business, professional: Client, known_rates_day: dt.date
) -> None:
    assert outsider_client.get(url(b2b_invoice(business, professional))).status_code == 404


def test_query_count_does_not_grow_with_payments_or_reminders(
    owner_client: HttpClient,
    owner: User,
    business: Business,
    consumer: Client,
    known_rates_day: dt.date,
    django_assert_max_num_queries: Any,
) -> None:
    invoice = b2b_invoice(business, consumer)
    formal_notice(invoice, receipt_date=dt.date(2026, 2, 1))

    def load() -> int:
        with django_assert_max_num_queries(15) as context:
            assert "penalty-panel" in owner_client.get(url(invoice)).text
        return len(context.captured_queries)

    load()  # fills the rate tables' per-process cache
    few = load()
    for day in range(2, 28):
        services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 2, day), amount=Decimal("1.00"))
        formal_notice(invoice, receipt_date=dt.date(2026, 2, day))
    assert load() == few
