"""The daily summary of the automatic reminders, to the business's users."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.emails import site_link
from accounts.models import Business
from automation.figures import Counts


def summary_message(business: Business, counts: Counts, *, day: dt.date) -> EmailMultiAlternatives | None:
    recipients = sorted(business.users.filter(is_active=True).values_list("email", flat=True)) or (
        [business.email] if business.email else []
    )
    if not recipients:
        return None
    context = {
        "business": business,
        "counts": counts,
        "day": day,
        "approvals_url": site_link(reverse("automation:approvals")),
        "site_url": settings.SITE_URL,
    }
    subject = "".join(render_to_string("emails/automation_summary_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/automation_summary.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string("emails/automation_summary.html", context), "text/html")
    return message
