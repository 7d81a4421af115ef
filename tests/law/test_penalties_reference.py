"""The interest computation checked against a reference written here, independently of law.penalties.

The rule (C. com. L441-10 II for a business debtor, C. civ. 1231-6 and 1344-1 for a consumer):
the late days d run from the first late day through `until`; the base on day d is the amount
minus the payments dated before d; the days are cut into segments at each 1 January, each
1 July and after each payment day; each segment's interest is base × rate/100 × days/365,
rounded half-up to the cent; the interest is their sum.

The reference walks the calendar one day at a time in exact fractions and reads the rates
straight from the CSV files, so it shares neither code nor arithmetic with the product.
Half of the generated cases have their amount raised so that the first segment's exact interest
ends in half a cent: a rounding other than half-up per segment cannot hide.
"""

import csv
import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from law.penalties import BUSINESS, CONSUMER, Payment, compute_penalties
from law.ratefiles import SHIPPED_ECB, SHIPPED_LEGAL
from law.rates import RateTables

ONE_DAY = dt.timedelta(days=1)


def half_up_to_the_cent(euros: Fraction) -> Fraction:
    cents = abs(euros) * 100
    rounded = math.floor(cents + Fraction(1, 2))
    return Fraction(rounded if euros >= 0 else -rounded, 100)


# Rate tables as plain values, read here without law.ratefiles.


@dataclass(frozen=True)
class Rates:
    ecb_changes: tuple[tuple[dt.date, Fraction], ...]  # (effective date, MRO rate), sorted
    legal_autres: dict[dt.date, Fraction]  # first day of the half-year → "autres cas" rate

    def half_year_start(self, day: dt.date) -> dt.date:
        return dt.date(day.year, 1 if day.month <= 6 else 7, 1)

    def ecb_on(self, day: dt.date) -> Fraction:
        """The MRO rate in force on the first day of `day`'s half-year."""
        start = self.half_year_start(day)
        return [rate for effective, rate in self.ecb_changes if effective <= start][-1]

    def legal_on(self, day: dt.date) -> Fraction:
        return self.legal_autres[self.half_year_start(day)]

    def as_tables(self) -> RateTables:
        """The same rates for the product, known through the last half-year both tables give."""
        last = max(self.legal_autres)
        return RateTables.build(
            ecb=[(effective, _decimal(rate)) for effective, rate in self.ecb_changes],
            ecb_known_through=last,
            legal=[(start, Decimal("1.00"), _decimal(rate)) for start, rate in sorted(self.legal_autres.items())],
            legal_known_through=last,
        )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _data_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def shipped_rates() -> Rates:
    ecb = sorted(
        (dt.date.fromisoformat(row["effective_date"]), Fraction(row["rate_percent"])) for row in _data_rows(SHIPPED_ECB)
    )
    legal = {
        dt.date.fromisoformat(row["semester_start"]): Fraction(row["autres_percent"])
        for row in _data_rows(SHIPPED_LEGAL)
        if row["autres_percent"].strip()
    }
    return Rates(tuple(ecb), legal)


SHIPPED = shipped_rates()
SHIPPED_TABLES = SHIPPED.as_tables()
SHIPPED_FIRST_DAY = dt.date(2015, 1, 1)
SHIPPED_LAST_DAY = dt.date(2026, 6, 30)  # 2026 S1 is the last half-year both files give


# The reference


@dataclass(frozen=True)
class ReferenceSegment:
    start: dt.date
    end: dt.date
    days: int
    rate: Fraction
    base: Fraction
    interest: Fraction


def reference_segments(
    *,
    amount: Fraction,
    first_late_day: dt.date,
    until: dt.date,
    payments: list[tuple[dt.date, Fraction]],
    rate_on: Callable[[dt.date], Fraction],
) -> list[ReferenceSegment]:
    segments: list[ReferenceSegment] = []
    payment_days = {day for day, _ in payments}
    open_start: dt.date | None = None
    day = first_late_day
    while day <= until:
        base = amount - sum((paid for paid_on, paid in payments if paid_on < day), Fraction(0))
        if base > 0 and open_start is None:
            open_start = day
        is_last_day = (
            day == until
            or (day.month, day.day) in {(6, 30), (12, 31)}  # the next day is 1 July or 1 January
            or day in payment_days
        )
        if open_start is not None and is_last_day:
            days = (day - open_start).days + 1
            rate = rate_on(open_start)
            interest = half_up_to_the_cent(base * rate / 100 * days / 365)
            segments.append(ReferenceSegment(open_start, day, days, rate, base, interest))
            open_start = None
        if base <= 0:
            break
        day += ONE_DAY
    return segments


