"""Fuzzes the ledger API against its own OpenAPI document (schemathesis, Hypothesis).

Every generated request, valid or deliberately invalid, carries a valid token: no answer may be
a 5xx, and every answer must be documented (status code, content type, body schema).
Derandomized: every run sends the same requests.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from accounts.models import Business, User
from ledger import services
from relance.wsgi import application
from tests.factories import make_client, make_invoice, make_token

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# Dates mostly inside the accepted years (1900–2100), a few outside: uniform dates over
# 0001–9999 would almost never get past validation to the services.
schemathesis.openapi.format(
    "date", st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2110, 12, 31)).map(dt.date.isoformat)
)

# Loaded at collection through Django's WSGI application (no database needed for the document).
# Parametrized by hand: with pytest 9, `schema.parametrize()` gives every operation the same
# test id and its lazy `from_fixture` fails on `Function._nodeid`.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    tag=["Clients", "Factures", "Règlements", "Avoirs"]
)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@dataclass
class Rows:
    token: str
    client_id: int
    invoice_id: int
    payment_id: int


@pytest.fixture
def rows(business: Business, owner: User) -> Rows:
    client = make_client(business)
    invoice = make_invoice(business, client, amount="5000.00", issue_date=dt.date(1950, 1, 1))
    payment = services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("1.00"))
    return Rows(make_token(owner), client.pk, invoice.pk, payment.pk)


def aim_at_real_rows(case: Any, rows: Rows) -> None:
    """Random ids almost never exist: send the odd ones to this business's rows, so that the
    success paths are fuzzed too (the even ones still exercise 404)."""
    path_ids = case.path_parameters or {}
    if isinstance(path_ids.get("id"), int) and path_ids["id"] % 2:
        path_ids["id"] = rows.client_id if case.operation.path.startswith("/api/v1/clients") else rows.invoice_id
    if isinstance(path_ids.get("payment_id"), int) and path_ids["payment_id"] % 2:
        path_ids["payment_id"] = rows.payment_id
    if isinstance(case.body, dict) and isinstance(case.body.get("client_id"), int) and case.body["client_id"] % 2:
        case.body["client_id"] = rows.client_id


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_ledger_api_answers_as_its_openapi_document_says(operation: Any, mode: GenerationMode, rows: Rows) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        aim_at_real_rows(case, rows)
        case.call_and_validate(headers={"Authorization": f"Bearer {rows.token}"}, checks=CHECKS)

    fuzz()
