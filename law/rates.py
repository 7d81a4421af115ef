"""Rate tables for late-payment law, as plain values. Pure: no Django, no clock.

Two tables, each known complete through a date:
- the ECB main refinancing operations (MRO) rate, as its list of changes; the rate of a
  half-year is the one in force on its first day, 1 January or 1 July (C. com. L441-10 II);
- the French legal interest rate (taux de l'intérêt légal), fixed per half-year by arrêté,
  in two columns: "particuliers" (creditor is a private person) and "autres cas".

A half-year the tables do not cover raises `MissingRate`: an older rate is never reused.
"""

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from law.i18n import gettext as _
from law.i18n import gettext_noop

ECB_TABLE = "ecb"
LEGAL_TABLE = "legal"
TABLE_NAMES = {
    ECB_TABLE: gettext_noop("taux BCE (opérations principales de refinancement)"),
    LEGAL_TABLE: gettext_noop("taux de l’intérêt légal"),
}


class LawError(ValueError):
    """Bad input or missing data for a legal computation; the message is French.

    `field` names the input at fault (amount, due_date, ...) when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January–June, 2: July–December

    def __post_init__(self) -> None:
        if self.half not in (1, 2):
            raise ValueError("half must be 1 or 2")

    @classmethod
    def of(cls, day: dt.date) -> "HalfYear":
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def starting(cls, day: dt.date) -> "HalfYear":
        """The half-year that starts on `day`; anything but 1 Jan / 1 Jul is refused."""
        if day.day != 1 or day.month not in (1, 7):
            raise LawError(
                f"Un semestre commence le 1er janvier ou le 1er juillet, pas le {day:%d/%m/%Y}.",
                field="semester_start",
            )
        return cls.of(day)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    def next(self) -> "HalfYear":
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def previous(self) -> "HalfYear":
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    @property
    def label(self) -> str:
        """ "premier semestre 2026": how the arrêtés and French users name it."""
        if self.half == 1:
            return _("premier semestre %(year)s") % {"year": self.year}
        return _("second semestre %(year)s") % {"year": self.year}

    @property
    def table_label(self) -> str:
        """ "1er semestre 2026" / "2d semestre 2026": for table cells."""
        if self.half == 1:
            return _("1er semestre %(year)s") % {"year": self.year}
        return _("2d semestre %(year)s") % {"year": self.year}

    @property
    def short_label(self) -> str:
        return f"{self.year} S{self.half}"

    def __str__(self) -> str:
        return self.short_label


def half_years_between(first: HalfYear, last: HalfYear) -> Iterator[HalfYear]:
    current = first
    while current <= last:
        yield current
        current = current.next()


class MissingRate(LawError):
    """A computation needs a rate the tables do not know (never guessed nor reused)."""

    def __init__(self, half_year: HalfYear, table: str) -> None:
        self.half_year = half_year
        self.table = table
        if table == ECB_TABLE:
            message = _(
                "Le taux BCE du %(half_year)s n’est pas connu : ajoutez-le "
                "(relance rates import/fetch ou l’administration)"
            ) % {"half_year": half_year.label}
        else:
            message = _(
                "Le taux de l’intérêt légal du %(half_year)s n’est pas connu : ajoutez-le "
                "(relance rates import ou l’administration)"
            ) % {"half_year": half_year.label}
        super().__init__(message)


@dataclass(frozen=True)
class EcbChange:
    effective_date: dt.date
    rate: Decimal
    source: str = ""


@dataclass(frozen=True)
class LegalRate:
    half_year: HalfYear
    particuliers: Decimal
    autres: Decimal
    source: str = ""


@dataclass(frozen=True)
class HalfYearRates:
    """What one half-year's row of the rates page shows; None where the tables say nothing."""

    half_year: HalfYear
    ecb: Decimal | None
    default_rate: Decimal | None
    legal_autres: Decimal | None
    legal_particuliers: Decimal | None
    contract_floor: Decimal | None

    @property
    def complete(self) -> bool:
        return self.ecb is not None and self.legal_autres is not None


