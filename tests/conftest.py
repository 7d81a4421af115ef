"""Fixtures every test may ask for: the personas, and the real parts tests run against.

Personas: `business` and its `owner` (`owner_client` logged in, `api` with a token), a second
business `other_business` and its `outsider` (`outsider_client`, `outsider_api`), an
`anonymous_client`, and the platform's `staff` (a superuser of no business, `staff_client`);
`api_for` gives a new API client of the owner at each call.
The usual case: `client_with_email`, its `late_invoice`, a `draft` reminder of it. The day:
`today` in Paris, or `frozen_today` (noon in Paris on `TODAY`, the clock stopped).
Data is built with the plain functions of tests/factories.py; the API client, the SMTP sink and
small assertions are in tests/helpers.py. Only the browser tests (the live server and Chromium)
and the rule tests (their `world`, on a stopped clock) have a conftest.py of their own.

Test files are named after what they test, in the directory of the app that owns it:
`test_<page>_view.py` for a page and its actions, `test_<name>_command.py` for a `relance`
command, `tests/api/test_<resource>.py` for API routes, `test_<module or workflow>.py` for
the rest (a service, a query module, a pure module). Test functions are named for behaviour.
"""

import datetime as dt
import importlib
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone, translation

from accounts.models import Business, User
from dunning import services as dunning_services
from dunning.models import Reminder
from law import ratefiles
from law.rates import RateTables
from ledger.models import Client, Invoice
from tests.factories import PASSWORD, make_business, make_client, make_invoice, make_token, make_user
from tests.helpers import PARIS, TODAY, ApiClient, SmtpSink, free_port


def pytest_configure(config: pytest.Config) -> None:
    """RELANCE_TEST_NOW=2026-11-28T23:30:00+00:00 runs the tests with the clock starting there.

    Dates in Paris and in UTC differ for an hour or two every night: a test that mixes them
    fails only then, so run them at such a moment on purpose.
    """
    start = os.environ.get("RELANCE_TEST_NOW")
    if start:
        moment = dt.datetime.fromisoformat(start)
        if moment.tzinfo is None:
            raise pytest.UsageError("RELANCE_TEST_NOW needs a UTC offset, e.g. 2026-11-28T23:30:00+00:00")
        time_machine.travel(moment, tick=True).start()


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language (French), whatever the test before it did.

    A request in English leaves English active in its thread (LocaleMiddleware activates the
    request's language and nothing deactivates it), so a later test of the same worker calling a
    service directly would read its messages in English.
    """
    translation.deactivate()
    yield
    translation.deactivate()


# Personas


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
def staff(db: None) -> User:
    """The platform's administrator: staff and superuser, of no business."""
    return User.objects.create_superuser("admin@relance.test", PASSWORD)


def logged_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def owner_client(owner: User) -> HttpClient:
    return logged_in(owner)


@pytest.fixture
def outsider_client(outsider: User) -> HttpClient:
    return logged_in(outsider)


@pytest.fixture
def staff_client(staff: User) -> HttpClient:
    return logged_in(staff)


@pytest.fixture
def anonymous_client(db: None) -> HttpClient:
    return HttpClient()


@pytest.fixture
def api(owner: User) -> ApiClient:
    return ApiClient(make_token(owner))


@pytest.fixture
def outsider_api(outsider: User) -> ApiClient:
    return ApiClient(make_token(outsider))


@pytest.fixture
def api_for(owner: User) -> Callable[[], ApiClient]:
    """A new API client of the owner, its own token each time (one for each racer)."""
    return lambda: ApiClient(make_token(owner))


# The usual case


@pytest.fixture
def client_with_email(business: Business) -> Client:
    return make_client(business, name="Boulangerie Durand", email="compta@client.fr", contact_name="Paul Durand")


@pytest.fixture
def late_invoice(business: Business, client_with_email: Client) -> Invoice:
    return make_invoice(
        business, client_with_email, amount="1200.00", issue_date=dt.date(2026, 9, 1), number="F-2026-041"
    )


@pytest.fixture
def draft(business: Business, owner: User, late_invoice: Invoice) -> Reminder:
    return dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])


# The day


@pytest.fixture
def today() -> dt.date:
    """Paris's date when the test starts: a value taken at import goes stale when a run spans midnight."""
    return timezone.localdate()


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    """Noon in Paris on `TODAY`, the clock stopped: pages compute lateness from "today"."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=PARIS), tick=False):
        yield TODAY


# Real parts


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Letters and uploads are written to disk: each test gets its own media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(scope="session")
def tables() -> RateTables:
    """The rate tables as shipped (law/data), without a database."""
    return ratefiles.shipped_rate_tables()


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


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty Redis database for the test (the RQ task backend), emptied again at the end.

    TEST_REDIS_URL (default redis://127.0.0.1:6379/15) names the first; pytest-xdist's second
    worker takes the database below it, and so on, so that no two test processes share a queue.
    `.ci/run` starts a Redis when none answers; a missing one fails the test, it is never skipped.
    """
    base = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    database = int(base.path.strip("/") or 0) - int(worker.removeprefix("gw") or 0)
    url = urlunsplit(base._replace(path=f"/{database}"))
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis does not answer at {url} ({error}): start one (apt-get install redis-server).")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
