import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus
from pytest_django.fixtures import Settings

from accounts.models import Business
from tests.factories import make_business
from tests.relance.tasks import rename_business

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def signal_handlers_restored() -> Iterator[None]:
    """django_tasks_db's worker installs its own SIGINT, SIGTERM and SIGQUIT handlers and leaves
    them: for the rest of the run, Ctrl-C or a SIGTERM would end the test process with exit 0."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    saved = {number: signal.getsignal(number) for number in signals}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_worker_help_lists_its_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "relance.cli", "worker", "--help"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--batch" in result.stdout
    assert "--max-tasks" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_enqueued_with_the_database_backend(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    business = make_business(trade_name="Avant")
    result = rename_business.enqueue(business.pk, "Après")
    assert result.status == TaskResultStatus.READY

    call_command("worker", "--batch", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "Après"
    assert Business.objects.get(pk=business.pk).trade_name == "Après"


@pytest.mark.django_db(transaction=True)
def test_worker_stops_after_max_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    business = make_business()
    first = rename_business.enqueue(business.pk, "Un")
    second = rename_business.enqueue(business.pk, "Deux")

    call_command("worker", "--batch", "--max-tasks", "1", verbosity=0)

    statuses = set()
    for result in (first, second):
        result.refresh()
        statuses.add(result.status)
    assert statuses == {TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY}


def test_worker_refuses_the_immediate_backend(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="sans worker"):
        call_command("worker", "--batch")


def test_worker_refuses_a_non_positive_max_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(CommandError, match="nombre positif"):
        call_command("worker", "--max-tasks", "0")
