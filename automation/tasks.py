"""The daily summary e-mail, sent in the background. Takes ids and moments; safe to run twice
(the second run sends the same figures again, which is harmless for a summary)."""

import datetime as dt

from django.utils import translation
from django_tasks import task

from accounts.models import Business
from automation.emails import summary_message
from automation.figures import counts_since


@task()
def send_summary_email(business_id: int, since: str, until: str) -> str:
    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        return "gone"
    counts = counts_since(business_id, dt.datetime.fromisoformat(since) if since else None)
    with translation.override("fr"):
        message = summary_message(business, counts, day=dt.datetime.fromisoformat(until).date())
    if message is None:
        return "no address"
    message.send()
    return "sent"
