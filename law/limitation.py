"""Limitation deadline (prescription) of an invoice. Pure: no Django, no clock.

- Consumer debtor: 2 years (C. consom. L218-2, "l'action des professionnels … se prescrit par
  deux ans").
- Professional debtor: 5 years (C. com. L110-4 I; C. civ. 2224).

Counted from the due date, when the debt became payable. What interrupts or suspends the
period (C. civ. 2240–2244) is not modelled: the deadline shown is the one without any act.
"""

import datetime as dt
from dataclasses import dataclass

from law.i18n import gettext as _
from law.i18n import ngettext
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
            return _("art. L110-4 du Code de commerce")
        return _("art. L218-2 du Code de la consommation")

    @property
    def message(self) -> str:
        if self.expired:
            return _("Prescrite depuis le %(deadline)s (%(years)s ans, %(article)s).") % {
                "deadline": f"{self.deadline:%d/%m/%Y}",
                "years": self.years,
                "article": self.article,
            }
        # French singular for 0 and 1 day ("il reste 1 jour"), as before.
        return ngettext(
            "Prescription le %(deadline)s (%(years)s ans après l’échéance, %(article)s) : "
            "il reste %(days)s jour pour agir en justice.",
            "Prescription le %(deadline)s (%(years)s ans après l’échéance, %(article)s) : "
            "il reste %(days)s jours pour agir en justice.",
            1 if self.days_left <= 1 else 2,
        ) % {
            "deadline": f"{self.deadline:%d/%m/%Y}",
            "years": self.years,
            "article": self.article,
            "days": self.days_left,
        }


def limitation(due_date: dt.date, debtor: str, today: dt.date) -> Limitation:
    deadline = limitation_deadline(due_date, debtor)
    return Limitation(deadline=deadline, days_left=(deadline - today).days, years=YEARS[debtor])
