import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict
from core.models import AuditEvent
from dunning import services
from dunning.defaults import default_template
from dunning.models import Channel, Reminder
from tests.factories import make_invoice, make_reminder


def test_draft_texts_are_saved_with_their_placeholders(owner, draft):
    services.update_draft(reminder=draft, actor=owner, subject="Relance {facture_numero}", body="Bonjour {client_nom},")
    draft.refresh_from_db()
    assert draft.subject == "Relance {facture_numero}"
    assert draft.body == "Bonjour {client_nom},"
    event = AuditEvent.objects.filter(object_type="reminder", object_id=draft.pk, action="updated").get()
    assert event.changes == {"subject": "modifié", "body": "modifié"}


def test_unknown_placeholder_is_refused_naming_it(owner, draft):
    with pytest.raises(ValidationError) as error:
        services.update_draft(reminder=draft, actor=owner, body="Bonjour {client_name}, {montant_du}")
    assert "{client_name}" in error.value.message_dict["body"][0]
    draft.refresh_from_db()
    assert "{client_name}" not in draft.body


def test_empty_subject_is_refused(owner, draft):
    with pytest.raises(ValidationError) as error:
        services.update_draft(reminder=draft, actor=owner, subject="  ")
    assert error.value.message_dict["subject"] == ["Indiquez l’objet de la relance."]


def test_switching_to_letter_keeps_the_letter_text_written(owner, draft):
    services.update_draft(reminder=draft, actor=owner, letter_body="Mon courrier {montant_du}")
    services.update_draft(reminder=draft, actor=owner, channel=Channel.LETTER)
    draft.refresh_from_db()
    assert draft.channel == Channel.LETTER
    assert draft.body == "Mon courrier {montant_du}"
    assert draft.letter_body == ""


def test_switching_to_email_takes_the_email_template(owner, business):
    from tests.factories import make_client

    invoice = make_invoice(business, make_client(business, email=""))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    services.update_draft(
        reminder=reminder, actor=owner, channel=Channel.EMAIL, texts_for_current_channel=True, body="Courrier modifié"
    )
    reminder.refresh_from_db()
    assert reminder.channel == Channel.EMAIL
    assert reminder.body == default_template(1)["email_body"]
    assert reminder.letter_body == "Courrier modifié"


def test_invoices_of_the_same_client_can_be_added_and_removed(business, owner, client_with_email, draft, late_invoice):
    other = make_invoice(business, client_with_email)
    services.update_draft(reminder=draft, actor=owner, invoice_ids=[other.pk])
    assert list(draft.invoices.all()) == [other]
    services.update_draft(reminder=draft, actor=owner, invoice_ids=[other.pk, late_invoice.pk])
    assert set(draft.invoices.all()) == {other, late_invoice}


def test_another_client_invoice_cannot_be_added(business, owner, draft):
    with pytest.raises(ValidationError) as error:
        services.update_draft(reminder=draft, actor=owner, invoice_ids=[make_invoice(business).pk])
    assert "un seul client" in error.value.message_dict["invoice_ids"][0]


@pytest.mark.parametrize("status", ["saved", "sending", "sent", "send_failed"])
def test_frozen_reminder_cannot_be_edited(owner, business, status):
    reminder = make_reminder(business, owner, status=status)
    with pytest.raises(Conflict):
        services.update_draft(reminder=reminder, actor=owner, subject="Autre chose")
    reminder.refresh_from_db()
    assert reminder.subject != "Autre chose"


def test_draft_is_deleted_for_real(owner, draft):
    services.delete_draft(reminder=draft, actor=owner)
    assert not Reminder.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(object_type="reminder", object_id=draft.pk, action="deleted").exists()


@pytest.mark.parametrize("status", ["saved", "sending", "sent", "send_failed"])
def test_saved_or_sent_reminder_cannot_be_deleted(owner, business, status):
    reminder = make_reminder(business, owner, status=status)
    with pytest.raises(Conflict, match="seulement désactivée"):
        services.delete_draft(reminder=reminder, actor=owner)
    assert Reminder.objects.filter(pk=reminder.pk).exists()
