"""The error shape and its French messages, whatever raised the error."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Business
from api.errors import MESSAGES, translate, validation_detail
from tests.factories import make_client
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db


def test_a_body_that_is_not_json_is_422_json_invalid(api: ApiClient) -> None:
    response = api.http.post("/api/v1/clients", "{name: 'x'", content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body"], "msg": "Corps de requête illisible : du JSON est attendu.", "type": "json_invalid"}
        ]
    }


def test_a_json_list_instead_of_an_object_is_422(api: ApiClient) -> None:
    response = api.post("/clients", ["name", "x"])

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Objet JSON attendu."


def test_an_empty_body_is_422_with_a_french_message(api: ApiClient) -> None:
    response = api.http.post("/api/v1/clients", b"", content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body"], "msg": "Corps de requête JSON obligatoire.", "type": "missing"}]
    }


def test_an_explicit_null_for_a_required_field_says_null_is_refused(api: ApiClient, business: Business) -> None:
    client = make_client(business)

    response = api.post("/invoices", {"client_id": client.pk, "number": None, "issue_date": None, "total_excl_tax": 1})

    assert errors_at(response, "number") == ["Ce champ ne peut pas être null."]
    assert errors_at(response, "issue_date") == ["Ce champ ne peut pas être null."]
    assert {e["type"] for e in response.json()["detail"]} == {"none_forbidden"}


def test_a_text_where_a_number_is_expected_in_the_query(api: ApiClient) -> None:
    response = api.get("/invoices", {"client_id": "abc"})

    assert response.json()["detail"] == [
        {"loc": ["query", "client_id"], "msg": "Nombre entier invalide.", "type": "int_parsing"}
    ]


def test_translate_formats_the_context_and_falls_back_to_a_generic_french_message() -> None:
    errors = [
        {"loc": ("body", "name"), "type": "string_too_long", "ctx": {"max_length": 50}},
        {"loc": ("body", "kind"), "type": "literal_error", "ctx": {"expected": "'a', 'b' or 'c'"}},
        {"loc": ("body", "x"), "type": "some_future_pydantic_type"},
        {"loc": ("body", "y"), "type": "greater_than"},
    ]

    assert [error["msg"] for error in translate(errors)] == [
        "Texte trop long : 50 caractères au maximum.",
        "Valeur non autorisée : choisissez parmi a, b, c.",
        "Valeur invalide.",
        "Valeur invalide.",
    ]


def test_every_message_is_french_and_ends_with_a_full_stop() -> None:
    for error_type, message in MESSAGES.items():
        assert message.endswith("."), error_type
        assert "Input should" not in message


def test_service_errors_keep_the_api_field_names() -> None:
    error = ValidationError({"client": "Client introuvable.", "cancel_reason": "Motif ?", "__all__": "Global."})

    assert validation_detail(error) == [
        {"loc": ["body", "client_id"], "msg": "Client introuvable.", "type": "value_error"},
        {"loc": ["body", "reason"], "msg": "Motif ?", "type": "value_error"},
        {"loc": ["body"], "msg": "Global.", "type": "value_error"},
    ]


def test_a_service_error_without_field_points_at_the_body() -> None:
    assert validation_detail(ValidationError("Refusé.")) == [{"loc": ["body"], "msg": "Refusé.", "type": "value_error"}]


def test_messages_stay_french_when_the_client_asks_for_english(api: ApiClient) -> None:
    api.http.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = api.post("/clients", {"name": "   ", "siren": "12"})

    assert errors_at(response, "name") == ["Ce champ ne peut pas être vide."]
