"""The test databases go away at the end of a run, even when a test left a connection open."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parents[2]
CASE = "tests/relance/leaky_thread_case.py"


def test_a_thread_holding_a_connection_does_not_keep_the_test_database_alive() -> None:
    env = dict(os.environ)
    url = env.get("DATABASE_URL", "")
    postgresql = url.startswith(("postgres://", "postgresql://"))
    if postgresql:
        # A database of its own, so that this run's test database is not the one dropped.
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/relance_leak_{secrets.token_hex(4)}"))

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-W", "error::pytest.PytestWarning", CASE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=100, check=False,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 passed" in output
    assert "being accessed by other users" not in output
    if postgresql:
        assert "1 connection(s) to test_relance_leak_" in output
        settings = dj_database_url.parse(env["DATABASE_URL"])
        test_name = f"test_{settings['NAME']}"
        admin = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"],
                 "password": settings["PASSWORD"], "dbname": "postgres"}  # fmt: skip
        with psycopg.connect(**{key: value for key, value in admin.items() if value}) as connection:
            left = connection.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [test_name]).fetchone()
        assert left == (0,)
