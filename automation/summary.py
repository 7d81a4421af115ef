"""The daily summary e-mail to the business: what the automatic reminders did since the last one.

Sent by the first pass after the end of the sending window, once a day, only when there is
something to tell; the e-mail leaves after commit, in a task (`automation.tasks`).
"""

import datetime as dt

from django.db import transaction

from automation import window
from automation.figures import counts_since
from automation.models import AutomationSettings
from automation.tasks import send_summary_email


def send_if_due(automation: AutomationSettings, now: dt.datetime) -> bool:
    """Once a day after the window closes: claim the day (a conditional UPDATE: one scheduler
    sends it), then enqueue the e-mail after commit."""
    local = now.astimezone(window.PARIS)
    today = local.date()
    if local.time().replace(tzinfo=None) < automation.window_end or automation.summary_sent_on == today:
        return False
    with transaction.atomic():
        since = automation.summary_sent_at
        claimed = (
            AutomationSettings.objects.filter(pk=automation.pk)
            .exclude(summary_sent_on=today)
            .update(summary_sent_on=today, summary_sent_at=now)
        )
        if not claimed:
            return False
        counts = counts_since(automation.business_id, since)
        if not counts.anything:
            return False
        business_id = automation.business_id
        since_text = since.isoformat() if since else ""
        transaction.on_commit(lambda: send_summary_email.enqueue(business_id, since_text, now.isoformat()))
    return True
