"""`relance scheduler`: one pass with --once, or pass after pass until SIGTERM."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_its_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "relance.cli", "scheduler", "--help"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--once" in result.stdout
    assert "--interval" in result.stdout


@pytest.mark.django_db
def test_once_reports_the_pass_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("scheduler", "--once")
    assert "entreprise(s) traitée(s)" in capsys.readouterr().out


def test_a_non_positive_interval_is_refused_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        call_command("scheduler", "--interval", "0")
    assert exit_.value.code == 1
    assert "Erreur : --interval doit être un nombre positif." in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_long_running_scheduler_stops_cleanly_on_sigterm() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relance.settings",
        "RELANCE_TESTING": "1",
        "DATABASE_URL": database_url(),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "relance.cli", "scheduler", "--interval", "0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        started = process.stdout.readline()
        assert "un passage toutes les 0.1 s" in started
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
