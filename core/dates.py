"""The dates Relance accepts: years 1900 to 2100, for every page, the API and every service.

An invoice dated 9999-12-31 would be stored, and then every computation adding days to it
(lateness, penalties, limitation, letters) would overflow Python's dates. One bound, checked
where dates come in, keeps every later computation within range.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 1900, 2100
FIRST_DAY, LAST_DAY = dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)

OUT_OF_RANGE = format_lazy(
    _("Date hors limites : l’année doit être comprise entre {min_year} et {max_year}."),
    min_year=MIN_YEAR,
    max_year=MAX_YEAR,
)


def in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def validate_date_in_range(value: dt.date | None) -> None:
    """A model or form field validator."""
    if value is not None and not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


def check_dates(**days: Any) -> None:
    """Refuse, at its field, each date given that lies outside the bounds (None and non-dates pass)."""
    errors = {
        field: [str(OUT_OF_RANGE)] for field, day in days.items() if isinstance(day, dt.date) and not in_range(day)
    }
    if errors:
        raise ValidationError(errors)


class DateField(forms.DateField):
    """A form's date, refused outside the bounds before any page computes with it."""

    default_validators = [validate_date_in_range]
