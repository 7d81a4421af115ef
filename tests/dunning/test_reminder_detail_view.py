import hashlib

import pytest
from django.urls import reverse
from django.utils.html import escape

from dunning import services
from dunning.models import Channel, Reminder
from tests.factories import make_client, make_invoice, make_reminder


def url(name, reminder):
    return reverse(f"dunning:{name}", args=[reminder.pk])


def test_draft_summary_shows_the_letter_and_the_email_as_received(owner_client, business, draft):
    business.reply_to_email = "factures@atelier.test"
    business.save()
    response = owner_client.get(url("reminder_detail", draft))
    content = response.content.decode()
    assert response.status_code == 200
    assert url("reminder_pdf", draft) in content
    assert url("reminder_email", draft) in content
    assert "compta@client.fr" in content and "factures@atelier.test" in content
    assert "Rappel : facture n" in content  # the rendered subject
    assert "relance-R-" in content  # the attachment's name
    for label in ["Modifier", "Envoyer par e-mail", "Enregistrer", "Supprimer"]:
        assert label in content
    assert "Une fois envoyée, la relance ne pourra plus être modifiée ni supprimée, seulement désactivée." in content


def test_send_button_is_disabled_with_the_reason_without_email(owner_client, owner, business):
    invoice = make_invoice(business, make_client(business, email=""))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    content = owner_client.get(url("reminder_detail", reminder)).content.decode()
    assert "disabled" in content
    assert "Ce client n’a pas d’adresse e-mail : enregistrez la relance pour l’imprimer." in content
    assert url("reminder_send", reminder) not in content


def test_draft_pdf_and_email_render_in_a_frame_of_ours(owner_client, draft):
    pdf = owner_client.get(url("reminder_pdf", draft))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]
    email = owner_client.get(url("reminder_email", draft))
    assert email.status_code == 200 and "F-2026-041" in email.content.decode()
    assert email["X-Frame-Options"] == "SAMEORIGIN"


def test_save_from_the_summary_freezes_and_says_so(owner_client, draft):
    response = owner_client.post(url("reminder_save", draft), follow=True)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SAVED
    content = response.content.decode()
    assert f"Relance {draft.reference} enregistrée" in content
    for label in ["Imprimer", "Télécharger le PDF", "Désactiver", draft.pdf_sha256]:
        assert label in content
    assert "Envoyer par e-mail" not in content


@pytest.mark.django_db(transaction=True)
def test_send_from_the_summary_reports_the_recipient(owner_client, draft, mailoutbox):
    # A real commit: the immediate task backend sends before the page answers.
    response = owner_client.post(url("reminder_send", draft), follow=True)
    draft.refresh_from_db()
    assert draft.status == Reminder.Status.SENT
    assert "Relance envoyée à compta@client.fr" in response.content.decode()
    assert len(mailoutbox) == 1
    assert escape(draft.message_id) in response.content.decode()


def test_send_waiting_for_the_worker_says_it_is_on_its_way(owner_client, draft):
    response = owner_client.post(url("reminder_send", draft), follow=True)
    assert "Relance en cours d’envoi à compta@client.fr" in response.content.decode()


def test_failed_send_offers_retry(owner_client, business, owner, mailoutbox, django_capture_on_commit_callbacks):
    reminder = make_reminder(business, owner, status="send_failed")
    Reminder.objects.filter(pk=reminder.pk).update(recipient_email="compta@client.test", send_error="554 Refused")
    content = owner_client.get(url("reminder_detail", reminder)).content.decode()
    assert "Réessayer l’envoi" in content and "554 Refused" in content
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("reminder_retry", reminder))
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert len(mailoutbox) == 1


def test_retry_of_a_sent_reminder_is_refused(owner_client, business, owner, mailoutbox):
    reminder = make_reminder(business, owner, status="sent")
    response = owner_client.post(url("reminder_retry", reminder), follow=True)
    assert "Seule une relance dont l’envoi a échoué" in response.content.decode()
    assert mailoutbox == []


def test_deactivate_then_reactivate_from_the_summary(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.post(url("reminder_deactivate", reminder), follow=True)
    assert "Relance désactivée" in response.content.decode()
    assert "Réactiver" in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.deactivated_at is not None
    owner_client.post(url("reminder_reactivate", reminder))
    reminder.refresh_from_db()
    assert reminder.deactivated_at is None


def test_deactivating_a_draft_is_refused_with_a_message(owner_client, draft):
    response = owner_client.post(url("reminder_deactivate", draft), follow=True)
    assert "supprimez-le" in response.content.decode()


def test_frozen_pdf_is_the_stored_file(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.get(url("reminder_pdf", reminder) + "?download=1")
    assert hashlib.sha256(response.content).hexdigest() == reminder.pdf_sha256
    assert response["Content-Disposition"] == f'attachment; filename="relance-{reminder.reference}.pdf"'


def test_print_view_renders_the_frozen_letter(owner_client, business, owner):
    reminder = make_reminder(business, owner, name="Société Dupont")
    response = owner_client.get(url("reminder_print", reminder))
    content = response.content.decode()
    assert response.status_code == 200
    assert "data-autoprint" in content and "Société Dupont" in content
    assert reminder.reference in content


def test_registered_letter_form_on_a_formal_notice(owner_client, business, owner):
    reminder = make_reminder(business, owner, level=3, email="")
    assert reminder.channel == Channel.LETTER
    assert "Enregistrer le recommandé" in owner_client.get(url("reminder_detail", reminder)).content.decode()
    response = owner_client.post(url("reminder_registered", reminder), {"number": "1A12345678901", "receipt_date": ""})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.registered_number == "1A12345678901"


def test_registered_letter_invalid_is_422(owner_client, business, owner):
    reminder = make_reminder(business, owner, level=3)
    response = owner_client.post(url("reminder_registered", reminder), {"number": "", "receipt_date": "2099-01-01"})
    assert response.status_code == 422
    errors = response.context["registered_form"].errors
    assert errors["number"] == ["Ce champ est obligatoire."]
    response = owner_client.post(url("reminder_registered", reminder), {"number": "1A", "receipt_date": "2099-01-01"})
    assert response.status_code == 422
    assert response.context["registered_form"].errors["receipt_date"] == [
        "La date de réception ne peut pas être dans le futur."
    ]


ACTIONS = [
    "reminder_save",
    "reminder_send",
    "reminder_retry",
    "reminder_deactivate",
    "reminder_reactivate",
    "reminder_registered",
    "reminder_delete",
]
PAGES = ["reminder_detail", "reminder_pdf", "reminder_email", "reminder_print", "reminder_edit"]


@pytest.mark.parametrize("name", ACTIONS + PAGES)
def test_another_business_gets_404(outsider_client, draft, name):
    method = outsider_client.post if name in ACTIONS else outsider_client.get
    assert method(url(name, draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_refuse_get(owner_client, draft, name):
    assert owner_client.get(url(name, draft)).status_code == 405


@pytest.mark.parametrize("name", ["reminder_detail", "reminder_pdf", "reminder_email", "reminder_print"])
def test_pages_refuse_post(owner_client, draft, name):
    assert owner_client.post(url(name, draft)).status_code == 405
