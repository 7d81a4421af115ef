"""Unpaid invoices close to their limitation deadline (or past it), for the dashboard and the
client page: 2 years for a consumer, 5 years for a professional, from the due date.

The deadline is computed from the due date and the client's kind already loaded with the
invoice: flagging adds no query to a page that lists invoices, and one to the dashboard.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Business
from law.limitation import CLOSE_DAYS, YEARS, Limitation, add_years, limitation
from law.penalties import BUSINESS, CONSUMER
from ledger.models import Invoice

RULES = {
    BUSINESS: gettext_lazy("5 ans après l’échéance (client professionnel, art. L110-4 du Code de commerce)"),
    CONSUMER: gettext_lazy("2 ans après l’échéance (client particulier, art. L218-2 du Code de la consommation)"),
}


@dataclass(frozen=True)
class LimitationFlag:
    invoice: Invoice
    limitation: Limitation
    debtor: str

    @property
    def rule(self) -> str:
        return str(RULES[self.debtor])

    @property
    def years_label(self) -> str:
        return _("%(years)s ans") % {"years": self.limitation.years}


def _sort_key(flag: LimitationFlag) -> tuple[bool, int]:
    # Still actionable first, the closest deadline on top; already time-barred ones after.
    return (flag.limitation.expired, abs(flag.limitation.days_left))


def limitation_flags(invoices: Iterable[Invoice], today: dt.date, *, debtor: str | None = None) -> list[LimitationFlag]:
    """The open invoices among `invoices` within 90 days of their deadline or past it.

    `debtor` is the client's kind when all invoices are one client's; otherwise each
    invoice's client must be loaded with it (select_related).
    """
    flags = []
    for invoice in invoices:
        if invoice.cancelled_at is not None or invoice.amount_due <= 0:
            continue
        kind = debtor or invoice.client.kind
        state = limitation(invoice.due_date, kind, today)
        if state.close or state.expired:
            flags.append(LimitationFlag(invoice=invoice, limitation=state, debtor=kind))
    return sorted(flags, key=_sort_key)


def invoices_near_limitation(business: Business, today: dt.date) -> list[LimitationFlag]:
    """One query: the business's open invoices whose limitation deadline is close or past."""
    horizon = today + dt.timedelta(days=CLOSE_DAYS)
    # One day of slack for due dates on 29 February; the exact test is `limitation_flags`.
    cutoffs = {kind: add_years(horizon, -years) + dt.timedelta(days=1) for kind, years in YEARS.items()}
    candidates = (
        Invoice.objects.open()
        .filter(business=business)
        .filter(
            Q(client__kind=CONSUMER, due_date__lte=cutoffs[CONSUMER])
            | Q(client__kind=BUSINESS, due_date__lte=cutoffs[BUSINESS])
        )
        .select_related("client")
    )
    return limitation_flags(candidates, today)
