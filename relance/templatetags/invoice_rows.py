"""The rows of a late-payments bucket and the "Relancer" button, built in Python.

A bucket page shows 25 rows of ten cells, each with links, a selection box, badges and a
remind form. Through the template engine that cost about 1 ms a row (measured with the bench's
profile): most of the page. Here each label is translated and each URL pattern reversed once
per page, and a row is a few `format_html` calls; the markup is the same.
"""

import datetime as dt
from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.formats import money, short_date
from ledger.templatetags.ledger_tags import last_reminder

register = template.Library()

# An id no row has: reversed once with it, a URL pattern gives every row's URL by replacement.
_ANY_ID = 987654321


def _url_for_ids(name: str) -> Any:
    pattern = reverse(name, args=[_ANY_ID])
    return lambda pk: pattern.replace(str(_ANY_ID), str(pk))


class _RemindButton:
    """The "Relancer" form of one invoice (or the link to its collection case), for one page."""

    def __init__(self, request: HttpRequest) -> None:
        self.action = reverse("dunning:reminder_create")
        self.case_url = _url_for_ids("recovery:invoice_case")
        self.token = get_token(request)
        self.next = request.get_full_path()
        self.in_collection, self.remind = _("En recouvrement"), _("Relancer")

    def __call__(self, invoice: Any) -> SafeString:
        if invoice.in_collection_since:
            return format_html(
                '<a href="{}" class="badge badge-warn">{}</a>', self.case_url(invoice.pk), self.in_collection
            )
        label = _("Relancer %(client)s pour la facture %(number)s") % {
            "client": invoice.client.name,
            "number": invoice.number,
        }
        return format_html(
            '<form method="post" action="{}" class="inline-form">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
            '  <input type="hidden" name="invoice_ids" value="{}">\n'
            '  <input type="hidden" name="next" value="{}">\n'
            '  <button type="submit" class="remind-button" aria-label="{}">{}</button>\n'
            "</form>",
            self.action,
            self.token,
            invoice.pk,
            self.next,
            label,
            self.remind,
        )


@register.simple_tag(takes_context=True)
def remind_button(context: template.Context, invoice: Any) -> SafeString:
    return _RemindButton(context["request"])(invoice)


class _BucketRows:
    def __init__(self, request: HttpRequest, today: dt.date, late: bool) -> None:
        self.today, self.late = today, late
        self.button = _RemindButton(request) if late else None
        self.invoice_url = _url_for_ids("pages:invoice_detail")
        self.client_url = _url_for_ids("pages:client_detail")
        labels = ("Sélection", "N°", "Client", "Date", "Échéance", "Montant", "Reste dû", "Retard", "Dernière relance")
        self.label = {text: _(text) for text in labels}
        self.disputed, self.paused = _("Contestée"), _("Relances en pause")
        self.not_due, self.never = _("À échoir"), _("Jamais relancée")

    def badges(self, invoice: Any) -> SafeString:
        client, badges = invoice.client, []
        if invoice.disputed:
            badges.append(
                format_html(
                    ' <span class="badge badge-warn" title="{}">{}</span>', invoice.dispute_reason, self.disputed
                )
            )
        if client.reminders_paused and (not client.pause_until or client.pause_until >= self.today):
            badges.append(
                format_html(' <span class="badge badge-warn" title="{}">{}</span>', client.pause_reason, self.paused)
            )
        if invoice.reminders_paused_until and invoice.reminders_paused_until >= self.today:
            until = _("En pause jusqu’au %(day)s") % {"day": short_date(invoice.reminders_paused_until)}
            badges.append(format_html(' <span class="badge badge-warn">{}</span>', until))
        return mark_safe("".join(badges))  # noqa: S308 (each piece built by format_html)

    def row(self, invoice: Any) -> SafeString:
        label, client = self.label, invoice.client
        select = ""
        if self.late:
            select = format_html(
                '\n<td data-label="{}" class="select-cell">\n'
                '<input type="checkbox" name="invoice_ids" value="{}" form="selection" data-client="{}" '
                'data-client-name="{}" aria-label="{}">\n</td>',
                label["Sélection"],
                invoice.pk,
                invoice.client_id,
                client.name,
                _("Sélectionner la facture %(number)s (%(client)s)")
                % {"number": invoice.number, "client": client.name},
            )
        due = short_date(invoice.due_date)
        if invoice.days_late:
            due = format_html(
                '{}<br><span class="small muted">{}</span>',
                due,
                _("prescription le %(day)s") % {"day": short_date(invoice.limitation_deadline)},
            )
            lateness = format_html("{}", _("%(days)s j") % {"days": invoice.days_late})
        else:
            lateness = format_html('<span class="badge badge-not_due">{}</span>', self.not_due)
        text = last_reminder(invoice)
        reminded = format_html("{}", text) if text else format_html('<span class="muted">{}</span>', self.never)
        action = format_html('\n<td class="actions">{}</td>', self.button(invoice)) if self.button else ""
        return format_html(
            "<tr>{}\n"
            '<td data-label="{}" class="nowrap"><a href="{}">{}</a></td>\n'
            '<td data-label="{}"><span class="cell"><a href="{}">{}</a>{}</span></td>\n'
            '<td data-label="{}" class="hide-phone">{}</td>\n'
            '<td data-label="{}">{}</td>\n'
            '<td data-label="{}" class="num hide-phone">{}</td>\n'
            '<td data-label="{}" class="num{}">{}</td>\n'
            '<td data-label="{}" class="num">{}</td>\n'
            '<td data-label="{}">{}</td>{}\n'
            "</tr>",
            select,
            label["N°"],
            self.invoice_url(invoice.pk),
            invoice.number,
            label["Client"],
            self.client_url(invoice.client_id),
            client.name,
            self.badges(invoice),
            label["Date"],
            short_date(invoice.issue_date),
            label["Échéance"],
            due,
            label["Montant"],
            money(invoice.total_incl_tax),
            label["Reste dû"],
            " amount-late" if invoice.days_late else "",
            money(invoice.amount_due),
            label["Retard"],
            lateness,
            label["Dernière relance"],
            reminded,
            action,
        )


@register.simple_tag(takes_context=True)
def bucket_rows(context: template.Context, invoices: list[Any], late: bool) -> SafeString:
    """Every row of a bucket's page (`relance.pages.late_bucket` prepares the invoices)."""
    rows = _BucketRows(context["request"], context["today"], late)
    return format_html_join("\n", "{}", ((rows.row(invoice),) for invoice in invoices))