def reference_interest(segments: list[ReferenceSegment]) -> Fraction:
    return sum((segment.interest for segment in segments), Fraction(0))


@dataclass(frozen=True)
class Case:
    amount_cents: int
    due_date: dt.date
    until: dt.date
    debtor: str
    payments: tuple[tuple[dt.date, int], ...]  # (date, cents)
    contract_rate_hundredths: int | None = None
    notice_date: dt.date | None = None

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100

    @property
    def contract_rate(self) -> Decimal | None:
        if self.contract_rate_hundredths is None:
            return None
        return Decimal(self.contract_rate_hundredths) / 100

    def first_late_day(self) -> dt.date | None:
        if self.debtor == BUSINESS:
            return self.due_date + ONE_DAY
        if self.notice_date is None:
            return None  # C. civ. 1344-1: no interest before a formal notice
        return max(self.notice_date, self.due_date) + ONE_DAY

    def rate_on(self, rates: Rates) -> Callable[[dt.date], Fraction]:
        if self.debtor == CONSUMER:
            return rates.legal_on  # a contract rate never applies to a consumer
        if self.contract_rate_hundredths is not None:
            return lambda _day: Fraction(self.contract_rate_hundredths or 0, 100)
        return lambda day: rates.ecb_on(day) + 10


def reference_segments_of(case: Case, rates: Rates) -> list[ReferenceSegment]:
    first_late_day = case.first_late_day()
    if first_late_day is None:
        return []
    return reference_segments(
        amount=Fraction(case.amount_cents, 100),
        first_late_day=first_late_day,
        until=case.until,
        payments=[(day, Fraction(cents, 100)) for day, cents in case.payments],
        rate_on=case.rate_on(rates),
    )


def check_against_reference(case: Case, rates: Rates, tables: RateTables) -> None:
    result = compute_penalties(
        amount=case.amount,
        due_date=case.due_date,
        until=case.until,
        debtor=case.debtor,
        tables=tables,
        contract_rate=case.contract_rate,
        notice_date=case.notice_date,
        payments=[Payment(day, Decimal(cents) / 100) for day, cents in case.payments],
    )
    expected = reference_segments_of(case, rates)
    product = [
        (s.start, s.end, s.days, Fraction(s.rate), Fraction(s.base), Fraction(s.interest)) for s in result.segments
    ]
    assert product == [(s.start, s.end, s.days, s.rate, s.base, s.interest) for s in expected]
    assert Fraction(result.interest) == reference_interest(expected)


# Generated cases

amounts = st.integers(min_value=1, max_value=1_000_000_000)  # in cents
contract_rates = st.none() | st.integers(min_value=0, max_value=3000)  # in hundredths of a percent
debtors = st.sampled_from([BUSINESS, BUSINESS, CONSUMER])
many = settings(max_examples=1500, deadline=None)


