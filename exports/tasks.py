"""Building a requested full-account export in the background (the ZIP of `exports.account`).

Like dunning's PDF archive: the conditional UPDATE claims the row under a token of this run; a
second run finds it done, failed or running and does nothing, unless the running one has gone
silent for `STALE_AFTER` (its worker died), which it then takes over. Every later write is
conditional on the token, so a run that lost its claim stops and removes its own file. The ZIP
is written under `MEDIA_ROOT/exports/<business id>/<export id>-<run>/`, which web and worker
machines share.
"""

import datetime as dt
import logging
import secrets
import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from exports.account import item_count, write_account_zip
from exports.models import AccountExport

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=10)
# Progress is written to the database at most this often (items), not for every row.
PROGRESS_STEP = 500


class _Superseded(Exception):
    """Another run of the task owns the export now."""


@task()
def build_account_export(export_id: int) -> str:
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = (
        AccountExport.objects.filter(pk=export_id)
        .filter(
            Q(status=AccountExport.Status.QUEUED)
            | Q(status=AccountExport.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(
            status=AccountExport.Status.RUNNING,
            claim_token=token,
            started_at=now,
            heartbeat_at=now,
            progress_done=0,
            error="",
        )
    )
    if not claimed:
        return "skipped"
    export = AccountExport.objects.select_related("business").get(pk=export_id)
    directory = f"exports/{export.business_id}/{export.pk}-{token[:12]}"
    try:
        _build(export, token, directory)
    except _Superseded:
        _discard(directory)
        return "superseded"
    except Exception:
        logger.exception("Account export %s failed", export_id)
        _discard(directory)
        _owned(export.pk, token).update(
            status=AccountExport.Status.FAILED,
            finished_at=timezone.now(),
            error="Une erreur inattendue a interrompu l’export. Relancez-le ; si l’erreur se reproduit, "
            "contactez le support.",
        )
        return "failed"
    _remove_other_runs(export, directory)
    return "done"


def _owned(export_id: int, token: str) -> QuerySet[AccountExport]:
    return AccountExport.objects.filter(pk=export_id, status=AccountExport.Status.RUNNING, claim_token=token)


def _report(export_id: int, token: str, **fields: Any) -> None:
    if not _owned(export_id, token).update(heartbeat_at=timezone.now(), **fields):
        raise _Superseded


def _discard(directory: str) -> None:
    shutil.rmtree(default_storage.path(directory), ignore_errors=True)


def _remove_other_runs(export: AccountExport, directory: str) -> None:
    parent = Path(default_storage.path(directory)).parent
    for leftover in parent.glob(f"{export.pk}-*"):
        if leftover.name != Path(directory).name:
            shutil.rmtree(leftover, ignore_errors=True)


def _build(export: AccountExport, token: str, directory: str) -> None:
    business = export.business
    _report(export.pk, token, progress_total=item_count(business), progress_done=0)
    root = Path(default_storage.path(directory))
    root.mkdir(parents=True, exist_ok=True)
    path = root / export.download_name
    done = 0
    reported = 0

    def progress(items: int) -> None:
        nonlocal done, reported
        done += items
        if done - reported >= PROGRESS_STEP:
            reported = done
            _report(export.pk, token, progress_done=done)

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        write_account_zip(business, archive, progress)
    finished = _owned(export.pk, token).update(
        status=AccountExport.Status.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress_done=done,
        zip_file=f"{directory}/{path.name}",
        zip_size=path.stat().st_size,
    )
    if not finished:
        raise _Superseded
