"""Template filters for French formats, and the main menu; loaded as builtins for every template."""

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import formats

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    return formats.money(value)


@register.filter
def siret(value: str | None) -> str:
    return formats.siret(value or "")


@register.filter
def percent(value: Decimal | None) -> str:
    return formats.percent(value)


@register.filter
def date_fr(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return formats.short_date(value)


@register.filter
def datetime_fr(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    moment = timezone.localtime(value)
    return _("%(date)s à %(time)s") % {"date": moment.strftime("%d/%m/%Y"), "time": moment.strftime("%H:%M")}


@register.filter
def long_date(value: dt.date | None) -> str:
    return formats.long_date(value)


@register.filter
def days_ago(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return formats.days_ago(value, timezone.localdate())


# The main menu, in its order: the `nav` key a page sets to be the current item, the URL
# name, the label. The approval queue goes after the history, only when something waits in it
# or on its own page (the automation settings link to it).
_MENU = (
    ("dashboard", "pages:dashboard", gettext_lazy("Tableau de bord")),
    ("late", "pages:late_payments", gettext_lazy("Retards de paiement")),
    ("history", "dunning:history", gettext_lazy("Lettres de relance")),
    ("approvals", "automation:approvals", gettext_lazy("À valider")),
    ("collections", "recovery:case_list", gettext_lazy("Mises en recouvrement")),
    ("bank", "bank:reconciliation", gettext_lazy("Banque")),
    ("clients", "ledger:client_list", gettext_lazy("Clients")),
    ("invoices", "ledger:invoice_list", gettext_lazy("Factures")),
    ("settings", "accounts:settings", gettext_lazy("Paramètres")),
)


@functools.cache
def _menu_urls(urlconf: str, prefix: str) -> dict[str, str]:
    """The menu's URLs, reversed once per process, URL configuration (a test may change it) and prefix."""
    return {key: reverse(name) for key, name, _label in _MENU} | {"logout": reverse("accounts:logout")}


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> SafeString:
    """The main menu's items, built once per page: the page shows them twice (the desktop bar
    and the phone menu), on every page, so they are its largest share of template work."""
    current, waiting = context.get("nav"), context.get("approvals_waiting")
    urls = _menu_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    items: list[tuple[Any, ...]] = []
    for key, _name, label in _MENU:
        if key == "approvals" and not (waiting or current == key):
            continue
        badge = (
            format_html(
                ' <span class="badge badge-warn nav-count">{}<span class="visually-hidden"> {}</span></span>',
                waiting,
                _("en attente"),
            )
            if key == "approvals" and waiting
            else ""
        )
        items.append((urls[key], SafeString(' aria-current="page"') if key == current else "", label, badge))
    links = format_html_join("\n", '<li><a href="{}"{}>{}{}</a></li>', items)
    logout = format_html(
        '<li><form method="post" action="{}" class="inline-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="link-button">{}</button></form></li>',
        urls["logout"],
        get_token(context["request"]),
        _("Se déconnecter"),
    )
    return format_html("{}\n{}", links, logout)
