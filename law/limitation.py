"""Limitation deadline (prescription) of an invoice. Pure: no Django, no clock.

- Consumer debtor: 2 years (C. consom. L218-2, "l'action des professionnels … se prescrit par
  deux ans").
- Professional debtor: 5 years (C. com. L110-4 I; C. civ. 2224).

Counted from the due date, when the debt became payable. What interrupts or suspends the
period (C. civ. 2240–2244) is not modelled: the deadline shown is the one without any act.
"""

import datetime as dt
from dataclasses import dataclass

from law.penalties import BUSINESS, parse_debtor

YEARS = {"business": 5, "consumer": 2}
CLOSE_DAYS = 90


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar date `years` later; 29 February becomes 28 February (the earlier day, to be safe)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def limitation_deadline(due_date: dt.date, debtor: str) -> dt.date:
    return add_years(due_date, YEARS[parse_debtor(debtor)])


@dataclass(frozen=True)
class Limitation:
    deadline: dt.date
    days_left: int  # negative once the deadline has passed
    years: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def close(self) -> bool:
        """Within 90 days of the deadline: flagged on the dashboard and the client page."""
        return 0 <= self.days_left <= CLOSE_DAYS

    @property
    def article(self) -> str:
        if self.years == YEARS[BUSINESS]:
            return "art. L110-4 du Code de commerce"
        return "art. L218-2 du Code de la consommation"

    @property
    def message(self) -> str:
        if self.expired:
            return f"Prescrite depuis le {self.deadline:%d/%m/%Y} ({self.years} ans, {self.article})."
        days = f"{self.days_left} jour{'s' if self.days_left > 1 else ''}"
        return (
            f"Prescription le {self.deadline:%d/%m/%Y} ({self.years} ans après l’échéance, {self.article}) : "
            f"il reste {days} pour agir en justice."
        )


def limitation(due_date: dt.date, debtor: str, today: dt.date) -> Limitation:
    deadline = limitation_deadline(due_date, debtor)
    return Limitation(deadline=deadline, days_left=(deadline - today).days, years=YEARS[debtor])
