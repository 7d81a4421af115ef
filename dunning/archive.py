"""PDF archive of reminders (PRODUCT.md §2 item 11): a ZIP of the letters with a manifest, and one merged PDF.

Proof and convenience are kept apart. The ZIP holds each reminder's stored PDF/A byte for byte,
and `manifest.csv` gives the SHA-256 of every file as written to the ZIP, checked against the
hash recorded when the reminder was frozen (`Reminder.pdf_sha256`): the ZIP is the proof. The
merged PDF is for printing: Typst renders the letters again from their snapshots, a chunk at a
time, and the chunks are concatenated, which gives up the PDF/A conformance and tagging of the
parts. The page says so.

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
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    create_string_object,
)

from accounts.models import Business, User
from core.audit import record
from core.dates import check_dates
from core.formats import short_date
from dunning.facts import rendered_from_snapshot
from dunning.letter import LetterData, render_letters_pdf
from dunning.models import ArchiveExport, Reminder
from dunning.placeholders import ReminderFacts

logger = logging.getLogger(__name__)

# Letters per Typst document; progress moves once per chunk. Larger chunks need more memory
# per compilation and are no faster (bench/README.md).
CHUNK_SIZE = 20
# Chunks one render process compiles before it is replaced (see `_rendered`).
RENDERS_PER_PROCESS = 5
# A running export whose worker has not reported for this long is taken over by the next run.
STALE_AFTER = dt.timedelta(minutes=10)
COPY_BLOCK = 64 * 1024
# What went out: a draft has no letter, and a reminder still being sent or whose sending failed
# has not reached the client.
ARCHIVED_STATUSES = (Reminder.Status.SAVED, Reminder.Status.SENT)
MANIFEST_NAME = "manifest.csv"
MANIFEST_HEADER = ["Fichier", "Client", "Factures", "Niveau", "Canal", "Date", "Statut", "SHA-256"]


class ArchiveError(Exception):
    """The archive cannot be built; the message, in French, is shown on the export's page."""


class _Superseded(Exception):
    """Another run of the task owns the export now: this one stops and removes its files."""


# Selection and request


