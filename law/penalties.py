"""Late-payment penalties, exactly as the product specification states them. Pure Python: no
Django, no project import, no clock (messages go through `law.i18n`).

Professional debtor (C. com. L441-10 II, D441-5): interest from the day after the due date,
without any reminder, each day at the rate of its half-year (ECB rate on 1 Jan / 1 Jul + 10
points, or the contract rate), plus a 40 € indemnity per invoice not fully paid by its due date.
Consumer debtor (C. civ. 1231-6, 1344-1): legal interest rate ("autres cas": the creditor is a
professional) from the day after the formal notice was received; no indemnity.

The late days d (due_date < d ≤ until) are cut into segments at each 1 January, each 1 July and
after each payment day; the base on day d is the amount minus the payments dated before d.
Each segment's interest = base × rate/100 × days/365, rounded half-up to the cent.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from law.i18n import gettext as _
from law.i18n import gettext_noop
from law.rates import HalfYear, LawError, MissingRate, RateTables

BUSINESS = "business"
CONSUMER = "consumer"
DEBTORS = (BUSINESS, CONSUMER)
INDEMNITY = Decimal("40.00")  # C. com. D441-5
DAY_COUNT_BASIS = 365
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_RATE = Decimal("100")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# The core imports nothing from the project, so it words its two kinds of figures itself, the
# way core.formats does for pages and letters: "1 234,50 €" and "12,15 %".
def money(value: Decimal) -> str:
    units, cents = f"{abs(_cents(value)):,.2f}".replace(",", "\u202f").split(".")
    return f"{'−' if value < 0 else ''}{units},{cents}\u202f€"


def percent(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",") + "\u202f%"


@dataclass(frozen=True)
class Payment:
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Segment:
    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    base: Decimal
    interest: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "rate": f"{self.rate:.2f}",
            "base": f"{self.base:.2f}",
            "interest": f"{self.interest:.2f}",
        }


@dataclass(frozen=True)
class PenaltyResult:
    days_late: int
    interest: Decimal
    indemnity: Decimal
    outstanding: Decimal
    segments: tuple[Segment, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def penalties(self) -> Decimal:
        return self.interest + self.indemnity

    @property
    def rates(self) -> list[Decimal]:
        """The distinct rates applied, in order: for "au taux de …" in letters."""
        seen: list[Decimal] = []
        for segment in self.segments:
            if segment.rate not in seen:
                seen.append(segment.rate)
        return seen

    def as_json(self) -> dict[str, Any]:
        """The machine interface (`relance penalties`, POST /api/v1/penalties): decimal strings, ISO dates."""
        return {
            "days_late": self.days_late,
            "interest": f"{self.interest:.2f}",
            "indemnity": f"{self.indemnity:.2f}",
            "penalties": f"{self.penalties:.2f}",
            "outstanding": f"{self.outstanding:.2f}",
            "segments": [segment.as_json() for segment in self.segments],
            "warnings": list(self.warnings),
        }


# Input parsing shared by the CLI and the API: plain strings or numbers in, values out.


def parse_amount(value: Any, *, field: str, label: str = "Le montant") -> Decimal:
    """A positive euro amount with at most two decimals ("1000", "1000.5", 1000.50, "1000,50")."""
    amount = _parse_decimal(value, field=field, label=label)
    if amount <= 0:
        raise LawError(f"{label} doit être supérieur à zéro.", field=field)
    # Bounds before quantize: quantizing 1E+999 would overflow the context.
    if amount > MAX_AMOUNT:
        raise LawError(f"{label} est trop élevé.", field=field)
    if amount != amount.quantize(CENT):
        raise LawError(f"{label} doit avoir au plus deux décimales.", field=field)
    return amount.quantize(CENT)


def parse_rate(value: Any, *, field: str, label: str = "Le taux") -> Decimal:
    rate = _parse_decimal(value, field=field, label=label)
    if rate < 0 or rate > MAX_RATE:
        raise LawError(f"{label} doit être compris entre 0 et 100 (% par an).", field=field)
    if rate != rate.quantize(CENT):
        raise LawError(f"{label} doit avoir au plus deux décimales.", field=field)
    return rate


def _parse_decimal(value: Any, *, field: str, label: str) -> Decimal:
    # bool is an int: `true` must not pass for 1.
    if isinstance(value, bool) or value is None:
        raise LawError(f"{label} doit être un nombre, par exemple 1000.00.", field=field)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        # Decimal reads any script's digits ("١٠٠٠" is 1000): only 0-9 are accepted.
        if any(char.isnumeric() and not char.isascii() for char in value):
            raise LawError(f"{label} s’écrit avec les chiffres 0 à 9, par exemple 1000.00.", field=field)
        value = value.strip().replace(",", ".")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise LawError(f"{label} doit être un nombre, par exemple 1000.00.", field=field) from None
    if not number.is_finite():
        raise LawError(f"{label} doit être un nombre, par exemple 1000.00.", field=field)
    return number


def parse_date(value: Any, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    # Only the extended ISO form: fromisoformat would also take "20250615".
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise LawError(f"{label} doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.", field=field)


def parse_debtor(value: Any) -> str:
    if value not in DEBTORS:
        raise LawError(
            "Le débiteur doit être « business » (client professionnel) ou « consumer » (particulier).",
            field="debtor",
        )
    return str(value)


def parse_penalty_request(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `compute_penalties` from loose input (JSON body, CLI flags).

    Payments are a list of {"date", "amount"} mappings. Raises LawError naming the field.
    """
    kwargs: dict[str, Any] = {
        "amount": parse_amount(data.get("amount"), field="amount"),
        "due_date": parse_date(data.get("due_date"), field="due_date", label="L’échéance"),
        "until": parse_date(data.get("until"), field="until", label="La date de calcul"),
        "debtor": parse_debtor(data.get("debtor")),
        "contract_rate": None,
        "notice_date": None,
    }
    if data.get("contract_rate") is not None:
        kwargs["contract_rate"] = parse_rate(data["contract_rate"], field="contract_rate", label="Le taux contractuel")
    if data.get("notice_date") is not None:
        kwargs["notice_date"] = parse_date(
            data["notice_date"], field="notice_date", label="La date de réception de la mise en demeure"
        )
    raw_payments = data.get("payments") or []
    if not isinstance(raw_payments, list | tuple):
        raise LawError("Les règlements doivent être une liste de {date, amount}.", field="payments")
    payments = []
    for number, raw in enumerate(raw_payments, start=1):
        if not isinstance(raw, Mapping):
            raise LawError(f"Règlement n° {number} : attendu {{date, amount}}.", field="payments")
        try:
            payments.append(
                Payment(
                    date=parse_date(raw.get("date"), field="payments", label="La date"),
                    amount=parse_amount(raw.get("amount"), field="payments", label="Le montant"),
                )
            )
        except LawError as error:
            message = error.message[:1].lower() + error.message[1:]
            raise LawError(f"Règlement n° {number} : {message}", field="payments") from None
    kwargs["payments"] = tuple(payments)
    return kwargs


