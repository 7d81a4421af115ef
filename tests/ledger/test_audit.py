"""The history in French words."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Business, User
from core.models import AuditEvent
from ledger import audit, services
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def entries(**filters: object) -> list[audit.Entry]:
    return audit.describe(AuditEvent.objects.filter(**filters).select_related("actor", "invoice").order_by("id"))


def test_invoice_story_in_french(business: Business, owner: User) -> None:
    invoice = make_invoice(business, number="F-9", amount="1000.00", issue_date=dt.date(2026, 9, 1))
    services.record_payment(
        invoice=invoice, actor=owner, date=dt.date(2026, 9, 20), amount=Decimal("250.00"), method="cheque"
    )
    services.cancel_invoice(invoice=invoice, actor=owner, reason="Erreur")
    story = entries(invoice=invoice)
    assert [entry.title for entry in story] == ["Facture F-9 créée", "Règlement enregistré", "Facture F-9 annulée"]
    assert story[0].who == "Relance (automatique)"
    assert story[1].who == "owner@relance.test"
    assert story[1].details == [
        "Montant : 250,00\u202f€",
        "Date : 20/09/2026",
        "Moyen de paiement : Chèque",
        "Facture F-9",
    ]
    assert story[2].details == ["Motif : Erreur"]


def test_reminder_events_are_named(business: Business) -> None:
    invoice = make_invoice(business)
    event = AuditEvent.objects.create(
        business=business, action="deactivated", object_type="reminder", object_id=1, object_repr="x", invoice=invoice
    )
    assert audit.describe([event])[0].title == "Relance désactivée"


def test_unknown_events_still_read(business: Business) -> None:
    event = AuditEvent.objects.create(
        business=business, action="status_changed", object_type="collectioncase", object_id=1, object_repr="x"
    )
    assert audit.describe([event])[0].title == "collectioncase : status changed"


def test_values_are_formatted() -> None:
    assert audit.format_value("due_date", "2026-10-01") == "01/10/2026"
    assert audit.format_value("total_incl_tax", "1234.5") == "1\u202f234,50\u202f€"
    assert audit.format_value("reminders_paused", True) == "oui"
    assert audit.format_value("kind", "consumer") == "Particulier"
    assert audit.format_value("notes", "") == "(vide)"