@st.composite
def cases(draw: st.DrawFn, *, rates: Rates, first_day: dt.date, last_day: dt.date) -> Case:
    amount_cents = draw(amounts)
    due_date = draw(st.dates(min_value=first_day - ONE_DAY, max_value=last_day - ONE_DAY))
    until = draw(
        st.one_of(
            st.dates(min_value=due_date - dt.timedelta(days=5), max_value=min(last_day, due_date + dt.timedelta(60))),
            st.dates(min_value=due_date, max_value=last_day),
        )
    )
    payment_days = st.one_of(
        st.dates(min_value=due_date - dt.timedelta(days=30), max_value=until + dt.timedelta(days=30)),
        # Days next to a cut: the due date and the first late day, either side of 1 July and 1 January, until.
        st.sampled_from(
            [
                due_date + ONE_DAY,
                due_date,
                dt.date(due_date.year, 6, 30),
                dt.date(due_date.year, 7, 1),
                dt.date(due_date.year, 12, 31),
                dt.date(due_date.year + 1, 1, 1),
                until,
            ]
        ),
    )
    payments = []
    left = amount_cents
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if left == 0:
            break
        cents = draw(st.one_of(st.integers(min_value=1, max_value=left), st.just(left), st.just((left + 1) // 2)))
        payments.append((draw(payment_days), cents))
        left -= cents
    debtor = draw(debtors)
    notice_date = None
    if debtor == CONSUMER:
        notice_date = draw(
            st.none() | st.dates(min_value=due_date - dt.timedelta(days=20), max_value=until + dt.timedelta(days=5))
        )
    case = Case(
        amount_cents=amount_cents,
        due_date=due_date,
        until=until,
        debtor=debtor,
        payments=tuple(payments),
        contract_rate_hundredths=draw(contract_rates),
        notice_date=notice_date,
    )
    return with_a_half_cent_tie(case, rates) if draw(st.booleans()) else case


HALF_CENT_DIVISOR = 3_650_000  # interest in cents = B × R × n / 3,650,000 (B cents, R hundredths of a %, n days)


def with_a_half_cent_tie(case: Case, rates: Rates) -> Case:
    """The case with its amount raised so that its first segment's exact interest ends in half a cent.

    B × x ≡ 1,825,000 (mod 3,650,000) with x = R × n has a solution B = odd × 3,650,000 / (2 g),
    g = gcd(x, 3,650,000), when x has at most three factors 2.
    """
    segments = reference_segments_of(case, rates)
    if not segments:
        return case
    first = segments[0]
    x = int(first.rate * 100) * first.days
    if x == 0 or (x & -x) > 8:
        return case
    unit = HALF_CENT_DIVISOR // (2 * math.gcd(x, HALF_CENT_DIVISOR))
    paid_before = sum(cents for day, cents in case.payments if day < first.start)
    times = -(-(case.amount_cents - paid_before) // unit)
    times += 1 - times % 2
    return dataclasses.replace(case, amount_cents=paid_before + times * unit)


@many
@given(case=cases(rates=SHIPPED, first_day=SHIPPED_FIRST_DAY, last_day=SHIPPED_LAST_DAY))
@example(
    case=Case(
        amount_cents=1_095_000, due_date=dt.date(2025, 3, 1), until=dt.date(2025, 3, 2), debtor=BUSINESS, payments=()
    )
)
def test_interest_matches_the_reference_with_the_shipped_rates(case: Case) -> None:
    check_against_reference(case, SHIPPED, SHIPPED_TABLES)


SYNTHETIC_FIRST_DAY = dt.date(2030, 1, 1)
SYNTHETIC_HALF_YEARS = 8


@st.composite
def synthetic_rates(draw: st.DrawFn) -> Rates:
    """Eight half-years from 2030 with rates of our own, several ECB changes within a half-year."""
    ecb_rate = st.integers(min_value=-50, max_value=600).map(lambda hundredths: Fraction(hundredths, 100))
    legal_rate = st.integers(min_value=1, max_value=900).map(lambda hundredths: Fraction(hundredths, 100))
    changes = [(dt.date(2029, 12, 1), draw(ecb_rate))]
    legal = {}
    start = SYNTHETIC_FIRST_DAY
    for _ in range(SYNTHETIC_HALF_YEARS):
        legal[start] = draw(legal_rate)
        for offset in sorted(draw(st.sets(st.integers(min_value=0, max_value=180), max_size=2))):
            changes.append((start + dt.timedelta(days=offset), draw(ecb_rate)))
        start = dt.date(start.year, 7, 1) if start.month == 1 else dt.date(start.year + 1, 1, 1)
    return Rates(tuple(changes), legal)


@many
@given(rates=synthetic_rates(), data=st.data())
def test_interest_matches_the_reference_with_synthetic_rates(rates: Rates, data: st.DataObject) -> None:
    case = data.draw(cases(rates=rates, first_day=SYNTHETIC_FIRST_DAY + ONE_DAY, last_day=dt.date(2033, 12, 31)))
    check_against_reference(case, rates, rates.as_tables())


# Boundary cases, each also checked by hand


def test_reference_rounds_an_exact_half_cent_up() -> None:
    # 10,950.00 € × 13.15 % (ECB 3.15 % on 1 January 2025 + 10) × 1/365 = 3.945 € exactly.
    case = Case(
        amount_cents=1_095_000, due_date=dt.date(2025, 3, 1), until=dt.date(2025, 3, 2), debtor=BUSINESS, payments=()
    )
    result = compute_penalties(
        amount=case.amount, due_date=case.due_date, until=case.until, debtor=BUSINESS, tables=SHIPPED_TABLES
    )
    assert Fraction(1_095_000, 100) * Fraction(1315, 100) / 100 / 365 == Fraction(3945, 1000)
    assert result.interest == Decimal("3.95")
    check_against_reference(case, SHIPPED, SHIPPED_TABLES)


@pytest.mark.parametrize(
    ("case", "segments"),
    [
        pytest.param(
            # Paid 1,000.00 € of 3,650.00 € on the first late day: that day still counts on the whole amount.
            Case(365_000, dt.date(2025, 3, 1), dt.date(2025, 3, 11), BUSINESS, ((dt.date(2025, 3, 2), 100_000),)),
            [
                ("2025-03-02", "2025-03-02", 1, "13.15", "3650.00", "1.32"),  # 1.315 → 1.32
                ("2025-03-03", "2025-03-11", 9, "13.15", "2650.00", "8.59"),  # 8.5929…
            ],
            id="payment-on-the-first-late-day",
        ),
        pytest.param(
            # Paid on 1 January 2025: 31 December closes one segment, 1 January is a segment of its own.
            Case(
                182_500,
                dt.date(2024, 12, 20),
                dt.date(2025, 1, 10),
                BUSINESS,
                ((dt.date(2025, 1, 1), 50_000),),
                contract_rate_hundredths=1000,
            ),
            [
                ("2024-12-21", "2024-12-31", 11, "10.00", "1825.00", "5.50"),  # 5.50 exactly
                ("2025-01-01", "2025-01-01", 1, "10.00", "1825.00", "0.50"),  # 0.50 exactly
                ("2025-01-02", "2025-01-10", 9, "10.00", "1325.00", "3.27"),  # 3.2671…
            ],
            id="payment-on-1-january",
        ),
        pytest.param(
            # Paid in full on 1 July 2025: 1 July is still owed, at the rate of the second half-year.
            Case(146_000, dt.date(2025, 6, 25), dt.date(2025, 7, 20), BUSINESS, ((dt.date(2025, 7, 1), 146_000),)),
            [
                ("2025-06-26", "2025-06-30", 5, "13.15", "1460.00", "2.63"),  # 2.63
                ("2025-07-01", "2025-07-01", 1, "12.15", "1460.00", "0.49"),  # 0.486
            ],
            id="payment-on-1-july",
        ),
        pytest.param(
            # A consumer notified on 1 July 2025: interest from 2 July at the legal rate, "autres cas".
            Case(
                730_000,
                dt.date(2025, 6, 1),
                dt.date(2025, 7, 11),
                CONSUMER,
                ((dt.date(2025, 7, 6), 365_000),),
                notice_date=dt.date(2025, 7, 1),
            ),
            [
                ("2025-07-02", "2025-07-06", 5, "2.76", "7300.00", "2.76"),  # 2.76 exactly
                ("2025-07-07", "2025-07-11", 5, "2.76", "3650.00", "1.38"),  # 1.38 exactly
            ],
            id="consumer-from-the-day-after-the-notice",
        ),
    ],
)
def test_boundary_case_matches_the_reference_and_the_hand_figures(case: Case, segments: list[tuple[str, ...]]) -> None:
    check_against_reference(case, SHIPPED, SHIPPED_TABLES)
    result = compute_penalties(
        amount=case.amount,
        due_date=case.due_date,
        until=case.until,
        debtor=case.debtor,
        tables=SHIPPED_TABLES,
        contract_rate=case.contract_rate,
        notice_date=case.notice_date,
        payments=[Payment(day, Decimal(cents) / 100) for day, cents in case.payments],
    )
    assert [
        (s.start.isoformat(), s.end.isoformat(), str(s.days), f"{s.rate:.2f}", f"{s.base:.2f}", f"{s.interest:.2f}")
        for s in result.segments
    ] == [tuple(str(value) for value in segment) for segment in segments]


def test_reference_reads_the_shipped_rates_of_known_half_years() -> None:
    # Published figures: ECB MRO 4.50 % on 1 January 2024, 2.15 % on 1 July 2025;
    # legal rate "autres cas" 2.76 % for the second half of 2025 (arrêté du 19 juin 2025).
    assert SHIPPED.ecb_on(dt.date(2024, 3, 1)) == Fraction(450, 100)
    assert SHIPPED.ecb_on(dt.date(2025, 12, 31)) == Fraction(215, 100)
    assert SHIPPED.legal_on(dt.date(2025, 7, 1)) == Fraction(276, 100)
