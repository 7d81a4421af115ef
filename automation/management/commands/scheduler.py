"""`relance scheduler`: the automatic reminders and the rates, pass after pass.

Several schedulers may run, on one machine or several sharing the database: each business is
held by one of them at a time, and each (invoice, step) is done once (`automation.scheduler`).
"""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.db import close_old_connections

from automation.scheduler import run_pass, scheduler_id
from core.commands import FrenchCommand

logger = logging.getLogger(__name__)


class Command(FrenchCommand):
    help = (
        "Planifie et envoie les relances automatiques de chaque entreprise (dans sa plage d’envoi), "
        "et met à jour les taux BCE en début de semestre."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis s’arrête.")
        parser.add_argument("--interval", type=float, default=60, help="Secondes entre deux passages (60 par défaut).")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        if interval <= 0:
            self.fail("--interval doit être un nombre positif.")
        owner = scheduler_id()
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if not once:
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Planificateur {owner} : un passage toutes les {interval:g} s.")
                self.stdout.flush()
        while True:
            try:
                report = run_pass(owner=owner)
            except Exception:
                if once:
                    raise
                # The database is down or restarting: the next pass tries again.
                logger.exception("Scheduler pass failed")
            else:
                if options["verbosity"] >= 1 and (once or report.created or report.errors):
                    self.stdout.write(report.summary)
                for error in report.errors:
                    self.stderr.write(f"Erreur pour l’entreprise {error}")
            if once or stop.wait(interval):
                return
            # A long-running process: a connection the database dropped is replaced.
            close_old_connections()
