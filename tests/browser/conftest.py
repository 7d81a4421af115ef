"""The Chromium tests' fixtures: a live server, a signed-in page, a small ledger."""

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import User
from ledger import services
from ledger.models import Client
from tests.factories import make_client, make_invoice, make_user

# Django refuses ORM calls from the thread Playwright's sync API runs an event loop in;
# `make test` sets this, a direct `pytest tests/browser` run needs it as well.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A browser test loads many pages, and the first one on a worker also starts Chromium and the
# live server: more than the suite's default limit (pyproject.toml), still finite.
BROWSER_TEST_TIMEOUT = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    """Lets tests write `page.goto("/clients/")`."""
    return str(live_server.url)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe is injected as an inline script, which the app's CSP (script-src 'self') rightly
    # refuses: only the test's browser context ignores the policy, the server still sends it.
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture(autouse=True)
def short_timeouts(request: pytest.FixtureRequest) -> None:
    # Playwright waits 30 s for a missing element by default: far longer than any page here needs.
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(10_000)


@pytest.fixture
def user(transactional_db: None) -> User:
    return make_user(email="marie@relance.test")


@pytest.fixture
def signed_in_page(page: Page, user: User, live_server: Any) -> Page:
    """A page whose browser carries a session of `user` (the login form has its own tests)."""
    http = HttpClient()
    http.force_login(user)
    session = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return page


@pytest.fixture
def ledger_data(user: User) -> dict[str, Any]:
    """Just enough for every block of the dashboard and the lists: late, partly paid, not yet due."""
    business = user.business
    assert business is not None
    today = timezone.localdate()
    atelier = make_client(business, name="Atelier Dupont")
    particulier = make_client(business, name="Jeanne Morel", kind=Client.Kind.CONSUMER, email="")
    late = make_invoice(business, atelier, amount="1200.00", issue_date=today - dt.timedelta(days=75))
    services.record_payment(invoice=late, actor=None, date=today - dt.timedelta(days=10), amount=Decimal("200.00"))
    consumer_late = make_invoice(business, particulier, amount="450.00", issue_date=today - dt.timedelta(days=120))
    not_due = make_invoice(business, atelier, amount="800.00", issue_date=today - dt.timedelta(days=5))
    return {"clients": [atelier, particulier], "late": late, "consumer_late": consumer_late, "not_due": not_due}
