import copy
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from tests.helpers import free_port

PRODUCTION = {
    "ALLOWED_HOSTS": ["relance.example.fr"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


@pytest.fixture
def production(settings: Settings) -> Settings:
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_up(production: Settings) -> None:
    production.TASKS_BACKEND = "database"
    response = HttpClient().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_answers_a_plain_http_probe_by_ip_address_without_redirect_nor_session(production: Settings) -> None:
    """A load balancer asks gunicorn directly: no HTTPS, its own IP as Host."""
    production.TASKS_BACKEND = "database"
    response = HttpClient().get("/healthz", HTTP_HOST="10.0.0.12:8000")

    assert response.status_code == 200
    assert not response.cookies
    # The same host elsewhere is still refused, and plain HTTP still redirected.
    assert HttpClient().get("/compte/connexion/", HTTP_HOST="10.0.0.12:8000").status_code == 400
    assert HttpClient().get("/compte/connexion/", HTTP_HOST="relance.example.fr").status_code == 301


@pytest.mark.django_db
def test_healthz_takes_one_query(production: Settings, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    production.TASKS_BACKEND = "database"
    with django_assert_num_queries(1):
        assert HttpClient().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(
    production: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real connection to a database that is not there: a closed port, a missing directory."""
    from relance import health

    production.TASKS_BACKEND = "database"
    unreachable = connections.create_connection("default")
    unreachable.settings_dict = copy.deepcopy(unreachable.settings_dict)
    if unreachable.vendor == "sqlite":
        unreachable.settings_dict["NAME"] = str(tmp_path / "missing" / "relance.sqlite3")
    else:
        unreachable.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    monkeypatch.setattr(health, "connection", unreachable)
    try:
        response = HttpClient().get("/healthz")
    finally:
        unreachable.close()

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down"}


@pytest.mark.django_db
def test_healthz_checks_redis_with_the_rq_backend(production: Settings, redis_url: str) -> None:
    from relance import health

    production.TASKS_BACKEND = "rq"
    production.REDIS_URL = redis_url
    health._redis.cache_clear()
    try:
        response = HttpClient().get("/healthz")
    finally:
        health._redis.cache_clear()

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_down(production: Settings) -> None:
    from relance import health

    production.TASKS_BACKEND = "rq"
    # Nothing listens there.
    production.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    health._redis.cache_clear()
    try:
        response = HttpClient().get("/healthz")
    finally:
        health._redis.cache_clear()

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "redis": "down"}


def test_healthz_refuses_a_post() -> None:
    assert HttpClient().post("/healthz").status_code == 405
