"""Choosing the level of a reminder: the editor offers 1, 2 and 3 with the next one suggested;
changing it reloads that level's texts once the user confirmed (a plain form POST, no JS needed);
after a formal notice, "Relancer" asks which level to write instead of refusing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from dunning import services
from dunning.defaults import default_template
from dunning.models import Channel, Level, Reminder
from tests.factories import make_reminder


def level_url(reminder: Reminder) -> str:
    return reverse("dunning:reminder_level", args=[reminder.pk])


def test_editor_offers_every_level_with_the_next_one_suggested(owner_client, late_invoice, business, owner):
    make_reminder(business, owner, status="saved", invoices=[late_invoice])
    draft = make_reminder(business, owner, status="draft", invoices=[late_invoice])
    assert draft.level == Level.SECOND
    response = owner_client.get(reverse("dunning:reminder_edit", args=[draft.pk]))
    content = response.content.decode()
    assert f'action="{level_url(draft)}"' in content
    for level in (1, 2, 3):
        assert f'name="level" value="{level}"' in content
    assert 'name="level" value="2" id="level-2" checked' in content
    assert response.context["suggested_level"] == Level.SECOND
    assert "(suggéré)" in content


def test_changing_the_level_without_confirmation_asks_first_and_changes_nothing(owner_client, draft):
    response = owner_client.post(level_url(draft), {"level": "3"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mise en demeure" in content
    assert 'name="confirmed" value="1"' in content
    assert "remplacés par ceux du modèle" in content
    draft.refresh_from_db()
    assert draft.level == Level.FRIENDLY


def test_confirmed_level_change_reloads_that_levels_texts(owner_client, draft):
    draft = services.update_draft(reminder=draft, actor=None, body="Mon texte à moi")
    response = owner_client.post(level_url(draft), {"level": "3", "confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dunning:reminder_edit", args=[draft.pk])
    draft.refresh_from_db()
    template = default_template(Level.FORMAL_NOTICE)
    assert draft.level == Level.FORMAL_NOTICE
    assert draft.channel == Channel.EMAIL
    assert (draft.subject, draft.body) == (template["email_subject"], template["email_body"])
    assert (draft.letter_subject, draft.letter_body) == (template["letter_subject"], template["letter_body"])
    assert draft.include_penalties is True
    event = AuditEvent.objects.filter(action="updated").latest("id")
    assert event.changes["level"] == [1, 3]


def test_a_letter_draft_takes_the_letter_texts_of_the_new_level(business, owner, late_invoice):
    draft = services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], channel="letter")
    draft = services.update_draft(reminder=draft, actor=owner, level=2)
    template = default_template(Level.SECOND)
    assert (draft.subject, draft.body) == (template["letter_subject"], template["letter_body"])
    assert (draft.letter_subject, draft.letter_body) == ("", "")


@pytest.mark.parametrize("level", ["0", "4", "trois", ""])
def test_an_invalid_level_is_refused_at_the_field(owner, draft, level):
    with pytest.raises(ValidationError) as error:
        services.update_draft(reminder=draft, actor=owner, level=level or "x")
    assert "level" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.level == Level.FRIENDLY


def test_an_invalid_level_from_the_editor_goes_back_with_a_french_message(owner_client, draft):
    response = owner_client.post(level_url(draft), {"level": "9", "confirmed": "1"}, follow=True)
    assert "Niveau invalide" in response.content.decode()
    draft.refresh_from_db()
    assert draft.level == Level.FRIENDLY


def test_a_frozen_reminder_keeps_its_level(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.post(level_url(reminder), {"level": "3", "confirmed": "1"})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.level == Level.FRIENDLY


def test_another_business_reminder_is_404(outsider_client, draft):
    assert outsider_client.post(level_url(draft), {"level": "3", "confirmed": "1"}).status_code == 404


def test_level_change_only_by_post(owner_client, draft):
    assert owner_client.get(level_url(draft)).status_code == 405


def test_relancer_after_a_formal_notice_asks_for_the_level(owner_client, late_invoice, business, owner):
    make_reminder(business, owner, status="saved", invoices=[late_invoice], level=3)
    response = owner_client.post(reverse("dunning:reminder_create"), {"invoice_ids": [late_invoice.pk]})
    assert response.status_code == 200
    content = response.content.decode()
    assert "déjà fait l’objet d’une mise en demeure" in content
    assert 'name="level" value="3" id="level-3" checked' in content
    assert f'name="invoice_ids" value="{late_invoice.pk}"' in content
    assert reverse("recovery:case_list") in content
    assert not Reminder.objects.drafts().exists()
    response = owner_client.post(reverse("dunning:reminder_create"), {"invoice_ids": [late_invoice.pk], "level": "3"})
    draft = Reminder.objects.drafts().get()
    assert response["Location"] == reverse("dunning:reminder_edit", args=[draft.pk])
    assert draft.level == Level.FORMAL_NOTICE


def test_a_first_reminder_can_go_straight_to_a_formal_notice(owner_client, draft):
    owner_client.post(level_url(draft), {"level": "3", "confirmed": "1"})
    draft.refresh_from_db()
    assert draft.level == Level.FORMAL_NOTICE
    response = owner_client.get(reverse("dunning:reminder_detail", args=[draft.pk]))
    assert "Mise en demeure" in response.content.decode()


def test_api_patch_changes_the_level(api, draft):
    response = api.patch(f"/reminders/{draft.pk}", {"level": 2})
    assert response.status_code == 200
    assert response.json()["level"] == 2
    assert response.json()["subject"] == default_template(Level.SECOND)["email_subject"]
