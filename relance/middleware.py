from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
MIB = 1024 * 1024


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Content-Security-Policy on every response (Django 5.2 has no built-in CSP)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return middleware


def body_size_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """413 for a request whose Content-Length exceeds the limit, before anything reads its body.

    Django reads a body only up to its Content-Length (none: nothing), so the header decides
    alone; without this, a 200 Mo upload is streamed to disk before a form field says "5 Mo".
    Pages: settings.MAX_REQUEST_BYTES; the API: settings.MAX_API_REQUEST_BYTES; the two CSV
    import uploads (the page and the API route, nothing else): settings.MAX_IMPORT_REQUEST_BYTES.
    """
    large_uploads: set[str] = set()

    def limit_for(request: HttpRequest, is_api: bool) -> int:
        if not large_uploads:
            large_uploads.update({reverse("imports:csv_upload"), reverse("api:import_csv")})
        if request.method == "POST" and request.path_info in large_uploads:
            return int(settings.MAX_IMPORT_REQUEST_BYTES)
        return int(settings.MAX_API_REQUEST_BYTES if is_api else settings.MAX_REQUEST_BYTES)

    def middleware(request: HttpRequest) -> HttpResponse:
        is_api = request.path_info.startswith(API_PREFIX)
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            declared = int(raw)
        except ValueError:
            declared = -1
        if declared < 0:
            # Django would raise on it later (a 500): say what is wrong instead.
            return _refusal(request, is_api, 400, _("En-tête Content-Length invalide."))
        limit = limit_for(request, is_api)
        if declared > limit:
            megabytes = limit // MIB
            if is_api:
                message = _("Le corps de la requête dépasse %(size)s Mo : il n’a pas été lu.") % {"size": megabytes}
            else:
                message = _("Cet envoi dépasse %(size)s Mo : il n’a pas été lu.") % {"size": megabytes}
            return _refusal(request, is_api, 413, message)
        return get_response(request)

    return middleware


def _refusal(request: HttpRequest, is_api: bool, status: int, message: str) -> HttpResponse:
    if is_api:
        # The API's own error shape and content type (django-ninja's JSON renderer).
        return JsonResponse({"detail": message}, status=status, content_type="application/json; charset=utf-8")
    return render(request, "request_refused.html", {"message": message, "status": status}, status=status)


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
