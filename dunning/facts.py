"""From the database to what a reminder shows: facts, texts, letter, e-mail; and the snapshot.

A draft is rendered from today's data on every view (`render_reminder`). A frozen reminder is
rendered once, at freezing, and its `snapshot` keeps everything needed to show it again
exactly (`rendering` → `rendered_from_snapshot`), whatever happens to invoices, rates or texts.
"""

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Business
from core.formats import short_date
from dunning import queries
from dunning.channels import channel_for
from dunning.emails import Envelope, RenderedEmail, attachment_names, render_email
from dunning.epc import payment_code
from dunning.facts_types import ZERO, BusinessFacts, ClientFacts, InvoiceFacts, ReminderFacts
from dunning.letter import LetterData, render_letter_pdf
from dunning.models import Reminder
from dunning.penalties import indemnity_for_invoice, penalties_for_invoice
from dunning.placeholders import build_values, render_facts, render_html, render_text
from law.rates import ECB_TABLE, LawError, MissingRate
from ledger.models import Invoice, Payment
from rates.tables import load_rate_tables

SNAPSHOT_VERSION = 1


# Dataclasses ↔ JSON, for the snapshot (decimal strings and ISO dates, as everywhere in Relance).


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_json(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _from_json(options[0], value)
    if origin is tuple:
        return tuple(_from_json(typing.get_args(kind)[0], item) for item in value)
    if origin is list:
        return [_from_json(typing.get_args(kind)[0], item) for item in value]
    if dataclasses.is_dataclass(kind):
        return from_json(kind, value)
    if kind is Decimal:
        return Decimal(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


def from_json(cls: Any, data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{name: _from_json(hints[name], value) for name, value in data.items() if name in names})


# What a reminder shows.


@dataclass
class InvoiceLine:
    """One invoice of the reminder as the editor and the summary show it."""

    facts: InvoiceFacts
    segments: list[dict[str, Any]] = field(default_factory=list)
    invoice_id: int | None = None


@dataclass
class Rendered:
    facts: ReminderFacts
    channel: str
    subject: str
    body_text: str
    body_html: SafeString
    letter: LetterData
    letter_text: str
    letter_html: SafeString
    email: RenderedEmail | None
    lines: list[InvoiceLine]
    penalty_errors: list[str] = field(default_factory=list)
    penalty_warnings: list[str] = field(default_factory=list)
    template_texts: dict[str, str] = field(default_factory=dict)
    frozen: bool = False

    @property
    def letter_subject(self) -> str:
        return self.letter.subject

    @property
    def letter_blocks(self) -> list[dict[str, Any]]:
        return self.letter.print_blocks()

    @property
    def computed_interest(self) -> Decimal:
        """Interest the law allows, claimed or not (the editor shows it beside the text)."""
        return sum((line.facts.interest for line in self.lines), ZERO)

    @property
    def computed_indemnity(self) -> Decimal:
        if self.facts.client.is_consumer:
            return ZERO
        return sum((line.facts.indemnity for line in self.lines), ZERO)

    @property
    def computed_penalties(self) -> Decimal:
        return self.computed_interest + self.computed_indemnity

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "facts": to_json(self.facts),
            "channel": self.channel,
            "subject": self.subject,
            "body_text": self.body_text,
            "body_html": str(self.body_html),
            "letter": {
                "subject": self.letter.subject,
                "blocks": self.letter.blocks,
                "text": self.letter_text,
                "html": str(self.letter_html),
                "channel": self.letter.channel,
                "registered_number": self.letter.registered_number,
                "logo_path": str(self.letter.logo_path) if self.letter.logo_path else "",
                "logo_url": self.letter.logo_url,
                "place": self.letter.place,
                "payment_code": self.letter.with_payment_code,
            },
            "email": self.email.as_json() if self.email else None,
            "invoices": [
                {"invoice_id": line.invoice_id, "number": line.facts.number, "segments": line.segments}
                for line in self.lines
            ],
            "totals": {
                "amount_due": to_json(self.facts.amount_due),
                "interest": to_json(self.facts.interest),
                "indemnity": to_json(self.facts.indemnity),
                "total_due": to_json(self.facts.total_due),
            },
            "penalties": {
                "included": self.facts.include_penalties,
                "rates": to_json(self.facts.rates),
                "contract_rate": self.facts.contract_rate,
                "errors": self.penalty_errors,
                "warnings": self.penalty_warnings,
            },
            "template": self.template_texts,
        }


def _previous_dates(reminder: Reminder, invoice_ids: list[int]) -> tuple[dt.date, ...]:
    moments = (
        Reminder.objects.frozen()
        .filter(lines__invoice_id__in=invoice_ids)
        .exclude(pk=reminder.pk)
        .order_by("frozen_at")
        .values_list("frozen_at", flat=True)
        .distinct()
    )
    return tuple(dict.fromkeys(timezone.localdate(moment) for moment in moments if moment is not None))


def unknown_interest_reason(error: LawError) -> str:
    """Why the interest has no figure, for the user: the missing rate is named, and nothing
    asks them to add it (only Relance's administrator can: the /taux/ page says so)."""
    if isinstance(error, MissingRate):
        if error.table == ECB_TABLE:
            return _("Le taux BCE du %(half_year)s n’est pas encore connu de Relance.") % {
                "half_year": error.half_year.label
            }
        return _("Le taux de l’intérêt légal du %(half_year)s n’est pas encore connu de Relance.") % {
            "half_year": error.half_year.label
        }
    return error.message


def _invoice_lines(reminder: Reminder, on: dt.date) -> tuple[list[InvoiceLine], list[str], list[str], list[Decimal]]:
    """The invoices with the penalties the law allows on `on`.

    A rate the tables do not know stops the interest computation (never an older rate
    instead): the reason is returned and the interest of every invoice is left without a
    figure, not some of them. The 40 € indemnity needs no rate: it stays.
    """
    invoices = list(
        Invoice.objects.filter(reminder_lines__reminder=reminder)
        .select_related("client", "business")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("date", "id")), "credit_notes")
        .order_by("due_date", "number")
    )
    errors: list[str] = []
    warnings: list[str] = []
    rates: list[Decimal] = []
    results = {}
    tables = load_rate_tables()
    for invoice in invoices:
        try:
            results[invoice.pk] = penalties_for_invoice(invoice, on, tables)
        except LawError as error:
            reason = unknown_interest_reason(error)
            if reason not in errors:
                errors.append(reason)
    lines = []
    for invoice in invoices:
        result = None if errors else results.get(invoice.pk)
        if result is not None:
            warnings += [warning for warning in result.warnings if warning not in warnings]
            rates += [rate for rate in result.rates if rate not in rates]
        lines.append(
            InvoiceLine(
                facts=InvoiceFacts(
                    number=invoice.number,
                    issue_date=invoice.issue_date,
                    due_date=invoice.due_date,
                    total=invoice.total_incl_tax,
                    paid=invoice.total_incl_tax - invoice.amount_due,
                    amount_due=invoice.amount_due,
                    days_late=invoice.days_late_on(on),
                    interest=result.interest if result else ZERO,
                    indemnity=result.indemnity if result else indemnity_for_invoice(invoice, on),
                ),
                segments=[segment.as_json() for segment in result.segments] if result else [],
                invoice_id=invoice.pk,
            )
        )
    return lines, errors, warnings, rates


