import importlib
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient

from accounts.models import Business, User
from tests.factories import make_business, make_user


@pytest.fixture
def business(db: None) -> Business:
    return make_business()


@pytest.fixture
def owner(business: Business) -> User:
    return make_user(business, email="owner@relance.test")


@pytest.fixture
def other_business(db: None) -> Business:
    return make_business(legal_name="Concurrent SARL")


@pytest.fixture
def outsider(other_business: Business) -> User:
    return make_user(other_business, email="outsider@relance.test")


@pytest.fixture
def owner_client(owner: User) -> HttpClient:
    http = HttpClient()
    http.force_login(owner)
    return http


@pytest.fixture
def outsider_client(outsider: User) -> HttpClient:
    http = HttpClient()
    http.force_login(outsider)
    return http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """Collects what a real aiosmtpd server on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refuse: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        self.messages.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.original_content}
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server; Django's e-mail goes to it for the test's duration.

    aiosmtpd's Controller cannot bind port 0, so a free port is picked first.
    """
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium; never `playwright install` (downloads are blocked here)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def wsgi_keeps_test_connection() -> Iterator[None]:
    """Calling the WSGI application directly (schemathesis) fires request_started/finished,
    whose handler closes the database connection, and with it the test's transaction on
    PostgreSQL. Django's test client disconnects that handler the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def shipped_rate_tables(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """The rate tables come from a data migration (law 0002). A test that flushes the database
    (live server, transactional) removes them for every test that runs after it on the same
    worker; put them back, committed, before each test that uses the database."""
    if request.node.get_closest_marker("django_db") is None and not DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        from django.apps import apps

        from law.models import EcbRate

        if not EcbRate.objects.exists():
            importlib.import_module("law.migrations.0002_shipped_rates").load(apps, None)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite tests use a file, as production does: an in-memory database shared between threads
    locks whole tables instead of waiting, so concurrency could not be tested on it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")
        # A test database need not survive a power cut.
        database["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
