"""The client and invoice lists: one query each, so the page and the API give the same rows."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger import queries, services
from ledger.models import Client
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def clients(business: Business, other_business: Business) -> dict[str, Client]:
    rows = {
        "durand": make_client(
            business, name="Boulangerie Durand", email="compta@durand.test", city="Villeurbanne", siren="732829320"
        ),
        "martin": make_client(business, name="Garage Martin", email="garage@martin.test", contact_name="Sophie"),
        "petit": make_client(business, name="Atelier Petit", email="", city="Lyon", siren="303265045"),
    }
    make_invoice(business, rows["durand"], amount="5000.00", issue_date=dt.date(2026, 11, 20))
    make_invoice(business, rows["martin"], amount="200.00", issue_date=dt.date(2026, 8, 1))
    make_invoice(business, rows["martin"], amount="300.00", issue_date=dt.date(2026, 8, 2))
    make_invoice(business, rows["petit"], amount="100.00", issue_date=dt.date(2026, 11, 20))
    make_client(other_business, name="Durand concurrent", siren="732829320")
    return rows


@pytest.mark.usefixtures("clients")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "durand"},
        {"q": "compta@"},
        {"q": "villeurbanne"},
        {"q": "sophie"},
        {"q": "732829320"},
        {"q": "732 829 320"},
        {"q": "303.265"},
        {"q": "zzz"},
        {"sort": "-name"},
        {"sort": "-balance"},
        {"sort": "balance"},
        {"sort": "-late_count"},
        {"sort": "late_count"},
        {"q": "test", "sort": "-balance"},
    ],
)
def test_client_page_and_api_list_the_same_clients(
    owner_client: HttpClient, api: ApiClient, params: dict[str, str]
) -> None:
    page = owner_client.get(reverse("ledger:client_list"), params)
    response = api.get("/clients", {**params, "limit": 200})
    assert page.status_code == response.status_code == 200, response.content
    page_ids = [client.pk for client in page.context["page"].object_list]
    assert page_ids == [client["id"] for client in response.json()["items"]]
    assert response.json()["count"] == len(page_ids)


def test_client_search_finds_a_siren_typed_with_spaces(business: Business, clients: dict[str, Client]) -> None:
    found = queries.search_clients(business, q="732 829 320", as_of=dt.date(2026, 11, 28))
    assert list(found) == [clients["durand"]]


@pytest.fixture
def invoices(business: Business, other_business: Business) -> None:
    alice = make_client(business, name="Alice")
    bob = make_client(business, name="Bob")
    make_invoice(business, alice, number="F-2026-001", amount="300.00", issue_date=dt.date(2026, 11, 20))
    make_invoice(business, alice, number="F-2026-002", amount="100.00", issue_date=dt.date(2026, 9, 1))
    paid = make_invoice(business, bob, number="F-2026-003", amount="50.00", issue_date=dt.date(2026, 8, 1))
    services.record_payment(invoice=paid, actor=None, date=dt.date(2026, 8, 15), amount=Decimal("50.00"))
    cancelled = make_invoice(business, bob, number="A-2026-004", amount="80.00", issue_date=dt.date(2026, 7, 1))
    services.cancel_invoice(invoice=cancelled, actor=None, reason="Doublon")
    make_invoice(business, bob, number="F-2026-005", amount="900.00", issue_date=dt.date(2026, 10, 15))
    make_invoice(other_business, number="F-2026-006")


def _client_id(business: Business, name: str) -> int:
    return Client.objects.get(business=business, name=name).pk


@pytest.mark.usefixtures("invoices")
@pytest.mark.parametrize(
    ("page_params", "api_params"),
    [
        ({}, {}),
        ({"status": "late"}, {"status": "late"}),
        ({"status": "not_due"}, {"status": "not_due"}),
        ({"status": "paid"}, {"status": "paid"}),
        ({"status": "cancelled"}, {"status": "cancelled"}),
        ({"client": "Alice"}, {"client_id": "Alice"}),
        ({"client": "Bob", "status": "late"}, {"client_id": "Bob", "status": "late"}),
        ({"q": "2026-00"}, {"q": "2026-00"}),
        ({"q": "a-2026"}, {"q": "a-2026"}),
        ({"sort": "number"}, {"sort": "number"}),
        ({"sort": "-amount_due"}, {"sort": "-amount_due"}),
        ({"sort": "due_date"}, {"sort": "due_date"}),
        ({"sort": "-total"}, {"sort": "-total"}),
        ({"sort": "client", "status": "late"}, {"sort": "client", "status": "late"}),
    ],
)
def test_invoice_page_and_api_list_the_same_invoices(
    owner_client: HttpClient,
    api: ApiClient,
    business: Business,
    page_params: dict[str, Any],
    api_params: dict[str, Any],
) -> None:
    for params, key in [(page_params, "client"), (api_params, "client_id")]:
        if key in params:
            params[key] = _client_id(business, params[key])
    page = owner_client.get(reverse("ledger:invoice_list"), page_params)
    response = api.get("/invoices", {**api_params, "limit": 200})
    assert page.status_code == response.status_code == 200, response.content
    page_ids = [invoice.pk for invoice in page.context["invoices"]]
    assert page_ids == [invoice["id"] for invoice in response.json()["items"]]
    assert response.json()["count"] == len(page_ids)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_queries_cost_one_query_whatever_the_rows(
    business: Business, django_assert_num_queries: Any, rows: int
) -> None:
    for index in range(rows):
        make_invoice(business, make_client(business), issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    today = dt.date(2026, 11, 28)
    with django_assert_num_queries(1):
        assert len(list(queries.search_clients(business, q="client", sort="-balance", as_of=today))) == rows
    with django_assert_num_queries(1):
        found = list(queries.filter_invoices(business, status="late", q="F-", sort="client", as_of=today))
        assert [invoice.client.name for invoice in found]
