from django.utils import translation
from django_tasks import task

from accounts.emails import password_reset_message
from accounts.models import User


@task()
def send_password_reset_email(user_id: int, domain: str, protocol: str, language: str = "fr") -> None:
    """Takes ids, not a token: the link is made when the e-mail leaves, and the queue holds no secret.

    Written in the language of the page the request came from, wherever the worker runs."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("business").first()
    if user is None:
        return
    with translation.override(language):
        message = password_reset_message(user, domain=domain, protocol=protocol)
    message.send()