# The computation


def compute_penalties(
    *,
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    debtor: str,
    tables: RateTables,
    contract_rate: Decimal | None = None,
    notice_date: dt.date | None = None,
    payments: Iterable[Payment] = (),
) -> PenaltyResult:
    """Interest and indemnity owed on one invoice as of `until` (Code de commerce L441-10, D441-5; Code civil 1231-6 and 1344-1).

    `payments` are (date, amount) pairs; a payment on day P still counts as unpaid on P.
    Raises LawError for bad input, MissingRate when a needed half-year rate is unknown.
    """
    amount = parse_amount(amount, field="amount")
    debtor = parse_debtor(debtor)
    if contract_rate is not None:
        contract_rate = parse_rate(contract_rate, field="contract_rate", label="Le taux contractuel")
    payments = sorted(
        (
            Payment(p.date, parse_amount(p.amount, field="payments", label="Le montant d’un règlement"))
            for p in payments
        ),
        key=lambda payment: payment.date,
    )
    paid_total = sum((payment.amount for payment in payments), ZERO)
    if paid_total > amount:
        raise LawError(
            f"Les règlements ({money(paid_total)}) dépassent le montant de la facture ({money(amount)}).",
            field="payments",
        )

    warnings: list[str] = []
    days_late = max((until - due_date).days, 0)
    outstanding = amount - sum((p.amount for p in payments if p.date <= until), ZERO)

    indemnity = fixed_indemnity(amount=amount, due_date=due_date, until=until, debtor=debtor, payments=payments)
    if debtor == BUSINESS:
        first_day = due_date + dt.timedelta(days=1)
    else:
        if contract_rate is not None:
            warnings.append(
                _(
                    "Le taux contractuel ne s’applique pas à un particulier : les intérêts sont calculés "
                    "au taux de l’intérêt légal."
                )
            )
            contract_rate = None
        if notice_date is None:
            if days_late > 0 and outstanding > 0:
                warnings.append(
                    _(
                        "Aucune mise en demeure reçue : les intérêts au taux légal ne courent pas encore "
                        "(art. 1344-1 du Code civil)."
                    )
                )
            return PenaltyResult(days_late, ZERO, ZERO, outstanding, (), tuple(warnings))
        if notice_date < due_date:
            warnings.append(
                _(
                    "La mise en demeure a été reçue avant l’échéance : les intérêts ne courent qu’à partir "
                    "du lendemain de l’échéance."
                )
            )
        first_day = max(notice_date, due_date) + dt.timedelta(days=1)

    segments = _segments(
        amount=amount,
        first_day=first_day,
        until=until,
        payments=payments,
        rate_of=lambda half_year: _rate(debtor, half_year, tables, contract_rate),
    )
    if contract_rate is not None:
        warnings.extend(_floor_warnings(contract_rate, segments, tables))
    interest = sum((segment.interest for segment in segments), ZERO)
    return PenaltyResult(days_late, interest, indemnity, outstanding, tuple(segments), tuple(warnings))


