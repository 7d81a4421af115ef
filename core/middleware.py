from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.defaults import page_not_found

from core.errors import NotFound


def domain_errors(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A service's `NotFound` answers the site's 404 page, like a failed permission-checked lookup."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return get_response(request)

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return page_not_found(request, exception)
        return None

    middleware.process_exception = process_exception  # type: ignore[attr-defined]
    return middleware
