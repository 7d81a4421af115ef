"""E-mails about the account, sent in the background.

Tasks take ids, not tokens or links: the link is made when the e-mail leaves, so the queue holds
no secret. Each is written in the language of the page the request came from, wherever the
worker runs.
"""

from django.utils import translation
from django_tasks import task

from accounts.emails import account_exists_message, password_reset_message, signup_confirmation_message
from accounts.models import PendingSignup, User


def _active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).select_related("business").first()


@task()
def send_password_reset_email(user_id: int, language: str = "fr") -> None:
    user = _active_user(user_id)
    if user is None:
        return
    with translation.override(language):
        message = password_reset_message(user)
    message.send()


@task()
def send_signup_confirmation_email(pending_id: int, language: str = "fr") -> None:
    pending = PendingSignup.objects.filter(pk=pending_id).first()
    if pending is None:
        return
    with translation.override(language):
        message = signup_confirmation_message(pending)
    message.send()


@task()
def send_account_exists_email(user_id: int, language: str = "fr") -> None:
    user = _active_user(user_id)
    if user is None:
        return
    with translation.override(language):
        message = account_exists_message(user)
    message.send()
