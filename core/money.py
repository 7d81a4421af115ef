"""Amounts as people and programs type them, read into Decimal the same way everywhere.

Python's Decimal reads any Unicode decimal digit ("١٠٠" and "１００" are both 100), and so
does the regular expression `\\d`: an amount written in another script would be stored as a
number nobody typed. Only the digits 0 to 9 are accepted, with one French message.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FOREIGN_DIGITS = _("Écrivez le montant avec les chiffres 0 à 9.")
INVALID = _("Saisissez un montant, par exemple 1 234,56.")

# Spaces people and spreadsheets put between thousands: plain, no-break, narrow no-break.
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def has_foreign_digits(text: str) -> bool:
    """Digits or numerals other than 0-9: Arabic-Indic, full-width, superscripts, fractions…"""
    return any(char.isnumeric() and not char.isascii() for char in text)


def parse_amount(value: Any) -> Decimal:
    """A Decimal, an int, or a text typed the French way ("1 234,56", "1234,56 €") or the
    English way ("1234.56", "1,234.56"). Raises ValidationError (FOREIGN_DIGITS or INVALID)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(INVALID, code="invalid")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str):
        raise ValidationError(INVALID, code="invalid")
    if has_foreign_digits(value):
        raise ValidationError(FOREIGN_DIGITS, code="foreign_digits")
    text = _SPACES.sub("", value).removesuffix("€").removesuffix("EUR")
    # The last separator is the decimal mark ("1.234,56", "1,234.56", "12,5"); the other one
    # only groups thousands.
    decimal_mark, thousands = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
    text = text.replace(thousands, "").replace(decimal_mark, ".")
    if not _NUMBER.fullmatch(text):
        raise ValidationError(INVALID, code="invalid")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError(INVALID, code="invalid") from None
