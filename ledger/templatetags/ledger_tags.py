"""Tags of the ledger pages: sortable column headers, last-reminder wording, bar widths."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

REMINDER_STATES = {
    "sent": gettext_lazy("envoyée"),
    "saved": gettext_lazy("enregistrée"),
    "sending": gettext_lazy("en cours d’envoi"),
    "send_failed": gettext_lazy("non envoyée (échec)"),
    "send_uncertain": gettext_lazy("envoi incertain"),
}


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


class LastReminderWords:
    """ "Relance 1 envoyée le 12/10", from the annotations of `dunning.queries.with_last_reminder`.

    The words are translated once: a page of 25 rows would otherwise translate them 75 times.
    """

    def __init__(self) -> None:
        self.states = {key: str(state) for key, state in REMINDER_STATES.items()}
        self.undated = _("Relance %(level)s %(state)s")
        self.dated = _("Relance %(level)s %(state)s le %(day)s")
        self.year = timezone.localdate().year

    def __call__(self, invoice: Any) -> str:
        level = getattr(invoice, "last_reminder_level", None)
        if not level:
            return ""
        at = getattr(invoice, "last_reminder_at", None)
        state = self.states.get(getattr(invoice, "last_reminder_status", ""), self.states["saved"])
        if at is None:
            return self.undated % {"level": level, "state": state}
        day = timezone.localtime(at).date() if isinstance(at, dt.datetime) else at
        shown = f"{day:%d/%m}" if day.year == self.year else f"{day:%d/%m/%Y}"
        return self.dated % {"level": level, "state": state, "day": shown}


@register.filter
def bar_width(amount: Decimal, largest: Decimal) -> str:
    """Width of a chart bar in percent, as a CSS number with a dot whatever the locale."""
    if not largest:
        return "0"
    return f"{Decimal(amount) / Decimal(largest) * 100:.1f}"
