"""The rate tables in the database: loaded by the data migration, read (and cached) as RateTables."""

import datetime as dt
from decimal import Decimal

import pytest

from law.rates import HalfYear, MissingRate, RateTables
from rates import services
from rates.models import EcbRate, LegalRate, RateTableStatus
from rates.tables import load_rate_tables

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_shipped_tables_with_their_known_through_dates(tables: RateTables) -> None:
    assert EcbRate.objects.count() == len(tables.ecb_changes) == 20
    assert LegalRate.objects.count() == len(tables.legal_rates) == 23
    statuses = dict(RateTableStatus.objects.values_list("table", "known_through"))
    assert statuses == {"ecb": dt.date(2026, 4, 1), "legal": dt.date(2026, 1, 1)}
    assert EcbRate.objects.get(effective_date=dt.date(2025, 6, 11)).source.startswith("https://deenazaidi.com")


def test_database_tables_give_the_same_rates_as_the_shipped_files(tables: RateTables) -> None:
    loaded = load_rate_tables()
    assert loaded.rows(through=HalfYear(2026, 2)) == tables.rows(through=HalfYear(2026, 2))
    assert loaded.ecb_known_through == dt.date(2026, 4, 1)
    assert loaded.legal_known_through == HalfYear(2026, 1)


def test_a_second_load_costs_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    first = load_rate_tables()
    with django_assert_num_queries(1):
        assert load_rate_tables() is first


def test_an_update_is_seen_by_the_next_load() -> None:
    load_rate_tables()
    services.import_rates(
        content="semester_start,particuliers_percent,autres_percent,source\n2026-07-01,6.50,2.50,Arrêté de test\n"
    )
    assert load_rate_tables().legal_rate(HalfYear(2026, 2)).autres == Decimal("2.50")


def test_an_empty_database_gives_empty_tables_that_name_the_missing_rate() -> None:
    EcbRate.objects.all().delete()
    LegalRate.objects.all().delete()
    RateTableStatus.objects.all().delete()
    tables = load_rate_tables()
    assert tables.rows(through=HalfYear(2026, 1)) == []
    with pytest.raises(MissingRate, match="premier semestre 2026"):
        tables.ecb_rate(HalfYear(2026, 1))
