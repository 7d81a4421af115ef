"""Building a requested PDF archive in the background: the ZIP with its manifest, and the merged PDF.

Memory stays bounded whatever the number of letters (a benchmark runs 10,000):
- only the ids of the selected reminders are held, a list of integers; rows, snapshots and
  letters are loaded `CHUNK_SIZE` at a time and dropped before the next chunk;
- each stored PDF is copied into the ZIP in blocks, hashed on the way, one member at a time;
  the manifest rows go to a file on disk, added to the ZIP once the letters are in;
- each chunk is one Typst document (`render_letters_pdf`) whose pages `PdfConcatenation`
  writes to the merged file at once, keeping only byte offsets. (pypdf's `PdfWriter` would
  hold every page of the result until the end.)
Files are written under `MEDIA_ROOT/archives/<business id>/<export id>-<run>/`, so two runs of
the task never write to the same file; the web and worker machines share MEDIA_ROOT, as they
already do for the letters.
"""

import csv
import datetime as dt
import hashlib
import io
import logging
import multiprocessing
import secrets
import shutil
import zipfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django_tasks import task

from core.formats import short_date
from dunning.facts import rendered_from_snapshot
from dunning.facts_types import ReminderFacts
from dunning.letter import LetterData, render_letters_pdf
from dunning.models import ArchiveExport, Reminder
from dunning.pdf_merge import PdfConcatenation
from dunning.queries import archived_reminders

logger = logging.getLogger(__name__)

# Letters per Typst document; progress moves once per chunk. Larger chunks need more memory
# per compilation and are no faster (bench/README.md).
CHUNK_SIZE = 20
# Chunks one render process compiles before it is replaced (see `_rendered`).
RENDERS_PER_PROCESS = 5
# A running export whose worker has not reported for this long is taken over by the next run.
STALE_AFTER = dt.timedelta(minutes=10)
COPY_BLOCK = 64 * 1024
MANIFEST_NAME = "manifest.csv"
MANIFEST_HEADER = ["Fichier", "Client", "Factures", "Niveau", "Canal", "Date", "Statut", "SHA-256"]


class ArchiveError(Exception):
    """The archive cannot be built; the message, in French, is shown on the export's page."""


class _Superseded(Exception):
    """Another run of the task owns the export now: this one stops and removes its files."""


@task()
def build_archive_export(export_id: int) -> str:
    """Build a queued export, once.

    The conditional UPDATE claims the row under a token of this run: a second run finds the
    export done, failed or running and does nothing, unless the running one has gone silent
    for `STALE_AFTER` (its worker died), which it then takes over. Every later write is
    conditional on the token, so a run that lost its claim stops and removes its own files.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = (
        ArchiveExport.objects.filter(pk=export_id)
        .filter(
            Q(status=ArchiveExport.Status.QUEUED)
            | Q(status=ArchiveExport.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(
            status=ArchiveExport.Status.RUNNING,
            claim_token=token,
            started_at=now,
            heartbeat_at=now,
            progress_done=0,
            error="",
        )
    )
    if not claimed:
        return "skipped"
    export = ArchiveExport.objects.select_related("business").get(pk=export_id)
    directory = f"archives/{export.business_id}/{export.pk}-{token[:12]}"
    try:
        _build(export, token, directory)
    except _Superseded:
        _discard(directory)
        return "superseded"
    except ArchiveError as error:
        _discard(directory)
        return _fail(export, token, str(error))
    except Exception:
        logger.exception("Archive export %s failed", export_id)
        _discard(directory)
        return _fail(
            export,
            token,
            "Une erreur inattendue a interrompu la préparation de l’archive. Relancez-la ; si "
            "l’erreur se reproduit, contactez le support.",
        )
    _remove_other_runs(export, directory)
    return "done"


def _owned(export_id: int, token: str) -> QuerySet[ArchiveExport]:
    return ArchiveExport.objects.filter(pk=export_id, status=ArchiveExport.Status.RUNNING, claim_token=token)


def _report_progress(export_id: int, token: str, **fields: Any) -> None:
    if not _owned(export_id, token).update(heartbeat_at=timezone.now(), **fields):
        raise _Superseded


def _fail(export: ArchiveExport, token: str, message: str) -> str:
    _owned(export.pk, token).update(status=ArchiveExport.Status.FAILED, error=message, finished_at=timezone.now())
    return "failed"


def _discard(directory: str) -> None:
    shutil.rmtree(default_storage.path(directory), ignore_errors=True)


def _remove_other_runs(export: ArchiveExport, directory: str) -> None:
    """Files left by an earlier run that died: only this run's are referenced by the row."""
    parent = Path(default_storage.path(directory)).parent
    for leftover in parent.glob(f"{export.pk}-*"):
        if leftover.name != Path(directory).name:
            shutil.rmtree(leftover, ignore_errors=True)