def _paris_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first midnight, midnight after the last day) in Paris time, so the (business, frozen_at) index serves."""
    paris = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=paris)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=paris)
    return start, end


def archived_reminders(
    *, business_id: int, date_from: dt.date, date_to: dt.date, include_inactive: bool
) -> QuerySet[Reminder]:
    """Saved and sent reminders frozen between the two Paris dates (inclusive), oldest first."""
    start, end = _paris_bounds(date_from, date_to)
    reminders = Reminder.objects.filter(
        business_id=business_id, status__in=ARCHIVED_STATUSES, frozen_at__gte=start, frozen_at__lt=end
    )
    if not include_inactive:
        reminders = reminders.filter(deactivated_at__isnull=True)
    return reminders.order_by("frozen_at", "id")


def request_archive_export(
    *,
    business: Business,
    actor: User | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    include_inactive: bool = False,
) -> tuple[ArchiveExport, bool]:
    """Record the request and build the archive in the background, after commit: `(export, created)`.

    The same range asked again while its archive is still being built gives that export back
    (`created` false), so a double click does not build it twice.
    """
    check_dates(date_from=date_from, date_to=date_to)
    errors = {}
    if date_from is None:
        errors["date_from"] = _("Indiquez la date de début.")
    if date_to is None:
        errors["date_to"] = _("Indiquez la date de fin.")
    if errors:
        raise ValidationError(errors)
    assert date_from is not None and date_to is not None
    if date_to < date_from:
        raise ValidationError({"date_to": _("La date de fin précède la date de début.")})
    selection: dict[str, Any] = {"business_id": business.pk, "date_from": date_from, "date_to": date_to}
    if not archived_reminders(**selection, include_inactive=include_inactive).exists():
        period = {"start": short_date(date_from), "end": short_date(date_to)}
        message = (
            _(
                "Aucune relance enregistrée ou envoyée du %(start)s au %(end)s : il n’y a rien à archiver. "
                "Élargissez la période."
            )
            % period
        )
        if not include_inactive and archived_reminders(**selection, include_inactive=True).exists():
            message = (
                _(
                    "Les seules relances du %(start)s au %(end)s sont désactivées : cochez « Inclure les relances "
                    "désactivées » pour les archiver."
                )
                % period
            )
        raise ValidationError({NON_FIELD_ERRORS: message})
    with transaction.atomic():
        pending = ArchiveExport.objects.filter(
            **selection,
            include_inactive=include_inactive,
            status__in=[ArchiveExport.Status.QUEUED, ArchiveExport.Status.RUNNING],
        ).first()
        if pending is not None:
            return pending, False
        export = ArchiveExport.objects.create(
            business=business,
            requested_by=actor if actor is not None and actor.pk else None,
            date_from=date_from,
            date_to=date_to,
            include_inactive=include_inactive,
        )
        record(
            business=business,
            actor=actor,
            action="archive_requested",
            obj=export,
            changes={"date_from": date_from, "date_to": date_to, "include_inactive": include_inactive},
        )
        export_id = export.pk
        transaction.on_commit(lambda: build_archive_export.enqueue(export_id))
    return export, True


# The background task


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


# Merging PDFs without holding them


class PdfConcatenation:
    """The pages of several PDFs appended to one file as they come.

    Each appended document's pages, and everything they reference (fonts, images,
    annotations), are written out at once under new object numbers; what stays in memory is one
    byte offset per object and one number per page. Streams are copied as read, still
    compressed; the parts' catalogs (outline, structure tree, PDF/A metadata) are not copied.
    """

    CATALOG, PAGES, INFO = 1, 2, 3

    def __init__(self, path: Path, *, title: str, author: str) -> None:
        self._file: IO[bytes] = path.open("wb")
        # Indexed by object number; 0 heads the free list, 1–3 are written last.
        self._offsets = array("q", [0, 0, 0, 0])
        self._pages = array("q")
        self._info = {"/Title": title, "/Author": author, "/Producer": "Relance"}
        self._file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def __enter__(self) -> "PdfConcatenation":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.close()
        else:
            self._file.close()

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def append(self, source: BinaryIO) -> int:
        """Append every page of the PDF read from `source`; returns the number of pages added."""
        reader = PdfReader(source)
        numbers: dict[tuple[int, int], int] = {}
        pending: list[IndirectObject] = []
        pages: dict[tuple[int, int], DictionaryObject] = {}

        def renumber(indirect: IndirectObject) -> IndirectObject:
            key = (indirect.idnum, indirect.generation)
            if key not in numbers:
                target = indirect.get_object()
                # The part's page tree is replaced by ours; following it would copy every page again.
                if isinstance(target, DictionaryObject) and target.get("/Type") == "/Pages":
                    return IndirectObject(self.PAGES, 0, None)
                self._offsets.append(0)
                numbers[key] = len(self._offsets) - 1
                pending.append(indirect)
            return IndirectObject(numbers[key], 0, None)

        for page in reader.pages:
            reference = page.indirect_reference
            assert reference is not None
            # The PageObject, not the raw dictionary: pypdf has copied onto it what the page
            # inherits from its page tree (resources, media box), which our tree does not carry.
            pages[(reference.idnum, reference.generation)] = page
            self._pages.append(renumber(reference).idnum)
        while pending:
            indirect = pending.pop()
            key = (indirect.idnum, indirect.generation)
            page_object = pages.get(key)
            copied = self._copy(page_object if page_object is not None else indirect.get_object(), renumber)
            if page_object is not None:
                assert isinstance(copied, DictionaryObject)
                copied[NameObject("/Parent")] = IndirectObject(self.PAGES, 0, None)
            self._write(numbers[key], copied)
        return len(reader.pages)

    def _copy(self, value: Any, renumber: Callable[[IndirectObject], IndirectObject]) -> PdfObject:
        if isinstance(value, IndirectObject):
            return renumber(value)
        if isinstance(value, StreamObject):
            stream = StreamObject()
            # The encoded bytes as read: copying must not decompress and recompress the content.
            stream._data = value._data
            for key, item in value.items():
                stream[NameObject(key)] = self._copy(item, renumber)
            return stream
        if isinstance(value, DictionaryObject):
            dictionary = DictionaryObject()
            for key, item in value.items():
                dictionary[NameObject(key)] = self._copy(item, renumber)
            return dictionary
        if isinstance(value, ArrayObject):
            return ArrayObject(self._copy(item, renumber) for item in value)
        assert isinstance(value, PdfObject)
        return value

    def _write(self, number: int, value: PdfObject) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(f"{number} 0 obj\n".encode())
        value.write_to_stream(self._file)
        self._file.write(b"\nendobj\n")

    def _write_raw(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    def close(self) -> None:
        """Write the page tree, catalog, information dictionary, cross-reference table and trailer."""
        self._offsets[self.PAGES] = self._file.tell()
        self._file.write(f"{self.PAGES} 0 obj\n<< /Type /Pages /Count {len(self._pages)} /Kids [".encode())
        for number in self._pages:
            self._file.write(f" {number} 0 R".encode())
        self._file.write(b" ] >>\nendobj\n")
        self._write_raw(self.CATALOG, f"<< /Type /Catalog /Pages {self.PAGES} 0 R /Lang (fr-FR) >>".encode())
        info = DictionaryObject({NameObject(key): create_string_object(value) for key, value in self._info.items()})
        self._write(self.INFO, info)
        xref_at = self._file.tell()
        self._file.write(f"xref\n0 {len(self._offsets)}\n0000000000 65535 f \n".encode())
        for offset in self._offsets[1:]:
            self._file.write(f"{offset:010d} 00000 n \n".encode())
        file_id = secrets.token_hex(16)
        self._file.write(
            f"trailer\n<< /Size {len(self._offsets)} /Root {self.CATALOG} 0 R /Info {self.INFO} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )
        self._file.close()
