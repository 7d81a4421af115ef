import datetime as dt
import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Business
from bench.data import generator
from bench.data.command import Command
from dunning.archive_task import build_archive_export
from dunning.facts import rendered_from_snapshot
from dunning.letter import render_letter_pdf
from dunning.models import ArchiveExport, Reminder
from ledger import queries
from ledger.models import ZERO, CreditNote, Invoice, Payment
from tests.factories import make_business, make_invoice

TODAY = dt.date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def generate(**options: Any) -> generator.BenchSummary:
    defaults: dict[str, Any] = {"businesses": 2, "invoices_per_business": 200, "seed": 7, "today": TODAY}
    return generator.generate(**{**defaults, **options})


def open_invoices(business: Business) -> Any:
    return Invoice.objects.open().filter(business=business)


def test_each_business_gets_its_invoices_a_fifth_of_them_unpaid() -> None:
    summary = generate()

    assert len(summary.businesses) == 2
    for business in summary.businesses:
        assert business.invoices.count() == 200
        assert open_invoices(business).count() == 40
        assert business.clients.count() == 5
        assert sorted(business.reminder_templates.values_list("level", flat=True)) == [1, 2, 3]
    assert summary.invoices == 400
    assert summary.unpaid == 80


def test_bench_user_logs_in_with_the_published_password() -> None:
    user = generate(businesses=1).users[0]

    assert user.email == "bench-7-0000@bench.relance.test"
    assert authenticate(email=user.email, password=generator.BENCH_PASSWORD) == user


def test_unpaid_invoices_fill_every_lateness_bucket_in_the_planned_shares() -> None:
    business = generate(businesses=1, invoices_per_business=1000).businesses[0]

    rows = {row.key: row.invoices for row in queries.late_payment_buckets(business, TODAY)}

    assert rows == {"not_due": 60, "1-30": 50, "31-60": 30, "61-90": 20, "90+": 40}


def test_amount_due_is_what_payments_and_credit_notes_leave() -> None:
    business = generate(businesses=1, invoices_per_business=500).businesses[0]
    money = DecimalField(max_digits=14, decimal_places=2)

    def total(model: Any) -> Coalesce:
        sums = model.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(total=Sum("amount"))
        return Coalesce(Subquery(sums.values("total")), Value(ZERO), output_field=money)

    invoices = business.invoices.annotate(paid=total(Payment), credited=total(CreditNote))

    assert all(i.amount_due == i.total_incl_tax - i.paid - i.credited for i in invoices)
    assert invoices.filter(credited__gt=0).exists()
    assert invoices.filter(paid__gt=0, amount_due__gt=0).exists()  # partly paid


def test_payments_fall_between_the_invoice_date_and_today() -> None:
    business = generate(businesses=1).businesses[0]

    payments = Payment.objects.filter(business=business).select_related("invoice")

    assert payments.count() > 150
    assert all(payment.invoice.issue_date <= payment.date <= TODAY for payment in payments)


def test_invoice_numbers_follow_the_invoice_dates_year_by_year() -> None:
    business = generate(businesses=1).businesses[0]

    invoices = list(business.invoices.order_by("issue_date", "number"))

    for earlier, later in zip(invoices, invoices[1:], strict=False):
        if earlier.issue_date.year == later.issue_date.year:
            assert earlier.number < later.number
    assert all(invoice.number.startswith(f"F{invoice.issue_date.year}-") for invoice in invoices)


def test_cancelled_and_disputed_invoices_are_in_the_books() -> None:
    business = generate(businesses=1, invoices_per_business=2000).businesses[0]

    assert business.invoices.filter(cancelled_at__isnull=False).exists()
    disputed = business.invoices.filter(disputed=True)
    assert disputed.exists()
    assert all(invoice.dispute_reason and invoice.due_date < TODAY for invoice in disputed)


def test_reminders_quote_late_invoices_of_their_own_client() -> None:
    business = generate(businesses=1, invoices_per_business=1000).businesses[0]
    late = open_invoices(business).filter(due_date__lt=TODAY).count()

    reminders = Reminder.objects.filter(business=business).prefetch_related("invoices")

    assert reminders.count() == round(late * generator.REMINDERS_PER_LATE_INVOICE)
    for reminder in reminders:
        assert reminder.status in {Reminder.Status.SAVED, Reminder.Status.SENT}
        assert reminder.frozen_at is not None
        day = timezone.localdate(reminder.frozen_at)
        assert day <= TODAY
        invoices = list(reminder.invoices.all())
        assert invoices
        assert {invoice.client_id for invoice in invoices} == {reminder.client_id}
        assert all(invoice.due_date < day for invoice in invoices)


def test_reminders_escalate_one_level_at_a_time_per_invoice() -> None:
    business = generate(businesses=1, invoices_per_business=1000).businesses[0]
    seen: dict[int, int] = {}

    for reminder in Reminder.objects.filter(business=business).order_by("frozen_at", "id").prefetch_related("lines"):
        highest = max((seen.get(line.invoice_id, 0) for line in reminder.lines.all()), default=0)
        assert reminder.level == min(3, highest + 1)
        for line in reminder.lines.all():
            seen[line.invoice_id] = reminder.level
    assert max(seen.values()) == 3


def test_reminder_references_are_unique_and_numbered_by_year() -> None:
    business = generate(businesses=1, invoices_per_business=1000).businesses[0]

    references = list(
        Reminder.objects.filter(business=business).order_by("frozen_at", "id").values_list("reference", flat=True)
    )

    assert len(set(references)) == len(references)
    assert references[0].endswith("-0001")


