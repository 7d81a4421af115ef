"""E-mails about the account itself (the reminders' e-mails live in dunning).

Each message has three templates in templates/emails/: `<name>_subject.txt`, `<name>.txt`, `<name>.html`.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PendingSignup, User
from accounts.signup_links import SIGNUP_CONFIRMATION_DAYS, signup_token


def site_link(path: str) -> str:
    """Every link sent by e-mail starts with SITE_URL, never with the Host header of the request
    that caused the e-mail: a forged Host would otherwise send the owner's link to another site."""
    return f"{settings.SITE_URL}{path}"


def _message(name: str, context: dict[str, Any], *, to: str) -> EmailMultiAlternatives:
    context = {**context, "site_url": settings.SITE_URL}
    subject = "".join(render_to_string(f"emails/{name}_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message


def password_reset_message(user: User) -> EmailMultiAlternatives:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "business": user.business,
        "reset_url": site_link(path),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    return _message("password_reset", context, to=user.email)


def signup_confirmation_message(pending: PendingSignup) -> EmailMultiAlternatives:
    path = reverse("accounts:signup_confirm", kwargs={"token": signup_token(pending)})
    context = {
        "email": pending.email,
        "business_name": pending.business_name,
        "confirm_url": site_link(path),
        "valid_days": SIGNUP_CONFIRMATION_DAYS,
    }
    return _message("signup_confirm", context, to=pending.email)


def account_exists_message(user: User) -> EmailMultiAlternatives:
    """Someone tried to sign up with an address that already has an account."""
    context = {
        "user": user,
        "login_url": site_link(reverse("accounts:login")),
        "reset_url": site_link(reverse("accounts:password_reset")),
    }
    return _message("account_exists", context, to=user.email)
