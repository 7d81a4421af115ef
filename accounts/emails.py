"""E-mails about the account itself (the reminders' e-mails live in dunning)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


def password_reset_message(user: User, *, domain: str, protocol: str) -> EmailMultiAlternatives:
    """The reset link points at the host the request came to, so it works on every deployment."""
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
        "reset_url": f"{protocol}://{domain}{path}",
        "site_url": f"{protocol}://{domain}",
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    subject = "".join(render_to_string("emails/password_reset_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    return message
