from django.urls import reverse

from dunning.models import Reminder, ReminderTemplate
from dunning.services import ensure_default_templates
from tests.factories import make_reminder


def test_frozen_reminder_is_read_only_in_the_admin(staff_client, business, owner):
    reminder = make_reminder(business, owner)
    change_url = reverse("admin:dunning_reminder_change", args=[reminder.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    staff_client.post(change_url, {"subject": "Changé"})
    reminder.refresh_from_db()
    assert reminder.subject != "Changé"


def test_no_reminder_is_deleted_or_added_from_the_admin(staff_client, business, owner):
    reminder = make_reminder(business, owner)
    assert staff_client.get(reverse("admin:dunning_reminder_delete", args=[reminder.pk])).status_code == 403
    assert (
        staff_client.post(reverse("admin:dunning_reminder_delete", args=[reminder.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert staff_client.get(reverse("admin:dunning_reminder_add")).status_code == 403
    response = staff_client.post(
        reverse("admin:dunning_reminder_changelist"),
        {"action": "delete_selected", "_selected_action": [reminder.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Reminder.objects.filter(pk=reminder.pk).exists()


def test_admin_actions_go_through_the_services(staff_client, business, owner, draft):
    reminder = make_reminder(business, owner)
    staff_client.post(
        reverse("admin:dunning_reminder_changelist"),
        {"action": "deactivate", "_selected_action": [reminder.pk, draft.pk]},
    )
    reminder.refresh_from_db()
    draft.refresh_from_db()
    assert reminder.deactivated_at is not None
    assert draft.deactivated_at is None  # a draft cannot be deactivated


def test_template_admin_refuses_unknown_placeholders(staff_client, business):
    template = ensure_default_templates(business)[0]
    url = reverse("admin:dunning_remindertemplate_change", args=[template.pk])
    response = staff_client.post(
        url,
        {
            "business": business.pk,
            "level": 1,
            "letter_subject": "Objet",
            "letter_body": "Bonjour {inconnu}",
            "email_subject": "Objet",
            "email_body": "Bonjour",
        },
    )
    assert response.status_code == 200
    assert "Variable inconnue : {inconnu}" in response.content.decode()
    template.refresh_from_db()
    assert "{inconnu}" not in template.letter_body
    assert ReminderTemplate.objects.filter(business=business).count() == 3
