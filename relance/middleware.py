from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Content-Security-Policy on every response (Django 5.2 has no built-in CSP)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return middleware


def private_when_authenticated(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Nothing shown to a logged-in user (or an API token) is kept by a browser or a proxy cache:
    the next person on the same computer, or behind the same proxy, must not read it.

    Placed after the authentication middleware, so static files (served before it) are left alone;
    it replaces any Cache-Control a view set, since a private page must never outlive the session.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return middleware
