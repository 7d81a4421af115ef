"""What the "Conditions de paiement et pénalités" settings page says about late-payment law."""

import datetime as dt

from django.utils.translation import gettext as _

from accounts.models import Business
from law.penalties import DAY_COUNT_BASIS, contract_rate_warning
from law.rates import HalfYear, RateTables
from rates.tables import load_rate_tables


def day_count_text() -> str:
    return _(
        "Base de calcul : %(days)s jours (fixe), y compris les années bissextiles ; intérêts simples, "
        "arrondis au centime pour chaque période."
    ) % {"days": DAY_COUNT_BASIS}


def contract_floor_unknown(business: Business, today: dt.date, tables: RateTables | None = None) -> str:
    """The notice when the contract rate cannot be checked against the current half-year's
    floor (3 × the legal rate, L441-10 II) because that legal rate is not in the tables yet."""
    if business.penalty_terms != Business.PenaltyTerms.CONTRACT or business.contract_rate is None:
        return ""
    half_year = HalfYear.of(today)
    tables = tables if tables is not None else load_rate_tables()
    if tables.legal_known(half_year):
        return ""
    return contract_rate_warning(business.contract_rate, half_year, tables) or ""
