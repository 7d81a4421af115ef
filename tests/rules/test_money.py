"""Amounts are read with the digits 0 to 9 only, by the pages, the API, the services and the law."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from core.money import has_foreign_digits, parse_amount

FOREIGN_DIGITS = "Écrivez le montant avec les chiffres 0 à 9."


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56\u202f€", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12,5", "12.5"),
        ("100 EUR", "100"),
        (Decimal("7.10"), "7.10"),
        (42, "42"),
    ],
)
def test_reads_the_ways_people_write_amounts(typed: Any, value: str) -> None:
    assert parse_amount(typed) == Decimal(value)


@pytest.mark.parametrize(
    "typed",
    ["١٠٠", "۱۰۰", "१००", "１００", "১০০", "๑๐๐", "1²", "½", "10\u0660", "1\u00a0２３４,56"],
)
def test_refuses_digits_of_other_scripts(typed: str) -> None:
    assert has_foreign_digits(typed)
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert refused.value.messages == [FOREIGN_DIGITS]


@pytest.mark.parametrize("typed", ["douze", "1e5", "NaN", "Infinity", "1,2,3", "", None, True, 1.5, Decimal("NaN")])
def test_refuses_what_is_not_an_amount(typed: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert refused.value.messages == ["Saisissez un montant, par exemple 1 234,56."]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("amount", "١٠٠٠"), ("contract_rate", "１２")])
def test_the_penalty_calculator_refuses_digits_of_other_scripts(field: str, value: str) -> None:
    body = {"amount": "1000.00", "due_date": "2025-06-15", "until": "2025-08-15", "debtor": "business", field: value}
    response = HttpClient().post("/api/v1/penalties", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert "avec les chiffres 0 à 9" in error["msg"]


@pytest.mark.parametrize(
    ("field", "value"), [("payment_terms_days", "٤٥"), ("contract_rate", "１５,00")], ids=["days", "rate"]
)
def test_the_payment_terms_refuse_digits_of_other_scripts(owner_client: HttpClient, field: str, value: str) -> None:
    terms = {
        "payment_terms": "custom_days",
        "payment_terms_days": "45",
        "penalty_terms": "contract",
        "contract_rate": "15,00",
        "bucket_bounds": "30,60,90",
        "bucket_basis": "due_date",
        field: value,
    }
    response = owner_client.post(reverse("accounts:settings_terms"), terms)
    assert response.status_code == 422
    assert response.context["form"].errors[field] == ["Écrivez le nombre avec les chiffres 0 à 9."]