@dataclass(frozen=True)
class Hold:
    """A reason not to remind without a second thought; `text` names it and completes
    "malgré …" in the confirmation the user ticks."""

    kind: str  # "dispute" or "pause"
    text: str


def reminder_holds(reminder: Reminder, on: dt.date) -> list[Hold]:
    """A disputed invoice, a pause of the client's or of an invoice's reminders in force on `on`."""
    holds = []
    client = reminder.client
    if client.is_paused_on(on):
        until = _(" jusqu’au %(day)s") % {"day": short_date(client.pause_until)} if client.pause_until else ""
        holds.append(
            Hold(
                "pause",
                _("la pause des relances de %(client)s%(until)s : %(reason)s")
                % {"client": client.name, "until": until, "reason": client.pause_reason},
            )
        )
    for invoice in reminder.invoices.order_by("due_date", "number"):
        if invoice.disputed:
            reason = f" : {invoice.dispute_reason}" if invoice.dispute_reason else ""
            holds.append(
                Hold(
                    "dispute",
                    _("la contestation de la facture n° %(number)s%(reason)s")
                    % {"number": invoice.number, "reason": reason},
                )
            )
        if invoice.reminders_paused_until is not None and on <= invoice.reminders_paused_until:
            holds.append(
                Hold(
                    "pause",
                    _("la pause des relances de la facture n° %(number)s jusqu’au %(day)s")
                    % {"number": invoice.number, "day": short_date(invoice.reminders_paused_until)},
                )
            )
    return holds


def _logo(business: Business) -> tuple[str, str]:
    if not business.logo:
        return "", ""
    try:
        # The print view shows the logo through the business-scoped view, never a public /media/ URL.
        return business.logo.path, reverse("accounts:logo")
    except (NotImplementedError, ValueError):
        return "", ""


