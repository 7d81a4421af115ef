"""The facts a reminder text may quote: plain values, no database, no clock.

The reminder workflow gathers them from the rows (`dunning.facts`); the placeholders
(`dunning.placeholders`), the sentences (`dunning.sentences`), the invoice table
(`dunning.invoice_table`) and the letters (`dunning.letter`) only read them.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")
DEADLINE_DAYS = 8
INDEMNITY_PER_INVOICE = Decimal("40.00")


@dataclass(frozen=True)
class InvoiceFacts:
    number: str
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    paid: Decimal  # payments and credit notes
    amount_due: Decimal
    days_late: int
    interest: Decimal = ZERO
    indemnity: Decimal = ZERO


@dataclass(frozen=True)
class BusinessFacts:
    name: str  # with the "EI" mention
    address_lines: tuple[str, ...] = ()
    city: str = ""
    siret: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    iban: str = ""
    bic: str = ""
    vat_mention: str = ""
    signatory_name: str = ""
    signatory_title: str = ""

    @classmethod
    def from_business(cls, business: Any) -> "BusinessFacts":
        """From an `accounts.models.Business` (attributes only, no query)."""
        city = " ".join(part for part in [business.postal_code, business.city] if part)
        lines = [business.address_line1, business.address_line2, city]
        if business.country and business.country.strip().lower() != "france":
            lines.append(business.country.upper())
        return cls(
            name=business.display_name,
            address_lines=tuple(line for line in lines if line),
            city=business.city,
            siret=business.siret,
            email=business.email,
            phone=business.phone,
            website=business.website,
            iban=business.iban,
            bic=business.bic,
            vat_mention=business.vat_mention,
            signatory_name=business.signature_name,
            signatory_title=business.signature_title,
        )


@dataclass(frozen=True)
class ClientFacts:
    name: str
    contact: str = ""
    address_lines: tuple[str, ...] = ()
    email: str = ""
    is_consumer: bool = False

    @classmethod
    def from_client(cls, client: Any) -> "ClientFacts":
        """From a `ledger.models.Client` (attributes only, no query)."""
        return cls(
            name=client.name,
            contact=client.contact_name,
            address_lines=tuple(client.address_lines),
            email=client.email,
            is_consumer=client.is_consumer,
        )


@dataclass(frozen=True)
class ReminderFacts:
    """Everything a reminder text may quote. Penalty figures come computed (law.penalties)."""

    business: BusinessFacts
    client: ClientFacts
    invoices: tuple[InvoiceFacts, ...]
    level: int
    reminder_date: dt.date
    reference: str = ""
    include_penalties: bool = False
    rates: tuple[Decimal, ...] = ()  # the annual rates applied, in chronological order
    contract_rate: bool = False  # True when `rates` is the business's contract rate
    # A rate the tables do not know: the interest has no figure (never a guessed one), the
    # indemnity is still claimed and the texts say that interest runs until payment.
    interest_unknown: bool = False
    deadline: dt.date | None = None
    previous_reminder_dates: tuple[dt.date, ...] = ()

    @property
    def payment_deadline(self) -> dt.date:
        return self.deadline or self.reminder_date + dt.timedelta(days=DEADLINE_DAYS)

    @property
    def amount_due(self) -> Decimal:
        return sum((invoice.amount_due for invoice in self.invoices), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((invoice.interest for invoice in self.invoices), ZERO) if self.include_penalties else ZERO

    @property
    def indemnity(self) -> Decimal:
        """Never for a consumer: charging recovery fees to a consumer is an offence (L111-8 CPCE)."""
        if not self.include_penalties or self.client.is_consumer:
            return ZERO
        return sum((invoice.indemnity for invoice in self.invoices), ZERO)

    @property
    def total_due(self) -> Decimal:
        return self.amount_due + self.interest + self.indemnity

    @property
    def max_days_late(self) -> int:
        return max((invoice.days_late for invoice in self.invoices), default=0)


def sample_facts(*, consumer: bool = False, level: int = 2) -> ReminderFacts:
    """Realistic data for the template editor's live preview."""
    invoices = (
        InvoiceFacts(
            number="F-2026-041",
            issue_date=dt.date(2026, 9, 1),
            due_date=dt.date(2026, 10, 1),
            total=Decimal("1200.00"),
            paid=ZERO,
            amount_due=Decimal("1200.00"),
            days_late=58,
            interest=Decimal("23.17") if not consumer else ZERO,
            indemnity=Decimal("40.00") if not consumer else ZERO,
        ),
        InvoiceFacts(
            number="F-2026-048",
            issue_date=dt.date(2026, 9, 22),
            due_date=dt.date(2026, 10, 22),
            total=Decimal("850.00"),
            paid=Decimal("300.00"),
            amount_due=Decimal("550.00"),
            days_late=37,
            interest=Decimal("6.77") if not consumer else ZERO,
            indemnity=Decimal("40.00") if not consumer else ZERO,
        ),
    )
    client = (
        ClientFacts(
            name="Sophie Lambert",
            address_lines=("8 rue Paul Bert", "69003 Lyon"),
            email="sophie.lambert@example.fr",
            is_consumer=True,
        )
        if consumer
        else ClientFacts(
            name="Boulangerie Durand SARL",
            contact="M. Paul Durand",
            address_lines=("14 avenue Jean Jaurès", "Bâtiment B", "69007 Lyon"),
            email="compta@boulangerie-durand.fr",
        )
    )
    previous = (dt.date(2026, 10, 12), dt.date(2026, 11, 3))[: max(level - 1, 0)]
    return ReminderFacts(
        business=BusinessFacts(
            name="Atelier Lumière – Camille Martin EI",
            address_lines=("12 rue des Lilas", "69003 Lyon"),
            city="Lyon",
            siret="73282932000074",
            email="contact@atelier-lumiere.fr",
            phone="06 12 34 56 78",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            vat_mention="TVA non applicable, art. 293 B du CGI",
            signatory_name="Camille Martin",
            signatory_title="Graphiste",
        ),
        client=client,
        invoices=invoices,
        level=level,
        reminder_date=dt.date(2026, 11, 28),
        reference="R-2026-0042",
        include_penalties=level >= 2,
        rates=(Decimal("12.15"),) if not consumer else (),
        previous_reminder_dates=previous,
    )
