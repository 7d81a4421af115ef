"""Template filters for French formats; loaded as builtins for every template."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

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
