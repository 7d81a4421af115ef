"""Late-payment law on the "Conditions de paiement et pénalités" settings page:
the fixed 365-day basis, and the contract-rate floor of the current half-year."""

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from accounts.terms import contract_floor_unknown

PARIS = ZoneInfo("Europe/Paris")
URL = reverse("accounts:settings_terms")


def travel(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=PARIS), tick=False)


def contract(business: Business, rate: str) -> None:
    business.penalty_terms = Business.PenaltyTerms.CONTRACT
    business.contract_rate = Decimal(rate)
    business.save()


def test_day_count_basis_is_shown_fixed_at_365(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert "Base de calcul : 365 jours (fixe)" in response.text


def test_floor_warning_names_the_current_half_year(owner_client: HttpClient, business: Business) -> None:
    contract(business, "5.00")
    with travel(dt.date(2026, 3, 1)):
        response = owner_client.get(URL)
    assert "inférieur au minimum légal du premier semestre 2026" in response.text
    assert "7,86\u202f%" in response.text  # 3 × 2.62 %, "autres cas" of 2026 S1
    with travel(dt.date(2025, 9, 1)):
        response = owner_client.get(URL)
    assert "inférieur au minimum légal du second semestre 2025" in response.text
    assert "8,28\u202f%" in response.text  # 3 × 2.76 %, 2025 S2


def test_unknown_legal_rate_of_the_current_half_year_says_the_floor_cannot_be_checked(
    owner_client: HttpClient, business: Business
) -> None:
    contract(business, "5.00")
    with travel(dt.date(2026, 11, 28)):
        response = owner_client.get(URL)
    assert "Le taux de l’intérêt légal du second semestre 2026 n’est pas connu" in response.text
    assert reverse("rates:rates") + "#ajouter" in response.text


def test_no_floor_notice_with_legal_terms_or_a_known_half_year(business: Business) -> None:
    assert contract_floor_unknown(business, dt.date(2026, 11, 28)) == ""
    contract(business, "12.00")
    assert contract_floor_unknown(business, dt.date(2026, 3, 1)) == ""
    assert "second semestre 2026" in contract_floor_unknown(business, dt.date(2026, 11, 28))
