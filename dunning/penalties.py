"""The law core applied to a stored invoice: gathers its facts, computes, returns plain values.

Pages, reminders and letters call `penalties_for_invoice`. With `prefetch_related("payments",
"credit_notes")` and `select_related("client", "business")` on a list, it adds no query for a
professional client and one (the formal notice) for a consumer.
"""

import datetime as dt
from decimal import Decimal

from dunning.choices import Level
from dunning.models import Reminder
from law.penalties import BUSINESS, CONSUMER, ZERO, Payment, PenaltyResult, compute_penalties, fixed_indemnity
from law.rates import RateTables
from ledger.models import Invoice
from rates.tables import load_rate_tables


def formal_notice_date(invoice: Invoice) -> dt.date | None:
    """When the earliest formal notice (level 3, saved or sent) about the invoice was received.

    A deactivated notice still counts: deactivation hides it, it does not undo its receipt.
    """
    return (
        Reminder.objects.frozen()
        .filter(invoices=invoice, level=Level.FORMAL_NOTICE, receipt_date__isnull=False)
        .order_by("receipt_date")
        .values_list("receipt_date", flat=True)
        .first()
    )


def penalties_for_invoice(invoice: Invoice, until: dt.date, tables: RateTables | None = None) -> PenaltyResult:
    """What the law lets the business claim on `invoice` as of `until` (Code de commerce L441-10 and D441-5 for a business,
    Code civil 1231-6 and 1344-1 for a consumer).

    The principal is the total incl. tax less credit notes (a credit note corrects the invoice
    from the start); payments count from their dates. A cancelled or fully credited invoice owes
    nothing. Raises MissingRate when a needed half-year rate is unknown.
    """
    days_late = max((until - invoice.due_date).days, 0)
    amount = _principal(invoice)
    if amount <= 0:
        return PenaltyResult(days_late=days_late, interest=ZERO, indemnity=ZERO, outstanding=ZERO)
    debtor = invoice.client.kind
    business = invoice.business
    contract_rate: Decimal | None = None
    if debtor == BUSINESS and business.penalty_terms == business.PenaltyTerms.CONTRACT:
        contract_rate = business.contract_rate
    return compute_penalties(
        amount=amount,
        due_date=invoice.due_date,
        until=until,
        debtor=debtor,
        tables=tables if tables is not None else load_rate_tables(),
        contract_rate=contract_rate,
        notice_date=formal_notice_date(invoice) if debtor == CONSUMER else None,
        payments=_payments(invoice),
    )


def indemnity_for_invoice(invoice: Invoice, until: dt.date) -> Decimal:
    """The 40 € indemnity alone (C. com. D441-5): what is still claimed when no rate is known."""
    amount = _principal(invoice)
    if amount <= 0:
        return ZERO
    return fixed_indemnity(
        amount=amount, due_date=invoice.due_date, until=until, debtor=invoice.client.kind, payments=_payments(invoice)
    )


def _principal(invoice: Invoice) -> Decimal:
    """The total incl. tax less credit notes (a credit note corrects the invoice from the start);
    nothing for a cancelled invoice."""
    if invoice.cancelled_at is not None:
        return ZERO
    return invoice.total_incl_tax - sum((note.amount for note in invoice.credit_notes.all()), ZERO)


def _payments(invoice: Invoice) -> list[Payment]:
    return [Payment(payment.date, payment.amount) for payment in invoice.payments.all()]
