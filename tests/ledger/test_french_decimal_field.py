from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledger.forms import FrenchDecimalField


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56\u202f€", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("  42 ", "42"),
        ("0,5", "0.5"),
    ],
)
def test_accepts_french_and_english_spellings(typed: str, value: str) -> None:
    assert FrenchDecimalField().clean(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("douze", "Saisissez un montant, par exemple 1 234,56."),
        ("1,2,3", "Saisissez un montant, par exemple 1 234,56."),
        ("1e5", "Saisissez un montant, par exemple 1 234,56."),
        ("NaN", "Saisissez un montant, par exemple 1 234,56."),
        ("12,345", "Saisissez au plus 2 chiffres après la virgule."),
        ("99999999999", "Ce montant est trop grand."),
    ],
)
def test_refuses_with_french_messages(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        FrenchDecimalField().clean(typed)
    assert error.value.messages == [message]


def test_empty_optional_is_none() -> None:
    assert FrenchDecimalField(required=False).clean("") is None


def test_shows_decimals_with_a_comma() -> None:
    assert FrenchDecimalField().prepare_value(Decimal("1234.50")) == "1234,50"


def test_widget_asks_for_a_decimal_keyboard() -> None:
    assert FrenchDecimalField().widget.attrs["inputmode"] == "decimal"
