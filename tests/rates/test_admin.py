"""The rate tables in /admin/: a half-year's legal rate is added with its source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from law.rates import HalfYear
from rates.models import EcbRate, LegalRate, RateTableStatus
from rates.tables import load_rate_tables

pytestmark = pytest.mark.django_db


def legal(**changes: str) -> dict[str, str]:
    return {
        "semester_start": "2026-07-01",
        "particuliers": "6.50",
        "autres": "2.50",
        "source": "Arrêté du 20 juin 2026 (JORF du 25 juin 2026)",
        **changes,
    }


def test_lists_show_each_table(staff_client: HttpClient) -> None:
    for model in ("legalrate", "ecbrate", "ratetablestatus"):
        assert staff_client.get(reverse(f"admin:law_{model}_changelist")).status_code == 200, model
    page = staff_client.get(reverse("admin:law_legalrate_changelist")).content.decode()
    assert "premier semestre 2026" in page and "7,86" in page


def test_adding_a_half_year_makes_it_known_at_once(staff_client: HttpClient) -> None:
    load_rate_tables()
    response = staff_client.post(reverse("admin:law_legalrate_add"), legal())
    assert response.status_code == 302
    assert RateTableStatus.objects.get(table="legal").known_through == dt.date(2026, 7, 1)
    assert load_rate_tables().legal_rate(HalfYear(2026, 2)).autres == Decimal("2.50")


def test_semester_start_must_be_1_january_or_1_july(staff_client: HttpClient) -> None:
    response = staff_client.post(reverse("admin:law_legalrate_add"), legal(semester_start="2026-07-15"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["semester_start"] == [
        "Un semestre commence le 1er janvier ou le 1er juillet."
    ]
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 15)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source": "  "}, "source", "Ce champ est obligatoire."),
        ({"autres": "250"}, "autres", "Ce taux n’est pas vraisemblable (entre -10 et 50 %)."),
        ({"semester_start": "2026-01-01"}, "semester_start", "Ce semestre a déjà ses taux : modifiez-le plutôt."),
    ],
)
def test_bad_input_is_refused_at_the_field(
    staff_client: HttpClient, changes: dict[str, str], field: str, message: str
) -> None:
    response = staff_client.post(reverse("admin:law_legalrate_add"), legal(**changes))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]


def test_adding_an_ecb_change_extends_the_ecb_table(staff_client: HttpClient) -> None:
    response = staff_client.post(
        reverse("admin:law_ecbrate_add"),
        {"effective_date": "2026-07-01", "rate": "2.00", "source": "Décision de politique monétaire de test"},
    )
    assert response.status_code == 302
    assert EcbRate.objects.filter(effective_date=dt.date(2026, 7, 1)).exists()
    assert load_rate_tables().ecb_rate(HalfYear(2026, 2)) == Decimal("2.00")


def test_deleting_a_rate_is_seen_at_once(staff_client: HttpClient) -> None:
    load_rate_tables()
    row = LegalRate.objects.get(semester_start=dt.date(2026, 1, 1))
    response = staff_client.post(reverse("admin:law_legalrate_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not load_rate_tables().legal_known(HalfYear(2026, 1))


def test_table_status_cannot_be_added_or_deleted(staff_client: HttpClient) -> None:
    status = RateTableStatus.objects.get(table="ecb")
    assert staff_client.get(reverse("admin:law_ratetablestatus_add")).status_code == 403
    assert staff_client.get(reverse("admin:law_ratetablestatus_delete", args=[status.pk])).status_code == 403
