from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


class _Counted:
    """Rows whose number is already known: the paginator takes it instead of a COUNT query."""

    def __init__(self, rows: Any, count: int) -> None:
        self.rows = rows
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]


def paginate(request: HttpRequest, rows: Any, size: int = PAGE_SIZE, count: int | None = None) -> Page[Any]:
    """The page `?page=` asks for; out-of-range or garbage numbers give the nearest valid page.

    `count`, when the caller knows how many rows there are (from a summary it shows anyway),
    spares the COUNT query: only the page's rows are read.
    """
    source: Any = rows if count is None else _Counted(rows, count)
    return Paginator(source, size).get_page(request.GET.get("page"))
