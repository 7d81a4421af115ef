"""The signed links of sign-up e-mails: what they carry, and how long they stay good."""

import datetime as dt

from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import PendingSignup

SIGNUP_CONFIRMATION_DAYS = 3
SIGNUP_LINK_SALT = "accounts.signup"


def signup_token(pending: PendingSignup) -> str:
    return signing.dumps({"id": pending.pk, "email": pending.email}, salt=SIGNUP_LINK_SALT)


def pending_signups(token: str) -> QuerySet[PendingSignup]:
    try:
        data = signing.loads(token, salt=SIGNUP_LINK_SALT)
    except signing.BadSignature:
        return PendingSignup.objects.none()
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("email"), str):
        return PendingSignup.objects.none()
    expired = timezone.now() - dt.timedelta(days=SIGNUP_CONFIRMATION_DAYS)
    return PendingSignup.objects.filter(pk=data["id"], email=data["email"], created_at__gte=expired)
