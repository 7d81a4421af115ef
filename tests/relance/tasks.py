"""A background task for the worker tests: it leaves a trace in the database."""

import time

from django_tasks import task

from accounts.models import Business


@task()
def rename_business(business_id: int, trade_name: str) -> str:
    Business.objects.filter(pk=business_id).update(trade_name=trade_name)
    return trade_name


@task()
def note_run(path: str, key: int, seconds: float = 0) -> None:
    """Appends its key to a file at every run: a task run twice shows twice. It takes `seconds`
    first, so that one worker cannot run a whole queue before another has taken its share."""
    time.sleep(seconds)
    with open(path, "a") as notes:
        notes.write(f"{key}\n")
