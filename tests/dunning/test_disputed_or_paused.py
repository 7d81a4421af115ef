"""A disputed invoice, or an invoice or client whose reminders are paused, is never reminded
without a word: the bucket listing, the editor and the summary say so, and saving or sending
needs an explicit confirmation naming the reason (the service refuses without it, API too)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from dunning import services
from dunning.models import Reminder
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice

REASON = "Le client conteste le nombre de journées facturées."
CONFIRM = "confirm_dispute_or_pause"


@pytest.fixture
def disputed(late_invoice: Invoice) -> Invoice:
    Invoice.objects.filter(pk=late_invoice.pk).update(disputed=True, dispute_reason=REASON)
    late_invoice.refresh_from_db()
    return late_invoice


@pytest.fixture
def disputed_draft(business, owner, disputed) -> Reminder:
    return services.create_reminder(business=business, actor=owner, invoice_ids=[disputed.pk])


def test_bucket_listing_flags_disputed_and_paused(owner_client, business, disputed):
    paused_client = make_client(
        business, name="Garage Fontaine", reminders_paused=True, pause_reason="Échéancier accordé"
    )
    make_invoice(business, paused_client, issue_date=disputed.issue_date)
    paused_invoice = make_invoice(business, make_client(business, name="Atelier Nord"), issue_date=disputed.issue_date)
    Invoice.objects.filter(pk=paused_invoice.pk).update(reminders_paused_until=dt.date(2027, 1, 15))
    days_late = disputed.days_late_on(timezone.localdate())
    bucket = next(key for bound, key in [(30, "1-30"), (60, "31-60"), (90, "61-90")] if days_late <= bound)
    content = owner_client.get(reverse("pages:late_bucket", args=[bucket])).content.decode()
    assert content.count("Contestée") == 1
    assert f'title="{REASON}"' in content
    assert "Relances en pause" in content and 'title="Échéancier accordé"' in content
    assert "En pause jusqu’au 15/01/2027" in content


def test_editor_and_summary_name_the_dispute(owner_client, disputed_draft):
    editor = owner_client.get(reverse("dunning:reminder_edit", args=[disputed_draft.pk])).content.decode()
    assert "Facture contestée" in editor and REASON in editor
    summary = owner_client.get(reverse("dunning:reminder_detail", args=[disputed_draft.pk])).content.decode()
    assert REASON in summary
    assert f'name="{CONFIRM}"' in summary
    assert f"Je confirme cette relance malgré la contestation de la facture n° F-2026-041 : {REASON}" in summary


def test_service_refuses_to_save_or_send_without_the_confirmation(owner, disputed_draft):
    for freeze in (services.save_reminder, services.send_reminder):
        with pytest.raises(ValidationError) as error:
            freeze(reminder=disputed_draft, actor=owner)
        message = error.value.message_dict[CONFIRM][0]
        assert "contestation" in message and REASON in message
    disputed_draft.refresh_from_db()
    assert disputed_draft.is_draft and not disputed_draft.pdf


def test_confirmed_save_freezes_and_records_the_reason(owner, disputed_draft):
    reminder = services.save_reminder(reminder=disputed_draft, actor=owner, confirm_dispute_or_pause=True)
    assert reminder.status == Reminder.Status.SAVED
    event = AuditEvent.objects.get(action="saved")
    assert REASON in event.changes["confirmed_despite"][0]


def test_summary_save_without_the_box_is_422_at_the_box(owner_client, disputed_draft):
    response = owner_client.post(reverse("dunning:reminder_save", args=[disputed_draft.pk]))
    assert response.status_code == 422
    assert response.context["hold_error"]
    assert "errorlist" in response.content.decode()
    disputed_draft.refresh_from_db()
    assert disputed_draft.is_draft


def test_summary_save_with_the_box_saves(owner_client, disputed_draft):
    response = owner_client.post(reverse("dunning:reminder_save", args=[disputed_draft.pk]), {CONFIRM: "on"})
    assert response.status_code == 302
    disputed_draft.refresh_from_db()
    assert disputed_draft.status == Reminder.Status.SAVED


def test_summary_send_with_the_box_sends(owner_client, disputed_draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("dunning:reminder_send", args=[disputed_draft.pk]), {CONFIRM: "on"})
    assert response.status_code == 302
    disputed_draft.refresh_from_db()
    assert disputed_draft.status == Reminder.Status.SENT


def test_a_paused_client_needs_the_confirmation_naming_the_pause(business, owner):
    client = make_client(
        business,
        name="Compagnie de l’Étoile",
        reminders_paused=True,
        pause_reason="Échéancier accordé",
        pause_until=dt.date(2027, 1, 17),
    )
    invoice = make_invoice(business, client)
    draft = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    with pytest.raises(ValidationError) as error:
        services.save_reminder(reminder=draft, actor=owner)
    message = error.value.message_dict[CONFIRM][0]
    assert "Échéancier accordé" in message and "17/01/2027" in message
    assert services.save_reminder(reminder=draft, actor=owner, confirm_dispute_or_pause=True).is_frozen


def test_a_pause_that_ended_needs_no_confirmation(business, owner):
    client = make_client(business)
    # A pause that has ended since it was set (a past end date cannot be typed in).
    Client.objects.filter(pk=client.pk).update(
        reminders_paused=True, pause_reason="Vacances", pause_until=dt.date(2026, 10, 1)
    )
    invoice = make_invoice(business, client)
    Invoice.objects.filter(pk=invoice.pk).update(reminders_paused_until=dt.date(2026, 10, 2))
    draft = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    assert services.save_reminder(reminder=draft, actor=owner).is_frozen
    assert Client.objects.get(pk=client.pk).reminders_paused


def test_an_ordinary_reminder_needs_no_confirmation(owner, draft):
    assert services.save_reminder(reminder=draft, actor=owner).is_frozen


def test_api_refuses_without_the_boolean_and_saves_with_it(api, disputed_draft):
    url = f"/api/v1/reminders/{disputed_draft.pk}/save"
    for body in (b"", b"{}", b'{"confirm_dispute_or_pause": false}'):
        refused = api.post(url, body, content_type="application/json")
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", CONFIRM]
        assert REASON in refused.json()["detail"][0]["msg"]
    saved = api.post(url, {CONFIRM: True}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["status"] == "saved"


def test_api_send_takes_the_boolean_too(api, disputed_draft):
    response = api.post(f"/api/v1/reminders/{disputed_draft.pk}/send", {CONFIRM: True}, content_type="application/json")
    assert response.status_code == 200