def fixed_indemnity(
    *, amount: Decimal, due_date: dt.date, until: dt.date, debtor: str, payments: Iterable[Payment] = ()
) -> Decimal:
    """C. com. D441-5: 40 € for an invoice a professional did not fully pay by its due date
    (even when partly paid on time). It depends on no rate: it stays owed when the interest
    cannot be computed."""
    if debtor != BUSINESS or until <= due_date:
        return ZERO
    paid_by_due_date = sum((p.amount for p in payments if p.date <= due_date), ZERO)
    return INDEMNITY if amount - paid_by_due_date > 0 else ZERO


def _rate(debtor: str, half_year: HalfYear, tables: RateTables, contract_rate: Decimal | None) -> Decimal:
    if debtor == CONSUMER:
        return tables.legal_rate(half_year).autres
    if contract_rate is not None:
        return contract_rate
    return tables.default_b2b_rate(half_year)


def _segments(
    *,
    amount: Decimal,
    first_day: dt.date,
    until: dt.date,
    payments: list[Payment],
    rate_of: Callable[[HalfYear], Decimal],
) -> list[Segment]:
    segments = []
    start = first_day
    while start <= until:
        base = amount - sum((p.amount for p in payments if p.date < start), ZERO)
        if base <= 0:
            break
        half_year = HalfYear.of(start)
        end = min(until, half_year.end)
        next_payment = next((p.date for p in payments if p.date >= start), None)
        if next_payment is not None:
            end = min(end, next_payment)
        days = (end - start).days + 1
        rate = rate_of(half_year)
        interest = _cents(base * rate * days / Decimal(100 * DAY_COUNT_BASIS))
        segments.append(Segment(start, end, days, rate, base, interest))
        if end == dt.date.max:
            break
        start = end + dt.timedelta(days=1)
    return segments


def _floor_warnings(contract_rate: Decimal, segments: list[Segment], tables: RateTables) -> list[str]:
    warnings = []
    for half_year in sorted({HalfYear.of(segment.start) for segment in segments}):
        warning = contract_rate_warning(contract_rate, half_year, tables)
        if warning:
            warnings.append(warning)
    return warnings


def contract_rate_warning(contract_rate: Decimal, half_year: HalfYear, tables: RateTables) -> str | None:
    """The warning when a contract rate is below the L441-10 floor for a half-year, else None."""
    try:
        floor = tables.contract_floor(half_year)
    except MissingRate:
        return _(
            "Le taux de l’intérêt légal du %(half_year)s n’est pas connu : impossible de vérifier "
            "que le taux contractuel respecte le minimum de 3 fois ce taux."
        ) % {"half_year": half_year.label}
    if contract_rate >= floor:
        return None
    return _(
        "Le taux contractuel (%(rate)s) est inférieur au minimum légal du %(half_year)s : "
        "%(floor)s, soit 3 fois le taux de l’intérêt légal (art. L441-10 du Code de commerce)."
    ) % {"rate": percent(contract_rate), "half_year": half_year.label, "floor": percent(floor)}


LEGAL_BASIS = {
    BUSINESS: gettext_noop(
        "Pénalités de retard exigibles de plein droit, sans rappel, dès le lendemain de l’échéance, "
        "au taux de la BCE majoré de 10 points sauf taux contractuel (art. L441-10 du Code de commerce), "
        "et indemnité forfaitaire pour frais de recouvrement de 40 € par facture (art. D441-5 du Code de "
        "commerce)."
    ),
    CONSUMER: gettext_noop(
        "Intérêts moratoires au taux de l’intérêt légal à compter de la mise en demeure "
        "(art. 1231-6 et 1344-1 du Code civil) ; aucuns frais de recouvrement ne peuvent être réclamés "
        "à un particulier."
    ),
}


def legal_basis(debtor: str) -> str:
    """The French sentence citing the articles the claim rests on, for pages and letters."""
    return _(LEGAL_BASIS[debtor])
