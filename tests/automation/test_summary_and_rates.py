"""The daily summary e-mail, and the rates the scheduler keeps current."""

import datetime as dt
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient

from accounts.models import Business
from automation.scheduler import PassReport
from dunning.models import Reminder
from law.rates import ECB_TABLE
from rates.models import RateTableStatus
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "rates" / "data"


def test_one_summary_a_day_after_the_window_with_the_figures(
    automated: Business, pass_on: Callable[..., PassReport]
) -> None:
    # Two e-mails, one formal notice waiting, one client without an address.
    for _n in range(2):
        make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 8, 1), due_date=dt.date(2026, 9, 1))
    make_invoice(
        automated, make_client(automated, email=""), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20)
    )
    pass_on(dt.date(2026, 11, 2))
    assert len(mail.outbox) == 2
    pass_on(dt.date(2026, 11, 2), dt.time(17, 59))  # the window is still open
    assert len(mail.outbox) == 2
    assert pass_on(dt.date(2026, 11, 2), dt.time(18, 5)).summaries == 1
    summary = mail.outbox[-1]
    assert summary.to == ["owner@relance.test"]
    assert "2 relances envoyées, 1 en attente de validation, 1 échec" in summary.subject
    assert "/automatisation/a-valider/" in summary.body
    assert pass_on(dt.date(2026, 11, 2), dt.time(19, 0)).summaries == 0
    # Next day: nothing new was sent, but one still waits.
    assert pass_on(dt.date(2026, 11, 3), dt.time(18, 30)).summaries == 1
    assert "0 relance envoyée, 1 en attente de validation, 0 échec" in mail.outbox[-1].subject


def test_no_summary_when_nothing_happened(automated: Business, pass_on: Callable[..., PassReport]) -> None:
    assert pass_on(dt.date(2026, 11, 2), dt.time(18, 30)).summaries == 0
    assert mail.outbox == []


def test_a_failed_send_counts_as_a_failure(automated: Business, pass_on: Callable[..., PassReport]) -> None:
    make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    pass_on(dt.date(2026, 11, 2))
    Reminder.objects.update(status=Reminder.Status.SEND_FAILED, send_error="Le serveur d’envoi a refusé l’e-mail.")
    pass_on(dt.date(2026, 11, 2), dt.time(18, 30))
    assert "0 relance envoyée, 0 en attente de validation, 1 échec" in mail.outbox[-1].subject


def test_failures_are_shown_on_the_approvals_page(
    automated: Business, owner_client: HttpClient, pass_on: Callable[..., PassReport]
) -> None:
    make_invoice(
        automated,
        make_client(automated, name="Sans adresse", email=""),
        issue_date=dt.date(2026, 9, 20),
        due_date=dt.date(2026, 10, 20),
    )
    pass_on(dt.date(2026, 11, 2))
    html = owner_client.get("/automatisation/a-valider/").content.decode()
    assert "Échecs des 30 derniers jours" in html
    assert "Sans adresse" in html
    assert "pas d’adresse e-mail" in html


# The rates: a local HTTP server stands for the ECB's data portal.


class Portal(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b""
    requests = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        Portal.requests += 1
        self.send_response(Portal.status)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(Portal.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def portal(settings: Any) -> Iterator[type[Portal]]:
    Portal.status, Portal.body, Portal.requests = 500, b"Internal Server Error", 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.ECB_API_URL = f"http://127.0.0.1:{server.server_address[1]}/series"
    try:
        yield Portal
    finally:
        server.shutdown()
        server.server_close()


def test_the_new_half_years_rate_is_fetched_daily_until_found(
    portal: type[Portal], pass_on: Callable[..., PassReport], staff_client: HttpClient
) -> None:
    # The shipped table is known through 1 April 2026; on 1 July the new half-year starts.
    pass_on(dt.date(2026, 6, 30))
    assert portal.requests == 0
    pass_on(dt.date(2026, 7, 1), dt.time(0, 5))  # a holiday or a night: the rates do not wait for the window
    assert portal.requests == 1
    status = RateTableStatus.objects.get(table=ECB_TABLE)
    assert "500" in status.fetch_error
    pass_on(dt.date(2026, 7, 1), dt.time(12, 0))  # once a day
    assert portal.requests == 1
    page = staff_client.get("/taux/").content.decode()
    assert "Lecture automatique des taux BCE" in page
    assert "500" in page

    portal.status, portal.body = 200, (DATA / "ecb_mrr_answer.csv").read_bytes()
    pass_on(dt.date(2026, 7, 6))
    assert portal.requests == 2
    status.refresh_from_db()
    assert status.known_through is not None and status.known_through >= dt.date(2026, 7, 1)
    assert status.fetch_error == ""
    assert status.fetch_succeeded_at is not None
    pass_on(dt.date(2026, 7, 7))
    assert portal.requests == 2  # found: no more fetching until 1 January