def _build(export: ArchiveExport, token: str, directory: str) -> None:
    ids = list(
        archived_reminders(
            business_id=export.business_id,
            date_from=export.date_from,
            date_to=export.date_to,
            include_inactive=export.include_inactive,
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise ArchiveError(
            "Plus aucune relance à archiver sur cette période : elles ont été désactivées depuis la demande."
        )
    _report_progress(export.pk, token, progress_total=len(ids), progress_done=0)
    root = Path(default_storage.path(directory))
    root.mkdir(parents=True, exist_ok=True)
    stem = export.download_stem
    zip_path, pdf_path, manifest_path = root / f"{stem}.zip", root / f"{stem}.pdf", root / "manifest.part"
    title = f"Lettres de relance du {short_date(export.date_from)} au {short_date(export.date_to)} – {export.business}"
    with (
        zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        manifest_path.open("w", encoding="utf-8-sig", newline="") as manifest,
        PdfConcatenation(pdf_path, title=title, author=str(export.business)) as merged,
    ):
        rows = csv.writer(manifest, delimiter=";")
        rows.writerow(MANIFEST_HEADER)
        chunks = (
            _archive_chunk(ids[start : start + CHUNK_SIZE], archive, rows) for start in range(0, len(ids), CHUNK_SIZE)
        )
        done = 0
        for letters, pdf in _rendered(chunks, several=len(ids) > CHUNK_SIZE):
            merged.append(io.BytesIO(pdf))
            done += len(letters)
            _report_progress(export.pk, token, progress_done=done)
        manifest.close()
        archive.write(manifest_path, MANIFEST_NAME)
    manifest_path.unlink()
    finished = _owned(export.pk, token).update(
        status=ArchiveExport.Status.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress_done=len(ids),
        merged_pdf=f"{directory}/{pdf_path.name}",
        merged_pdf_size=pdf_path.stat().st_size,
        zip_file=f"{directory}/{zip_path.name}",
        zip_size=zip_path.stat().st_size,
    )
    if not finished:
        raise _Superseded


def _rendered(chunks: Iterator[list[LetterData]], *, several: bool) -> Iterator[tuple[list[LetterData], bytes]]:
    """Each chunk with its merged-letters PDF, in order.

    Typst's memoisation grows with every distinct letter one process compiles (10,000 letters
    reach 755 MB, bench/README.md), so an archive of several chunks is compiled in two child
    processes, each replaced after RENDERS_PER_PROCESS chunks: memory stays bounded and the
    second core works too. At most two chunks are in flight, so the merge still streams.
    A single chunk is compiled here: a child process would cost more than it saves."""
    if not several:
        for letters in chunks:
            yield letters, render_letters_pdf(letters)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context, max_tasks_per_child=RENDERS_PER_PROCESS) as pool:
        in_flight: deque[tuple[list[LetterData], Future[bytes]]] = deque()
        for letters in chunks:
            in_flight.append((letters, pool.submit(render_letters_pdf, letters)))
            if len(in_flight) == 2:
                ready, future = in_flight.popleft()
                yield ready, future.result()
        while in_flight:
            ready, future = in_flight.popleft()
            yield ready, future.result()


def _archive_chunk(ids: list[int], archive: zipfile.ZipFile, rows: Any) -> list[LetterData]:
    """Copy the chunk's stored letters into the ZIP, write their manifest rows, return their letters."""
    letters = []
    for reminder in Reminder.objects.filter(pk__in=ids).order_by("frozen_at", "id"):
        rendered = rendered_from_snapshot(reminder)
        name, digest = _add_stored_pdf(archive, reminder)
        rows.writerow(_manifest_row(reminder, rendered.facts, name, digest))
        letters.append(rendered.letter)
    return letters


def _add_stored_pdf(archive: zipfile.ZipFile, reminder: Reminder) -> tuple[str, str]:
    """The frozen PDF into the ZIP as stored, its SHA-256 checked against the one recorded at freezing."""
    name = reminder.pdf_filename
    assert reminder.frozen_at is not None
    member = zipfile.ZipInfo(name, date_time=timezone.localtime(reminder.frozen_at).timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    digest = hashlib.sha256()
    try:
        with reminder.pdf.open("rb") as source, archive.open(member, "w") as target:
            while block := source.read(COPY_BLOCK):
                digest.update(block)
                target.write(block)
    except (OSError, ValueError):
        raise ArchiveError(
            f"Le PDF de la relance {reminder.reference} est introuvable sur le serveur : l’archive n’a pas été "
            "produite. Contactez le support."
        ) from None
    if digest.hexdigest() != reminder.pdf_sha256:
        raise ArchiveError(
            f"Le PDF de la relance {reminder.reference} ne correspond plus à l’empreinte SHA-256 enregistrée à sa "
            "création : il a été modifié ou abîmé. L’archive n’a pas été produite. Contactez le support."
        )
    return name, digest.hexdigest()


def _spreadsheet_text(value: str) -> str:
    """A client name like "=HYPERLINK(…)" must stay text when the manifest is opened in a spreadsheet."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _manifest_row(reminder: Reminder, facts: ReminderFacts, name: str, digest: str) -> list[str]:
    """The letter as it went out: client and invoices come from the snapshot, not from today's data."""
    assert reminder.frozen_at is not None
    # Part of the proof, like the letters: French whatever language the request that built it used.
    with translation.override("fr"):
        status = str(reminder.get_status_display())
        level = str(reminder.get_level_display())
        channel = str(reminder.get_channel_display())
    if reminder.deactivated_at is not None:
        status += " (désactivée)"
    return [
        name,
        _spreadsheet_text(facts.client.name),
        _spreadsheet_text(", ".join(invoice.number for invoice in facts.invoices)),
        f"{reminder.level} – {level}",
        channel,
        short_date(timezone.localdate(reminder.frozen_at)),
        status,
        digest,
    ]
