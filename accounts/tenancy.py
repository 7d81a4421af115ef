"""Who is asking, and for which business: the typed request and the one way to the tenant.

Every lookup of a page or API route is scoped to `business_id_of(request.user)`; a user without
a business (a bare superuser) gets 404 everywhere, like an id that does not exist.
"""

from typing import Any

from django.http import Http404, HttpRequest

from accounts.models import Business, User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required` (or an API route behind a token)."""

    user: User


def business_id_of(user: Any) -> int:
    business_id = getattr(user, "business_id", None)
    if business_id is None:
        raise Http404("Aucune entreprise n’est liée à ce compte.")
    return int(business_id)


def current_business(request: AuthenticatedHttpRequest) -> Business:
    """The user's business, as loaded with the user (no extra query when already cached)."""
    business = request.user.business
    if business is None:
        raise Http404("Aucune entreprise n’est liée à ce compte.")
    return business
