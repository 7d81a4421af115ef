"""API clients: Django's test client with a bearer token, one per business."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import ApiToken, User


class ApiClient:
    """JSON in, JSON out, with the token in the Authorization header."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = HttpClient(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.http.get(f"/api/v1{path}", params or {})

    def post(self, path: str, data: Any = None) -> Any:
        return self.http.post(f"/api/v1{path}", data if data is not None else {}, content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.http.patch(f"/api/v1{path}", data, content_type="application/json")

    def put(self, path: str, data: Any) -> Any:
        return self.http.put(f"/api/v1{path}", data, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.http.delete(f"/api/v1{path}")


def token_for(user: User) -> str:
    return ApiToken.generate(user=user, name="Comptable")[1]


@pytest.fixture
def api(owner: User) -> ApiClient:
    return ApiClient(token_for(owner))


@pytest.fixture
def outsider_api(outsider: User) -> ApiClient:
    return ApiClient(token_for(outsider))


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def errors_at(response: Any, field: str) -> list[str]:
    """The French messages a 422 gives for one body field."""
    assert response.status_code == 422, response.content
    return [error["msg"] for error in response.json()["detail"] if error["loc"] == ["body", field]]
