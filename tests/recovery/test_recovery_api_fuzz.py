"""Fuzzes the recovery API against its own OpenAPI document (schemathesis, Hypothesis): no 5xx,
every answer documented. Derandomized, few examples: the evidence pack compiles a PDF each time."""

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from accounts.models import Business, User
from recovery import services
from relance.wsgi import application
from tests.api.test_schemathesis import CHECKS  # also bounds the generated dates
from tests.factories import make_client, make_invoice, make_token

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(tag=["Recouvrement"])
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def rows(business: Business, owner: User) -> dict[str, Any]:
    invoice = make_invoice(business, make_client(business), amount="5000.00", issue_date=dt.date(2026, 1, 5))
    agency = services.create_agency(business=business, actor=owner, name="Agence")
    case = services.open_case(
        business=business, actor=owner, invoice_ids=[invoice.pk], agency=agency, transmitted_on=dt.date(2026, 3, 1)
    )
    return {"token": make_token(owner), "agency": agency.pk, "case": case.pk, "invoice": invoice.pk}


def test_every_recovery_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) == 10


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection", "frozen_today")
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_recovery_api_answers_as_its_openapi_document_says(operation: Any, rows: dict[str, Any]) -> None:
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(max_examples=8, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        path_ids = case.path_parameters or {}
        # Odd ids go to this business's rows, so that the success paths are fuzzed too.
        if isinstance(path_ids.get("id"), int) and path_ids["id"] % 2:
            path_ids["id"] = rows["agency"] if "/agencies" in case.operation.path else rows["case"]
        if isinstance(case.body, dict) and isinstance(case.body.get("invoice_ids"), list) and case.body["invoice_ids"]:
            case.body["invoice_ids"] = [rows["invoice"]]
        case.call_and_validate(headers={"Authorization": f"Bearer {rows['token']}"}, checks=CHECKS)

    fuzz()
