import datetime as dt
import hashlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.errors import Conflict
from core.models import AuditEvent
from dunning import facts, services
from dunning.models import Reminder
from ledger import services as ledger_services
from tests.factories import make_client, make_invoice, make_reminder

PARIS = ZoneInfo("Europe/Paris")


def test_saving_freezes_texts_figures_and_the_pdf(owner, draft, late_invoice):
    reminder = services.save_reminder(reminder=draft, actor=owner)
    assert reminder.status == Reminder.Status.SAVED
    assert reminder.frozen_at is not None
    assert reminder.reference == f"R-{reminder.frozen_at.astimezone(PARIS).year}-0001"
    # The texts are rendered once: no placeholder is left.
    assert "{" not in reminder.subject and "F-2026-041" in reminder.subject
    assert "{" not in reminder.body and "{" not in reminder.letter_body
    snapshot = reminder.snapshot
    assert snapshot["facts"]["client"]["name"] == "Boulangerie Durand"
    assert snapshot["facts"]["invoices"][0]["number"] == "F-2026-041"
    assert snapshot["facts"]["invoices"][0]["amount_due"] == "1200.00"
    assert snapshot["totals"]["amount_due"] == "1200.00"
    assert snapshot["template"]["body"] == draft.body
    with reminder.pdf.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == reminder.pdf_sha256
    event = AuditEvent.objects.get(object_type="reminder", object_id=reminder.pk, action="saved")
    assert event.changes["pdf_sha256"] == reminder.pdf_sha256


def test_references_follow_each_other_per_business(owner, business, other_business, outsider):
    first = make_reminder(business, owner)
    second = make_reminder(business, owner)
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1
    foreign = services.create_reminder(
        business=other_business, actor=outsider, invoice_ids=[make_invoice(other_business).pk]
    )
    foreign = services.save_reminder(reminder=foreign, actor=outsider)
    assert foreign.reference == first.reference


def test_frozen_reminder_shows_what_it_showed_even_after_changes(owner, draft, late_invoice):
    reminder = services.save_reminder(reminder=draft, actor=owner)
    client = reminder.client
    ledger_services.update_client(client=client, actor=owner, name="Nouveau nom")
    ledger_services.record_payment(invoice=late_invoice, actor=owner, date=dt.date(2026, 11, 1), amount=Decimal("200"))
    reminder.refresh_from_db()
    rendered = facts.rendering(reminder)
    assert rendered.facts.client.name == "Boulangerie Durand"
    assert rendered.facts.invoices[0].amount_due == Decimal("1200.00")
    assert rendered.subject == reminder.subject


def test_draft_shows_todays_figures(owner, draft, late_invoice):
    ledger_services.record_payment(invoice=late_invoice, actor=owner, date=dt.date(2026, 11, 1), amount=Decimal("200"))
    draft.refresh_from_db()
    assert facts.rendering(draft).facts.invoices[0].amount_due == Decimal("1000.00")


@pytest.mark.parametrize("status", ["saved", "sent", "send_failed", "sending"])
def test_frozen_reminder_cannot_be_saved_again(owner, business, status):
    reminder = make_reminder(business, owner, status=status)
    with pytest.raises(Conflict):
        services.save_reminder(reminder=reminder, actor=owner)


def test_invoice_paid_since_the_draft_is_refused_at_saving(owner, draft, late_invoice):
    ledger_services.record_payment(invoice=late_invoice, actor=owner, date=dt.date(2026, 11, 1), amount=Decimal("1200"))
    with pytest.raises(ValidationError) as error:
        services.save_reminder(reminder=draft, actor=owner)
    assert "F-2026-041" in error.value.message_dict["invoice_ids"][0]
    draft.refresh_from_db()
    assert draft.is_draft and not draft.pdf


def test_unknown_rate_leaves_only_the_interest_without_a_figure(business, owner):
    # 2026-11-28: the ECB rate of 2026 S2 is not in the shipped tables.
    invoice = make_invoice(business, make_client(business), issue_date=dt.date(2026, 9, 1))
    reminder = make_reminder(business, owner, status="draft", invoices=[invoice], level=2)
    assert reminder.include_penalties
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, tzinfo=PARIS), tick=False):
        reminder = services.save_reminder(reminder=reminder, actor=owner)
    penalties = reminder.snapshot["penalties"]
    assert "second semestre 2026" in penalties["errors"][0]
    assert penalties["included"] is True
    assert reminder.snapshot["facts"]["interest_unknown"] is True
    assert reminder.snapshot["totals"]["interest"] == "0.00"
    assert reminder.snapshot["totals"]["total_due"] == "1040.00"  # the 40 € indemnity needs no rate


def test_penalties_are_frozen_with_their_rates_and_segments(business, owner):
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, tzinfo=PARIS), tick=False):
        invoice = make_invoice(
            business,
            make_client(business),
            amount="1000.00",
            issue_date=dt.date(2025, 12, 1),
            due_date=dt.date(2025, 12, 31),
        )
        reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk], level=2)
        reminder = services.save_reminder(reminder=reminder, actor=owner)
    snapshot = reminder.snapshot
    assert snapshot["penalties"]["errors"] == []
    assert snapshot["penalties"]["included"] is True
    invoice_facts = snapshot["facts"]["invoices"][0]
    assert Decimal(invoice_facts["interest"]) > 0
    assert invoice_facts["indemnity"] == "40.00"
    segments = snapshot["invoices"][0]["segments"]
    assert [s["start"] for s in segments] == ["2026-01-01"]
    assert snapshot["penalties"]["rates"] == [segments[0]["rate"]]
    total = Decimal("1000.00") + Decimal(invoice_facts["interest"]) + Decimal("40.00")
    assert snapshot["totals"]["total_due"] == f"{total:.2f}"


def test_reference_numbering_passes_9999(owner, business):
    previous = make_reminder(business, owner)
    year = previous.reference.split("-")[1]
    Reminder.objects.filter(pk=previous.pk).update(reference=f"R-{year}-9999")
    assert make_reminder(business, owner).reference == f"R-{year}-10000"
    assert make_reminder(business, owner).reference == f"R-{year}-10001"
