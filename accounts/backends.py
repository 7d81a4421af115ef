"""Log in with the e-mail address; the user comes with their business in one query.

Every page needs both (the tenant of every lookup, the summary's cache key): Django's own
backend reads the user, then the business on first use, which is one query more per request.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserWithBusinessBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("business").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
