"""The rows of a late-payments bucket and the "Relancer" button, built in Python.

A bucket page shows 25 rows of ten cells, each with links, a selection box, badges and a
remind form. Through the template engine that cost about 1 ms a row (measured with the bench's
profile): most of the page. Here each label is translated and each URL pattern reversed once
per page, and a row is one f-string of escaped values; the markup is the same.
"""

import datetime as dt
import html
from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formats import money, short_date

register = template.Library()

REMINDER_STATES = {
    "sent": gettext_lazy("envoyée"),
    "saved": gettext_lazy("enregistrée"),
    "sending": gettext_lazy("en cours d’envoi"),
    "send_failed": gettext_lazy("non envoyée (échec)"),
    "send_uncertain": gettext_lazy("envoi incertain"),
}

# An id no row has: reversed once with it, a URL pattern gives every row's URL by replacement.
_ANY_ID = 987654321


def _url_for_ids(name: str) -> Any:
    pattern = reverse(name, args=[_ANY_ID])
    return lambda pk: pattern.replace(str(_ANY_ID), str(pk))


def _e(value: Any) -> str:
    """What `django.utils.html.escape` gives (it is `html.escape` too), without its lazy-string
    wrapper: a page of rows escapes about a thousand values."""
    return html.escape(str(value), quote=True)


class _RemindButton:
    """The "Relancer" form of one invoice (or the link to its collection case), for one page."""

    def __init__(self, request: HttpRequest) -> None:
        self.action = _e(reverse("dunning:reminder_create"))
        self.case_url = _url_for_ids("recovery:invoice_case")
        self.token = _e(get_token(request))
        self.next = _e(request.get_full_path())
        self.in_collection, self.remind = _e(_("En recouvrement")), _e(_("Relancer"))
        self.label = _("Relancer %(client)s pour la facture %(number)s")

    def __call__(self, invoice: Any) -> str:
        if invoice.in_collection_since:
            return f'<a href="{_e(self.case_url(invoice.pk))}" class="badge badge-warn">{self.in_collection}</a>'
        label = _e(self.label % {"client": invoice.client.name, "number": invoice.number})
        return (
            f'<form method="post" action="{self.action}" class="inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">\n'
            f'  <input type="hidden" name="invoice_ids" value="{invoice.pk}">\n'
            f'  <input type="hidden" name="next" value="{self.next}">\n'
            f'  <button type="submit" class="remind-button" aria-label="{label}">{self.remind}</button>\n'
            "</form>"
        )


@register.simple_tag(takes_context=True)
def remind_button(context: template.Context, invoice: Any) -> SafeString:
    return mark_safe(_RemindButton(context["request"])(invoice))  # noqa: S308 (every value escaped by _e)


