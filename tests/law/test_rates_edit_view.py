"""/taux/modifier/: Relance's administrators add or correct a half-year's rates, with a source.

The tables serve every business: only staff may change them (403 for a user, login for a
visitor), and every change goes through rates.services. A rate is never guessed: a half-year
whose ECB rate differs from the one in force needs the date of the change.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from accounts.models import User
from law.rates import HalfYear
from rates.models import EcbRate, LegalRate, RateTableStatus
from rates.tables import load_rate_tables

pytestmark = pytest.mark.django_db

URL = "/taux/modifier/"
ECB_URL = "/taux/modifier/bce/"
LEGAL_URL = "/taux/modifier/legal/"
S2_2026 = HalfYear(2026, 2)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        yield


@pytest.fixture
def staff_client(owner: User) -> HttpClient:
    owner.is_staff = True
    owner.save()
    http = HttpClient()
    http.force_login(owner)
    return http


def ecb(**fields: str) -> dict[str, str]:
    return {
        "half_year": "2026-07-01",
        "rate": "2,15",
        "changed_on": "",
        "source": "BCE, décision de politique monétaire du 5 juin 2025 (ecb.europa.eu)",
        **fields,
    }


def legal(**fields: str) -> dict[str, str]:
    return {
        "half_year": "2026-07-01",
        "particuliers": "6,50",
        "autres": "2,50",
        "source": "Arrêté du 20 juin 2026, JORF du 25 juin 2026",
        **fields,
    }


@pytest.mark.parametrize("url", [URL, ECB_URL, LEGAL_URL])
def test_a_user_who_is_not_staff_is_refused(owner_client: HttpClient, url: str) -> None:
    response = owner_client.get(url) if url == URL else owner_client.post(url, ecb() if url == ECB_URL else legal())
    assert response.status_code == 403
    assert "réservées aux administrateurs de Relance" in response.content.decode()
    assert not EcbRate.objects.filter(effective_date__gte=dt.date(2026, 1, 1)).exists()
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 1)).exists()


def test_a_visitor_is_sent_to_the_login_page(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_staff_page_offers_both_forms_on_the_first_missing_half_year(staff_client: HttpClient) -> None:
    response = staff_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["ecb_form"]["half_year"].value() == "2026-07-01"
    assert response.context["legal_form"]["half_year"].value() == "2026-07-01"
    assert "2d semestre 2026" in page
    assert f'action="{ECB_URL}"' in page and f'action="{LEGAL_URL}"' in page


def test_unchanged_ecb_rate_makes_the_half_year_known(staff_client: HttpClient) -> None:
    assert not load_rate_tables().ecb_known(S2_2026)
    response = staff_client.post(ECB_URL, ecb())
    assert response.status_code == 302
    tables = load_rate_tables()
    assert tables.ecb_rate(S2_2026) == Decimal("2.15")
    assert RateTableStatus.objects.get(table="ecb").known_through == dt.date(2026, 7, 1)
    assert "ecb.europa.eu" in RateTableStatus.objects.get(table="ecb").note
    assert not EcbRate.objects.filter(effective_date__gt=dt.date(2025, 6, 11)).exists()


def test_a_different_ecb_rate_needs_the_date_of_the_change(staff_client: HttpClient) -> None:
    response = staff_client.post(ECB_URL, ecb(rate="2,00"))
    assert response.status_code == 422
    error = response.context["ecb_form"].errors["changed_on"][0]
    assert "2,15" in error and "date du changement" in error
    assert not load_rate_tables().ecb_known(S2_2026)


def test_an_ecb_change_is_added_with_its_date(staff_client: HttpClient) -> None:
    response = staff_client.post(ECB_URL, ecb(rate="2,00", changed_on="2026-06-10"))
    assert response.status_code == 302
    row = EcbRate.objects.get(effective_date=dt.date(2026, 6, 10))
    assert row.rate == Decimal("2.00") and "ecb.europa.eu" in row.source
    assert load_rate_tables().ecb_rate(S2_2026) == Decimal("2.00")


def test_an_ecb_change_is_corrected_at_its_date(staff_client: HttpClient) -> None:
    response = staff_client.post(
        ECB_URL, ecb(half_year="2026-01-01", rate="2,10", changed_on="2025-06-11", source="Correction : BCE")
    )
    assert response.status_code == 302
    row = EcbRate.objects.get(effective_date=dt.date(2025, 6, 11))
    assert (row.rate, row.source) == (Decimal("2.10"), "Correction : BCE")
    assert load_rate_tables().ecb_rate(HalfYear(2026, 1)) == Decimal("2.10")


def test_a_change_after_the_half_year_start_is_refused(staff_client: HttpClient) -> None:
    response = staff_client.post(ECB_URL, ecb(rate="2,00", changed_on="2026-07-02"))
    assert response.status_code == 422
    assert "1er juillet 2026" in response.context["ecb_form"].errors["changed_on"][0]
    assert not EcbRate.objects.filter(effective_date=dt.date(2026, 7, 2)).exists()


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (ECB_URL, ecb(source="   "), "source"),
        (ECB_URL, ecb(rate="douze"), "rate"),
        (ECB_URL, ecb(rate="75"), "rate"),
        (ECB_URL, ecb(half_year="2026-03-01"), "half_year"),
        (LEGAL_URL, legal(source=""), "source"),
        (LEGAL_URL, legal(autres="-20"), "autres"),
    ],
)
def test_bad_input_is_422_at_the_field_and_writes_nothing(
    staff_client: HttpClient, url: str, data: dict[str, str], field: str
) -> None:
    version = RateTableStatus.objects.get(table="ecb" if url == ECB_URL else "legal").version
    response = staff_client.post(url, data)
    assert response.status_code == 422
    form = response.context["ecb_form" if url == ECB_URL else "legal_form"]
    assert form.errors[field]
    assert RateTableStatus.objects.get(table="ecb" if url == ECB_URL else "legal").version == version


def test_a_legal_rate_is_added_for_a_half_year(staff_client: HttpClient) -> None:
    response = staff_client.post(LEGAL_URL, legal())
    assert response.status_code == 302
    row = LegalRate.objects.get(semester_start=dt.date(2026, 7, 1))
    assert (row.particuliers, row.autres) == (Decimal("6.50"), Decimal("2.50"))
    assert load_rate_tables().contract_floor(S2_2026) == Decimal("7.50")
    assert "JORF" in row.source


def test_a_legal_rate_is_corrected(staff_client: HttpClient) -> None:
    response = staff_client.post(LEGAL_URL, legal(half_year="2026-01-01", autres="2,70", source="Arrêté rectificatif"))
    assert response.status_code == 302
    row = LegalRate.objects.get(semester_start=dt.date(2026, 1, 1))
    assert (row.autres, row.source) == (Decimal("2.70"), "Arrêté rectificatif")


def test_rates_page_tells_a_user_who_to_ask_and_what_letters_do_meanwhile(owner_client: HttpClient) -> None:
    page = owner_client.get("/taux/").content.decode()
    assert "administrateur de Relance" in page
    assert "indemnité forfaitaire de 40" in page
    assert "sans montant" in page
    assert URL not in page


def test_rates_page_links_staff_to_the_edit_page(staff_client: HttpClient) -> None:
    assert URL in staff_client.get("/taux/").content.decode()
