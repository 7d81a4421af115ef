"""The rate tables from the database, as the pure core's `RateTables`."""

import threading

from law.rates import ECB_TABLE, LEGAL_TABLE, EcbChange, HalfYear, RateTables
from law.rates import LegalRate as LegalRateValue
from rates.models import EcbRate, LegalRate, RateTableStatus

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], RateTables] | None = None


def load_rate_tables() -> RateTables:
    """One small query when nothing changed since the last call in this process; the tables
    are re-read when a status row's version or timestamp moved (import, fetch, admin).
    An empty database gives empty tables: every computation then names the missing rate."""
    global _cached
    statuses = {status.table: status for status in RateTableStatus.objects.all()}
    key = tuple(
        (table, status.version, status.updated_at, status.known_through) for table, status in sorted(statuses.items())
    )
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    ecb = statuses.get(ECB_TABLE)
    legal = statuses.get(LEGAL_TABLE)
    tables = RateTables(
        ecb_changes=tuple(
            EcbChange(row.effective_date, row.rate, row.source) for row in EcbRate.objects.order_by("effective_date")
        ),
        ecb_known_through=ecb.known_through if ecb else None,
        legal_rates=tuple(
            LegalRateValue(HalfYear.of(row.semester_start), row.particuliers, row.autres, row.source)
            for row in LegalRate.objects.order_by("semester_start")
        ),
        legal_known_through=HalfYear.of(legal.known_through) if legal and legal.known_through else None,
    )
    with _lock:
        _cached = (key, tables)
    return tables
