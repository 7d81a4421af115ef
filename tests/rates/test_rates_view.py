"""/taux/: the rate tables, what is missing and how to add it; CSV import for administrators."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from accounts.models import User
from rates.models import LegalRate, RateTableStatus

pytestmark = pytest.mark.django_db

URL = "/taux/"
IMPORT_URL = "/taux/import/"
LEGAL_CSV = b"semester_start,particuliers_percent,autres_percent,source\n2026-07-01,6.50,2.50,Arrete de test\n"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[dt.date]:
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        yield dt.date(2026, 11, 28)


@pytest.fixture
def staff_owner_client(owner: User) -> HttpClient:
    owner.is_staff = True
    owner.save()
    http = HttpClient()
    http.force_login(owner)
    return http


def upload(content: bytes = LEGAL_CSV, name: str = "taux.csv", **fields: str) -> dict[str, object]:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **fields}


def test_owner_sees_every_half_year_with_its_rates(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "settings"
    page = response.content.decode()
    assert "1er semestre 2026" in page and "1er semestre 2015" in page
    first_half = next(row for row in response.context["rows"] if row.half_year.short_label == "2026 S1")
    assert (first_half.ecb, first_half.default_rate, first_half.legal_autres, first_half.contract_floor) == (
        Decimal("2.15"),
        Decimal("12.15"),
        Decimal("2.62"),
        Decimal("7.86"),
    )
    assert "12,15\u202f%" in page and "7,86\u202f%" in page


def test_page_says_what_is_missing_and_how_to_add_it(owner_client: HttpClient) -> None:
    page = owner_client.get(URL).content.decode()
    assert "Des taux manquent" in page
    assert (
        "<strong>Second semestre 2026</strong> : taux BCE (opérations principales de refinancement) et taux de l’intérêt légal."
        in page
    )
    assert "relance rates fetch" in page and "relance rates import fichier.csv" in page
    assert "il ne réutilise jamais le taux d’un semestre précédent" in page


def test_page_shows_what_each_table_is_known_through(owner_client: HttpClient) -> None:
    page = owner_client.get(URL).content.decode()
    assert "01/04/2026" in page
    assert "Connu jusqu’au premier semestre 2026 inclus." in page


def test_nothing_is_missing_once_the_current_half_year_is_known(staff_owner_client: HttpClient) -> None:
    staff_owner_client.post(IMPORT_URL, upload())
    staff_owner_client.post(
        IMPORT_URL,
        upload(b"effective_date,rate_percent,source\n2025-06-11,2.15,BCE\n", known_through="2026-11-27"),
    )
    response = staff_owner_client.get(URL)
    assert response.context["missing"] == []
    assert "Des taux manquent" not in response.content.decode()


def test_a_plain_user_gets_no_import_form(owner_client: HttpClient) -> None:
    page = owner_client.get(URL).content.decode()
    assert 'action="/taux/import/"' not in page
    assert "Seul l’administrateur de Relance peut les mettre à jour" in page


def test_a_plain_user_cannot_import(owner_client: HttpClient) -> None:
    assert owner_client.post(IMPORT_URL, upload()).status_code == 403
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 1)).exists()


def test_anonymous_is_sent_to_login() -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


def test_wrong_methods_are_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405
    assert owner_client.get(IMPORT_URL).status_code == 405


def test_staff_imports_a_csv_and_sees_the_summary(staff_owner_client: HttpClient) -> None:
    response = staff_owner_client.post(IMPORT_URL, upload(), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Taux de l’intérêt légal : 1 ajouté(s)" in response.content.decode()
    assert LegalRate.objects.get(semester_start=dt.date(2026, 7, 1)).autres == Decimal("2.50")
    assert RateTableStatus.objects.get(table="legal").known_through == dt.date(2026, 7, 1)


def test_an_invalid_file_is_a_422_with_the_french_error_at_the_field(staff_owner_client: HttpClient) -> None:
    bad = LEGAL_CSV + b"2027-01-15,6.50,2.50,Arrete\n"
    response = staff_owner_client.post(IMPORT_URL, upload(bad))
    assert response.status_code == 422
    assert response.context["form"].errors["file"] == [
        "Ligne 3 : Un semestre commence le 1er janvier ou le 1er juillet, pas le 15/01/2027."
    ]
    assert 'id="id_file_errors"' in response.content.decode()
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 1)).exists()


def test_a_missing_file_is_a_422(staff_owner_client: HttpClient) -> None:
    response = staff_owner_client.post(IMPORT_URL, {})
    assert response.status_code == 422
    assert response.context["form"].errors["file"] == ["Ce champ est obligatoire."]


def test_known_through_for_a_legal_file_is_refused_at_its_field(staff_owner_client: HttpClient) -> None:
    response = staff_owner_client.post(IMPORT_URL, upload(known_through="2026-12-31"))
    assert response.status_code == 422
    assert "ne vaut que pour le taux BCE" in response.context["form"].errors["known_through"][0]


def test_a_dry_run_shows_the_report_and_saves_nothing(staff_owner_client: HttpClient) -> None:
    response = staff_owner_client.post(IMPORT_URL, upload(dry_run="on"))
    assert response.status_code == 200
    assert "Simulation, rien n’est enregistré" in response.content.decode()
    assert "+ second semestre 2026 : particuliers 6.50 %, autres cas 2.50 %" in response.content.decode()
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 1)).exists()


def test_page_queries_are_bounded(owner_client: HttpClient, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    owner_client.get(URL)
    with django_assert_max_num_queries(6):
        assert owner_client.get(URL).status_code == 200


def test_a_file_over_1_mb_is_refused(staff_owner_client: HttpClient) -> None:
    response = staff_owner_client.post(IMPORT_URL, upload(LEGAL_CSV + b"#" * (1024 * 1024)))
    assert response.status_code == 422
    assert response.context["form"].errors["file"] == [
        "Le fichier dépasse 1 Mo : une table de taux tient en quelques kilo-octets."
    ]
