"""The audit log told in French words, for the "Historique" of client and invoice pages."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from ledger.models import AuditEvent, Client, Invoice, Payment
from relance.formats import money, short_date

MONEY_FIELDS = {"total_excl_tax", "vat_amount", "total_incl_tax", "amount", "amount_due"}
DATE_FIELDS = {"issue_date", "due_date", "date", "pause_until", "receipt_date"}
EXTRA_LABELS = {
    "amount": "montant",
    "date": "date",
    "method": "moyen de paiement",
    "number": "numéro",
    "reason": "motif",
    "pdf": "facture PDF",
}

TITLES = {
    ("client", "created"): "Client créé",
    ("client", "updated"): "Fiche client modifiée",
    ("client", "deleted"): "Client supprimé",
    ("invoice", "created"): "Facture {repr} créée",
    ("invoice", "updated"): "Facture {repr} modifiée",
    ("invoice", "cancelled"): "Facture {repr} annulée",
    ("payment", "payment_recorded"): "Règlement enregistré",
    ("payment", "payment_deleted"): "Règlement supprimé",
    ("creditnote", "credit_note_recorded"): "Avoir {repr} enregistré",
}
REMINDER_ACTIONS = {
    "created": "créée (brouillon)",
    "updated": "modifiée",
    "saved": "enregistrée",
    "sent": "envoyée",
    "send_failed": "non envoyée (échec d’envoi)",
    "deactivated": "désactivée",
    "reactivated": "réactivée",
    "deleted": "supprimée",
}


def _field_label(field: str) -> str:
    for model in (Invoice, Client):
        try:
            return capfirst(str(getattr(model._meta.get_field(field), "verbose_name", field)))
        except FieldDoesNotExist:
            continue
    return capfirst(EXTRA_LABELS.get(field, field.replace("_", " ")))


def format_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field in MONEY_FIELDS:
        try:
            return money(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if field in DATE_FIELDS:
        try:
            return short_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if field == "kind":
        return str(dict(Client.Kind.choices).get(value, value))
    if field == "method":
        return str(dict(Payment.Method.choices).get(value, value))
    if field == "client":
        return f"client n° {value}"
    return str(value)


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str
    title: str
    details: list[str]


def _title(event: AuditEvent) -> str:
    if event.object_type == "reminder":
        return f"Relance {REMINDER_ACTIONS.get(event.action, event.action)}"
    title = TITLES.get((event.object_type, event.action))
    if title is None:
        return f"{event.object_type} : {event.action.replace('_', ' ')}"
    return title.format(repr=event.object_repr)


# PostgreSQL's jsonb does not keep key order: details are listed in this order, then by name.
FIELD_ORDER = ["number", "amount", "total_excl_tax", "vat_amount", "total_incl_tax", "date", "issue_date", "due_date"]


def _ordered(changes: dict[str, Any]) -> list[tuple[str, Any]]:
    rank = {field: index for index, field in enumerate(FIELD_ORDER)}
    return sorted(changes.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def _details(event: AuditEvent) -> list[str]:
    changes: dict[str, Any] = event.changes or {}
    if event.action == "updated":
        lines = []
        for field, change in _ordered(changes):
            if isinstance(change, list) and len(change) == 2:
                old, new = change
                lines.append(f"{_field_label(field)} : {format_value(field, old)} → {format_value(field, new)}")
        return lines
    lines = [
        f"{_field_label(field)} : {format_value(field, value)}"
        for field, value in _ordered(changes)
        if not isinstance(value, (list, dict))
    ]
    if event.object_type in {"payment", "creditnote"} and event.invoice_id is not None and event.invoice is not None:
        lines.append(f"Facture {event.invoice.number}")
    return lines


def describe(events: Iterable[AuditEvent]) -> list[Entry]:
    """Expects `actor` and `invoice` selected with the events (no query per event)."""
    return [
        Entry(
            at=event.created_at,
            who=(event.actor.name or event.actor.email) if event.actor is not None else "Relance (automatique)",
            title=_title(event),
            details=_details(event),
        )
        for event in events
    ]
