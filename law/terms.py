"""Due dates from payment terms (Code de commerce L441-10 I). Pure functions."""

import calendar
import datetime as dt

DAYS_30 = "days_30"
DAYS_60 = "days_60"
CUSTOM_DAYS = "custom_days"
# "45 jours fin de mois": both methods are accepted in practice; the business chooses.
EOM_45_THEN = "eom_45_then"  # invoice date + 45 days, then end of that month
EOM_THEN_45 = "eom_then_45"  # end of the invoice's month, then + 45 days


def end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date_for(issue_date: dt.date, terms: str, custom_days: int | None = None) -> dt.date:
    if terms == DAYS_30:
        return issue_date + dt.timedelta(days=30)
    if terms == DAYS_60:
        return issue_date + dt.timedelta(days=60)
    if terms == EOM_45_THEN:
        return end_of_month(issue_date + dt.timedelta(days=45))
    if terms == EOM_THEN_45:
        return end_of_month(issue_date) + dt.timedelta(days=45)
    if terms == CUSTOM_DAYS:
        if custom_days is None:
            raise ValueError("Un délai personnalisé demande un nombre de jours.")
        return issue_date + dt.timedelta(days=custom_days)
    raise ValueError(f"Délai de paiement inconnu : {terms}")
