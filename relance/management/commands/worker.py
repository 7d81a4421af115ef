"""`relance worker`: runs background tasks with the configured Django Tasks backend.

The database backend (default) runs django_tasks_db's `db_worker`; start as many as you
like, they claim tasks with row locks. TASKS_BACKEND=rq runs django_rq's `rqworker` on
Redis with django_tasks_rq's job class. The immediate backend (tests) needs no worker.

Every worker also sweeps the reminder e-mails whose send never finished (a worker killed while
the SMTP server had not answered): when it starts, then every few seconds while it runs.
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
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from dunning.services import reclaim_stale_sends

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


def sweep_while_running() -> None:
    """The sweeping thread's loop; a daemon, it ends with the worker's process."""
    while True:
        time.sleep(sweep_interval())
        sweep_stale_sends()
        # This thread's own connection: nobody else would close it.
        connections.close_all()


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
            rq_options: dict[str, Any] = {"job_class": "django_tasks_rq.Job", "with_scheduler": True, "burst": batch}
            if max_tasks is not None:
                rq_options["max_jobs"] = max_tasks
            call_command(
                "rqworker", *(queue_names or settings.TASKS["default"]["QUEUES"]), verbosity=verbosity, **rq_options
            )
