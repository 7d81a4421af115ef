"""PDF archive of reminders: a ZIP of the letters with a manifest, and one merged PDF.

Proof and convenience are kept apart. The ZIP holds each reminder's stored PDF/A byte for byte,
and `manifest.csv` gives the SHA-256 of every file as written to the ZIP, checked against the
hash recorded when the reminder was frozen (`Reminder.pdf_sha256`): the ZIP is the proof. The
merged PDF is for printing: Typst renders the letters again from their snapshots, a chunk at a
time, and the chunks are concatenated, which gives up the PDF/A conformance and tagging of the
parts. The page says so.

Here the request and its rules; the building, in the background, is `dunning.archive_task`; the
concatenation of the merged PDF, `dunning.pdf_merge`; the selection, `dunning.queries.archived_reminders`.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Business, User
from core.audit import record
from core.dates import check_dates
from core.formats import short_date
from dunning.archive_task import build_archive_export
from dunning.models import ArchiveExport
from dunning.queries import archived_reminders


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