@dataclass(frozen=True)
class RateTables:
    """Both tables with the date through which each is known complete.

    `ecb_known_through`: a day; the ECB rate of a half-year is known when its first day is
    on or before it. `legal_known_through`: the last half-year of the legal rate.
    """

    ecb_changes: tuple[EcbChange, ...] = ()
    ecb_known_through: dt.date | None = None
    legal_rates: tuple[LegalRate, ...] = ()
    legal_known_through: HalfYear | None = None
    _ecb_dates: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)
    _legal: dict[HalfYear, LegalRate] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        changes = tuple(sorted(self.ecb_changes, key=lambda change: change.effective_date))
        object.__setattr__(self, "ecb_changes", changes)
        object.__setattr__(self, "_ecb_dates", tuple(change.effective_date for change in changes))
        object.__setattr__(self, "legal_rates", tuple(sorted(self.legal_rates, key=lambda row: row.half_year)))
        object.__setattr__(self, "_legal", {row.half_year: row for row in self.legal_rates})

    @classmethod
    def build(
        cls,
        *,
        ecb: Iterable[tuple[dt.date, Decimal]],
        ecb_known_through: dt.date | None,
        legal: Iterable[tuple[dt.date, Decimal, Decimal]],
        legal_known_through: dt.date | HalfYear | None,
    ) -> "RateTables":
        """Tables from plain tuples: (effective_date, rate) and (semester_start, particuliers, autres)."""
        if isinstance(legal_known_through, dt.date):
            legal_known_through = HalfYear.of(legal_known_through)
        return cls(
            ecb_changes=tuple(EcbChange(day, Decimal(rate)) for day, rate in ecb),
            ecb_known_through=ecb_known_through,
            legal_rates=tuple(
                LegalRate(HalfYear.starting(start), Decimal(part), Decimal(other)) for start, part, other in legal
            ),
            legal_known_through=legal_known_through,
        )

    # ECB

    def ecb_known(self, half_year: HalfYear) -> bool:
        if self.ecb_known_through is None or half_year.start > self.ecb_known_through:
            return False
        return bisect_right(self._ecb_dates, half_year.start) > 0

    def ecb_rate(self, half_year: HalfYear) -> Decimal:
        """The MRO rate in force on the half-year's first day (1 Jan or 1 Jul)."""
        if not self.ecb_known(half_year):
            raise MissingRate(half_year, ECB_TABLE)
        return self.ecb_changes[bisect_right(self._ecb_dates, half_year.start) - 1].rate

    def default_b2b_rate(self, half_year: HalfYear) -> Decimal:
        """L441-10 II: the ECB rate of the half-year plus 10 percentage points."""
        return self.ecb_rate(half_year) + Decimal(10)

    # Legal interest rate

    def legal_known(self, half_year: HalfYear) -> bool:
        return (
            self.legal_known_through is not None and half_year <= self.legal_known_through and half_year in self._legal
        )

    def legal_rate(self, half_year: HalfYear) -> LegalRate:
        if not self.legal_known(half_year):
            raise MissingRate(half_year, LEGAL_TABLE)
        return self._legal[half_year]

    def contract_floor(self, half_year: HalfYear) -> Decimal:
        """L441-10 II: a contract rate may not be below 3 × the legal rate ("autres cas")."""
        return 3 * self.legal_rate(half_year).autres

    # Coverage, for the rates page and `relance rates show`

    @property
    def first_half_year(self) -> HalfYear | None:
        candidates = []
        if self.ecb_changes:
            first = HalfYear.of(self.ecb_changes[0].effective_date)
            candidates.append(first if self.ecb_known(first) else first.next())
        if self.legal_rates:
            candidates.append(self.legal_rates[0].half_year)
        return min(candidates) if candidates else None

    @property
    def last_ecb_half_year(self) -> HalfYear | None:
        if self.ecb_known_through is None or not self.ecb_changes:
            return None
        last = HalfYear.of(self.ecb_known_through)
        return last if self.ecb_known(last) else None

    def rows(self, *, through: HalfYear | None = None) -> list[HalfYearRates]:
        """One row per half-year from the first known one to `through` (or the last known)."""
        first = self.first_half_year
        if first is None:
            return []
        known_ends = [hy for hy in (self.last_ecb_half_year, self.legal_known_through) if hy is not None]
        last = max([*known_ends, *([through] if through else [])], default=first)
        rows = []
        for half_year in half_years_between(first, last):
            ecb = self.ecb_rate(half_year) if self.ecb_known(half_year) else None
            legal = self._legal[half_year] if self.legal_known(half_year) else None
            rows.append(
                HalfYearRates(
                    half_year=half_year,
                    ecb=ecb,
                    default_rate=ecb + 10 if ecb is not None else None,
                    legal_autres=legal.autres if legal else None,
                    legal_particuliers=legal.particuliers if legal else None,
                    contract_floor=3 * legal.autres if legal else None,
                )
            )
        return rows

    def missing(self, *, through: HalfYear) -> list[tuple[HalfYear, list[str]]]:
        """Half-years up to `through` with a table gap, and which tables are missing."""
        gaps = []
        for row in self.rows(through=through):
            tables = []
            if row.ecb is None:
                tables.append(ECB_TABLE)
            if row.legal_autres is None:
                tables.append(LEGAL_TABLE)
            if tables:
                gaps.append((row.half_year, tables))
        return gaps
