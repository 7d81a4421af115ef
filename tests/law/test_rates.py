import datetime as dt
from decimal import Decimal

import pytest

from law.rates import ECB_TABLE, LEGAL_TABLE, HalfYear, LawError, MissingRate, RateTables


def test_ecb_rate_is_the_one_in_force_on_the_first_day_of_the_half_year(tables: RateTables) -> None:
    # The hike of 27 July 2022 does not reach 2022 S2; the cut of 12 June 2024 does reach 2024 S2.
    assert tables.ecb_rate(HalfYear(2022, 2)) == Decimal("0.00")
    assert tables.ecb_rate(HalfYear(2023, 1)) == Decimal("2.50")
    assert tables.ecb_rate(HalfYear(2023, 2)) == Decimal("4.00")
    assert tables.ecb_rate(HalfYear(2024, 2)) == Decimal("4.25")
    assert tables.ecb_rate(HalfYear(2025, 1)) == Decimal("3.15")
    assert tables.ecb_rate(HalfYear(2026, 1)) == Decimal("2.15")


def test_default_b2b_rate_is_ecb_plus_ten_points(tables: RateTables) -> None:
    assert tables.default_b2b_rate(HalfYear(2025, 1)) == Decimal("13.15")
    assert tables.default_b2b_rate(HalfYear(2025, 2)) == Decimal("12.15")


def test_contract_floor_is_three_times_the_legal_rate_autres_cas(tables: RateTables) -> None:
    assert tables.contract_floor(HalfYear(2024, 1)) == Decimal("15.21")
    assert tables.contract_floor(HalfYear(2026, 1)) == Decimal("7.86")


def test_ecb_half_year_after_the_known_through_date_is_missing_with_a_french_message(tables: RateTables) -> None:
    assert tables.ecb_known_through == dt.date(2026, 4, 1)
    with pytest.raises(MissingRate) as caught:
        tables.ecb_rate(HalfYear(2026, 2))
    assert caught.value.half_year == HalfYear(2026, 2)
    assert caught.value.table == ECB_TABLE
    assert str(caught.value) == (
        "Le taux BCE du second semestre 2026 n’est pas connu : ajoutez-le "
        "(relance rates import/fetch ou l’administration)"
    )


def test_ecb_half_year_is_known_when_its_first_day_is_the_known_through_date() -> None:
    tables = RateTables.build(
        ecb=[(dt.date(2025, 6, 11), Decimal("2.15"))],
        ecb_known_through=dt.date(2026, 7, 1),
        legal=[],
        legal_known_through=None,
    )
    assert tables.ecb_rate(HalfYear(2026, 2)) == Decimal("2.15")
    with pytest.raises(MissingRate):
        tables.ecb_rate(HalfYear(2027, 1))


def test_ecb_half_year_before_the_first_change_is_missing(tables: RateTables) -> None:
    with pytest.raises(MissingRate) as caught:
        tables.ecb_rate(HalfYear(2014, 2))
    assert "second semestre 2014" in str(caught.value)


def test_legal_rate_missing_half_year_names_it(tables: RateTables) -> None:
    with pytest.raises(MissingRate) as caught:
        tables.legal_rate(HalfYear(2026, 2))
    assert caught.value.table == LEGAL_TABLE
    assert str(caught.value).startswith("Le taux de l’intérêt légal du second semestre 2026 n’est pas connu")


def test_legal_row_beyond_the_known_through_half_year_is_not_used() -> None:
    tables = RateTables.build(
        ecb=[],
        ecb_known_through=None,
        legal=[
            (dt.date(2026, 1, 1), Decimal("6.67"), Decimal("2.62")),
            (dt.date(2026, 7, 1), Decimal("6"), Decimal("2")),
        ],
        legal_known_through=dt.date(2026, 1, 1),
    )
    assert tables.legal_rate(HalfYear(2026, 1)).autres == Decimal("2.62")
    with pytest.raises(MissingRate):
        tables.legal_rate(HalfYear(2026, 2))


def test_a_gap_inside_the_legal_table_is_missing_not_filled_by_the_previous_half_year() -> None:
    tables = RateTables.build(
        ecb=[],
        ecb_known_through=None,
        legal=[
            (dt.date(2025, 1, 1), Decimal("7.21"), Decimal("3.71")),
            (dt.date(2026, 1, 1), Decimal("6.67"), Decimal("2.62")),
        ],
        legal_known_through=dt.date(2026, 1, 1),
    )
    with pytest.raises(MissingRate) as caught:
        tables.legal_rate(HalfYear(2025, 2))
    assert caught.value.half_year == HalfYear(2025, 2)


def test_rows_match_the_table_of_the_legal_notes(tables: RateTables) -> None:
    rows = {row.half_year.short_label: row for row in tables.rows(through=HalfYear(2026, 2))}
    assert rows["2015 S1"].half_year == HalfYear(2015, 1)
    assert min(rows) == "2015 S1"
    assert (rows["2023 S2"].ecb, rows["2023 S2"].default_rate, rows["2023 S2"].contract_floor) == (
        Decimal("4.00"),
        Decimal("14.00"),
        Decimal("12.66"),
    )
    assert (rows["2024 S1"].default_rate, rows["2024 S1"].contract_floor) == (Decimal("14.50"), Decimal("15.21"))
    assert rows["2026 S1"].legal_particuliers == Decimal("6.67")
    assert not rows["2026 S2"].complete
    assert rows["2026 S2"].ecb is None and rows["2026 S2"].legal_autres is None


def test_missing_lists_each_table_of_each_unknown_half_year(tables: RateTables) -> None:
    assert tables.missing(through=HalfYear(2026, 1)) == []
    assert tables.missing(through=HalfYear(2027, 1)) == [
        (HalfYear(2026, 2), [ECB_TABLE, LEGAL_TABLE]),
        (HalfYear(2027, 1), [ECB_TABLE, LEGAL_TABLE]),
    ]


def test_empty_tables_know_nothing() -> None:
    tables = RateTables()
    assert tables.rows(through=HalfYear(2026, 1)) == []
    with pytest.raises(MissingRate):
        tables.ecb_rate(HalfYear(2026, 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 1), HalfYear(2026, 1)),
        (dt.date(2026, 6, 30), HalfYear(2026, 1)),
        (dt.date(2026, 7, 1), HalfYear(2026, 2)),
        (dt.date(2026, 12, 31), HalfYear(2026, 2)),
    ],
)
def test_half_year_of_a_day(day: dt.date, expected: HalfYear) -> None:
    assert HalfYear.of(day) == expected


def test_half_year_labels_and_bounds() -> None:
    first, second = HalfYear(2026, 1), HalfYear(2026, 2)
    assert (first.label, second.label) == ("premier semestre 2026", "second semestre 2026")
    assert (first.table_label, second.table_label) == ("1er semestre 2026", "2d semestre 2026")
    assert (first.start, first.end, second.start, second.end) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
    )
    assert second.next() == HalfYear(2027, 1) and first.previous() == HalfYear(2025, 2)


def test_a_half_year_starts_on_1_january_or_1_july_only() -> None:
    assert HalfYear.starting(dt.date(2026, 7, 1)) == HalfYear(2026, 2)
    with pytest.raises(LawError, match="1er janvier ou le 1er juillet"):
        HalfYear.starting(dt.date(2026, 7, 15))


def test_the_law_core_imports_without_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, law.rates, law.penalties, law.ratefiles, law.limitation, law.terms; "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60, check=False).returncode == 0
