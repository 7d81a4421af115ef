"""Money and dates as the API reads them: exact cents, ISO dates, French refusals."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from api.schemas import parse_date, parse_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.5", Decimal("1234.50")),
        (" 12 ", Decimal("12.00")),
        ("0.10", Decimal("0.10")),
        ("1.230", Decimal("1.23")),
        (0.1, Decimal("0.10")),
        (1234.56, Decimal("1234.56")),
        (7, Decimal("7.00")),
        ("9999999999.99", Decimal("9999999999.99")),
    ],
)
def test_parse_money_reads_strings_and_numbers_exactly(value: Any, expected: Decimal) -> None:
    amount = parse_money(value)

    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "error_type"),
    [
        ("1,5", "money_invalid"),
        ("", "money_invalid"),
        ("NaN", "money_invalid"),
        (float("nan"), "money_invalid"),
        (float("inf"), "money_invalid"),
        ([1], "money_invalid"),
        (False, "money_invalid"),
        ("0.001", "money_places"),
        (0.125, "money_places"),
        ("-0.01", "money_negative"),
        ("10000000000", "money_too_large"),
    ],
)
def test_parse_money_refuses(value: Any, error_type: str) -> None:
    with pytest.raises(PydanticCustomError) as error:
        parse_money(value)

    assert error.value.type == error_type


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_parse_money_round_trips_every_amount_in_cents(amount: Decimal) -> None:
    assert parse_money(str(amount)) == amount
    assert parse_money(float(amount)) == amount


def test_parse_date_reads_iso_dates_only() -> None:
    assert parse_date("2026-02-28") == dt.date(2026, 2, 28)
    for value in ["2026-2-28", "28/02/2026", "2026-02-28T00:00", "20260228", 1772236800, None]:
        with pytest.raises(PydanticCustomError) as error:
            parse_date(value)
        assert error.value.type == "date_invalid"


def test_parse_date_refuses_years_outside_1900_2100() -> None:
    with pytest.raises(PydanticCustomError) as error:
        parse_date("1899-12-31")

    assert error.value.type == "date_out_of_range"
    assert str(error.value) == "Date hors limites : l’année doit être comprise entre 1900 et 2100."
