import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import NotFound
from core.models import AuditEvent
from dunning import services
from dunning.defaults import default_template
from dunning.models import Channel, Reminder, ReminderTemplate
from ledger import services as ledger_services
from tests.factories import make_client, make_invoice


def test_default_templates_are_created_once_per_business(business, other_business):
    services.ensure_default_templates(business)
    services.ensure_default_templates(business)
    assert ReminderTemplate.objects.filter(business=business).count() == 3
    assert not ReminderTemplate.objects.filter(business=other_business).exists()


def test_missing_template_is_restored_without_touching_edited_ones(business):
    templates = services.ensure_default_templates(business)
    templates[0].letter_subject = "Mon objet"
    templates[0].save()
    templates[2].delete()
    services.ensure_default_templates(business)
    assert ReminderTemplate.objects.get(business=business, level=1).letter_subject == "Mon objet"
    assert ReminderTemplate.objects.filter(business=business, level=3).exists()


def test_first_reminder_is_level_one_by_email_prefilled_from_the_email_template(business, owner, late_invoice):
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    template = default_template(1)
    assert reminder.status == Reminder.Status.DRAFT
    assert reminder.level == 1
    assert reminder.channel == Channel.EMAIL
    assert reminder.subject == template["email_subject"]
    assert reminder.body == template["email_body"]
    assert reminder.letter_body == template["letter_body"]
    assert reminder.include_penalties is template["include_penalties"]
    assert list(reminder.invoices.all()) == [late_invoice]
    assert reminder.client == late_invoice.client


def test_client_without_email_gets_a_letter(business, owner):
    invoice = make_invoice(business, make_client(business, email=""))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    assert reminder.channel == Channel.LETTER
    assert reminder.subject == default_template(1)["letter_subject"]
    assert reminder.letter_body == ""


def test_creation_is_audited(business, owner, late_invoice):
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    event = AuditEvent.objects.get(object_type="reminder", object_id=reminder.pk)
    assert event.action == "created"
    assert event.actor == owner
    assert event.changes["invoices"] == ["F-2026-041"]


def test_several_invoices_of_one_client_go_in_one_reminder(business, owner, client_with_email):
    invoices = [make_invoice(business, client_with_email) for _ in range(3)]
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[i.pk for i in invoices])
    assert set(reminder.invoices.all()) == set(invoices)


def test_invoices_of_two_clients_are_refused(business, owner):
    first, second = make_invoice(business), make_invoice(business)
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[first.pk, second.pk])
    assert "un seul client" in error.value.message_dict["invoice_ids"][0]
    assert not Reminder.objects.exists()


def test_another_business_invoice_is_not_found(business, owner, other_business):
    foreign = make_invoice(other_business)
    with pytest.raises(NotFound):
        services.create_reminder(business=business, actor=owner, invoice_ids=[foreign.pk])


def test_no_invoice_is_refused(business, owner):
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[])
    assert error.value.message_dict["invoice_ids"] == ["Sélectionnez au moins une facture à relancer."]


def test_paid_invoice_is_refused(business, owner, late_invoice):
    ledger_services.record_payment(
        invoice=late_invoice, actor=owner, date=dt.date(2026, 10, 5), amount=Decimal("1200.00")
    )
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    assert "est payée" in error.value.message_dict["invoice_ids"][0]


def test_cancelled_invoice_is_refused(business, owner, late_invoice):
    ledger_services.cancel_invoice(invoice=late_invoice, actor=owner, reason="Erreur")
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    assert "annulée" in error.value.message_dict["invoice_ids"][0]


def test_bad_level_and_channel_are_refused(business, owner, late_invoice):
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], level=4)
    assert "level" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], channel="fax")
    assert "channel" in error.value.message_dict
