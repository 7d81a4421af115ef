from typing import Any

import pytest
from django.utils import timezone

from accounts.models import ApiToken, User
from tests.factories import make_token
from tests.helpers import ApiClient

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "Jeton d’API manquant ou invalide."}
LEDGER_ROUTES = [
    ("get", "/clients"),
    ("post", "/clients"),
    ("get", "/clients/1"),
    ("patch", "/clients/1"),
    ("delete", "/clients/1"),
    ("get", "/invoices"),
    ("post", "/invoices"),
    ("get", "/invoices/1"),
    ("patch", "/invoices/1"),
    ("post", "/invoices/1/cancel"),
    ("get", "/invoices/1/payments"),
    ("post", "/invoices/1/payments"),
    ("delete", "/invoices/1/payments/1"),
    ("get", "/invoices/1/credit-notes"),
    ("post", "/invoices/1/credit-notes"),
]


def call(api: ApiClient, method: str, path: str) -> Any:
    if method in {"post", "patch"}:
        return getattr(api, method)(path, {})
    return getattr(api, method)(path)


@pytest.mark.parametrize(("method", "path"), LEDGER_ROUTES)
def test_every_ledger_route_without_token_is_401(method: str, path: str) -> None:
    response = call(ApiClient(None), method, path)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(owner: User) -> None:
    response = ApiClient("rl_not-a-real-token").get("/clients")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_basic_auth_instead_of_bearer_is_401(owner: User) -> None:
    api = ApiClient(None)
    api.http.defaults["HTTP_AUTHORIZATION"] = "Basic b3duZXI6c2VjcmV0"

    assert api.get("/clients").status_code == 401


def test_revoked_token_is_401(owner: User) -> None:
    key = make_token(owner)
    assert ApiClient(key).get("/clients").status_code == 200
    ApiToken.objects.filter(user=owner).update(revoked_at=timezone.now())

    response = ApiClient(key).get("/clients")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_token_of_a_deactivated_user_is_401(owner: User) -> None:
    key = make_token(owner)
    owner.is_active = False
    owner.save()

    assert ApiClient(key).get("/clients").status_code == 401


def test_valid_token_records_its_last_use(owner: User) -> None:
    key = make_token(owner)

    assert ApiClient(key).get("/invoices").status_code == 200

    assert ApiToken.objects.get(user=owner).last_used_at is not None
