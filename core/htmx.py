"""Partial responses for htmx requests; every page also answers a plain full-page request."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_partial(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) needs the whole page.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, partial if is_partial(request) else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
