from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, rows: Any, size: int = PAGE_SIZE) -> Page[Any]:
    """The page `?page=` asks for; out-of-range or garbage numbers give the nearest valid page."""
    return Paginator(rows, size).get_page(request.GET.get("page"))
