import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import Conflict
from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from tests.factories import make_reminder


@pytest.mark.parametrize("status", ["saved", "sent", "send_failed"])
def test_saved_sent_or_failed_reminder_can_be_deactivated_and_reactivated(owner, business, status):
    reminder = make_reminder(business, owner, status=status)
    services.deactivate_reminder(reminder=reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.deactivated_at is not None
    assert not Reminder.objects.visible().filter(pk=reminder.pk).exists()
    assert Reminder.objects.frozen().filter(pk=reminder.pk).exists()
    services.reactivate_reminder(reminder=reminder, actor=owner)
    reminder.refresh_from_db()
    assert reminder.deactivated_at is None
    actions = list(
        AuditEvent.objects.filter(object_type="reminder", object_id=reminder.pk).values_list("action", flat=True)
    )
    assert "deactivated" in actions and "reactivated" in actions


def test_draft_cannot_be_deactivated(owner, draft):
    with pytest.raises(Conflict, match="supprimez-le"):
        services.deactivate_reminder(reminder=draft, actor=owner)


def test_reminder_being_sent_cannot_be_deactivated(owner, business):
    with pytest.raises(Conflict, match="en cours d’envoi"):
        services.deactivate_reminder(reminder=make_reminder(business, owner, status="sending"), actor=owner)


def test_deactivating_twice_or_reactivating_an_active_one_is_a_conflict(owner, business):
    reminder = make_reminder(business, owner)
    with pytest.raises(Conflict):
        services.reactivate_reminder(reminder=reminder, actor=owner)
    services.deactivate_reminder(reminder=reminder, actor=owner)
    with pytest.raises(Conflict):
        services.deactivate_reminder(reminder=reminder, actor=owner)


def test_registered_letter_is_recorded_on_a_formal_notice(owner, business):
    reminder = make_reminder(business, owner, level=3)
    services.record_registered_letter(
        reminder=reminder,
        actor=owner,
        number=" 1A 234 567 8901 2 ",
        receipt_date=timezone.localdate(reminder.frozen_at),
    )
    reminder.refresh_from_db()
    assert reminder.registered_number == "1A 234 567 8901 2"
    assert reminder.receipt_date == timezone.localdate(reminder.frozen_at)
    event = AuditEvent.objects.get(object_type="reminder", object_id=reminder.pk, action="registered_letter")
    assert event.changes["registered_number"] == ["", "1A 234 567 8901 2"]


def test_registered_letter_only_for_a_frozen_formal_notice(owner, business):
    with pytest.raises(Conflict, match="mise en demeure"):
        services.record_registered_letter(
            reminder=make_reminder(business, owner, level=1), actor=owner, number="1A", receipt_date=None
        )
    with pytest.raises(Conflict):
        services.record_registered_letter(
            reminder=make_reminder(business, owner, status="draft", level=3),
            actor=owner,
            number="1A",
            receipt_date=None,
        )


def test_registered_letter_needs_a_number_and_a_plausible_date(owner, business):
    reminder = make_reminder(business, owner, level=3)
    with pytest.raises(ValidationError) as error:
        services.record_registered_letter(reminder=reminder, actor=owner, number="", receipt_date=dt.date(2099, 1, 1))
    assert error.value.message_dict == {
        "number": ["Indiquez le numéro du recommandé."],
        "receipt_date": ["La date de réception ne peut pas être dans le futur."],
    }
    with pytest.raises(ValidationError) as error:
        services.record_registered_letter(reminder=reminder, actor=owner, number="1A", receipt_date=dt.date(2020, 1, 1))
    assert "précéder" in error.value.message_dict["receipt_date"][0]
