"""The CSV import's writers: receive a file, set its mapping, start a dry run or the commit.

The rows of the books are written by `ledger.services` only, called by `imports.csv_import`
(row by row, or a batch at a time); here only the `CsvImport` row and the stored file are written.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Business, User
from core.audit import record
from core.errors import Conflict
from imports.csv_fields import FIELDS, KINDS, guess_mapping, missing_required
from imports.csv_format import UnreadableFile, detect_format
from imports.csv_task import run_csv_import
from imports.models import CsvImport

MIB = 1024 * 1024
# Up to 200,000 rows of invoices, about 20 Mo.
MAX_FILE_BYTES = 20 * MIB


def sync_max_rows() -> int:
    """Files of more rows run in the background (and the API answers 202)."""
    return int(getattr(settings, "IMPORT_CSV_SYNC_MAX_ROWS", 2000))


def receive_csv(*, business: Business, actor: User | None, kind: str, upload: "UploadedFile[Any] | None") -> CsvImport:
    """Store the file, detect its format and propose a mapping; nothing is imported yet."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Choisissez ce que contient le fichier : clients, factures ou règlements.")
    if upload is None:
        errors["file"] = _("Choisissez un fichier CSV.")
    elif upload.size is not None and upload.size > MAX_FILE_BYTES:
        errors["file"] = _("Ce fichier dépasse %(size)s Mo : découpez-le en plusieurs fichiers.") % {
            "size": MAX_FILE_BYTES // MIB
        }
    elif not upload.size:
        errors["file"] = _("Le fichier est vide.")
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    csv_import = CsvImport(
        business=business,
        requested_by=actor if actor is not None and actor.pk else None,
        kind=kind,
        original_name=(upload.name or "import.csv")[-200:],
        size=upload.size or 0,
    )
    csv_import.file.save("import.csv", upload, save=False)
    try:
        with csv_import.file.open("rb") as stream:
            detected = detect_format(stream)
    except UnreadableFile as error:
        csv_import.file.delete(save=False)
        raise ValidationError({"file": str(error)}) from None
    csv_import.encoding, csv_import.delimiter = detected.encoding, detected.delimiter
    csv_import.headers, csv_import.rows_total = detected.headers, detected.rows
    csv_import.mapping = guess_mapping(kind, detected.headers)
    with transaction.atomic():
        csv_import.save()
        record(
            business=business,
            actor=actor,
            action="csv_import_received",
            obj=csv_import,
            changes={"kind": kind, "rows": detected.rows, "file": csv_import.original_name},
        )
    return csv_import


def checked_mapping(csv_import: CsvImport, mapping: dict[str, Any]) -> dict[str, int]:
    """Field key → column index, from a form or the API; refuses an unknown column or a missing field."""
    keys = {field.key for field in FIELDS[csv_import.kind]}
    checked: dict[str, int] = {}
    for key, column in mapping.items():
        if column in (None, ""):
            continue
        if key not in keys:
            raise ValidationError({"mapping": _("Champ inconnu : %(key)s.") % {"key": key}})
        try:
            index = int(column)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(csv_import.headers):
            raise ValidationError({key: _("Cette colonne n’existe pas dans le fichier.")})
        checked[key] = index
    missing = missing_required(csv_import.kind, checked)
    if missing:
        raise ValidationError(
            {"mapping": _("Associez une colonne du fichier à : %(fields)s.") % {"fields": ", ".join(missing)}}
        )
    return checked


def mapping_by_header(csv_import: CsvImport, text: str) -> dict[str, Any]:
    """The proposed mapping corrected by a JSON object field → header (null: not imported)."""
    try:
        corrections = json.loads(text)
    except ValueError:
        corrections = None
    if not isinstance(corrections, dict):
        raise ValidationError({"mapping": _("La correspondance doit être un objet JSON champ → en-tête de colonne.")})
    mapping: dict[str, Any] = dict(csv_import.mapping)
    for key, header in corrections.items():
        if header is None:
            mapping.pop(key, None)
        elif header in csv_import.headers:
            mapping[key] = csv_import.headers.index(header)
        else:
            raise ValidationError({"mapping": _("Aucune colonne « %(header)s » dans le fichier.") % {"header": header}})
    return mapping


def start_csv_run(
    *, csv_import: CsvImport, actor: User | None, dry_run: bool, mapping: dict[str, Any] | None = None
) -> CsvImport:
    """Queue a dry run or the commit, with the mapping given or the stored one.

    A file of at most `sync_max_rows()` rows runs now, before this returns; a larger one in the
    background, after commit. The page offers the commit only after a dry run without errors;
    the API may commit at once: a commit with any error writes nothing either.
    """
    with transaction.atomic():
        locked = CsvImport.objects.select_for_update().get(pk=csv_import.pk)
        if locked.is_busy:
            raise Conflict(_("Ce fichier est déjà en cours de traitement : attendez la fin."))
        if locked.committed_at is not None:
            raise Conflict(_("Ce fichier a déjà été importé."))
        locked.mapping = checked_mapping(locked, locked.mapping if mapping is None else mapping)
        locked.status = CsvImport.Status.QUEUED
        locked.dry_run = dry_run
        locked.progress_done = 0
        fields = ["mapping", "status", "dry_run", "progress_done"]
        if not dry_run and actor is not None and actor.pk:
            # The rows a commit writes, and its line in the history, are the committer's.
            locked.requested_by = actor
            fields.append("requested_by")
        locked.save(update_fields=fields)
        background = locked.rows_total > sync_max_rows()
        if background:
            import_id = locked.pk
            transaction.on_commit(lambda: run_csv_import.enqueue(import_id))
    if not background:
        run_csv_import.call(locked.pk)
    locked.refresh_from_db()
    return locked
