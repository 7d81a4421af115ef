"""The figures of the daily summary: what the automatic reminders did since a moment."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from automation.models import AutoReminder
from dunning.models import Reminder


@dataclass(frozen=True)
class Counts:
    sent: int
    letters: int
    awaiting: int
    failed: int

    @property
    def anything(self) -> bool:
        return bool(self.sent or self.letters or self.awaiting or self.failed)

    @property
    def sentence(self) -> str:
        """ "3 relances envoyées, 1 en attente de validation, 1 échec" (French plural: 2 and more)."""

        def plural(count: int, one: str, many: str) -> str:
            return f"{count} {one if count < 2 else many}"

        parts = [plural(self.sent, "relance envoyée", "relances envoyées")]
        if self.letters:
            parts.append(plural(self.letters, "courrier à imprimer", "courriers à imprimer"))
        parts.append(f"{self.awaiting} en attente de validation")
        parts.append(plural(self.failed, "échec", "échecs"))
        return ", ".join(parts)


FAILED_SENDS = [Reminder.Status.SEND_FAILED, Reminder.Status.SEND_UNCERTAIN]


def counts_since(business_id: int, since: dt.datetime | None) -> Counts:
    """One query: what was decided since `since`, and what waits for approval now."""
    made = Q(created_at__gte=since) if since is not None else Q()
    sent = Q(status=AutoReminder.Status.SENT)
    failed_send = sent & Q(reminder__status__in=FAILED_SENDS)
    figures = AutoReminder.objects.filter(business_id=business_id).aggregate(
        sent=Count("pk", filter=made & sent & ~Q(reminder__status__in=FAILED_SENDS)),
        letters=Count("pk", filter=made & Q(status=AutoReminder.Status.SAVED)),
        failed=Count("pk", filter=made & (Q(status=AutoReminder.Status.FAILED) | failed_send)),
        awaiting=Count("pk", filter=Q(status=AutoReminder.Status.AWAITING_APPROVAL)),
    )
    return Counts(**figures)
