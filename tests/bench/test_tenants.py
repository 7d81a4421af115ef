"""The many small businesses of one server: `relance bench-data` and the sizes it draws."""

import datetime as dt
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from bench.data import generator
from bench.data.command import Command
from dunning.models import Reminder
from ledger.models import Invoice
from relance import cli

TODAY = dt.date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[2]


def test_default_sizes_are_long_tailed_around_two_hundred_for_about_two_million_invoices() -> None:
    sizes = generator.tenant_sizes(businesses=4000, median=200, largest=50_000, largest_count=3, seed=2026)
    assert len(sizes) == 4000
    assert 180 <= statistics.median(sizes) <= 220
    assert 1_800_000 <= sum(sizes) <= 2_200_000
    assert sizes.count(50_000) == 3 and max(sizes) == 50_000
    assert min(sizes) >= generator.TENANT_FEWEST
    assert generator.tenant_sizes(businesses=4000, median=200, largest=50_000, largest_count=3, seed=2026) == sizes


@pytest.mark.django_db
def test_tenants_get_their_drawn_sizes_no_reminders_and_survive_a_bench_reset() -> None:
    sizes = generator.tenant_sizes(businesses=4, median=20, largest=60, largest_count=1, seed=3)
    generator.generate_tenants(businesses=4, median=20, largest=60, largest_count=1, seed=3, today=TODAY)
    generator.generate(businesses=1, invoices_per_business=30, seed=9, today=TODAY, reminders_per_business=1)
    tenants = generator.tenant_businesses().annotate(size=Count("invoices")).order_by("pk")
    assert [business.size for business in tenants] == sizes
    assert not Reminder.objects.filter(business__in=tenants).exists()

    assert generator.remove_bench_data(tenants=False) == 1

    assert generator.tenant_businesses().count() == 4
    assert Invoice.objects.count() == sum(sizes)
    assert User.objects.filter(email__startswith=generator.TENANT_PREFIX).count() == 4


def test_relance_bench_data_is_a_subcommand_of_the_relance_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(Command, "run_from_argv", lambda self, argv: ran.append(argv))
    monkeypatch.setattr(sys, "argv", ["relance", "bench-data", "--tenants", "3"])
    cli.main()
    assert ran == [["relance", "bench-data", "--tenants", "3"]]


@pytest.mark.django_db
def test_tenants_command_writes_them_and_says_how_to_log_in(capsys: pytest.CaptureFixture[str]) -> None:
    options = ["--median-invoices", "10", "--largest-invoices", "40", "--largest-businesses", "1", "--seed", "4"]
    call_command(Command(), "--tenants", "3", *options, "--today", "2026-11-28")
    written = capsys.readouterr().out
    assert "3 entreprise(s)" in written
    assert "tenant-4-00000@bench.relance.test / relance-bench" in written
    assert generator.tenant_businesses().count() == 3


def test_relance_bench_data_refuses_bad_counts_in_french(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "RELANCE_TESTING"}}
    env.update(RELANCE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="relance.settings", DEBUG="true")
    command = [sys.executable, "-m", "relance.cli", "bench-data", "--tenants", "0"]
    refused = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert refused.returncode == 2
    assert "relance bench-data: error: argument --tenants: attendu : un nombre entier d’au moins 1" in refused.stderr
