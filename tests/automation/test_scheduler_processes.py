"""Two `relance scheduler --once` processes started at once on the same committed database
(SQLite here, PostgreSQL in the PostgreSQL run): each reminder is made once."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from accounts.models import Business
from automation import services
from automation.models import AutoReminder, AutoReminderInvoice
from dunning.models import Reminder, ReminderInvoice
from ledger.models import Client, Invoice
from tests.factories import make_business, make_client
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
# Thursday 12 November 2026, 10:00 in Paris: inside the default window.
MOMENT = "2026-11-12T10:00:00+01:00"
# The scheduler's process with its clock stopped at MOMENT.
SCHEDULER = (
    "import sys, datetime, time_machine;"
    f"time_machine.travel(datetime.datetime.fromisoformat('{MOMENT}'), tick=False).start();"
    "from relance.cli import main; sys.argv = ['relance', 'scheduler', '--once']; main()"
)
BUSINESSES, CLIENTS, INVOICES_PER_CLIENT = 5, 10, 10
# Clients at J+10 (a friendly e-mail each, with its PDF letter); the others are at J+50 (a
# formal notice each, a draft waiting for approval): the PDFs are the slow part.
SENDING_CLIENTS = 1


def books() -> list[Business]:
    """500 due invoices: 5 businesses × 10 clients × 10 invoices."""
    businesses = []
    amount = Decimal("100.00")
    for b in range(BUSINESSES):
        business = make_business(legal_name=f"Atelier {b}")
        services.update_automation(business=business, actor=None, enabled=True)
        clients = [make_client(business, name=f"Client {b}-{c}", email=f"c{c}@client.test") for c in range(CLIENTS)]
        Invoice.objects.bulk_create(
            Invoice(
                business=business,
                client=client,
                number=f"F-{c}-{n}",
                issue_date=dt.date(2026, 9, 1),
                due_date=dt.date(2026, 11, 2) if c < SENDING_CLIENTS else dt.date(2026, 9, 23),
                total_excl_tax=amount,
                total_incl_tax=amount,
                amount_due=amount,
            )
            for c, client in enumerate(clients)
            for n in range(INVOICES_PER_CLIENT)
        )
        businesses.append(business)
    return businesses


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_make_each_reminder_once(tmp_path: Path, media_root: Path) -> None:
    books()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relance.settings",
        "RELANCE_TESTING": "1",
        "TASKS_BACKEND": "database",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
    }
    logs = [(tmp_path / f"scheduler-{n}.log").open("wb") for n in range(2)]
    schedulers = [
        subprocess.Popen([sys.executable, "-c", SCHEDULER], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        codes = [process.wait(timeout=240) for process in schedulers]
    finally:
        for process in schedulers:
            if process.poll() is None:
                process.kill()
        for log in logs:
            log.close()
    output = "\n".join((tmp_path / f"scheduler-{n}.log").read_text() for n in range(2))
    assert codes == [0, 0], output

    groups = BUSINESSES * CLIENTS
    assert AutoReminder.objects.count() == groups, output
    assert AutoReminderInvoice.objects.count() == BUSINESSES * CLIENTS * INVOICES_PER_CLIENT
    assert Reminder.objects.count() == groups
    assert ReminderInvoice.objects.count() == BUSINESSES * CLIENTS * INVOICES_PER_CLIENT
    # One reminder per client and level, each e-mail queued once.
    assert Client.objects.filter(reminders__isnull=False).distinct().count() == groups
    sending = BUSINESSES * SENDING_CLIENTS
    assert Reminder.objects.filter(status=Reminder.Status.SENDING, level=1).count() == sending
    assert Reminder.objects.filter(status=Reminder.Status.DRAFT, level=3).count() == groups - sending
    assert DBTaskResult.objects.count() == sending
    assert AutoReminder.objects.filter(status=AutoReminder.Status.AWAITING_APPROVAL).count() == groups - sending
