"""What every measure shares: results with their target, percentiles, a stopwatch, the context."""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    """A target as the product states it; `check(value, baseline)` says whether it is held."""

    text: str
    check: Callable[[float, float | None], bool]


def ratio_at_most(limit: float, text: str = "") -> Target:
    def check(value: float, baseline: float | None) -> bool:
        return value / baseline <= limit if baseline else False

    return Target(text or f"≤ {limit:g} × baseline", check)


def ratio_at_least(limit: float) -> Target:
    def check(value: float, baseline: float | None) -> bool:
        return value / baseline >= limit if baseline else False

    return Target(f"≥ {limit:g} × baseline", check)


def below(limit: float, unit: str) -> Target:
    return Target(f"< {limit:g} {unit}", lambda value, baseline: value < limit)


def same_as_baseline() -> Target:
    return Target("= baseline", lambda value, baseline: baseline is not None and value == baseline)


@dataclass
class Result:
    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def ok(self) -> bool | None:
        """None for a figure without a target; False when the measure could not run."""
        if self.target is None:
            return None
        if self.value is None:
            return False
        return self.target.check(self.value, self.baseline)

    def as_json(self) -> dict[str, Any]:
        def rounded(number: float | None) -> float | None:
            return None if number is None else round(number, 4)

        return {
            "name": self.name,
            "value": rounded(self.value),
            "unit": self.unit,
            "baseline": rounded(self.baseline),
            "ratio": rounded(self.ratio),
            "target": self.target.text if self.target else None,
            "ok": self.ok,
        }


def failed(names: list[tuple[str, str, Target | None]], error: str) -> list[Result]:
    """The rows of a measure that could not run: no value, not ok, and why."""
    return [Result(name, None, unit, target=target, note=error) for name, unit, target in names]


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `share` of the samples at or below it."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def milliseconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


@dataclass
class Scale:
    name: str
    invoices: int  # in the measured business
    reminders: int  # frozen reminders of that business, all in the archive
    other_businesses: int
    other_invoices: int
    requests: int  # for the late-payments page
    listing_requests: int  # for each page of the bucket listing
    letters: int  # per PDF variant (Typst), alternating with the bare render
    weasyprint_letters: int
    wrk_seconds: int
    # The many small businesses of one server (`generator.generate_tenants`), when the database
    # has none yet: how many, and the size of the largest few.
    tenants: int = 40
    tenant_largest: int = 2_000
    tenant_largest_count: int = 1
    # One pass of the automatic-reminder scheduler: businesses, their due invoices, and how many
    # messages the bare SMTP baseline sends.
    scheduler_businesses: int = 100
    scheduler_invoices: int = 2_000
    scheduler_bare_emails: int = 200


QUICK = Scale(
    "quick",
    10_000,
    1_000,
    4,
    1_000,
    requests=30,
    listing_requests=30,
    letters=30,
    weasyprint_letters=10,
    wrk_seconds=12,
    tenants=40,
    tenant_largest=2_000,
    tenant_largest_count=1,
    scheduler_businesses=100,
    scheduler_invoices=2_000,
    scheduler_bare_emails=200,
)
FULL = Scale(
    "full",
    100_000,
    10_000,
    9,
    2_000,
    requests=40,
    listing_requests=30,
    letters=40,
    weasyprint_letters=15,
    wrk_seconds=12,
    tenants=400,
    tenant_largest=20_000,
    tenant_largest_count=1,
    scheduler_businesses=5_000,
    scheduler_invoices=100_000,
    scheduler_bare_emails=1_000,
)


@dataclass
class Context:
    """What the measures get from the run: the scale, where to write, the data generated."""

    scale: Scale
    out: Path
    seed: int
    business_id: int = 0
    user_id: int = 0
    small_business_id: int = 0
    small_user_id: int = 0
    # The business of median size among the tenants, and how many tenants and invoices they are.
    median_business_id: int = 0
    median_user_id: int = 0
    tenants: str = ""
    notes: list[str] = field(default_factory=list)
