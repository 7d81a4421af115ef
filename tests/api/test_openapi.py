from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from django.test import Client as HttpClient

OPERATIONS = {
    ("get", "/api/v1/clients"): "listClients",
    ("post", "/api/v1/clients"): "createClient",
    ("get", "/api/v1/clients/{id}"): "getClient",
    ("patch", "/api/v1/clients/{id}"): "updateClient",
    ("delete", "/api/v1/clients/{id}"): "deleteClient",
    ("get", "/api/v1/invoices"): "listInvoices",
    ("post", "/api/v1/invoices"): "createInvoice",
    ("get", "/api/v1/invoices/{id}"): "getInvoice",
    ("patch", "/api/v1/invoices/{id}"): "updateInvoice",
    ("post", "/api/v1/invoices/{id}/cancel"): "cancelInvoice",
    ("get", "/api/v1/invoices/{id}/payments"): "listPayments",
    ("post", "/api/v1/invoices/{id}/payments"): "createPayment",
    ("delete", "/api/v1/invoices/{id}/payments/{payment_id}"): "deletePayment",
    ("get", "/api/v1/invoices/{id}/credit-notes"): "listCreditNotes",
    ("post", "/api/v1/invoices/{id}/credit-notes"): "createCreditNote",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return dict(response.json())


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")

    schemathesis.openapi.from_dict(document).validate()
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_the_document_lists_the_ledger_paths(document: dict[str, Any]) -> None:
    assert {
        "/api/v1/clients",
        "/api/v1/clients/{id}",
        "/api/v1/invoices",
        "/api/v1/invoices/{id}",
        "/api/v1/invoices/{id}/payments",
        "/api/v1/invoices/{id}/credit-notes",
    } <= set(document["paths"])


def test_every_ledger_operation_has_its_stable_id_a_french_summary_and_bearer_security(
    document: dict[str, Any],
) -> None:
    for (method, path), operation_id in OPERATIONS.items():
        operation = document["paths"][path][method]
        assert operation["operationId"] == operation_id
        assert operation["summary"]
        assert operation["security"] == [{"TokenAuth": []}]
        assert {"401", "422"} <= set(operation["responses"]), operation_id
        if "{id}" in path:
            assert "404" in operation["responses"], operation_id


def test_the_bearer_scheme_is_declared(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_money_is_documented_as_a_two_decimal_string_out_and_string_or_number_in(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    amount_due = schemas["InvoiceOut"]["properties"]["amount_due"]
    assert amount_due["type"] == "string"
    assert amount_due["pattern"] == r"^-?\d+\.\d{2}$"
    amount_in = schemas["PaymentIn"]["properties"]["amount"]
    assert {option["type"] for option in amount_in["anyOf"]} == {"string", "number"}


def test_patch_fields_are_optional_but_not_nullable(document: dict[str, Any]) -> None:
    patch = document["components"]["schemas"]["ClientPatch"]

    assert "required" not in patch
    assert patch["properties"]["name"] == {"maxLength": 200, "title": "Name", "type": "string"}
    assert patch["additionalProperties"] is False


def test_the_interactive_docs_use_the_bundled_swagger_files_not_a_cdn() -> None:
    response = HttpClient().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
