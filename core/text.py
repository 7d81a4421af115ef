"""One-line texts (names, numbers, subjects…) hold no line break nor control character.

A carriage return or a line feed in an invoice number reaches the subject of an e-mail and
breaks its header (Python's email package refuses it when sending); the other controls are
invisible in pages and letters. Refused: Unicode category Cc (C0, DEL and C1 controls) and
the line and paragraph separators U+2028 and U+2029.
"""

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ONE_LINE = _("Ce champ tient sur une ligne : retirez les retours à la ligne et les caractères de contrôle.")
_SEPARATORS = {"\u2028", "\u2029"}


def is_one_line(value: str) -> bool:
    return not any(unicodedata.category(char) == "Cc" or char in _SEPARATORS for char in value)


def validate_one_line(value: Any) -> None:
    """A model or form field validator."""
    if isinstance(value, str) and not is_one_line(value):
        raise ValidationError(ONE_LINE, code="control_character")


def check_one_line(**texts: Any) -> None:
    """Refuse, at its field, each one-line text given that holds a control character (None passes)."""
    errors = {
        field: [str(ONE_LINE)] for field, text in texts.items() if isinstance(text, str) and not is_one_line(text)
    }
    if errors:
        raise ValidationError(errors)
