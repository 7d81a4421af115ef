"""The sending window: business days (Monday to Friday, no French public holiday), between the
business's hours, in Paris time.

Public holidays come from the `holidays` package (metropolitan France: the eleven days of
art. L3133-1 of the Code du travail).
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def holiday_name(day: dt.date) -> str:
    names = holidays.country_holidays("FR", years=day.year, language="fr")
    return str(names.get(day, ""))


def is_open(moment: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Whether reminders may leave at `moment` (an aware datetime)."""
    local = moment.astimezone(PARIS)
    return is_business_day(local.date()) and start <= local.time().replace(tzinfo=None) < end


def next_business_day(day: dt.date) -> dt.date:
    """`day` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day
