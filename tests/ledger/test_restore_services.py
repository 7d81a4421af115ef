import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.audit import AuditEvent
from ledger import services
from ledger.audit import describe
from tests.factories import make_client, make_invoice


def test_an_invoice_state_is_restored_with_its_own_cancellation_date(business):
    invoice = make_invoice(business, number="F-1")
    moment = dt.datetime(2026, 9, 2, 9, 15, tzinfo=dt.UTC)
    restored = services.restore_invoice_state(
        invoice=invoice,
        actor=None,
        cancelled_at=moment,
        cancel_reason="Erreur",
        disputed=True,
        dispute_reason="Contestée",
        reminders_paused_until=dt.date(2027, 1, 1),
    )
    restored.refresh_from_db()
    assert (restored.cancelled_at, restored.cancel_reason, restored.disputed) == (moment, "Erreur", True)
    event = AuditEvent.objects.get(action="restored")
    assert describe([event])[0].title == "État de la facture F-1 repris d’un export du compte"


def test_an_unchanged_state_writes_nothing(business):
    invoice = make_invoice(business)
    services.restore_invoice_state(
        invoice=invoice,
        actor=None,
        cancelled_at=None,
        cancel_reason="",
        disputed=False,
        dispute_reason="",
        reminders_paused_until=None,
    )
    assert not AuditEvent.objects.filter(action="restored").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cancelled_at": dt.datetime(2026, 9, 2, 9, 15)}, "cancelled_at"),  # noqa: DTZ001 - the naive moment refused
        ({"dispute_reason": "une\nautre ligne", "disputed": True}, "dispute_reason"),
        ({"reminders_paused_until": dt.date(2200, 1, 1)}, "reminders_paused_until"),
    ],
)
def test_a_state_out_of_bounds_is_refused(business, changes, field):
    invoice = make_invoice(business)
    state = {
        "cancelled_at": None,
        "cancel_reason": "",
        "disputed": False,
        "dispute_reason": "",
        "reminders_paused_until": None,
        **changes,
    }
    with pytest.raises(ValidationError) as caught:
        services.restore_invoice_state(invoice=invoice, actor=None, **state)
    assert field in caught.value.message_dict
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None and not invoice.disputed


def test_a_pause_that_has_ended_is_restored(business, frozen_today):
    client = make_client(business)
    restored = services.restore_client_pause(client=client, actor=None, reason="Accord", until=dt.date(2026, 1, 31))
    assert (restored.reminders_paused, restored.pause_until) == (True, dt.date(2026, 1, 31))
    assert not restored.is_paused_on(frozen_today)


def test_a_pause_without_reason_is_refused(business):
    with pytest.raises(ValidationError) as caught:
        services.restore_client_pause(client=make_client(business), actor=None, reason=" ", until=None)
    assert "pause_reason" in caught.value.message_dict
