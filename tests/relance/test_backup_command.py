import secrets
import shutil
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from relance.management.commands.backup import backup_postgresql, backup_sqlite, libpq_environment
from tests.factories import make_business, make_client, make_invoice


def restored_invoice_numbers(path: Path) -> set[str]:
    """Restore the backup the way the README says, for the engine in use, and read it back."""
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(path)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            return {row[0] for row in copy.execute("SELECT number FROM ledger_invoice")}
        finally:
            copy.close()
    return restored_postgresql_invoice_numbers(path)


def restored_postgresql_invoice_numbers(path: Path) -> set[str]:
    import psycopg

    settings_dict = connection.settings_dict
    env = libpq_environment(settings_dict)
    target = f"{settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    admin = {"dbname": "postgres", "host": env.get("PGHOST"), "port": env.get("PGPORT"), "user": env.get("PGUSER"),
             "password": env.get("PGPASSWORD")}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{target}"')
    try:
        restore = subprocess.run(
            [shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={target}",
             str(path)],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert restore.returncode == 0, restore.stderr
        with psycopg.connect(**{**{k: v for k, v in admin.items() if v}, "dbname": target}) as conn:
            return {row[0] for row in conn.execute("SELECT number FROM ledger_invoice")}
    finally:
        with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target}"')


@pytest.mark.django_db(transaction=True)
def test_backup_of_the_configured_database_restores_its_rows(tmp_path: Path, capsys: Any) -> None:
    business = make_business()
    client = make_client(business)
    numbers = {make_invoice(business, client, number=f"F-2026-{n:03d}").number for n in range(1, 4)}
    path = tmp_path / "relance.backup"

    call_command("backup", str(path))

    assert path.stat().st_size > 0
    assert str(path) in capsys.readouterr().out
    assert restored_invoice_numbers(path) == numbers
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.django_db(transaction=True)
def test_backup_replaces_an_older_backup(tmp_path: Path) -> None:
    path = tmp_path / "relance.backup"
    path.write_bytes(b"an older backup")
    make_invoice(make_business(), number="F-2026-042")

    call_command("backup", str(path))

    assert restored_invoice_numbers(path) == {"F-2026-042"}


def test_backup_into_a_missing_folder_says_so_in_french(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="n’existe pas"):
        call_command("backup", str(tmp_path / "absent" / "relance.backup"))


def test_backup_from_a_postgresql_server_that_never_answers_stops_in_french(tmp_path: Path) -> None:
    # Accepted by the kernel, never read: pg_dump waits for the server's first answer forever.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        settings_dict = {"HOST": "127.0.0.1", "PORT": port, "NAME": "relance", "USER": "relance"}
        with pytest.raises(CommandError, match="pg_dump n’a pas terminé en 2 secondes"):
            backup_postgresql(settings_dict, tmp_path / "relance.dump", timeout=2)
    assert list(tmp_path.iterdir()) == []


def test_backup_timeout_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--timeout doit être un nombre positif"):
        call_command("backup", str(tmp_path / "relance.backup"), "--timeout", "0")


@pytest.fixture
def busy_sqlite(tmp_path: Path) -> Iterator[tuple[Path, threading.Event, list[int]]]:
    """A WAL SQLite file (as Relance runs it) that another connection keeps writing to."""
    path = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    setup.executemany("INSERT INTO row (payload) VALUES (?)", [("x" * 500,)] * 5000)
    setup.commit()
    setup.close()
    stop = threading.Event()
    committed: list[int] = []

    def write() -> None:
        writer = sqlite3.connect(path, timeout=20)
        while not stop.is_set():
            with writer:
                writer.executemany("INSERT INTO row (payload) VALUES (?)", [("y" * 500,)] * 50)
            committed.append(writer.execute("SELECT count(*) FROM row").fetchone()[0])
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield path, stop, committed
    finally:
        stop.set()
        thread.join()


def test_sqlite_backup_is_a_consistent_snapshot_while_another_process_writes(
    busy_sqlite: tuple[Path, threading.Event, list[int]], tmp_path: Path
) -> None:
    path, stop, committed = busy_sqlite
    while len(committed) < 3:
        threading.Event().wait(0.01)
    source = sqlite3.connect(path)
    batches_before = len(committed)
    copies = []
    for index in range(3):
        copy = tmp_path / f"copy-{index}.sqlite3"
        backup_sqlite(source, copy)
        copies.append(copy)
        threading.Event().wait(0.05)
    source.close()
    stop.set()
    assert len(committed) > batches_before

    final = committed[-1]
    for copy in copies:
        check = sqlite3.connect(copy)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = check.execute("SELECT count(*) FROM row").fetchone()[0]
        check.close()
        # A snapshot holds the initial rows plus whole batches of the concurrent writer.
        assert 5000 <= count <= final
        assert (count - 5000) % 50 == 0
