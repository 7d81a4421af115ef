"""The audit log told in French words, for the "Historique" of client and invoice pages."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formats import money, short_date
from core.models import AuditEvent
from ledger.models import Client, Invoice, Payment

MONEY_FIELDS = {"total_excl_tax", "vat_amount", "total_incl_tax", "amount", "amount_due"}
DATE_FIELDS = {"issue_date", "due_date", "date", "pause_until", "receipt_date"}
EXTRA_LABELS = {
    "amount": gettext_lazy("montant"),
    "date": gettext_lazy("date"),
    "method": gettext_lazy("moyen de paiement"),
    "number": gettext_lazy("numéro"),
    "reason": gettext_lazy("motif"),
    "pdf": gettext_lazy("facture PDF"),
}

TITLES = {
    ("client", "created"): gettext_lazy("Client créé"),
    ("client", "updated"): gettext_lazy("Fiche client modifiée"),
    ("client", "deleted"): gettext_lazy("Client supprimé"),
    ("invoice", "created"): gettext_lazy("Facture %(repr)s créée"),
    ("invoice", "updated"): gettext_lazy("Facture %(repr)s modifiée"),
    ("invoice", "cancelled"): gettext_lazy("Facture %(repr)s annulée"),
    ("payment", "payment_recorded"): gettext_lazy("Règlement enregistré"),
    ("payment", "payment_deleted"): gettext_lazy("Règlement supprimé"),
    ("creditnote", "credit_note_recorded"): gettext_lazy("Avoir %(repr)s enregistré"),
    ("client", "restored"): gettext_lazy("Pause des relances reprise d’un export du compte"),
    ("invoice", "restored"): gettext_lazy("État de la facture %(repr)s repris d’un export du compte"),
    ("collectioncase", "collection_opened"): gettext_lazy("Mise en recouvrement : %(repr)s"),
    ("collectioncase", "collection_event"): gettext_lazy("Nouvelle étape du recouvrement : %(repr)s"),
}
REMINDER_ACTIONS = {
    "created": gettext_lazy("créée (brouillon)"),
    "updated": gettext_lazy("modifiée"),
    "saved": gettext_lazy("enregistrée"),
    "sent": gettext_lazy("envoyée"),
    "send_failed": gettext_lazy("non envoyée (échec d’envoi)"),
    "send_uncertain": gettext_lazy("en envoi incertain (interrompu avant la réponse du serveur)"),
    "resent": gettext_lazy("renvoyée après un envoi incertain"),
    "marked_sent": gettext_lazy("marquée comme envoyée"),
    "deactivated": gettext_lazy("désactivée"),
    "reactivated": gettext_lazy("réactivée"),
    "deleted": gettext_lazy("supprimée"),
}


def _field_label(field: str) -> str:
    for model in (Invoice, Client):
        try:
            return capfirst(str(getattr(model._meta.get_field(field), "verbose_name", field)))
        except FieldDoesNotExist:
            continue
    return capfirst(str(EXTRA_LABELS.get(field, field.replace("_", " "))))


def format_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return _("(vide)")
    if isinstance(value, bool):
        return _("oui") if value else _("non")
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
        return _("client n° %(number)s") % {"number": value}
    return str(value)


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str
    title: str
    details: list[str]


def _title(event: AuditEvent) -> str:
    if event.object_type == "reminder":
        return _("Relance %(action)s") % {"action": REMINDER_ACTIONS.get(event.action, event.action)}
    title = TITLES.get((event.object_type, event.action))
    if title is None:
        return _("%(field)s : %(value)s") % {"field": event.object_type, "value": event.action.replace("_", " ")}
    return title % {"repr": event.object_repr}


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
                lines.append(
                    _("%(field)s : %(old)s → %(new)s")
                    % {"field": _field_label(field), "old": format_value(field, old), "new": format_value(field, new)}
                )
        return lines
    lines = [
        _("%(field)s : %(value)s") % {"field": _field_label(field), "value": format_value(field, value)}
        for field, value in _ordered(changes)
        if not isinstance(value, (list, dict))
    ]
    if event.object_type in {"payment", "creditnote"} and event.invoice_id is not None and event.invoice is not None:
        lines.append(_("Facture %(number)s") % {"number": event.invoice.number})
    return lines


def describe(events: Iterable[AuditEvent]) -> list[Entry]:
    """Expects `actor` and `invoice` selected with the events (no query per event)."""
    return [
        Entry(
            at=event.created_at,
            who=(event.actor.name or event.actor.email) if event.actor is not None else _("Relance (automatique)"),
            title=_title(event),
            details=_details(event),
        )
        for event in events
    ]


HISTORY_SIZE = 50


def history(events: QuerySet[AuditEvent]) -> list[Entry]:
    """The latest events of a client or invoice page, told in French."""
    return describe(events.select_related("actor", "invoice")[:HISTORY_SIZE])
