"""Every list of the API pages the same way: `limit`/`offset` in, `{items, count}` out."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Business
from tests.factories import make_invoice
from tests.helpers import ApiClient

pytestmark = pytest.mark.django_db

LISTS = {
    "listClients": "/clients",
    "listInvoices": "/invoices",
    "listReminders": "/reminders",
    "listLatePaymentInvoices": "/late-payments/1-30/invoices",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return dict(HttpClient().get("/api/v1/openapi.json").json())


def operation(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return next(
        op for path in document["paths"].values() for op in path.values() if op.get("operationId") == operation_id
    )


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].rsplit("/", 1)[-1]
    return dict(document["components"]["schemas"][name])


@pytest.mark.parametrize("operation_id", LISTS)
def test_each_list_documents_items_and_count_with_bounded_limit_and_offset(
    document: dict[str, Any], operation_id: str
) -> None:
    listing = operation(document, operation_id)
    page = resolve(document, listing["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(page["properties"]) == set(page["required"]) == {"items", "count"}
    assert page["properties"]["count"]["type"] == "integer"
    assert page["properties"]["items"]["type"] == "array"
    params = {param["name"]: param for param in listing["parameters"]}
    limit, offset = params["limit"]["schema"], params["offset"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 200, 50)
    assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, 10**9, 0)
    assert not params["limit"]["required"] and not params["offset"]["required"]


@pytest.mark.parametrize("path", LISTS.values())
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"limit": 0}, "limit", "La valeur doit être supérieure ou égale à 1."),
        ({"limit": 201}, "limit", "La valeur doit être inférieure ou égale à 200."),
        ({"limit": "dix"}, "limit", "Nombre entier invalide."),
        ({"offset": -1}, "offset", "La valeur doit être supérieure ou égale à 0."),
        ({"offset": 10**9 + 1}, "offset", "La valeur doit être inférieure ou égale à 1000000000."),
    ],
)
def test_each_list_refuses_a_bad_page_in_french_at_the_parameter(
    api: ApiClient, path: str, params: dict[str, Any], field: str, message: str
) -> None:
    response = api.get(path, params)
    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["query", field], message)]


@pytest.mark.parametrize("path", ["/clients", "/invoices", "/late-payments/1-30/invoices"])
def test_a_page_holds_limit_items_from_offset_and_counts_them_all(
    api: ApiClient, business: Business, path: str
) -> None:
    due = timezone.localdate() - dt.timedelta(days=5)
    for _ in range(5):
        make_invoice(business, issue_date=due - dt.timedelta(days=30), due_date=due)
    everything = api.get(path, {"limit": 200}).json()
    page = api.get(path, {"limit": 2, "offset": 3}).json()
    assert set(page) == {"items", "count"}
    assert page["count"] == everything["count"] == 5
    assert page["items"] == everything["items"][3:5]
    assert api.get(path, {"offset": 5}).json() == {"count": 5, "items": []}
