"""The `relance` console script end to end, as `make run` and the README use it, on a
fresh SQLite database in its own var directory."""

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from relance.demo import DEMO_EMAIL, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
Relance = Callable[..., subprocess.CompletedProcess[str]]


def runner(var_dir: Path) -> Relance:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "RELANCE_TESTING"}}
    env.update(RELANCE_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="relance.settings", DEBUG="true")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "relance.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    return run


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var_dir = tmp_path_factory.mktemp("var")
    result = runner(var_dir)("migrate", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr
    return var_dir / "relance.sqlite3"


@pytest.fixture
def relance(migrated: Path, tmp_path: Path) -> Relance:
    (tmp_path / "var").mkdir()
    shutil.copy(migrated, tmp_path / "var" / "relance.sqlite3")
    return runner(tmp_path / "var")


def test_demo_loads_once_then_refuses_in_french_with_exit_code_1(relance: Relance, tmp_path: Path) -> None:

    first = relance("demo", "--if-empty")
    again = relance("demo")
    if_empty = relance("demo", "--if-empty")

    assert first.returncode == 0, first.stderr
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in first.stdout
    assert again.returncode == 1
    assert "La démonstration est déjà chargée" in again.stderr
    assert if_empty.returncode == 0
    assert "déjà des données" in if_empty.stdout
    database = sqlite3.connect(tmp_path / "var" / "relance.sqlite3")
    assert database.execute("SELECT count(*) FROM ledger_invoice").fetchone() == (300,)
    database.close()


def test_backup_while_another_process_writes_restores_the_demo(relance: Relance, tmp_path: Path) -> None:
    assert relance("demo").returncode == 0
    live = tmp_path / "var" / "relance.sqlite3"
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        writer = sqlite3.connect(live, timeout=20)
        while not stop.is_set():
            with writer:
                writer.execute(
                    "INSERT INTO accounts_pendingsignup (email, password, business_name, created_at) "
                    "VALUES ('x@y.test', '', 'x', '2026-01-01')"
                )
            written.append(1)
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        result = relance("backup", str(tmp_path / "copy.sqlite3"))
    finally:
        stop.set()
        thread.join()

    assert result.returncode == 0, result.stderr
    assert "Copie SQLite écrite" in result.stdout
    assert written
    # Restoring is copying the file into var/ (README): the copy opens as a working database.
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM ledger_invoice").fetchone() == (300,)
    assert copy.execute("SELECT count(*) FROM accounts_user WHERE email = ?", (DEMO_EMAIL,)).fetchone() == (1,)
    assert copy.execute("SELECT count(*) FROM accounts_pendingsignup").fetchone()[0] <= len(written)
    copy.close()
