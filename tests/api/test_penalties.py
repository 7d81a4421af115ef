"""POST /api/v1/penalties: same figures as the CLI, French 422s, no token needed."""

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from tests.law.test_penalties import ACCEPTANCE, CASE_8, CASE_8_ERROR

pytestmark = pytest.mark.django_db

URL = "/api/v1/penalties"


def post(body: Any, *, raw: bool = False) -> Any:
    payload = body if raw else json.dumps(body)
    return HttpClient().post(URL, payload, content_type="application/json")


@pytest.mark.parametrize("case", sorted(ACCEPTANCE))
def test_acceptance_case_answers_the_json(case: int) -> None:
    inputs, expected = ACCEPTANCE[case]
    response = post(inputs)
    assert response.status_code == 200
    result = response.json()
    assert {key: result[key] for key in expected} == expected


def test_answer_is_the_json_of_product_section_5() -> None:
    response = post({**ACCEPTANCE[3][0], "contract_rate": None, "notice_date": None, "payments": []})
    assert response.status_code == 200
    assert response.json() == {
        "days_late": 61,
        "interest": "20.71",
        "indemnity": "40.00",
        "penalties": "60.71",
        "outstanding": "1000.00",
        "segments": [
            {
                "start": "2025-06-16",
                "end": "2025-06-30",
                "days": 15,
                "rate": "13.15",
                "base": "1000.00",
                "interest": "5.40",
            },
            {
                "start": "2025-07-01",
                "end": "2025-08-15",
                "days": 46,
                "rate": "12.15",
                "base": "1000.00",
                "interest": "15.31",
            },
        ],
        "warnings": [],
    }


def test_decimals_may_be_json_numbers_and_are_never_floats() -> None:
    # 0.1 + 0.2 style inputs: a float would not give exactly 15000.00 × 15 %.
    body = '{"amount": 15000.00, "due_date": "2024-01-01", "until": "2024-01-31", "debtor": "business", "contract_rate": 15}'
    response = post(body, raw=True)
    assert response.status_code == 200
    assert response.json()["interest"] == "184.93"


def test_payments_are_date_and_amount_objects() -> None:
    response = post(
        {
            "amount": "1000.00",
            "due_date": "2025-07-15",
            "until": "2025-08-15",
            "debtor": "business",
            "payments": [{"date": "2025-07-25", "amount": 400}, {"date": "2025-08-05", "amount": "600.00"}],
        }
    )
    assert response.status_code == 200
    assert [segment["base"] for segment in response.json()["segments"]] == ["1000.00", "600.00"]


def test_no_token_is_needed() -> None:
    response = HttpClient(headers={"Authorization": "Bearer nonsense"}).post(
        URL, json.dumps(ACCEPTANCE[2][0]), content_type="application/json"
    )
    assert response.status_code == 200


def test_missing_rate_is_a_422_naming_the_half_year() -> None:
    response = post(CASE_8)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(CASE_8_ERROR)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Le montant doit être supérieur à zéro."),
        ({"amount": None}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        ({"amount": [1000]}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        ({"amount": True}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        (
            {"due_date": 20250615},
            "due_date",
            "L’échéance doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        (
            {"debtor": "Business"},
            "debtor",
            "Le débiteur doit être « business » (client professionnel) ou « consumer » (particulier).",
        ),
        ({"contract_rate": "douze"}, "contract_rate", "Le taux contractuel doit être un nombre, par exemple 1000.00."),
        (
            {"payments": [{"date": "2025-07-01", "amount": "2000"}]},
            "payments",
            "Les règlements (2\u202f000,00\u202f€) dépassent le montant de la facture (1\u202f000,00\u202f€).",
        ),
        ({"payments": ["2025-07-01:10"]}, "payments", "Règlement n° 1 : attendu {date, amount}."),
    ],
)
def test_bad_field_is_a_422_at_the_field_in_french(changes: dict[str, Any], field: str, message: str) -> None:
    response = post({**ACCEPTANCE[3][0], **changes})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", field], "msg": message, "type": "value_error"}]}


def test_missing_field_is_a_422_at_the_field() -> None:
    body = dict(ACCEPTANCE[3][0])
    del body["until"]
    response = post(body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "until"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Le corps de la requête doit être un objet JSON valide."),
        ("", "Le corps de la requête doit être un objet JSON."),
        ("[1, 2]", "Le corps de la requête doit être un objet JSON."),
        (b"\xff\xfe", "Le corps de la requête doit être un objet JSON valide."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_422(body: Any, message: str) -> None:
    response = post(body, raw=True)
    assert response.status_code == 422
    assert response.json() == {"detail": message}


def test_wrong_method_is_405() -> None:
    assert HttpClient().get(URL).status_code == 405


def test_the_openapi_document_describes_the_body_and_the_answers() -> None:
    document = HttpClient().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/penalties"]["post"]
    assert operation["tags"] == ["Pénalités"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["amount", "due_date", "until", "debtor"]
    assert set(schema["properties"]) == {
        "amount",
        "due_date",
        "until",
        "debtor",
        "contract_rate",
        "notice_date",
        "payments",
    }
    assert set(operation["responses"]) == {"200", "422"}
    assert not operation.get("security")
