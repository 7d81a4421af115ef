from django_tasks import task

from accounts.emails import password_reset_message
from accounts.models import User


@task()
def send_password_reset_email(user_id: int, domain: str, protocol: str) -> None:
    """Takes ids, not a token: the link is made when the e-mail leaves, and the queue holds no secret."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("business").first()
    if user is None:
        return
    password_reset_message(user, domain=domain, protocol=protocol).send()
