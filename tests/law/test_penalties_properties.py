"""Properties of the penalty computation that must hold for every input (hypothesis)."""

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from law.penalties import BUSINESS, CONSUMER, ZERO, Payment, compute_penalties
from law.ratefiles import shipped_rate_tables
from law.rates import HalfYear, MissingRate, RateTables

TABLES = shipped_rate_tables()
FIRST_DAY = dt.date(2015, 1, 1)
LAST_KNOWN_DAY = dt.date(2026, 6, 30)  # both tables know 2026 S1, neither 2026 S2

amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100)
due_dates = st.dates(min_value=FIRST_DAY, max_value=dt.date(2026, 3, 31))
debtors = st.sampled_from([BUSINESS, CONSUMER])
contract_rates = st.none() | st.integers(min_value=0, max_value=3000).map(lambda hundredths: Decimal(hundredths) / 100)
# Per test, not a global profile: other suites keep their own settings.
thorough = settings(max_examples=150, deadline=None)


@st.composite
def payments_for(draw: st.DrawFn, amount: Decimal, due_date: dt.date) -> list[Payment]:
    """Up to four payments between 60 days before and 120 days after the due date, never above `amount`."""
    payments = []
    left = amount
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if left <= 0:
            break
        cents = draw(st.integers(min_value=1, max_value=int(left * 100)))
        date = draw(st.dates(min_value=due_date - dt.timedelta(days=60), max_value=due_date + dt.timedelta(days=120)))
        payments.append(Payment(date, Decimal(cents) / 100))
        left -= Decimal(cents) / 100
    return payments


@st.composite
def invoices(draw: st.DrawFn) -> dict:
    amount = draw(amounts)
    due_date = draw(due_dates)
    debtor = draw(debtors)
    return {
        "amount": amount,
        "due_date": due_date,
        "debtor": debtor,
        "payments": draw(payments_for(amount, due_date)),
        "contract_rate": draw(contract_rates) if debtor == BUSINESS else None,
        "notice_date": draw(
            st.none() | st.dates(min_value=due_date - dt.timedelta(days=10), max_value=due_date + dt.timedelta(days=90))
        ),
    }


def untils(due_date: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=due_date - dt.timedelta(days=30), max_value=LAST_KNOWN_DAY)


@thorough
@given(invoice=invoices(), data=st.data())
def test_zero_when_paid_in_full_by_the_due_date(invoice: dict, data: st.DataObject) -> None:
    first = data.draw(st.integers(min_value=1, max_value=int(invoice["amount"] * 100)))
    paid_on = [
        data.draw(st.dates(min_value=invoice["due_date"] - dt.timedelta(days=60), max_value=invoice["due_date"]))
        for _ in range(2)
    ]
    invoice["payments"] = [Payment(paid_on[0], Decimal(first) / 100)]
    if Decimal(first) / 100 < invoice["amount"]:
        invoice["payments"].append(Payment(paid_on[1], invoice["amount"] - Decimal(first) / 100))
    # Far beyond the tables too: paid invoices need no rate at all.
    until = data.draw(st.dates(min_value=invoice["due_date"], max_value=dt.date(2030, 12, 31)))
    result = compute_penalties(tables=TABLES, until=until, **invoice)
    assert (result.interest, result.indemnity, result.segments, result.outstanding) == (ZERO, ZERO, (), ZERO)


@thorough
@given(invoice=invoices(), data=st.data())
def test_interest_never_decreases_when_until_grows(invoice: dict, data: st.DataObject) -> None:
    earlier = data.draw(untils(invoice["due_date"]))
    later = data.draw(st.dates(min_value=earlier, max_value=LAST_KNOWN_DAY))
    first = compute_penalties(tables=TABLES, until=earlier, **invoice)
    second = compute_penalties(tables=TABLES, until=later, **invoice)
    assert second.interest >= first.interest
    assert second.penalties >= first.penalties


