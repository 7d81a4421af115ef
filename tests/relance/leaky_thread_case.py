"""Run only by test_test_databases.py (its name is not test_*.py, so the suite never collects it):
a thread that keeps its database connection open until the process exits."""

import threading

import pytest

from accounts.models import Business

PROCESS_EXIT = threading.Event()


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_its_connection_open() -> None:
    queried = threading.Event()

    def hold_connection() -> None:
        Business.objects.count()
        queried.set()
        PROCESS_EXIT.wait()

    threading.Thread(target=hold_connection, daemon=True).start()
    assert queried.wait(30)
