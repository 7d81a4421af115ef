"""Races between real threads, each with its own database connection, on a committed database.

`race` runs the given actors in rounds: every round starts them together behind a barrier and
waits for all of them before the next round, so each round is one clean race on its own rows.
"""

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import Business
from core.errors import Conflict
from core.models import AuditEvent
from ledger.models import Client, Invoice

ROUNDS = 30
# Far above a round's few tens of milliseconds, and above SQLite's 20 s lock timeout, so that a
# racer stuck on a lock fails with the database's own error first.
ROUND_TIMEOUT = 60

Actor = Callable[[int], Any]

_numbers = itertools.count(1)


def new_invoices(business: Business, client: Client, count: int = ROUNDS) -> list[Invoice]:
    """One unpaid invoice of 1,000.00 per round, written in one query: the races are the test,
    not the set-up (every change then goes through the services)."""
    amount = Decimal("1000.00")
    return Invoice.objects.bulk_create(
        Invoice(
            business=business,
            client=client,
            number=f"C-{next(_numbers):05d}",
            issue_date=dt.date(2026, 9, 1),
            due_date=dt.date(2026, 10, 1),
            total_excl_tax=amount,
            total_incl_tax=amount,
            amount_due=amount,
        )
        for _ in range(count)
    )


class Answer:
    """What one API call answered, read in its own thread (the response holds no connection)."""

    def __init__(self, response: Any) -> None:
        self.status = response.status_code
        self.body = response.json() if response.content else None

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body!r})"

    @property
    def detail(self) -> Any:
        return self.body["detail"]

    def messages_at(self, field: str) -> list[str]:
        return [error["msg"] for error in self.detail if error["loc"] == ["body", field]]


class Outcome:
    """What one service call did: its result, or the domain error it refused with."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.value: Any = None
        self.error: Conflict | ValidationError | None = None
        try:
            self.value = call()
        except (Conflict, ValidationError) as error:
            self.error = error

    def __repr__(self) -> str:
        return f"Outcome({self.value!r}, {self.error!r})"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> str:
        assert isinstance(self.error, Conflict), self
        return str(self.error)

    def messages_at(self, field: str) -> list[str]:
        assert isinstance(self.error, ValidationError), self
        return list(self.error.message_dict.get(field, []))


def race(rounds: int, *actors: Actor) -> list[tuple[Any, ...]]:
    """Run every actor once per round, all of a round's actors released at the same instant.

    Returns one tuple of results per round, in the actors' order. An exception in an actor (a
    500 raised by the test client, a deadlock, a lock timeout) fails the test with that exception.
    """
    barrier = threading.Barrier(len(actors))
    results: list[list[Any]] = [[None] * len(actors) for _ in range(rounds)]
    errors: list[BaseException] = []

    def run(index: int, actor: Actor) -> None:
        round_ = 0
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=ROUND_TIMEOUT)
                results[round_][index] = actor(round_)
        except threading.BrokenBarrierError:
            if not errors:
                errors.append(AssertionError(f"round {round_}: a racer took more than {ROUND_TIMEOUT} s"))
        except BaseException as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, actor)) for index, actor in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [tuple(row) for row in results]


def story(invoice: Invoice) -> list[str]:
    """The invoice's audit events after its creation, in the order they were written."""
    return list(
        AuditEvent.objects.filter(invoice=invoice)
        .exclude(action="created")
        .order_by("id")
        .values_list("action", flat=True)
    )


def only(items: Sequence[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]
