"""`relance worker` processes on the test database, for the tests that need real workers.

A worker in another process sees only what the test committed: tests using it are
`transaction=True`. SQLite tests run on a file (tests/conftest.py), so other processes share it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, for a worker in another process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _descendants(pid: int) -> list[int]:
    """The process's children, theirs, and so on (an RQ worker runs each job in a forked child)."""
    found = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []
    for thread in threads:
        try:
            children = Path(f"/proc/{pid}/task/{thread}/children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


class Workers:
    """`relance worker` processes; whatever is left is stopped at the end (`stop_all`)."""

    def __init__(self, tmp_path: Path, media_root: Path, smtp_port: int, *, backend: str = "database") -> None:
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relance.settings",
            "RELANCE_TESTING": "1",
            "TASKS_BACKEND": backend,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        }
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, **env: str | int) -> subprocess.Popen[bytes]:
        """A worker, with these settings (EMAIL_TIMEOUT=1, REDIS_URL=…) on top of the test's."""
        log = (self.tmp_path / f"worker-{len(self.started)}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "relance.cli", "worker", "--no-reload"],
            cwd=ROOT, env={**self.env, **{name: str(value) for name, value in env.items()}},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.started.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL, as a machine that loses power: the worker and the job it was running."""
        victims = [worker.pid, *_descendants(worker.pid)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert worker.wait(timeout=15) == -signal.SIGKILL

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.tmp_path.glob("worker-*.log")))

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                orphans = _descendants(worker.pid)
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=15)
                for pid in orphans:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s\n{workers.log()[-20000:]}")
        time.sleep(0.1)
