"""Bucket arithmetic: bounds → definitions, age in days → key (by default: not yet due, 1–30, 31–60,
61–90 and more than 90 days late, counted from the due date; an invoice due today is not late)."""

import datetime as dt

import pytest

from ledger import buckets


def test_default_bounds_give_the_five_product_buckets() -> None:
    keys = [bucket.key for bucket in buckets.definitions([30, 60, 90])]
    labels = [bucket.label for bucket in buckets.definitions([30, 60, 90])]
    assert keys == ["not_due", "1-30", "31-60", "61-90", "90+"]
    assert labels == ["Non échues", "1 à 30 jours", "31 à 60 jours", "61 à 90 jours", "Plus de 90 jours"]


def test_generic_bounds_give_one_bucket_per_bound_plus_the_open_one() -> None:
    keys = [bucket.key for bucket in buckets.definitions([15, 45])]
    assert keys == ["not_due", "1-15", "16-45", "45+"]


def test_single_bound() -> None:
    defs = buckets.definitions([10])
    assert [(b.key, b.low, b.high) for b in defs] == [("not_due", None, None), ("1-10", 1, 10), ("10+", 11, None)]


@pytest.mark.parametrize("bounds", [[], [0, 30], [30, 30], [60, 30], [-5]])
def test_invalid_bounds_are_refused(bounds: list[int]) -> None:
    with pytest.raises(ValueError):
        buckets.definitions(bounds)


@pytest.mark.parametrize(
    ("days", "key"),
    [
        (-10, "not_due"),
        (0, "not_due"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (4000, "90+"),
    ],
)
def test_key_for_each_boundary(days: int, key: str) -> None:
    assert buckets.key_for(days, [30, 60, 90]) == key


def test_every_day_count_has_exactly_one_bucket() -> None:
    defs = buckets.definitions([7, 30, 45])
    for days in range(1, 200):
        matching = [b for b in defs if b.is_late and b.low <= days and (b.high is None or days <= b.high)]  # type: ignore[operator]
        assert len(matching) == 1, days


def test_date_range_of_a_bucket_is_inclusive() -> None:
    bucket = buckets.find([30, 60, 90], "31-60")
    assert bucket is not None
    as_of = dt.date(2026, 11, 28)
    assert bucket.date_range(as_of) == (dt.date(2026, 9, 29), dt.date(2026, 10, 28))


def test_open_bucket_has_no_earliest_date() -> None:
    bucket = buckets.find([30, 60, 90], "90+")
    assert bucket is not None
    assert bucket.date_range(dt.date(2026, 11, 28)) == (None, dt.date(2026, 8, 29))


def test_unknown_key_is_not_found() -> None:
    assert buckets.find([30, 60, 90], "91+") is None
    assert buckets.find([30, 60, 90], "1-31") is None
