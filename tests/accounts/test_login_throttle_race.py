"""Parallel logins against the throttle, with real threads and real database connections.

Each thread is a web process of its own: its own connection, its own transaction. A real password
hasher takes a while; the check is slowed down the same way, which is the window an attacker's
parallel requests aim at.
"""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from tests.factories import make_user

# Thirty rounds of forty real threads through the whole login stack take about a minute on two
# quiet cores: more than the suite's default limit when the machine is busy.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(360)]

URL = reverse("accounts:login")
PASSWORD = "motdepasse-solide-42"
ROUNDS = 30
# The per-IP counter is taken by the same code, after the per-pair one: fewer rounds suffice.
IP_ROUNDS = 10
PARALLEL = 40
# About what PBKDF2 with Django's iteration count takes on a small server.
HASHER_SECONDS = 0.05


class PasswordChecks:
    """Counts the attempts that reached the password check, wrong and right apart."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wrong = 0
        self.right = 0

    def take(self) -> tuple[int, int]:
        with self.lock:
            counts = (self.wrong, self.right)
            self.wrong = self.right = 0
        return counts


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordChecks]:
    checks = PasswordChecks()
    original = ModelBackend.authenticate

    def authenticate(self: ModelBackend, request: Any, *args: Any, **kwargs: Any) -> Any:
        with checks.lock:
            if kwargs.get("password") == PASSWORD:
                checks.right += 1
            else:
                checks.wrong += 1
        time.sleep(HASHER_SECONDS)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", authenticate)
    yield checks


# Built once: a new client loads the middleware again, and WhiteNoise then lists every static file.
CLIENTS = [HttpClient() for _ in range(PARALLEL)]


def post_together(attempts: list[tuple[str, str, str]]) -> list[int]:
    """Posts (e-mail, password, client address) all at once, one thread each; the statuses in order."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = [0] * len(attempts)
    errors: list[BaseException] = []

    def attempt(index: int, email: str, password: str, ip: str) -> None:
        try:
            http = CLIENTS[index]
            http.cookies.clear()
            barrier.wait()
            statuses[index] = http.post(URL, {"email": email, "password": password}, REMOTE_ADDR=ip).status_code
        except BaseException as error:  # noqa: BLE001 (re-raised in the test's thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index, *item)) for index, item in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return statuses


def test_parallel_guesses_for_one_email_reach_the_password_check_at_most_the_limit(
    password_checks: PasswordChecks,
) -> None:
    limit = settings.LOGIN_THROTTLE_LIMIT
    for round_ in range(ROUNDS):
        user = make_user(email=f"cible{round_}@relance.test")
        ip = f"198.51.100.{round_ + 1}"
        # Wrong guesses first, the right password last: it may only win if it got a slot.
        guesses = [(user.email, f"mauvais-{index}", ip) for index in range(PARALLEL - 1)]
        statuses = post_together([*guesses, (user.email, PASSWORD, ip)])
        wrong, right = password_checks.take()
        assert wrong <= limit, f"round {round_}: {wrong} wrong passwords checked, limit {limit}"
        assert right <= 1
        assert statuses.count(422) == wrong
        assert statuses.count(302) == right
        assert statuses.count(429) == PARALLEL - wrong - right


def test_parallel_guesses_from_one_address_reach_the_password_check_at_most_its_limit(
    password_checks: PasswordChecks,
) -> None:
    limit = settings.LOGIN_THROTTLE_IP_LIMIT
    for round_ in range(IP_ROUNDS):
        ip = f"203.0.113.{round_ + 1}"
        statuses = post_together([(f"personne{index}@exemple.test", "mauvais", ip) for index in range(PARALLEL)])
        wrong, _right = password_checks.take()
        assert wrong <= limit, f"round {round_}: {wrong} passwords checked, limit {limit}"
        assert statuses.count(429) == PARALLEL - wrong
