"""Due dates from payment terms (C. com. L441-10 I), both "45 jours fin de mois" methods."""

import datetime as dt

import pytest

from law.terms import CUSTOM_DAYS, DAYS_30, DAYS_60, EOM_45_THEN, EOM_THEN_45, due_date_for, end_of_month

day = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("issued", "date_plus_45_then_eom", "eom_then_plus_45"),
    [
        # The acceptance cases of the late-payment law
        ("2025-02-15", "2025-04-30", "2025-04-14"),
        ("2025-03-10", "2025-04-30", "2025-05-15"),
        # Month ends
        ("2025-01-31", "2025-03-31", "2025-03-17"),
        ("2024-11-30", "2025-01-31", "2025-01-14"),
        ("2023-12-31", "2024-02-29", "2024-02-14"),
        ("2024-12-31", "2025-02-28", "2025-02-14"),
        # February of a leap year (2024) and of a common year (2025)
        ("2024-01-31", "2024-03-31", "2024-03-16"),
        ("2024-01-15", "2024-02-29", "2024-03-16"),
        ("2025-01-15", "2025-03-31", "2025-03-17"),
        ("2025-01-14", "2025-02-28", "2025-03-17"),
        ("2024-02-10", "2024-03-31", "2024-04-14"),
        ("2025-02-10", "2025-03-31", "2025-04-14"),
        ("2024-02-29", "2024-04-30", "2024-04-14"),
        ("2025-02-28", "2025-04-30", "2025-04-14"),
    ],
)
def test_45_days_end_of_month_both_methods(issued: str, date_plus_45_then_eom: str, eom_then_plus_45: str) -> None:
    assert due_date_for(day(issued), EOM_45_THEN) == day(date_plus_45_then_eom)
    assert due_date_for(day(issued), EOM_THEN_45) == day(eom_then_plus_45)


def test_the_two_methods_can_differ_by_more_than_two_weeks() -> None:
    issued = day("2025-02-15")
    assert (due_date_for(issued, EOM_45_THEN) - due_date_for(issued, EOM_THEN_45)).days == 16


@pytest.mark.parametrize(
    ("terms", "issued", "expected"),
    [
        (DAYS_30, "2025-01-31", "2025-03-02"),
        (DAYS_30, "2024-01-31", "2024-03-01"),
        (DAYS_60, "2025-12-15", "2026-02-13"),
        (DAYS_60, "2024-01-01", "2024-03-01"),
    ],
)
def test_plain_day_terms_count_calendar_days(terms: str, issued: str, expected: str) -> None:
    assert due_date_for(day(issued), terms) == day(expected)


def test_custom_days() -> None:
    assert due_date_for(day("2025-06-01"), CUSTOM_DAYS, 15) == day("2025-06-16")
    assert due_date_for(day("2025-06-01"), CUSTOM_DAYS, 0) == day("2025-06-01")


def test_custom_days_without_a_number_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="Un délai personnalisé demande un nombre de jours."):
        due_date_for(day("2025-06-01"), CUSTOM_DAYS)


def test_unknown_terms_are_refused_in_french() -> None:
    with pytest.raises(ValueError, match="Délai de paiement inconnu : 90_days"):
        due_date_for(day("2025-06-01"), "90_days")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-02-03", "2024-02-29"),
        ("2025-02-03", "2025-02-28"),
        ("2100-02-01", "2100-02-28"),
        ("2000-02-01", "2000-02-29"),
        ("2025-04-30", "2025-04-30"),
        ("2025-12-01", "2025-12-31"),
    ],
)
def test_end_of_month_handles_leap_years(given: str, expected: str) -> None:
    assert end_of_month(day(given)) == day(expected)
