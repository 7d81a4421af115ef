"""API request bodies above 10 Mio: 413 with a French JSON error, decided from Content-Length alone."""

import json
from typing import Any

from tests.helpers import ApiClient

MIB = 1024 * 1024
TOO_LARGE = {"detail": "Le corps de la requête dépasse 10 Mo : il n’a pas été lu."}


class UnreadableBody:
    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args: Any) -> bytes:
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = read


def test_api_body_declaring_11_mib_gets_a_json_413_without_being_read(api: ApiClient) -> None:
    body = UnreadableBody()
    response = api.http.generic(
        "POST",
        "/api/v1/clients",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(11 * MIB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == TOO_LARGE
    assert body.reads == 0


def test_api_body_one_byte_over_10_mib_is_refused_and_at_10_mib_is_read(api: ApiClient) -> None:
    at_limit = json.dumps({"name": "Boulangerie Durand"}).encode()
    at_limit += b" " * (10 * MIB - len(at_limit))
    response = api.http.post("/api/v1/clients", at_limit, content_type="application/json")
    assert response.status_code == 201, response.content
    response = api.http.post("/api/v1/clients", at_limit + b" ", content_type="application/json")
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_api_refuses_a_large_body_even_without_a_token(db: None) -> None:
    body = UnreadableBody()
    response = ApiClient(None).http.generic(
        "PATCH",
        "/api/v1/clients/1",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(50 * MIB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert body.reads == 0


def test_api_malformed_content_length_gets_a_json_400(api: ApiClient) -> None:
    response = api.http.generic(
        "POST",
        "/api/v1/clients",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="-5",
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "En-tête Content-Length invalide."}
