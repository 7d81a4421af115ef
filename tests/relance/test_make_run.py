"""`make run` end to end, as a user starts it: a fresh var directory, a free port, the same
Makefile recipe, Ctrl-C (SIGINT to the whole process group, as a terminal sends it) to stop."""

import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener, urlopen

import pytest

from relance.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/compte/connexion/"
# Migrating a fresh database, collecting the static files and loading the demo come first.
FIRST_START = 240
STOP = 60


def group_processes(group: int) -> list[str]:
    """Command lines of the live (not zombie) processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            found.append(command)
    return found


class Run:
    """One `make run` in its own process group, its output in a file."""

    def __init__(self, var_dir: Path, port: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "PORT": str(port),
            "RELANCE_VAR_DIR": str(var_dir),
        }
        with log.open("w") as output:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "run"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make run stopped:\n{self.output()}"
            try:
                with urlopen(self.base + LOGIN, timeout=5) as response:  # noqa: S310 (our own server)
                    if response.status == 200:
                        return
            except (URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"make run did not serve {LOGIN} within {timeout} s:\n{self.output()}")

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to every process of the group, then nothing may be left running."""
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=STOP)
        deadline = time.monotonic() + STOP
        while group_processes(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert group_processes(self.process.pid) == [], self.output()

    def kill(self) -> None:
        if group_processes(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP)


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[Any]:
    runs: list[Run] = []
    port = free_port()

    def start() -> Run:
        run = Run(tmp_path / "var", port, tmp_path / f"make-run-{len(runs)}.log")
        runs.append(run)
        return run

    try:
        yield start
    finally:
        for run in runs:
            run.kill()


def fetch(opener: Any, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str, Any]:
    """(status, final URL, body, headers) without raising on 4xx."""
    body = urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=20) as response:
            return response.status, response.url, response.read().decode(), response.headers
    except HTTPError as error:
        return error.code, url, error.read().decode(), error.headers


@pytest.mark.timeout(FIRST_START + 4 * STOP + 120)
def test_make_run_serves_like_production_and_keeps_its_secret_key(make_run: Any, tmp_path: Path) -> None:
    run = make_run()
    run.wait_until_serving(FIRST_START)

    started = run.output()
    assert f"  Relance : {run.base}/\n" in started
    assert f"  Compte de démonstration : {DEMO_EMAIL} / {DEMO_PASSWORD}\n" in started
    commands = group_processes(run.process.pid)
    assert sum("gunicorn" in command for command in commands) >= 3, commands  # the master and its workers
    assert any("relance worker" in command for command in commands), commands
    assert any("relance scheduler" in command for command in commands), commands

    jar = CookieJar()
    browser = build_opener(HTTPCookieProcessor(jar))
    status, _url, login_page, headers = fetch(browser, run.base + LOGIN)
    assert status == 200 and headers["Server"].startswith("gunicorn")

    # DEBUG is off: a missing page is the plain 404, without Django's technical page.
    status, _url, missing, _headers = fetch(browser, run.base + "/pas-de-page-ici/")
    assert status == 404
    assert "DEBUG = True" not in missing and "Traceback" not in missing and "URLconf" not in missing

    # Static files: collected with hashed names, served by WhiteNoise, cached for good.
    stylesheet = re.search(r'href="(/static/css/relance\.[0-9a-f]{12}\.css)"', login_page)
    assert stylesheet, login_page
    status, _url, css, headers = fetch(browser, run.base + stylesheet.group(1))
    assert status == 200 and "immutable" in headers["Cache-Control"] and css.strip()

    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert len(key.strip()) >= 50

    # Signing in over plain HTTP works: the CSRF and session cookies are not HTTPS-only here.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token
    form = {"csrfmiddlewaretoken": token.group(1), "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    status, url, _page, _headers = fetch(browser, run.base + LOGIN, form)
    assert status == 200 and LOGIN not in url, url
    assert any(cookie.name == "sessionid" and not cookie.secure for cookie in jar)

    run.interrupt()

    again = make_run()
    again.wait_until_serving(STOP * 2)
    assert key_file.read_text() == key
    # The same key signs the session made before the restart: still signed in.
    status, url, _page, _headers = fetch(browser, again.base + "/")
    assert status == 200 and LOGIN not in url, url
    again.interrupt()
