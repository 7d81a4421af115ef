import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from accounts.models import Business
from ledger import services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice, make_reminder_row
from tests.helpers import ApiClient

pytestmark = pytest.mark.usefixtures("frozen_today")


def due(business: Business, day: dt.date, amount: str = "100.00", **kwargs: Any) -> Invoice:
    return make_invoice(business, amount=amount, issue_date=day - dt.timedelta(days=30), due_date=day, **kwargs)


def test_without_token_is_401(db: None) -> None:
    assert HttpClient().get("/api/v1/late-payments").status_code == 401
    assert HttpClient().get("/api/v1/late-payments/1-30/invoices").status_code == 401


def test_with_a_bad_token_is_401(db: None) -> None:
    client = HttpClient(headers={"Authorization": "Bearer rl_not-a-token"})
    assert client.get("/api/v1/late-payments").status_code == 401


def test_buckets_with_counts_and_decimal_strings(api: ApiClient, business: Business) -> None:
    alice = make_client(business)
    due(business, dt.date(2026, 11, 28), "10.00")
    due(business, dt.date(2026, 11, 27), "20.50", client=alice)
    due(business, dt.date(2026, 10, 29), "30.00", client=alice)
    due(business, dt.date(2026, 10, 28), "40.00")
    due(business, dt.date(2026, 8, 30), "50.00")
    due(business, dt.date(2026, 8, 29), "60.00")
    response = api.get("/late-payments", {"as_of": "2026-11-28"})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-11-28"
    assert body["buckets"] == [
        {"key": "not_due", "label": "Non échues", "invoices": 1, "clients": 1, "amount_due": "10.00"},
        {"key": "1-30", "label": "1 à 30 jours", "invoices": 2, "clients": 1, "amount_due": "50.50"},
        {"key": "31-60", "label": "31 à 60 jours", "invoices": 1, "clients": 1, "amount_due": "40.00"},
        {"key": "61-90", "label": "61 à 90 jours", "invoices": 1, "clients": 1, "amount_due": "50.00"},
        {"key": "90+", "label": "Plus de 90 jours", "invoices": 1, "clients": 1, "amount_due": "60.00"},
    ]
    assert body["total"] == {"invoices": 6, "clients": 5, "amount_due": "210.50"}


def test_as_of_defaults_to_today_in_paris(api: ApiClient, business: Business) -> None:
    due(business, dt.date(2026, 11, 27))
    body = api.get("/late-payments").json()
    assert body["as_of"] == "2026-11-28"
    assert body["buckets"][1]["invoices"] == 1


def test_as_of_moves_invoices_between_buckets(api: ApiClient, business: Business) -> None:
    due(business, dt.date(2026, 11, 27))
    body = api.get("/late-payments", {"as_of": "2027-01-15"}).json()
    assert [bucket["invoices"] for bucket in body["buckets"]] == [0, 0, 1, 0, 0]


def test_bad_as_of_is_422_in_french(api: ApiClient) -> None:
    response = api.get("/late-payments", {"as_of": "28/11/2026"})
    assert response.status_code == 422
    assert "Date invalide" in response.json()["detail"][0]["msg"]


def test_other_business_data_is_invisible(api: ApiClient, other_business: Business) -> None:
    due(other_business, dt.date(2026, 11, 1))
    body = api.get("/late-payments").json()
    assert body["total"] == {"invoices": 0, "clients": 0, "amount_due": "0.00"}
    assert api.get("/late-payments/1-30/invoices").json() == {"count": 0, "items": []}


def test_bucket_invoices_with_fields(api: ApiClient, business: Business) -> None:
    invoice = due(business, dt.date(2026, 11, 8), "300.00", number="F-42")
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 11, 10), amount=Decimal("100.00"))
    make_reminder_row(invoice, level=1, at=dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC))
    due(business, dt.date(2026, 10, 1))
    response = api.get("/late-payments/1-30/invoices")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {
        key: item[key]
        for key in [
            "id",
            "client_id",
            "number",
            "issue_date",
            "due_date",
            "total_excl_tax",
            "total_incl_tax",
            "amount_due",
            "status",
            "days_late",
            "last_reminder_level",
        ]
    } == {
        "id": invoice.pk,
        "client_id": invoice.client_id,
        "number": "F-42",
        "issue_date": "2026-10-09",
        "due_date": "2026-11-08",
        "total_excl_tax": "300.00",
        "total_incl_tax": "300.00",
        "amount_due": "200.00",
        "status": "late",
        "days_late": 20,
        "last_reminder_level": 1,
    }


def test_bucket_invoices_as_of_a_date(api: ApiClient, business: Business) -> None:
    due(business, dt.date(2026, 11, 8), number="F-42")
    body = api.get("/late-payments/31-60/invoices", {"as_of": "2026-12-20"}).json()
    assert [(item["number"], item["days_late"]) for item in body["items"]] == [("F-42", 42)]


def test_plus_key_in_the_path(api: ApiClient, business: Business) -> None:
    due(business, dt.date(2026, 1, 1), number="F-OLD")
    for path in ["/late-payments/90+/invoices", "/late-payments/90%2B/invoices"]:
        assert [item["number"] for item in api.get(path).json()["items"]] == ["F-OLD"]


def test_unknown_key_is_404(api: ApiClient) -> None:
    response = api.get("/late-payments/1-45/invoices")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


def test_pagination_and_client_filter(api: ApiClient, business: Business) -> None:
    alice = make_client(business)
    for index in range(7):
        due(business, dt.date(2026, 11, 1) + dt.timedelta(days=index), client=alice if index < 3 else None)
    page = api.get("/late-payments/1-30/invoices", {"limit": 5, "offset": 5}).json()
    assert page["count"] == 7 and len(page["items"]) == 2
    mine = api.get("/late-payments/1-30/invoices", {"client_id": alice.pk}).json()
    assert mine["count"] == 3


def test_queries_are_constant(api: ApiClient, business: Business, django_assert_max_num_queries: Any) -> None:
    def load() -> int:
        with django_assert_max_num_queries(8) as context:
            assert api.get("/late-payments/1-30/invoices").status_code == 200
            assert api.get("/late-payments").status_code == 200
        return len(context.captured_queries)

    api.get("/late-payments")  # the token's "last used" write happens once a minute
    for index in range(5):
        make_reminder_row(due(business, dt.date(2026, 11, 1) + dt.timedelta(days=index)))
    few = load()
    for index in range(45):
        make_reminder_row(due(business, dt.date(2026, 11, 1) + dt.timedelta(days=index % 25)))
    assert load() == few


def test_endpoints_are_documented(db: None) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/late-payments"]
    assert "get" in paths["/api/v1/late-payments/{key}/invoices"]
