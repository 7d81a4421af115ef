"""Fuzzes POST /api/v1/penalties against its OpenAPI document: never a 5xx, every answer documented."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from relance.wsgi import application

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261128,
        "generation": {"max-examples": 60, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# No format strategy of our own for "date": schemathesis keeps one global registry, and the
# ledger API's fuzz test registers one already.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG).include(
    path_regex=r"^/api/v1/penalties$"
)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_penalties_api_answers_as_its_openapi_document_says(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
