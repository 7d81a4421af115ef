"""Requests of full-account exports: the one writer of `AccountExport` rows besides their task."""

from django.db import transaction

from accounts.models import Business, User
from core.audit import record
from exports.models import AccountExport
from exports.tasks import build_account_export


def request_account_export(*, business: Business, actor: User | None) -> tuple[AccountExport, bool]:
    """Record the request and build the ZIP in the background, after commit: `(export, created)`.

    While one export of the business is queued or being built, asking again gives it back
    (`created` false): a double click does not build two. The business row is locked so that
    two simultaneous requests see each other.
    """
    with transaction.atomic():
        Business.objects.select_for_update().filter(pk=business.pk).first()
        pending = AccountExport.objects.filter(
            business=business, status__in=[AccountExport.Status.QUEUED, AccountExport.Status.RUNNING]
        ).first()
        if pending is not None:
            return pending, False
        export = AccountExport.objects.create(
            business=business, requested_by=actor if actor is not None and actor.pk else None
        )
        record(business=business, actor=actor, action="account_export_requested", obj=export)
        export_id = export.pk
        transaction.on_commit(lambda: build_account_export.enqueue(export_id))
    return export, True
