"""Read-side queries of the bank statements, shared by the pages, the API and the apps above.

`lines_with_proposals` costs three queries whatever the number of lines and invoices: the
lines, the open invoices with their clients' names, and the reminders' references.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business
from bank import matching
from bank.models import BankLine, BankStatement
from core.formats import money
from dunning.models import Reminder, ReminderInvoice
from dunning.send_warnings import SendWarning
from ledger.models import Invoice


@dataclass(frozen=True)
class LineRow:
    line: BankLine
    proposal: matching.Proposal | None


def candidates(business: Business | int) -> matching.Candidates:
    """The business's open invoices and the references of the reminders that quote them."""
    business_id = business if isinstance(business, int) else business.pk
    invoices = [
        matching.OpenInvoice(
            id=row["id"],
            number=row["number"],
            client_id=row["client_id"],
            client_name=row["client__name"],
            amount_due=row["amount_due"],
            due_date=row["due_date"],
        )
        for row in Invoice.objects.open()
        .filter(business_id=business_id)
        .values("id", "number", "client_id", "client__name", "amount_due", "due_date")
        .order_by("due_date", "number")
    ]
    references: dict[str, list[int]] = {}
    rows = (
        ReminderInvoice.objects.filter(
            reminder__business_id=business_id,
            invoice__cancelled_at__isnull=True,
            invoice__amount_due__gt=0,
        )
        .exclude(reminder__reference="")
        .exclude(reminder__status=Reminder.Status.DRAFT)
        .values_list("reminder__reference", "invoice_id")
    )
    for reference, invoice_id in rows:
        references.setdefault(reference, []).append(invoice_id)
    return matching.Candidates(invoices=invoices, references=references)


def open_lines(business: Business) -> QuerySet[BankLine]:
    """The credit lines still to match, the oldest first."""
    return BankLine.objects.filter(business=business, status=BankLine.Status.OPEN).order_by("date", "id")


def decided_lines(business: Business, limit: int = 20) -> QuerySet[BankLine]:
    """The lines last matched or ignored, with the invoices they paid (two queries)."""
    return (
        BankLine.objects.filter(business=business)
        .exclude(status=BankLine.Status.OPEN)
        .prefetch_related("allocations__payment__invoice")
        .order_by("-decided_at", "-id")[:limit]
    )


def lines_with_proposals(
    business: Business, lines: Iterable[BankLine] | None = None, found: matching.Candidates | None = None
) -> list[LineRow]:
    """Each line (the open ones by default) with the best proposal for it: the surest first,
    then the oldest."""
    found = found or candidates(business)
    rows = [
        LineRow(
            line, matching.propose(line.amount, f"{line.text} {line.counterparty}", found) if line.is_open else None
        )
        for line in (open_lines(business) if lines is None else lines)
    ]
    if lines is None:
        rows.sort(key=lambda row: matching.CONFIDENCE_ORDER.get(row.proposal.confidence, 3) if row.proposal else 3)
    return rows


def statement_lines(statement: BankStatement, keys: Sequence[tuple[str, str]]) -> QuerySet[BankLine]:
    """The lines of a file, whichever import first brought them: by (account, key)."""
    accounts = {account for account, _key in keys}
    return BankLine.objects.filter(
        business_id=statement.business_id, account__in=accounts, bank_key__in=[key for _account, key in keys]
    ).order_by("date", "id")


# Before a reminder leaves


@dataclass(frozen=True)
class PaymentWarning:
    line: BankLine
    invoice_number: str
    invoice_id: int

    @property
    def text(self) -> str:
        return _(
            "Un virement du %(day)s de %(amount)s « %(text)s » pourrait régler la facture n° %(number)s : "
            "rapprochez-le avant d’envoyer."
        ) % {
            "day": f"{self.line.date:%d/%m}",
            "amount": money(self.line.amount),
            "text": self.line.text[:80],
            "number": self.invoice_number,
        }


def unconfirmed_payments(business: Business | int, invoices: Sequence[Invoice]) -> list[PaymentWarning]:
    """The open statement lines imported since an invoice fell due that may pay it.

    Called before a reminder of these invoices leaves, by hand (the summary page) or
    automatically: a reminder for an invoice already paid is the one that hurts.
    """
    if not invoices:
        return []
    business_id = business if isinstance(business, int) else business.pk
    earliest = min(invoice.due_date for invoice in invoices)
    since = dt.datetime.combine(earliest, dt.time.min, tzinfo=timezone.get_default_timezone())
    lines = list(
        BankLine.objects.filter(business_id=business_id, status=BankLine.Status.OPEN, imported_at__gte=since).order_by(
            "date", "id"
        )
    )
    if not lines:
        return []
    found = candidates(business_id)
    warnings = []
    for line in lines:
        proposal = matching.propose(line.amount, f"{line.text} {line.counterparty}", found)
        for invoice in invoices:
            fell_due = dt.datetime.combine(invoice.due_date, dt.time.min, tzinfo=timezone.get_default_timezone())
            if line.imported_at >= fell_due and matching.mentions(proposal, [invoice.pk]):
                warnings.append(PaymentWarning(line=line, invoice_number=invoice.number, invoice_id=invoice.pk))
    return warnings


def reminder_warnings(reminder: Reminder) -> list[SendWarning]:
    """The warnings of a reminder's summary (see `REMINDER_SUMMARY_WARNINGS` in the settings)."""
    invoices = list(reminder.invoices.all())
    return [
        SendWarning(
            text=warning.text,
            url=reverse("bank:reconciliation") + f"#ligne-{warning.line.pk}",
            link_text=_("Rapprocher ce virement"),
        )
        for warning in unconfirmed_payments(reminder.business_id, invoices)
    ]
