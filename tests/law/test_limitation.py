import datetime as dt

import pytest

from law.limitation import CLOSE_DAYS, add_years, limitation, limitation_deadline
from law.rates import LawError

day = dt.date.fromisoformat


def test_a_professional_client_has_five_years_a_consumer_two() -> None:
    assert limitation_deadline(day("2025-03-15"), "business") == day("2030-03-15")
    assert limitation_deadline(day("2025-03-15"), "consumer") == day("2027-03-15")


def test_29_february_becomes_28_february_the_earlier_day() -> None:
    assert add_years(day("2024-02-29"), 2) == day("2026-02-28")
    assert limitation_deadline(day("2024-02-29"), "business") == day("2029-02-28")
    assert add_years(day("2024-02-29"), 4) == day("2028-02-29")


def test_close_means_within_90_days_of_the_deadline() -> None:
    deadline = day("2027-03-15")
    at_90 = limitation(day("2025-03-15"), "consumer", today=deadline - dt.timedelta(days=CLOSE_DAYS))
    at_91 = limitation(day("2025-03-15"), "consumer", today=deadline - dt.timedelta(days=CLOSE_DAYS + 1))
    on_deadline = limitation(day("2025-03-15"), "consumer", today=deadline)
    assert (at_90.close, at_91.close, on_deadline.close) == (True, False, True)
    assert not on_deadline.expired


def test_expired_the_day_after_the_deadline() -> None:
    status = limitation(day("2025-03-15"), "consumer", today=day("2027-03-16"))
    assert status.expired and not status.close
    assert status.days_left == -1
    assert status.message == "Prescrite depuis le 15/03/2027 (2 ans, art. L218-2 du Code de la consommation)."


def test_message_cites_the_article_and_the_days_left() -> None:
    status = limitation(day("2025-03-15"), "business", today=day("2030-03-14"))
    assert status.message == (
        "Prescription le 15/03/2030 (5 ans après l’échéance, art. L110-4 du Code de commerce) : "
        "il reste 1 jour pour agir en justice."
    )


def test_unknown_debtor_is_refused() -> None:
    with pytest.raises(LawError) as caught:
        limitation_deadline(day("2025-03-15"), "company")
    assert caught.value.field == "debtor"