@thorough
@given(invoice=invoices(), data=st.data())
def test_splitting_a_payment_in_two_on_the_same_day_changes_nothing(invoice: dict, data: st.DataObject) -> None:
    if not invoice["payments"]:
        invoice["payments"] = [Payment(invoice["due_date"] + dt.timedelta(days=5), invoice["amount"])]
    index = data.draw(st.integers(min_value=0, max_value=len(invoice["payments"]) - 1))
    whole = invoice["payments"][index]
    if whole.amount < Decimal("0.02"):
        return
    part = Decimal(data.draw(st.integers(min_value=1, max_value=int(whole.amount * 100) - 1))) / 100
    split = [*invoice["payments"][:index], Payment(whole.date, part), Payment(whole.date, whole.amount - part)]
    split += invoice["payments"][index + 1 :]
    until = data.draw(untils(invoice["due_date"]))
    assert compute_penalties(tables=TABLES, until=until, **invoice) == compute_penalties(
        tables=TABLES, until=until, **{**invoice, "payments": split}
    )


@thorough
@given(invoice=invoices(), data=st.data())
def test_consumer_owes_nothing_without_a_formal_notice(invoice: dict, data: st.DataObject) -> None:
    # Without a notice no rate is needed, even far beyond the tables.
    until = data.draw(st.dates(min_value=invoice["due_date"] - dt.timedelta(days=30), max_value=dt.date(2030, 12, 31)))
    result = compute_penalties(
        tables=TABLES, until=until, **{**invoice, "debtor": CONSUMER, "notice_date": None, "contract_rate": None}
    )
    assert (result.interest, result.indemnity, result.segments) == (ZERO, ZERO, ())


@thorough
@given(invoice=invoices(), data=st.data())
def test_interest_is_the_sum_of_contiguous_segments_within_one_half_year_each(
    invoice: dict, data: st.DataObject
) -> None:
    result = compute_penalties(tables=TABLES, until=data.draw(untils(invoice["due_date"])), **invoice)
    assert result.interest == sum((segment.interest for segment in result.segments), ZERO)
    for segment in result.segments:
        assert HalfYear.of(segment.start) == HalfYear.of(segment.end)
        assert segment.days == (segment.end - segment.start).days + 1 > 0
        assert segment.base > 0
    for before, after in zip(result.segments, result.segments[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)


def _with_gap(tables: RateTables, gap: HalfYear) -> RateTables:
    """The tables without `gap`: no legal rate for it, and an ECB table known only up to it."""
    return dataclasses.replace(
        tables,
        ecb_known_through=gap.start - dt.timedelta(days=1),
        legal_rates=tuple(rate for rate in tables.legal_rates if rate.half_year != gap),
    )


@thorough
@given(
    gap=st.builds(HalfYear, st.integers(min_value=2016, max_value=2025), st.sampled_from([1, 2])),
    amount=amounts,
    debtor=debtors,
    data=st.data(),
)
def test_a_table_gap_always_raises_missing_rate_naming_the_half_year(
    gap: HalfYear, amount: Decimal, debtor: str, data: st.DataObject
) -> None:
    # An unpaid invoice late on at least one day of the missing half-year.
    earliest_due = max(FIRST_DAY, gap.start - dt.timedelta(days=400))
    due_date = data.draw(st.dates(min_value=earliest_due, max_value=gap.end - dt.timedelta(days=1)))
    until = data.draw(
        st.dates(min_value=max(gap.start, due_date + dt.timedelta(days=1)), max_value=gap.end + dt.timedelta(days=400))
    )
    notice_date = due_date if debtor == CONSUMER else None
    tables = _with_gap(TABLES, gap)
    try:
        compute_penalties(
            tables=tables, amount=amount, due_date=due_date, until=until, debtor=debtor, notice_date=notice_date
        )
    except MissingRate as error:
        # The first half-year the computation lacks is the gap (later ones may be missing too).
        assert error.half_year == gap
        assert gap.label in error.message
    else:
        raise AssertionError(f"no MissingRate for {gap}")