def render_reminder(reminder: Reminder, *, on: dt.date, frozen_at: dt.datetime | None = None) -> Rendered:
    """Everything the reminder shows, computed from today's data (a draft, or the moment of freezing)."""

    business = reminder.business
    client = reminder.client
    lines, errors, warnings, rates = _invoice_lines(reminder, on)
    facts = ReminderFacts(
        business=BusinessFacts.from_business(business),
        client=ClientFacts.from_client(client),
        invoices=tuple(line.facts for line in lines),
        level=reminder.level,
        reminder_date=on,
        reference=reminder.reference if frozen_at else queries.provisional_reference(reminder),
        include_penalties=reminder.include_penalties,
        interest_unknown=bool(errors),
        rates=tuple(rates),
        contract_rate=(
            business.penalty_terms == Business.PenaltyTerms.CONTRACT and not client.is_consumer and bool(rates)
        ),
        previous_reminder_dates=_previous_dates(reminder, [line.invoice_id for line in lines if line.invoice_id]),
    )
    values = build_values(facts)
    channel = channel_for(reminder)
    letter_subject, letter_body = channel.letter_texts(reminder)
    logo_path, logo_url = _logo(business)
    letter = LetterData.from_texts(
        facts=facts,
        subject=letter_subject,
        body=letter_body,
        channel=reminder.channel,
        registered_number=reminder.registered_number,
        logo_path=logo_path or None,
        logo_url=logo_url,
        place=business.city,
    )
    body_html = render_html(reminder.body, values)
    body_text = render_text(reminder.body, values)
    email = None
    if channel.sends_email:
        email = render_email(
            business=business,
            client=client,
            subject=render_facts(reminder.subject, facts),
            body_text=body_text,
            body_html=body_html,
            attachments=attachment_names(
                reminder,
                facts.reference,
                # A statement of the interest is no statement without its figures.
                statement=facts.include_penalties and facts.total_due > facts.amount_due and not facts.interest_unknown,
            ),
            payment=payment_code(facts),
        )
    return Rendered(
        facts=facts,
        channel=reminder.channel,
        subject=render_facts(reminder.subject, facts),
        body_text=body_text,
        body_html=body_html,
        letter=letter,
        letter_text=render_text(letter_body, values),
        letter_html=render_html(letter_body, values),
        email=email,
        lines=lines,
        penalty_errors=errors,
        penalty_warnings=warnings,
        template_texts={
            "subject": reminder.subject,
            "body": reminder.body,
            "letter_subject": reminder.letter_subject,
            "letter_body": reminder.letter_body,
        },
        frozen=frozen_at is not None,
    )


def rendered_from_snapshot(reminder: Reminder) -> Rendered:
    snapshot = reminder.snapshot
    facts = from_json(ReminderFacts, snapshot["facts"])
    letter_data = snapshot["letter"]
    letter = LetterData(
        facts=facts,
        subject=letter_data["subject"],
        blocks=letter_data["blocks"],
        channel=letter_data["channel"],
        registered_number=letter_data["registered_number"],
        logo_path=letter_data["logo_path"] or None,
        logo_url=letter_data["logo_url"],
        place=letter_data["place"],
        with_payment_code=letter_data.get("payment_code", False),
    )
    email = None
    if snapshot.get("email"):
        data = snapshot["email"]
        email = RenderedEmail(
            subject=data["subject"],
            text=data["text"],
            html=data["html"],
            envelope=Envelope(from_email=data["from"], to=data["to"], reply_to=data["reply_to"], bcc=data["bcc"]),
            attachments=data["attachments"],
            payment_code=data.get("payment_code", False),
        )
    segments = {item["number"]: item for item in snapshot.get("invoices", [])}
    lines = [
        InvoiceLine(
            facts=invoice,
            segments=segments.get(invoice.number, {}).get("segments", []),
            invoice_id=segments.get(invoice.number, {}).get("invoice_id"),
        )
        for invoice in facts.invoices
    ]
    penalties = snapshot.get("penalties", {})
    return Rendered(
        facts=facts,
        channel=snapshot["channel"],
        subject=snapshot["subject"],
        body_text=snapshot["body_text"],
        # Our own rendering, escaped when it was produced at freezing.
        body_html=mark_safe(snapshot["body_html"]),  # noqa: S308
        letter=letter,
        letter_text=letter_data["text"],
        letter_html=mark_safe(letter_data["html"]),  # noqa: S308
        email=email,
        lines=lines,
        penalty_errors=penalties.get("errors", []),
        penalty_warnings=penalties.get("warnings", []),
        template_texts=snapshot.get("template", {}),
        frozen=True,
    )


def rendering(reminder: Reminder) -> Rendered:
    """A draft as of today; a frozen reminder exactly as it was frozen."""
    if reminder.is_frozen:
        return rendered_from_snapshot(reminder)
    return render_reminder(reminder, on=timezone.localdate())


def render_pdf(rendered: Rendered) -> bytes:
    return render_letter_pdf(rendered.letter)


def letter_pdf(reminder: Reminder) -> tuple[bytes, str]:
    """The letter's PDF and file name: the stored, hashed file once frozen; today's rendering for a draft."""
    if reminder.is_frozen:
        with reminder.pdf.open("rb") as stored:
            return stored.read(), reminder.pdf_filename
    return render_pdf(render_reminder(reminder, on=timezone.localdate())), f"relance-brouillon-{reminder.pk}.pdf"