class _BucketRows:
    """Each label and sentence translated once per page; each row one f-string of escaped values."""

    def __init__(self, request: HttpRequest, today: dt.date, late: bool) -> None:
        self.today, self.late = today, late
        self.button = _RemindButton(request) if late else None
        self.invoice_url = _url_for_ids("pages:invoice_detail")
        self.client_url = _url_for_ids("pages:client_detail")
        labels = ("Sélection", "N°", "Client", "Date", "Échéance", "Montant", "Reste dû", "Retard", "Dernière relance")
        self.label = {text: _e(_(text)) for text in labels}
        self.disputed, self.paused = _e(_("Contestée")), _e(_("Relances en pause"))
        self.not_due, self.never = _e(_("À échoir")), _e(_("Jamais relancée"))
        self.select = _("Sélectionner la facture %(number)s (%(client)s)")
        self.limitation = _("prescription le %(day)s")
        self.days = _("%(days)s j")
        self.paused_until = _("En pause jusqu’au %(day)s")
        self.states = {key: str(state) for key, state in REMINDER_STATES.items()}
        self.reminded, self.reminded_on = _("Relance %(level)s %(state)s"), _("Relance %(level)s %(state)s le %(day)s")

    def last_reminder(self, invoice: Any) -> str:
        """ "Relance 1 envoyée le 12/10", from the annotations of `dunning.queries.with_last_reminder`."""
        level = getattr(invoice, "last_reminder_level", None)
        if not level:
            return ""
        at = getattr(invoice, "last_reminder_at", None)
        state = self.states.get(getattr(invoice, "last_reminder_status", ""), self.states["saved"])
        if at is None:
            return self.reminded % {"level": level, "state": state}
        day = timezone.localtime(at).date() if isinstance(at, dt.datetime) else at
        shown = f"{day:%d/%m}" if day.year == self.today.year else f"{day:%d/%m/%Y}"
        return self.reminded_on % {"level": level, "state": state, "day": shown}

    def badges(self, invoice: Any) -> str:
        client, badges = invoice.client, ""
        if invoice.disputed:
            badges += f' <span class="badge badge-warn" title="{_e(invoice.dispute_reason)}">{self.disputed}</span>'
        if client.reminders_paused and (not client.pause_until or client.pause_until >= self.today):
            badges += f' <span class="badge badge-warn" title="{_e(client.pause_reason)}">{self.paused}</span>'
        if invoice.reminders_paused_until and invoice.reminders_paused_until >= self.today:
            until = self.paused_until % {"day": short_date(invoice.reminders_paused_until)}
            badges += f' <span class="badge badge-warn">{_e(until)}</span>'
        return badges

    def row(self, invoice: Any) -> str:
        label, name, number = self.label, _e(invoice.client.name), _e(invoice.number)
        select = ""
        if self.late:
            aria = _e(self.select % {"number": invoice.number, "client": invoice.client.name})
            select = (
                f'\n<td data-label="{label["Sélection"]}" class="select-cell">\n'
                f'<input type="checkbox" name="invoice_ids" value="{invoice.pk}" form="selection" '
                f'data-client="{invoice.client_id}" data-client-name="{name}" aria-label="{aria}">\n</td>'
            )
        due = _e(short_date(invoice.due_date))
        if invoice.days_late:
            deadline = _e(self.limitation % {"day": short_date(invoice.limitation_deadline)})
            due += f'<br><span class="small muted">{deadline}</span>'
            lateness = _e(self.days % {"days": invoice.days_late})
        else:
            lateness = f'<span class="badge badge-not_due">{self.not_due}</span>'
        text = self.last_reminder(invoice)
        reminded = _e(text) if text else f'<span class="muted">{self.never}</span>'
        action = f'\n<td class="actions">{self.button(invoice)}</td>' if self.button else ""
        late = " amount-late" if invoice.days_late else ""
        return (
            f"<tr>{select}\n"
            f'<td data-label="{label["N°"]}" class="nowrap"><a href="{_e(self.invoice_url(invoice.pk))}">{number}</a></td>\n'
            f'<td data-label="{label["Client"]}"><span class="cell"><a href="{_e(self.client_url(invoice.client_id))}">'
            f"{name}</a>{self.badges(invoice)}</span></td>\n"
            f'<td data-label="{label["Date"]}" class="hide-phone">{_e(short_date(invoice.issue_date))}</td>\n'
            f'<td data-label="{label["Échéance"]}">{due}</td>\n'
            f'<td data-label="{label["Montant"]}" class="num hide-phone">{_e(money(invoice.total_incl_tax))}</td>\n'
            f'<td data-label="{label["Reste dû"]}" class="num{late}">{_e(money(invoice.amount_due))}</td>\n'
            f'<td data-label="{label["Retard"]}" class="num">{lateness}</td>\n'
            f'<td data-label="{label["Dernière relance"]}">{reminded}</td>{action}\n'
            "</tr>"
        )


@register.simple_tag(takes_context=True)
def bucket_rows(context: template.Context, invoices: list[Any], late: bool) -> SafeString:
    """Every row of a bucket's page (`relance.pages.late_bucket` prepares the invoices)."""
    rows = _BucketRows(context["request"], context["today"], late)
    return mark_safe("\n".join(rows.row(invoice) for invoice in invoices))  # noqa: S308 (every value escaped by _e)
