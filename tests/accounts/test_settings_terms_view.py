import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, PaymentTerms
from accounts.views import bucket_labels, contract_rate_warning, payment_terms_help
from core.models import AuditEvent

URL = reverse("accounts:settings_terms")
VALID: dict[str, Any] = {
    "payment_terms": "days_30",
    "payment_terms_days": "",
    "penalty_terms": "legal",
    "contract_rate": "",
    "bucket_bounds": "30,60,90",
    "bucket_basis": "due_date",
}


def test_terms_page_explains_both_end_of_month_methods_and_links_the_rates(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["section"] == "terms"
    text = response.text
    assert "On ajoute 45 jours à la date de facture, puis on va à la fin de ce mois-là" in text
    assert "On va à la fin du mois de la facture, puis on ajoute 45 jours" in text
    assert reverse("rates:rates") in text and "Taux de pénalités" in text
    assert "Non échues" in text and "Plus de 90 jours" in text


def test_payment_terms_help_gives_the_two_methods_different_dates() -> None:
    help_text = dict(payment_terms_help(dt.date(2026, 3, 10)))
    assert "échéance le 30 avril 2026" in help_text[PaymentTerms.EOM_45_THEN]
    assert "échéance le 15 mai 2026" in help_text[PaymentTerms.EOM_THEN_45]
    assert "échéance le 9 avril 2026" in help_text[PaymentTerms.DAYS_30]


def test_bucket_labels_follow_bounds_and_basis() -> None:
    assert bucket_labels([15, 45], "due_date") == ["Non échues", "1 à 15 jours", "16 à 45 jours", "Plus de 45 jours"]
    assert bucket_labels([30], "issue_date") == ["0 à 30 jours", "Plus de 30 jours"]


def test_custom_days_are_saved(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "payment_terms": "custom_days", "payment_terms_days": "45"})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.payment_terms == "custom_days" and business.payment_terms_days == 45
    assert AuditEvent.objects.filter(business=business, action="settings_updated").exists()


def test_custom_terms_need_a_number_of_days(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "payment_terms": "custom_days"})
    assert response.status_code == 422
    assert response.context["form"].errors["payment_terms_days"] == [
        "Indiquez le nombre de jours du délai personnalisé."
    ]
    business.refresh_from_db()
    assert business.payment_terms == "days_30"


def test_custom_days_above_the_legal_60_are_refused(owner_client: HttpClient) -> None:
    response = owner_client.post(URL, {**VALID, "payment_terms": "custom_days", "payment_terms_days": "90"})
    assert response.status_code == 422
    assert "article L441-10 du Code de commerce" in response.context["form"].errors["payment_terms_days"][0]


def test_days_are_forgotten_when_leaving_custom_terms(owner_client: HttpClient, business: Business) -> None:
    owner_client.post(URL, {**VALID, "payment_terms": "custom_days", "payment_terms_days": "20"})
    owner_client.post(URL, {**VALID, "payment_terms": "eom_then_45", "payment_terms_days": "20"})
    business.refresh_from_db()
    assert business.payment_terms == "eom_then_45" and business.payment_terms_days is None


def test_contract_penalties_need_a_positive_rate(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "penalty_terms": "contract"})
    assert response.status_code == 422
    assert response.context["form"].errors["contract_rate"] == ["Indiquez le taux contractuel des pénalités de retard."]
    response = owner_client.post(URL, {**VALID, "penalty_terms": "contract", "contract_rate": "0"})
    assert response.context["form"].errors["contract_rate"] == ["Le taux contractuel doit être supérieur à zéro."]
    response = owner_client.post(URL, {**VALID, "penalty_terms": "contract", "contract_rate": "douze"})
    assert response.context["form"].errors["contract_rate"] == ["Saisissez un nombre."]
    business.refresh_from_db()
    assert business.penalty_terms == "legal" and business.contract_rate is None


def test_contract_rate_is_saved_then_cleared_with_legal_terms(owner_client: HttpClient, business: Business) -> None:
    owner_client.post(URL, {**VALID, "penalty_terms": "contract", "contract_rate": "12.50"})
    business.refresh_from_db()
    assert business.contract_rate == Decimal("12.50")
    owner_client.post(URL, {**VALID, "penalty_terms": "legal", "contract_rate": "12.50"})
    business.refresh_from_db()
    assert business.penalty_terms == "legal" and business.contract_rate is None


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ("60,30", "Les bornes doivent être des nombres de jours positifs et croissants."),
        ("trente", "Saisissez des nombres de jours séparés par des virgules, par exemple 30,60,90."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_bad_bucket_bounds_are_refused(owner_client: HttpClient, business: Business, bounds: str, message: str) -> None:
    response = owner_client.post(URL, {**VALID, "bucket_bounds": bounds, "bucket_basis": "issue_date"})
    assert response.status_code == 422
    assert response.context["form"].errors["bucket_bounds"] == [message]
    business.refresh_from_db()
    assert business.bucket_bounds == "30,60,90" and business.bucket_basis == "due_date"


def test_bucket_settings_are_saved(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "bucket_bounds": "15,45,120", "bucket_basis": "issue_date"})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.bounds == [15, 45, 120] and business.bucket_basis == "issue_date"


def test_terms_do_not_touch_the_identity(owner_client: HttpClient, business: Business) -> None:
    owner_client.post(URL, VALID)
    business.refresh_from_db()
    assert business.siret == "73282932000074" and business.legal_name.startswith("Atelier Test")


def test_terms_need_login_and_refuse_put(owner_client: HttpClient, db: None) -> None:
    assert HttpClient().get(URL).status_code == 302
    assert owner_client.put(URL).status_code == 405


def test_contract_rate_below_three_times_the_legal_rate_is_warned(business: Business) -> None:
    business.penalty_terms = "contract"
    business.contract_rate = Decimal("7.85")
    warning = contract_rate_warning(business, dt.date(2026, 3, 1))
    assert "inférieur au minimum légal du premier semestre 2026" in warning
    assert "7,86\u202f%" in warning  # 3 × 2.62 %, the legal rate "autres cas" of 2026 S1
    business.contract_rate = Decimal("7.86")
    assert contract_rate_warning(business, dt.date(2026, 3, 1)) == ""


def test_no_warning_with_legal_terms_or_an_unknown_half_year(business: Business) -> None:
    assert contract_rate_warning(business, dt.date(2026, 3, 1)) == ""
    business.penalty_terms = "contract"
    business.contract_rate = Decimal("1.00")
    assert contract_rate_warning(business, dt.date(2040, 3, 1)) == ""


def test_terms_page_shows_the_contract_rate_warning(owner_client: HttpClient, business: Business) -> None:
    owner_client.post(URL, {**VALID, "penalty_terms": "contract", "contract_rate": "5"})
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        response = owner_client.get(URL)
    assert "Votre taux contractuel (5,00\u202f%) est inférieur au minimum légal" in response.text
