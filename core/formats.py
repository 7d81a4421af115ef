"""French formats for money and dates, in one place for pages, e-mails and letters."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"
CENT = Decimal("0.01")

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def quantize(value: Decimal) -> Decimal:
    """Two places, half-up: the only rounding money gets in Relance."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def group_thousands(digits: str, sep: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sep.join(groups)


def money(value: Decimal | int | None, *, sep: str = NARROW_NBSP, symbol: bool = True) -> str:
    """1234.5 → "1 234,50 €" with narrow no-break spaces."""
    if value is None:
        return ""
    amount = quantize(Decimal(value))
    sign = "−" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    text = f"{sign}{group_thousands(units, sep)},{cents}"
    return f"{text}{sep}€" if symbol else text


def percent(value: Decimal | None) -> str:
    """12.15 → "12,15 %"."""
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",") + f"{NARROW_NBSP}%"


def short_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def long_date(value: dt.date | None) -> str:
    """1 March 2026 → "1er mars 2026", as French letters write it."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def days_ago(value: dt.date | None, today: dt.date) -> str:
    if value is None:
        return ""
    delta = (today - value).days
    if delta == 0:
        return "aujourd’hui"
    if delta == 1:
        return "hier"
    if delta == -1:
        return "demain"
    if delta > 0:
        return f"il y a {delta} jours"
    return f"dans {-delta} jours"


def siret(value: str) -> str:
    """ "84215739800020" → "842 157 398 00020" (SIREN: "842 157 398"), as letters, e-mails and
    pages all write it; anything else is returned as typed."""
    digits = "".join(char for char in value if char.isdigit())
    if len(digits) == 14:
        return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"
    if len(digits) == 9:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return value
