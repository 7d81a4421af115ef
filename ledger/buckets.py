"""Lateness buckets (not yet due, 1–30, 31–60, 61–90, over 90 days by default): pure arithmetic on day counts, no database, no clock.

Bounds b1 < b2 < … < bn (the business setting, "30,60,90" by default) give the buckets
`not_due`, `1-b1`, `b1+1-b2`, …, `bn+`. A late bucket holds the invoices whose age in days
lies between its `low` and `high` bounds, both included (`high` is None for the last one).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

NOT_DUE = "not_due"


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    low: int | None  # None for "not_due"
    high: int | None  # None for "not_due" and the open-ended last bucket

    @property
    def is_late(self) -> bool:
        return self.key != NOT_DUE

    def date_range(self, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The basis dates (earliest, latest) whose age on `as_of` falls in this late bucket."""
        if self.low is None:
            raise ValueError("The not-due bucket has no age range.")
        earliest = None if self.high is None else as_of - dt.timedelta(days=self.high)
        return earliest, as_of - dt.timedelta(days=self.low)


def definitions(bounds: Sequence[int]) -> list[Bucket]:
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(f"Bucket bounds must be positive and increasing, not {list(bounds)!r}")
    buckets = [Bucket(NOT_DUE, _("Non échues"), None, None)]
    low = 1
    for bound in bounds:
        buckets.append(
            Bucket(f"{low}-{bound}", _("%(low)s à %(high)s jours") % {"low": low, "high": bound}, low, bound)
        )
        low = bound + 1
    last = bounds[-1]
    buckets.append(Bucket(f"{last}+", _("Plus de %(days)s jours") % {"days": last}, last + 1, None))
    return buckets


def find(bounds: Sequence[int], key: str) -> Bucket | None:
    return next((bucket for bucket in definitions(bounds) if bucket.key == key), None)


def key_for(days: int, bounds: Sequence[int]) -> str:
    """The bucket of an invoice `days` old; zero or less is not yet due."""
    for bucket in definitions(bounds):
        if bucket.low is None:
            if days <= 0:
                return bucket.key
        elif days >= bucket.low and (bucket.high is None or days <= bucket.high):
            return bucket.key
    raise AssertionError("The buckets cover every day count.")
