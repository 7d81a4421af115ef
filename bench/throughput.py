"""Requests per second of the late-payments page under gunicorn (2 workers), against a hello-world view.

gunicorn serves `bench.wsgi` (the product plus `/bench/hello/`) on 127.0.0.1 with the product's
settings as in production (DEBUG off, static files collected). `wrk` (Debian package) drives
each URL for a bounded time after a short warm-up, logged in by the session cookie of the
measured business's user. Both run on the same 2 cores, as the server's own load would.
"""

import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User
from bench.common import Context, Result, ratio_at_least

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONNECTIONS = 4
ROUNDS = 3
WARMUP_SECONDS = 2
START_TIMEOUT = 60
TIMEOUT = 30  # seconds wrk waits for one answer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session_cookie(user: User) -> str:
    http = HttpClient()
    http.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={http.cookies[settings.SESSION_COOKIE_NAME].value}"


def _fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback URL built here)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback URL built here)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if _fetch(url, "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


# wrk prints the 50th, 75th, 90th and 99th percentiles; this script adds the 95th.
P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def _wrk(url: str, cookie: str, seconds: int, script: Path) -> tuple[float, str, float]:
    """Requests per second, wrk's latency line and the p95 in ms; any non-2xx answer voids the run."""
    # A slow page is a result, not an error: wrk's 2-second default timeout would count it as one.
    command = [
        "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", f"--timeout={TIMEOUT}s", "--latency",
        "-s", str(script), "-H", f"Cookie: {cookie}", url,
    ]  # fmt: skip
    output = subprocess.run(  # noqa: S603 (fixed program, arguments are not shell-parsed)
        command, capture_output=True, text=True, check=True, timeout=seconds + TIMEOUT + 30
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors or timeouts on {url}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output)
    p95 = re.search(r"p95_us (\d+)", output)
    if rate is None or p95 is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return float(rate.group(1)), f"mean latency {latency.group(1)}" if latency else "", int(p95.group(1)) / 1000


def measure_throughput(context: Context) -> list[Result]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package wrk; `make bench` installs it as root)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, fixed arguments)
        [
            str(gunicorn),
            "bench.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],  # fmt: skip
        cwd=ROOT,
    )
    try:
        hello_url = f"{base}/bench/hello/"
        page_url = base + reverse("pages:late_payments")
        _wait_until_serving(hello_url, server)
        cookie = _session_cookie(User.objects.get(pk=context.user_id))
        status, body = _fetch(page_url, cookie)
        if status != 200 or "Retards de paiement" not in body:
            raise RuntimeError(f"the late-payments page answered {status} to the session cookie")
        script = context.out / "p95.lua"
        script.write_text(P95_SCRIPT)
        urls = (("hello", hello_url), ("hello_user", f"{base}/bench/hello-user/"), ("page", page_url))
        for _name, url in urls:
            _wrk(url, cookie, WARMUP_SECONDS, script)
        # The three in turn, in ROUNDS short runs each, so that a burst of load from elsewhere
        # on the machine falls on all of them alike rather than on whichever ran then.
        runs: dict[str, list[tuple[float, str, float]]] = {name: [] for name, _url in urls}
        seconds = max(1, context.scale.wrk_seconds // ROUNDS)
        for _ in range(ROUNDS):
            for name, url in urls:
                runs[name].append(_wrk(url, cookie, seconds, script))
        rates = {name: statistics.mean(run[0] for run in done) for name, done in runs.items()}
        latencies = {name: done[-1][1] + " (last run)" for name, done in runs.items()}
        p95s = {name: statistics.median(run[2] for run in done) for name, done in runs.items()}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return [
        Result(
            "http.late_payments.throughput",
            rates["page"],
            "req/s",
            rates["hello"],
            note=(
                f"gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} connections, {ROUNDS} rounds of "
                f"{seconds} s per URL in turn (mean rate, median p95); "
                f"page {latencies['page']}, hello {latencies['hello']}; baseline: /bench/hello/ on the same server"
            ),
        ),
        Result(
            "http.late_payments.vs_logged_in_hello",
            rates["page"],
            "req/s",
            rates["hello_user"],
            ratio_at_least(0.5),
            note=(
                f"baseline: /bench/hello-user/ (session, user and business read, no page), "
                f"{latencies['hello_user']}: what any logged-in page pays before its own work"
            ),
        ),
        Result("http.late_payments.p95", p95s["page"], "ms", p95s["hello_user"], note="baseline: the logged-in hello"),
        Result("http.hello.p95", p95s["hello"], "ms"),
    ]
