"""Running a CSV import, inline for a small file or in the background for a large one.

The same task function does both (`run_csv_import.call(id)` inline, `.enqueue(id)` for the
worker), so a small and a large file go through the same code. The run claims the row with a
conditional UPDATE under a token of its own: a second run of the same id finds it done, failed
or running and does nothing, unless the running one has been silent for `STALE_AFTER` (its
worker died), which it then takes over. A commit writes its outcome inside the import's
transaction, so the data and "imported" are stored together or not at all; a run taken over
after the commit finds the row done. Re-running a commit whose worker died before its
transaction ended is safe: that transaction was rolled back.

While the import's transaction is open, nothing it writes to the database is visible to the
page polling it: the progress goes to a small file beside the upload (the web and worker
machines share MEDIA_ROOT, as they do for the letters and archives).
"""

import datetime as dt
import logging
import secrets
from pathlib import Path

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from core.audit import record
from imports.csv_import import Report, run_import
from imports.models import CsvImport

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=10)


class _Superseded(Exception):
    """Another run owns the import now: this one stops."""


def progress_path(csv_import: CsvImport) -> Path:
    return Path(default_storage.path(f"{csv_import.file.name}.progress"))


def rows_done(csv_import: CsvImport) -> int:
    """Rows handled so far by the running import (from its progress file), else the stored count."""
    if csv_import.status == CsvImport.Status.RUNNING:
        try:
            return int(progress_path(csv_import).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0
    return csv_import.progress_done


def _owned(import_id: int, token: str) -> QuerySet[CsvImport]:
    return CsvImport.objects.filter(pk=import_id, status=CsvImport.Status.RUNNING, claim_token=token)


def _outcome(report: Report) -> dict[str, object]:
    return {
        "progress_done": report.rows,
        "created_count": report.created,
        "updated_count": report.updated,
        "unchanged_count": report.unchanged,
        "clients_created": report.clients_created,
        "error_count": report.error_count,
        "errors": report.errors,
        "actions": report.actions,
        "status": CsvImport.Status.DONE,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }


@task()
def run_csv_import(import_id: int) -> str:
    """Run the queued dry run or commit of an import, once."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = (
        CsvImport.objects.filter(pk=import_id)
        .filter(
            Q(status=CsvImport.Status.QUEUED) | Q(status=CsvImport.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(status=CsvImport.Status.RUNNING, claim_token=token, heartbeat_at=now, progress_done=0, failure="")
    )
    if not claimed:
        return "skipped"
    csv_import = CsvImport.objects.select_related("business", "requested_by").get(pk=import_id)
    progress = progress_path(csv_import)

    def report_progress(done: int) -> None:
        progress.write_text(f"{done} {csv_import.rows_total}\n")

    def record_commit(report: Report) -> None:
        # Inside the import's transaction: the rows, "imported" and its line in the history
        # commit together; a commit refused for an error in the file writes none of them.
        if not _owned(import_id, token).update(**_outcome(report), committed_at=timezone.now()):
            raise _Superseded
        record(
            business=csv_import.business,
            actor=csv_import.requested_by,
            action="csv_import_committed",
            obj=csv_import,
            changes={"kind": csv_import.kind, "rows": csv_import.rows_total},
        )

    try:
        with csv_import.file.open("rb") as stream:
            report = run_import(
                business=csv_import.business,
                actor=csv_import.requested_by,
                kind=csv_import.kind,
                stream=stream,
                encoding=csv_import.encoding,
                delimiter=csv_import.delimiter,
                headers=csv_import.headers,
                mapping=csv_import.mapping,
                dry_run=csv_import.dry_run,
                progress=report_progress,
                before_commit=record_commit,
            )
    except _Superseded:
        return "superseded"
    except Exception:
        logger.exception("CSV import %s failed", import_id)
        _owned(import_id, token).update(
            status=CsvImport.Status.FAILED,
            failure="Une erreur inattendue a interrompu l’import ; rien n’a été enregistré. Recommencez ; si "
            "l’erreur se reproduit, contactez le support.",
            finished_at=timezone.now(),
        )
        return "failed"
    finally:
        progress.unlink(missing_ok=True)
    if csv_import.dry_run or report.error_count:
        _owned(import_id, token).update(**_outcome(report))
    return "done"
