from django.urls import reverse

from dunning.models import Channel
from tests.factories import make_invoice, make_reminder


def edit_url(reminder):
    return reverse("dunning:reminder_edit", args=[reminder.pk])


def form_data(reminder, **overrides):
    data = {
        "channel": reminder.channel,
        "subject": reminder.subject,
        "body": reminder.body,
        "letter_subject": reminder.letter_subject,
        "letter_body": reminder.letter_body,
        "include_penalties": "on",
        "attach_invoice_pdfs": "on",
        "invoice_ids": [line.invoice_id for line in reminder.lines.all()],
    }
    data.update(overrides)
    return data


def test_editor_shows_text_placeholders_and_facts(owner_client, draft):
    response = owner_client.get(edit_url(draft))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "late"
    assert "{factures_texte}" in content  # the text as written, placeholders included
    assert "{client_nom}" in content  # the placeholder list
    assert "compta@client.fr" in content and "F-2026-041" in content
    assert "1\u202f200,00\u00a0€" in content or "1\u202f200,00\u202f€" in content
    assert "second semestre 2026" in content  # the unknown rate, said plainly
    assert "Aperçu" in content and "Supprimer le brouillon" in content


def test_saving_the_editor_goes_to_the_summary(owner_client, draft):
    response = owner_client.post(edit_url(draft), form_data(draft, subject="Rappel {facture_numero}"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dunning:reminder_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.subject == "Rappel {facture_numero}"


def test_unknown_placeholder_is_422_with_the_message_at_the_field(owner_client, draft):
    response = owner_client.post(edit_url(draft), form_data(draft, body="Bonjour {prenom}"))
    assert response.status_code == 422
    assert "{prenom}" in response.context["form"].errors["body"][0]
    assert "Variable inconnue" in response.content.decode()
    draft.refresh_from_db()
    assert "{prenom}" not in draft.body


def test_missing_fields_are_422_in_french(owner_client, draft):
    response = owner_client.post(edit_url(draft), form_data(draft, subject="", invoice_ids=[]))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["subject"] == ["Ce champ est obligatoire."]
    assert errors["invoice_ids"] == ["Gardez au moins une facture dans la relance."]


def test_changing_channel_shows_the_summary(owner_client, draft):
    response = owner_client.post(edit_url(draft), form_data(draft, channel=Channel.LETTER, letter_body="Mon courrier"))
    assert response["Location"] == reverse("dunning:reminder_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.channel == Channel.LETTER
    assert draft.body == "Mon courrier"


def test_invoice_of_the_same_client_can_be_added(owner_client, business, client_with_email, draft, late_invoice):
    other = make_invoice(business, client_with_email)
    response = owner_client.post(edit_url(draft), form_data(draft, invoice_ids=[late_invoice.pk, other.pk]))
    assert response.status_code == 302
    assert set(draft.invoices.all()) == {late_invoice, other}


def test_frozen_reminder_editor_redirects_to_its_summary(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.get(edit_url(reminder))
    assert response["Location"] == reverse("dunning:reminder_detail", args=[reminder.pk])
    response = owner_client.post(edit_url(reminder), form_data(reminder, subject="x"))
    reminder.refresh_from_db()
    assert reminder.subject != "x"


def test_editor_of_another_business_is_404(outsider_client, draft):
    assert outsider_client.get(edit_url(draft)).status_code == 404
    assert outsider_client.post(edit_url(draft), form_data(draft)).status_code == 404


def test_editor_wrong_method_is_405(owner_client, draft):
    assert owner_client.put(edit_url(draft)).status_code == 405


def test_delete_draft_from_the_editor(owner_client, draft):
    response = owner_client.post(reverse("dunning:reminder_delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not type(draft).objects.filter(pk=draft.pk).exists()


def test_delete_refused_for_a_saved_reminder(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.post(reverse("dunning:reminder_delete", args=[reminder.pk]), follow=True)
    assert "seulement désactivée" in response.content.decode()
    assert type(reminder).objects.filter(pk=reminder.pk).exists()


def test_delete_of_another_business_is_404_and_get_is_405(owner_client, outsider_client, draft):
    url = reverse("dunning:reminder_delete", args=[draft.pk])
    assert outsider_client.post(url).status_code == 404
    assert owner_client.get(url).status_code == 405
