"""Tags of the ledger pages: sortable column headers, bar widths."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], label: str, key: str, current: str, css: str = "") -> str:
    """A column header that sorts by `key` ("-field" to sort descending first), and in the
    other direction when the list is already sorted by that field."""
    request = context["request"]
    field = key.removeprefix("-")
    if current == field:
        aria, arrow, target = "ascending", " ▲", f"-{field}"
    elif current == f"-{field}":
        aria, arrow, target = "descending", " ▼", field
    else:
        aria, arrow, target = "none", "", key
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = target
    href = "?" + params.urlencode()
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="{}" hx-get="{}">{}{}</a></th>',
        css,
        aria,
        href,
        href,
        label,
        arrow,
    )


@register.filter
def bar_width(amount: Decimal, largest: Decimal) -> str:
    """Width of a chart bar in percent, as a CSS number with a dot whatever the locale."""
    if not largest:
        return "0"
    return f"{Decimal(amount) / Decimal(largest) * 100:.1f}"
