import datetime as dt
import importlib
import os
import socket
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Business, User
from tests.factories import make_business, make_user


def pytest_configure(config: pytest.Config) -> None:
    """RELANCE_TEST_NOW=2026-11-28T23:30:00+00:00 runs the tests with the clock starting there.

    Dates in Paris and in UTC differ for an hour or two every night: a test that mixes them
    fails only then, so run them at such a moment on purpose.
    """
    start = os.environ.get("RELANCE_TEST_NOW")
    if start:
        import time_machine

        moment = dt.datetime.fromisoformat(start)
        if moment.tzinfo is None:
            raise pytest.UsageError("RELANCE_TEST_NOW needs a UTC offset, e.g. 2026-11-28T23:30:00+00:00")
        time_machine.travel(moment, tick=True).start()


@pytest.fixture
def today() -> dt.date:
    """Paris's date when the test starts: a value taken at import goes stale when a run spans midnight."""
    return timezone.localdate()


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
    """Collects what a real aiosmtpd server on 127.0.0.1 received, or refuses as told:

    `refuse` answers DATA with that reply, `refuse_recipients` answers RCPT for those
    addresses, `refuse_hello` answers EHLO and HELO, `hang_up` closes the connection at EHLO.
    """

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refuse: str | None = None
        self.refuse_recipients: dict[str, str] = {}
        self.refuse_hello: str | None = None
        self.hang_up = False

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if self.hang_up:
            server.transport.close()
            return []
        if self.refuse_hello:
            return [self.refuse_hello]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        if self.refuse_hello:
            return self.refuse_hello
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse_recipients:
            return self.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

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


class LeftOpenConnectionWarning(UserWarning):
    """Tests left database connections open; they were ended so the test database could go."""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Ends every connection to the test databases before pytest-django drops them.

    PostgreSQL refuses to drop a database another session still uses ("being accessed by other
    users"), and the database then stays behind for the next run to trip on. A thread still
    alive (a server, a worker) holds its own connection, which this thread cannot close: only
    PostgreSQL can end it. The database's name is this run's and this worker's alone, so every
    other session on it is one of ours.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()
        for connection in connections.all(initialized_only=False):
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                ended = len(cursor.fetchall())
            connection.close()
            if ended:
                warnings.warn(
                    f"{ended} connection(s) to {connection.settings_dict['NAME']} left open by the tests were ended.",
                    LeftOpenConnectionWarning,
                    stacklevel=1,
                )


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

        from rates.models import EcbRate

        if not EcbRate.objects.exists():
            importlib.import_module("rates.migrations.0002_shipped_rates").load(apps, None)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite tests use a file, as production does: an in-memory database shared between threads
    locks whole tables instead of waiting, so concurrency could not be tested on it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # In RAM where Linux offers it: about 7 % more CPU than an in-memory database, 20 % on disk.
        shm = Path("/dev/shm")
        folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
        # A test database need not survive a power cut.
        database["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
