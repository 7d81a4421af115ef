"""The "Décompte des pénalités de retard": one invoice, or all the late invoices of a client.

Figures from `penalties_for_invoice` (the computation of `relance penalties`), laid out by the
letters engine (`dunning.letter.render_statement_pdf`). A separate document: the invoices
themselves are never changed. A rate the tables do not know raises
`MissingRate`, so that no statement is ever produced with a part of its interest left out.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Business
from dunning.facts_types import BusinessFacts, ClientFacts, ReminderFacts
from dunning.letter import SegmentFacts, StatementData, StatementInvoice
from dunning.penalties import formal_notice_date, penalties_for_invoice
from law.penalties import CONSUMER, PenaltyResult
from law.rates import RateTables
from ledger.models import Client, Invoice, InvoiceStatus, Payment
from rates.tables import load_rate_tables


class NothingToState(Exception):
    """No late invoice to put in a statement; the message is French."""


def _statement_invoice(invoice: Invoice, result: PenaltyResult) -> StatementInvoice:
    return StatementInvoice(
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        total=invoice.total_incl_tax,
        amount_due=result.outstanding,
        days_late=result.days_late,
        segments=tuple(
            SegmentFacts(
                start=segment.start,
                end=segment.end,
                days=segment.days,
                rate=segment.rate,
                base=segment.base,
                interest=segment.interest,
            )
            for segment in result.segments
        ),
        interest=result.interest,
        indemnity=result.indemnity,
    )


def _logo_path(business: Business) -> str | None:
    if not business.logo:
        return None
    try:
        return str(business.logo.path)
    except (NotImplementedError, ValueError):
        return None


def build_statement(
    *,
    business: Business,
    client: Client,
    invoices: Sequence[Invoice],
    as_of: dt.date,
    reference: str = "",
    tables: RateTables | None = None,
) -> StatementData:
    """The statement of `invoices` (all of `client`) as of `as_of`. Raises MissingRate."""
    if not invoices:
        raise NothingToState(_("Aucune facture en retard : il n’y a pas de pénalités à décompter."))
    tables = tables if tables is not None else load_rate_tables()
    results = [penalties_for_invoice(invoice, as_of, tables) for invoice in invoices]
    notice_date = None
    if client.kind == CONSUMER:
        # The statement names one receipt date; with several different ones it names none
        # rather than a wrong one (each invoice's periods still start from its own notice).
        dates = {formal_notice_date(invoice) for invoice in invoices} - {None}
        notice_date = dates.pop() if len(dates) == 1 else None
    return StatementData(
        business=BusinessFacts.from_business(business),
        client=ClientFacts.from_client(client),
        as_of=as_of,
        invoices=tuple(_statement_invoice(invoice, result) for invoice, result in zip(invoices, results, strict=True)),
        reference=reference,
        contract_rate=business.penalty_terms == Business.PenaltyTerms.CONTRACT and client.kind != CONSUMER,
        notice_date=notice_date,
        logo_path=_logo_path(business),
        place=business.city,
    )


def _with_facts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.select_related("client", "business").prefetch_related(
        Prefetch("payments", queryset=Payment.objects.order_by("date", "id")), "credit_notes"
    )


def invoice_statement(invoice: Invoice, as_of: dt.date, tables: RateTables | None = None) -> StatementData:
    """The statement of one invoice; only a late invoice (open, past its due date) has one."""
    if invoice.status_on(as_of) != InvoiceStatus.LATE:
        raise NothingToState(
            _("La facture n° %(number)s n’est pas en retard aujourd’hui : il n’y a pas de pénalités à décompter.")
            % {"number": invoice.number}
        )
    invoice = _with_facts(Invoice.objects.filter(pk=invoice.pk)).get()
    return build_statement(
        business=invoice.business,
        client=invoice.client,
        invoices=[invoice],
        as_of=as_of,
        reference=f"facture n°\u00a0{invoice.number}",
        tables=tables,
    )


def client_statement(client: Client, as_of: dt.date, tables: RateTables | None = None) -> StatementData:
    """The statement of every late invoice of a client, the oldest due date first."""
    invoices = list(
        _with_facts(Invoice.objects.late_on(as_of).filter(business_id=client.business_id, client=client)).order_by(
            "due_date", "number"
        )
    )
    if not invoices:
        raise NothingToState(
            _("%(name)s n’a aucune facture en retard : il n’y a pas de pénalités à décompter.") % {"name": client.name}
        )
    return build_statement(business=invoices[0].business, client=client, invoices=invoices, as_of=as_of, tables=tables)


def reminder_statement(
    *,
    facts: ReminderFacts,
    segments: Sequence[Sequence[Mapping[str, str]]],
    logo_path: Path | str | None = None,
    place: str = "",
) -> StatementData:
    """The statement a reminder sends along, from the figures it froze (its snapshot): the
    same amounts and periods as its letter, whatever happened to the invoices since.

    `segments` are each invoice's periods as `Segment.as_json()` wrote them, in invoice order.
    """
    invoices = tuple(
        StatementInvoice(
            number=invoice.number,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            total=invoice.total,
            amount_due=invoice.amount_due,
            days_late=invoice.days_late,
            segments=tuple(
                SegmentFacts(
                    start=dt.date.fromisoformat(segment["start"]),
                    end=dt.date.fromisoformat(segment["end"]),
                    days=int(segment["days"]),
                    rate=Decimal(segment["rate"]),
                    base=Decimal(segment["base"]),
                    interest=Decimal(segment["interest"]),
                )
                for segment in periods
            ),
            interest=invoice.interest,
            indemnity=invoice.indemnity,
        )
        for invoice, periods in zip(facts.invoices, segments, strict=True)
    )
    return StatementData(
        business=facts.business,
        client=facts.client,
        as_of=facts.reminder_date,
        invoices=invoices,
        reference=facts.reference,
        contract_rate=facts.contract_rate,
        logo_path=logo_path,
        place=place,
    )
