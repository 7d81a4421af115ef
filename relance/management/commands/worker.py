"""`relance worker`: runs background tasks with the configured Django Tasks backend.

The database backend (default) runs django_tasks_db's `db_worker`; start as many as you
like, they claim tasks with row locks. TASKS_BACKEND=rq runs django_rq's `rqworker` on
Redis with django_tasks_rq's job class, its jobs in the worker's own process, and RQ's
scheduler for the tasks that wait for a moment (`run_after`); start as many as you like, on
any machine, Redis hands each job to one of them. The immediate backend (tests) needs no worker.

Every worker also sweeps the reminder e-mails whose send never finished (a worker killed while
the SMTP server had not answered) and queues again those whose task was lost (a worker killed
before it claimed the reminder): when it starts, then every few seconds while it runs.
"""

import logging
import os
import threading
import time
from argparse import BooleanOptionalAction
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks.signals import task_finished, task_started

from dunning.services import reclaim_stale_sends, requeue_unclaimed_sends

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"

logger = logging.getLogger(__name__)


def sweep_interval() -> float:
    """A stuck send is declared uncertain at most a fifth of the bound late, checked at most every minute."""
    return max(1.0, min(60.0, settings.REMINDER_SEND_TIMEOUT / 5))


def sweep_stale_sends() -> None:
    try:
        reclaimed = reclaim_stale_sends()
    except Exception:
        # A database hiccup must not stop the tasks; the next sweep tries again.
        logger.exception("Sweep of unfinished reminder sends failed")
        return
    if reclaimed:
        logger.warning("Reminder sends unfinished past the bound, now uncertain: %s", reclaimed)
    try:
        requeued = requeue_unclaimed_sends()
    except Exception:
        logger.exception("Sweep of lost reminder sends failed")
        return
    if requeued:
        logger.warning("Reminder sends whose task was lost, queued again: %s", requeued)


def sweep_while_running() -> None:
    """The sweeping thread's loop; a daemon, it ends with the worker's process."""
    while True:
        time.sleep(sweep_interval())
        sweep_stale_sends()
        # This thread's own connection: nobody else would close it.
        connections.close_all()


def _fresh_connections(**kwargs: Any) -> None:
    """Around each task, what a request gets: a connection that the database dropped (a
    restart, a failover) or that outlived DB_CONN_MAX_AGE is closed, and the next query opens
    another. The database backend's worker does the same."""
    close_old_connections()


class Command(BaseCommand):
    help = "Exécute les tâches de fond (e-mails, PDF, archives) avec le backend configuré (TASKS_BACKEND)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Exécute les tâches en attente puis s’arrête (au lieu d’attendre)."
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="S’arrête après ce nombre de tâches (redémarrage propre)."
        )
        parser.add_argument(
            "--queues", default="", help="Files à traiter, séparées par des virgules (par défaut : toutes)."
        )
        parser.add_argument(
            "--reload",
            action=BooleanOptionalAction,
            default=None,
            help="Redémarre quand le code change (backend base de données ; par défaut : si DEBUG).",
        )

    def handle(
        self, *args: Any, batch: bool, max_tasks: int | None, queues: str, reload: bool | None, **options: Any
    ) -> None:
        if max_tasks is not None and max_tasks <= 0:
            raise CommandError("--max-tasks doit être un nombre positif.")
        backend = settings.TASKS["default"]["BACKEND"]
        queue_names = [name.strip() for name in queues.split(",") if name.strip()]
        verbosity = options["verbosity"]
        if backend not in (DATABASE_BACKEND, RQ_BACKEND):
            raise CommandError(
                f"Le backend de tâches {backend} exécute les tâches sans worker : "
                "choisissez TASKS_BACKEND=database ou TASKS_BACKEND=rq."
            )
        reloading = backend == DATABASE_BACKEND and not batch and (settings.DEBUG if reload is None else reload)
        # With the reloader, this process only restarts a child that runs this command again.
        if not reloading or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            sweep_stale_sends()
            if not batch:
                threading.Thread(target=sweep_while_running, name="sweep-stale-sends", daemon=True).start()
        if backend == DATABASE_BACKEND:
            worker_options: dict[str, Any] = {"queue_name": ",".join(queue_names) or "*", "verbosity": verbosity}
            if batch:
                worker_options.update(batch=True, reload=False)
            elif reload is not None:
                worker_options["reload"] = reload
            if max_tasks is not None:
                worker_options["max_tasks"] = max_tasks
            call_command("db_worker", **worker_options)
        else:
            # Jobs run in this process, one after the other, as with the database backend: a child
            # forked per job (rq's default) would inherit the sweeping thread's database
            # connection, maybe mid-query (SQLite forbids carrying a connection across fork()),
            # and a fork per e-mail costs more than the e-mail. The scheduler moves the tasks
            # given a `run_after` (retries after a backoff) to the queue when their time comes.
            task_started.connect(_fresh_connections)
            task_finished.connect(_fresh_connections)
            rq_options: dict[str, Any] = {
                "worker_class": "rq.SimpleWorker",
                "job_class": "django_tasks_rq.Job",
                "with_scheduler": True,
                "burst": batch,
            }
            if max_tasks is not None:
                rq_options["max_jobs"] = max_tasks
            call_command(
                "rqworker", *(queue_names or settings.TASKS["default"]["QUEUES"]), verbosity=verbosity, **rq_options
            )