def test_frozen_reminders_render_again_from_their_snapshot() -> None:
    business = generate(businesses=1).businesses[0]
    reminders = Reminder.objects.filter(business=business)
    channels = Counter(reminders.values_list("channel", flat=True))

    assert channels["email"] and channels["letter"]
    for reminder in reminders:
        rendered = rendered_from_snapshot(reminder)
        assert rendered.facts.reference == reminder.reference
        assert rendered.letter.document()["recipient"]["name"] == reminder.client.name
        assert (rendered.email is not None) == (reminder.channel == "email")
        assert reminder.pdf.name == ""


def test_same_seed_gives_the_same_books() -> None:
    def books() -> list[tuple[str, Any, Any]]:
        return list(Invoice.objects.order_by("number").values_list("number", "total_incl_tax", "amount_due"))

    generate(businesses=1)
    first = books()
    generator.remove_bench_data()
    generate(businesses=1)

    assert books() == first
    assert len(first) == 200


def test_reset_removes_bench_businesses_and_leaves_the_others() -> None:
    mine = make_business(legal_name="Vraie entreprise")
    invoice = make_invoice(mine)
    generate()

    assert generator.remove_bench_data() == 2

    assert list(Business.objects.all()) == [mine]
    assert list(Invoice.objects.all()) == [invoice]
    assert not generator.bench_data_exists()


def test_command_writes_the_data_and_says_how_to_log_in(capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        Command(), "--businesses", "2", "--invoices-per-business", "100", "--seed", "3", "--today", "2026-11-28"
    )

    out = capsys.readouterr().out
    assert "2 entreprise(s), 10 clients, 200 factures dont 40 impayées" in out
    assert "bench-3-0000@bench.relance.test / relance-bench" in out
    assert Invoice.objects.count() == 200


def test_command_refuses_to_add_to_existing_bench_data() -> None:
    call_command(Command(), "--invoices-per-business", "50")

    with pytest.raises(CommandError, match="contient déjà des données de benchmark.*--reset"):
        call_command(Command(), "--invoices-per-business", "50")
    assert Invoice.objects.count() == 50


def test_command_reset_replaces_the_bench_data() -> None:
    call_command(Command(), "--invoices-per-business", "50")

    call_command(Command(), "--invoices-per-business", "80", "--reset")

    assert Business.objects.count() == 1
    assert Invoice.objects.count() == 80


def test_python_m_bench_data_writes_the_books_of_a_fresh_database_then_asks_for_reset(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "RELANCE_TESTING"}}
    env.update(RELANCE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="relance.settings", DEBUG="true")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)

    assert run("-m", "relance.cli", "migrate", "--noinput", "-v", "0").returncode == 0
    options = ["--invoices-per-business", "20", "--seed", "4", "--today", "2026-11-28"]
    first = run("-m", "bench.data", *options)
    again = run("-m", "bench.data", *options)
    bad = run("-m", "bench.data", "--businesses", "0")

    assert first.returncode == 0, first.stderr
    assert "1 entreprise(s), 5 clients, 20 factures dont 4 impayées" in first.stdout
    assert "bench-4-0000@bench.relance.test / relance-bench" in first.stdout
    assert again.returncode == 1
    assert "contient déjà des données de benchmark" in again.stderr
    assert bad.returncode == 2
    assert "python -m bench.data: error: argument --businesses: attendu : un nombre entier d’au moins 1" in bad.stderr
    database = sqlite3.connect(tmp_path / "relance.sqlite3")
    assert database.execute("SELECT count(*) FROM ledger_invoice").fetchone() == (20,)
    database.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--businesses", "0"], "au moins 1, pas « 0 »"),
        (["--invoices-per-business", "beaucoup"], "au moins 1, pas « beaucoup »"),
        (["--reminders-per-business", "-1"], "au moins 0, pas « -1 »"),
        (["--today", "28/11/2026"], "une date AAAA-MM-JJ"),
    ],
)
def test_command_rejects_bad_counts_and_dates_in_french(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(Command(), *arguments)
    assert not Invoice.objects.exists()


def test_explicit_reminder_count_is_honoured() -> None:
    business = generate(businesses=1, reminders_per_business=7).businesses[0]

    assert Reminder.objects.filter(business=business).count() == 7


def test_stored_letters_are_the_pdfs_their_hash_says(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    business = generate(businesses=1, reminders_per_business=3).businesses[0]
    reminders = Reminder.objects.filter(business=business)

    assert generator.store_reminder_pdfs(reminders, workers=0) == 3
    assert generator.store_reminder_pdfs(reminders, workers=0) == 0  # nothing left to render

    for reminder in reminders:
        content = Path(reminder.pdf.path).read_bytes()
        assert content.startswith(b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == reminder.pdf_sha256
        assert reminder.pdf.name.startswith(f"reminders/{business.pk}/{reminder.reference}-")


def test_archive_export_accepts_the_generated_letters(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    summary = generate(businesses=1, reminders_per_business=4)
    business = summary.businesses[0]
    reminders = Reminder.objects.filter(business=business)
    generator.store_reminder_pdfs(reminders, workers=0)
    first = min(reminder.frozen_at for reminder in reminders)
    export = ArchiveExport.objects.create(
        business=business,
        date_from=timezone.localdate(first),
        date_to=TODAY,
        include_inactive=True,
        requested_by=summary.users[0],
    )

    assert build_archive_export.call(export.pk) == "done"

    export.refresh_from_db()
    assert export.progress_done == 4


def test_sample_letters_differ_and_render() -> None:
    rng = random.Random(1)

    first = generator.sample_letter(rng, invoices=10, today=TODAY)
    second = generator.sample_letter(rng, invoices=10, today=TODAY)

    assert len(first.facts.invoices) == 10
    assert first.document() != second.document()
    assert render_letter_pdf(first).startswith(b"%PDF-")
