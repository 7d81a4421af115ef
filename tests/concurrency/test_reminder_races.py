"""A reminder frozen while one of its invoices changes: the letter and the invoice agree, and the
audit log says which came first."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Business, User
from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from ledger import services as ledger_services
from ledger.models import Invoice
from tests.concurrency.racing import ROUNDS, Answer, Outcome, new_invoices, race, story
from tests.factories import make_client

pytestmark = pytest.mark.django_db(transaction=True)

QUOTED = (
    "Une relance enregistrée ou envoyée cite cette facture : elle ne peut plus être modifiée "
    "(seuls les règlements, les avoirs et l’annulation restent possibles)."
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def drafts(business: Business, owner: User) -> list[Reminder]:
    client = make_client(business)
    return [
        services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
        for invoice in new_invoices(business, client)
    ]


def quoted_invoice(reminder: Reminder) -> Invoice:
    return Invoice.objects.get(reminder_lines__reminder=reminder)


def event_id(reminder: Reminder, action: str) -> int:
    return int(AuditEvent.objects.get(object_type="reminder", object_id=reminder.pk, action=action).pk)


def invoice_event_id(invoice: Invoice, action: str) -> int:
    return int(AuditEvent.objects.get(invoice=invoice, action=action).pk)


def test_an_invoice_edited_while_its_reminder_is_saved(api_for, business, owner):
    reminders = drafts(business, owner)
    rows = [quoted_invoice(reminder) for reminder in reminders]
    saver, editor = api_for(), api_for()
    results = race(
        ROUNDS,
        lambda i: Answer(saver.post(f"/reminders/{reminders[i].pk}/save")),
        lambda i: Answer(editor.patch(f"/invoices/{rows[i].pk}", {"total_excl_tax": "1500.00"})),
    )
    for reminder, invoice, (saved, edit) in zip(reminders, rows, results, strict=True):
        assert saved.status == 200, saved
        reminder = Reminder.objects.get(pk=reminder.pk)
        invoice = Invoice.objects.get(pk=invoice.pk)
        assert invoice.quoted_at is not None
        # The letter quotes the invoice as it is stored, whichever came first.
        letter = reminder.snapshot["facts"]["invoices"][0]
        assert (letter["total"], letter["amount_due"]) == (str(invoice.total_incl_tax), str(invoice.amount_due))
        if edit.status == 200:
            assert invoice.total_incl_tax == Decimal("1500.00")
            assert story(invoice) == ["updated"]
            assert invoice_event_id(invoice, "updated") < event_id(reminder, "saved")
        else:
            assert (edit.status, edit.detail) == (409, QUOTED)
            assert invoice.total_incl_tax == Decimal("1000.00")
            assert story(invoice) == []


def freeze(owner: User, reminder: Reminder, round_: int) -> Reminder:
    """Saving and sending freeze alike: even rounds save, odd rounds send."""
    reminder = Reminder.objects.get(pk=reminder.pk)
    if round_ % 2:
        return services.send_reminder(reminder=reminder, actor=owner)
    return services.save_reminder(reminder=reminder, actor=owner)


def test_a_reminder_frozen_while_its_invoice_is_paid(business, owner):
    """Paid first: the reminder is refused. Frozen first: the letter shows the whole amount due,
    and the payment (allowed on a quoted invoice) follows it."""
    reminders = drafts(business, owner)
    rows = [quoted_invoice(reminder) for reminder in reminders]
    results = race(
        ROUNDS,
        lambda i: Outcome(lambda: freeze(owner, reminders[i], i)),
        lambda i: Outcome(
            lambda: ledger_services.record_payment(
                invoice=Invoice.objects.get(pk=rows[i].pk),
                actor=owner,
                date=dt.date(2026, 10, 1),
                amount=Decimal("1000.00"),
            )
        ),
    )
    for round_, (reminder, invoice, (frozen, paid)) in enumerate(zip(reminders, rows, results, strict=True)):
        assert paid.ok, paid
        reminder = Reminder.objects.get(pk=reminder.pk)
        invoice = Invoice.objects.get(pk=invoice.pk)
        assert story(invoice) == ["payment_recorded"]
        if frozen.ok:
            assert reminder.status != Reminder.Status.DRAFT
            assert reminder.snapshot["facts"]["invoices"][0]["amount_due"] == "1000.00"
            action = "send_requested" if round_ % 2 else "saved"
            assert event_id(reminder, action) < invoice_event_id(invoice, "payment_recorded")
        else:
            assert frozen.messages_at("invoice_ids") == [
                f"Facture(s) payée(s) ou annulée(s) depuis : {invoice.number}. Retirez-les de la relance."
            ]
            assert reminder.status == Reminder.Status.DRAFT
            assert invoice.quoted_at is None
            assert not AuditEvent.objects.filter(object_type="reminder", object_id=reminder.pk).exclude(
                action="created"
            )
