"""What the invoice page shows about late-payment law: the "Pénalités de retard" panel.

The figures come from `penalties_for_invoice`, the same computation as `relance penalties`,
the API and the reminders. A rate the tables do not know is shown as a message naming the
half-year, never as a guess; for a consumer, the formal notice decides whether interest runs.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from dunning.penalties import penalties_for_invoice
from law.limitation import Limitation, limitation
from law.penalties import BUSINESS, CONSUMER, INDEMNITY, ZERO, PenaltyResult, legal_basis
from law.rates import HalfYear, LawError, MissingRate, RateTables
from ledger.models import Invoice

# Where a consumer's formal notice stands (art. 1231-6 and 1344-1 C. civ.).
NOTICE_NONE = "none"
NOTICE_NOT_RECEIVED = "not_received"
NOTICE_RECEIVED = "received"

FORMAL_NOTICE_LEVEL = 3

INDEMNITY_REASONS = {
    BUSINESS: gettext_lazy(
        "Indemnité forfaitaire pour frais de recouvrement de 40 € par facture payée en retard, due de plein "
        "droit par un client professionnel, même en cas de règlement partiel (art. L441-10 et D441-5 du Code "
        "de commerce)."
    ),
    CONSUMER: gettext_lazy(
        "Aucune indemnité forfaitaire : elle ne concerne que les clients professionnels, et les frais de "
        "recouvrement ne peuvent pas être mis à la charge d’un particulier (art. L111-8 du Code des "
        "procédures civiles d’exécution)."
    ),
}
NO_NOTICE_MESSAGE = gettext_lazy(
    "Aucun intérêt ne court sans mise en demeure : pour un client particulier, les intérêts au taux légal "
    "ne courent qu’à compter de la réception d’une mise en demeure (art. 1344-1 du Code civil)."
)
NOTICE_NOT_RECEIVED_MESSAGE = gettext_lazy(
    "La mise en demeure n’a pas de date de réception enregistrée : les intérêts ne peuvent pas encore courir."
)


@dataclass(frozen=True)
class PenaltyPanel:
    debtor: str
    as_of: dt.date
    days_late: int
    amount_due: Decimal
    indemnity: Decimal
    limitation: Limitation
    result: PenaltyResult | None = None
    error: str = ""
    missing_half_year: HalfYear | None = None
    notice: str = ""
    notice_reminder_id: int | None = None

    @property
    def is_consumer(self) -> bool:
        return self.debtor == CONSUMER

    @property
    def legal_basis(self) -> str:
        return legal_basis(self.debtor)

    @property
    def indemnity_reason(self) -> str:
        return str(INDEMNITY_REASONS[self.debtor])

    @property
    def notice_message(self) -> str:
        if self.notice == NOTICE_NONE:
            return str(NO_NOTICE_MESSAGE)
        if self.notice == NOTICE_NOT_RECEIVED:
            return str(NOTICE_NOT_RECEIVED_MESSAGE)
        return ""

    @property
    def interest(self) -> Decimal | None:
        """None when it cannot be computed (missing rate): unknown is not zero."""
        if self.error:
            return None
        return self.result.interest if self.result is not None else ZERO

    @property
    def penalties(self) -> Decimal | None:
        return None if self.interest is None else self.interest + self.indemnity

    @property
    def total_claimable(self) -> Decimal | None:
        return None if self.penalties is None else self.amount_due + self.penalties

    @property
    def segments(self) -> tuple[Any, ...]:
        return self.result.segments if self.result is not None else ()

    @property
    def rates(self) -> list[Decimal]:
        return self.result.rates if self.result is not None else []

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.result.warnings if self.result is not None else ()

    @property
    def can_download_statement(self) -> bool:
        return not self.error and self.penalties is not None and self.penalties > 0


def penalty_panel(
    invoice: Invoice, today: dt.date, *, reminders: Iterable[Any] = (), tables: RateTables | None = None
) -> PenaltyPanel:
    """The panel of a late invoice as of `today` (the Paris date).

    `reminders` are the invoice's saved or sent reminders, already loaded by the page: for a
    consumer they tell whether a formal notice was sent and whether its receipt was recorded.
    """
    debtor = invoice.client.kind
    days_late = invoice.days_late_on(today)
    panel = PenaltyPanel(
        debtor=debtor,
        as_of=today,
        days_late=days_late,
        amount_due=invoice.amount_due,
        indemnity=ZERO,
        limitation=limitation(invoice.due_date, debtor, today),
    )
    if debtor == CONSUMER:
        notices = [reminder for reminder in reminders if reminder.level == FORMAL_NOTICE_LEVEL]
        received = [notice for notice in notices if notice.receipt_date is not None]
        if not received:
            # Nothing runs before a received notice: no rate is needed, so none can be missing.
            return replace(
                panel,
                notice=NOTICE_NOT_RECEIVED if notices else NOTICE_NONE,
                notice_reminder_id=notices[0].pk if notices else None,
            )
        first = min(received, key=lambda notice: notice.receipt_date)
        panel = replace(panel, notice=NOTICE_RECEIVED, notice_reminder_id=first.pk)
    else:
        # An invoice still unpaid after its due date was not fully paid by it: the 40 € is due
        # whatever the rates, so it shows even when the interest cannot be computed.
        panel = replace(panel, indemnity=INDEMNITY if days_late > 0 and invoice.amount_due > 0 else ZERO)
    try:
        result = penalties_for_invoice(invoice, today, tables)
    except MissingRate as error:
        return replace(panel, error=error.message, missing_half_year=error.half_year)
    except LawError as error:
        return replace(panel, error=error.message)
    return replace(panel, indemnity=result.indemnity, result=result)
