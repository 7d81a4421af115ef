"""Invoices close to their limitation deadline, flagged on the dashboard and the client page:
2 years for a consumer (Code de la consommation L218-2), 5 for a professional (Code de commerce
L110-4), from the due date."""

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

from accounts.models import Business, User
from ledger import services
from ledger.limitation import invoices_near_limitation, limitation_flags
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 11, 28)
DASHBOARD = reverse("pages:dashboard")


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[dt.date]:
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture
def professional(business: Business) -> Client:
    return make_client(business, name="Garage Fontaine")


@pytest.fixture
def consumer(business: Business) -> Client:
    return make_client(business, kind=Client.Kind.CONSUMER, name="Sophie Lambert")


def due_on(business: Business, client: Client, due: dt.date, number: str, amount: str = "100.00") -> Invoice:
    return make_invoice(business, client, number=number, amount=amount, issue_date=due, due_date=due)


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<(section|div) class="{css_class}".*?</table>', html, re.S)
    assert match, f"no .{css_class} block"
    return re.sub(r"[\s\u202f\u00a0]+", " ", match.group(0))


def test_flags_within_90_days_and_past_the_deadline_not_before(
    business: Business, professional: Client, consumer: Client
) -> None:
    # Consumer, 2 years: deadline 2027-02-26 is 90 days away; 2027-02-27 is 91.
    edge = due_on(business, consumer, dt.date(2025, 2, 26), "P-90")
    due_on(business, consumer, dt.date(2025, 2, 27), "P-91")
    expired = due_on(business, consumer, dt.date(2024, 11, 27), "P-EXPIRED")
    # Professional, 5 years: deadline 2026-12-01, 3 days away.
    soon = due_on(business, professional, dt.date(2021, 12, 1), "B-SOON")
    due_on(business, professional, dt.date(2025, 2, 26), "B-RECENT")
    flags = invoices_near_limitation(business, TODAY)
    assert [flag.invoice.number for flag in flags] == ["B-SOON", "P-90", "P-EXPIRED"]
    by_number = {flag.invoice.number: flag for flag in flags}
    assert by_number[soon.number].limitation.deadline == dt.date(2026, 12, 1)
    assert by_number[soon.number].limitation.years == 5
    assert by_number[edge.number].limitation.days_left == 90
    assert by_number[expired.number].limitation.expired


def test_paid_and_cancelled_invoices_are_never_flagged(owner: User, business: Business, professional: Client) -> None:
    paid = due_on(business, professional, dt.date(2021, 12, 1), "B-PAID")
    services.record_payment(invoice=paid, actor=owner, date=dt.date(2022, 1, 5), amount=Decimal("100.00"))
    cancelled = due_on(business, professional, dt.date(2021, 12, 2), "B-CANCELLED")
    services.cancel_invoice(invoice=cancelled, actor=owner, reason="Erreur de saisie")
    assert invoices_near_limitation(business, TODAY) == []


def test_29_february_due_date_counts_to_28_february(business: Business, consumer: Client) -> None:
    invoice = due_on(business, consumer, dt.date(2024, 2, 29), "P-LEAP")
    [flag] = limitation_flags([invoice], dt.date(2026, 2, 1), debtor=Client.Kind.CONSUMER)
    assert flag.limitation.deadline == dt.date(2026, 2, 28)


def test_other_business_invoices_are_never_flagged(business: Business, other_business: Business) -> None:
    due_on(other_business, make_client(other_business), dt.date(2021, 12, 1), "X-1")
    assert invoices_near_limitation(business, TODAY) == []
    assert [flag.invoice.number for flag in invoices_near_limitation(other_business, TODAY)] == ["X-1"]


def test_dashboard_lists_them_with_deadline_and_rule(
    owner_client: HttpClient, business: Business, professional: Client, consumer: Client, other_business: Business
) -> None:
    due_on(business, professional, dt.date(2021, 12, 1), "B-SOON")
    due_on(business, consumer, dt.date(2024, 11, 27), "P-EXPIRED")
    due_on(other_business, make_client(other_business), dt.date(2021, 12, 1), "X-OTHER")
    response = owner_client.get(DASHBOARD)
    block = section(response.text, "limitation-flags")
    assert "Factures proches de la prescription" in block
    assert "B-SOON" in block and "Le 01/12/2026" in block and "dans 3 jours" in block
    assert "5 ans après l’échéance (client professionnel" in block
    assert "P-EXPIRED" in block and "Prescrite" in block and "depuis le 27/11/2026" in block
    assert "2 ans après l’échéance (client particulier" in block
    assert "X-OTHER" not in response.text


def test_dashboard_says_nothing_when_no_invoice_is_close(
    owner_client: HttpClient, business: Business, professional: Client
) -> None:
    due_on(business, professional, dt.date(2026, 10, 1), "B-RECENT")
    assert "limitation-flags" not in owner_client.get(DASHBOARD).text


def test_client_page_flags_its_invoices(owner_client: HttpClient, business: Business, consumer: Client) -> None:
    due_on(business, consumer, dt.date(2025, 1, 10), "P-CLOSE")
    due_on(business, consumer, dt.date(2026, 10, 1), "P-RECENT")
    response = owner_client.get(reverse("pages:client_detail", args=[consumer.pk]))
    block = section(response.text, "limitation-flags")
    assert "Prescription proche" in block and "P-CLOSE" in block and "Le 10/01/2027" in block
    assert "2 ans après son échéance pour un client particulier" in block
    assert "P-RECENT" not in block
    # The invoice row carries the deadline too.
    assert "Prescription le 10/01/2027" in response.text


@pytest.mark.parametrize("view", ["dashboard", "client_detail"])
def test_flags_add_no_query_per_invoice(
    owner_client: HttpClient,
    business: Business,
    professional: Client,
    django_assert_max_num_queries: Any,
    view: str,
) -> None:
    url = DASHBOARD if view == "dashboard" else reverse("pages:client_detail", args=[professional.pk])

    def load() -> int:
        with django_assert_max_num_queries(13) as context:
            assert "limitation-flags" in owner_client.get(url).text
        return len(context.captured_queries)

    due_on(business, professional, dt.date(2021, 12, 1), "B-0")
    few = load()
    for index in range(1, 15):
        due_on(business, professional, dt.date(2021, 12, 1) + dt.timedelta(days=index), f"B-{index}")
        due_on(business, make_client(business), dt.date(2021, 11, 1) + dt.timedelta(days=index), f"C-{index}")
    assert load() == few
