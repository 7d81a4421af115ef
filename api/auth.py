"""Bearer-token authentication for the API: tokens are stored hashed, revocable."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = (
            ApiToken.objects.active()
            .select_related("user", "user__business")
            .filter(key_hash=ApiToken.hash_key(token), user__is_active=True)
            .first()
        )
        if api_token is None or api_token.user.business_id is None:
            return None
        now = timezone.now()
        # One write per minute at most per token: "last used" needs no finer grain.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


token_auth = TokenAuth()


def business_of(request: HttpRequest) -> Any:
    """The authenticated user's business (every API lookup is scoped to it)."""
    return request.auth.business  # type: ignore[attr-defined]


def actor_of(request: HttpRequest) -> User:
    """The user whose token authenticated the request (routes behind `token_auth` only)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
