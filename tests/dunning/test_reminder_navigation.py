"""Getting around the reminder workflow: one click on "Aperçu" after a channel change, the
late-payments page's link to the bucket settings, and back to the bucket after deleting a draft."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from dunning.models import Channel, Reminder
from tests.dunning.test_reminder_edit_view import form_data

BUCKET = "/retards/61-90/?client=&sort=-days_late"


def with_next(url: str, target: str = BUCKET) -> str:
    return f"{url}?next={quote(target)}"


def test_switching_to_letter_shows_the_summary_in_one_click(owner_client, draft):
    response = owner_client.post(
        reverse("dunning:reminder_edit", args=[draft.pk]), form_data(draft, channel=Channel.LETTER)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dunning:reminder_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.channel == Channel.LETTER
    summary = owner_client.get(response["Location"]).content.decode()
    assert "Canal changé" in summary
    assert "Le courrier" in summary


def test_late_payments_links_to_the_bucket_settings(owner_client, late_invoice):
    content = owner_client.get(reverse("pages:late_payments")).content.decode()
    link = reverse("accounts:settings_terms") + "#tranches"
    assert f'href="{link}"' in content
    settings_page = owner_client.get(reverse("accounts:settings_terms")).content.decode()
    assert 'id="tranches"' in settings_page


def test_relancer_from_a_bucket_carries_the_way_back(owner_client, late_invoice):
    listing = owner_client.get(BUCKET).content.decode()
    assert f'name="next" value="{BUCKET.replace("&", "&amp;")}"' in listing
    response = owner_client.post(reverse("dunning:reminder_create"), {"invoice_ids": [late_invoice.pk], "next": BUCKET})
    draft = Reminder.objects.drafts().get()
    assert response["Location"] == with_next(reverse("dunning:reminder_edit", args=[draft.pk]))


def test_the_way_back_goes_through_editor_and_summary(owner_client, draft):
    editor = owner_client.get(with_next(reverse("dunning:reminder_edit", args=[draft.pk]))).content.decode()
    assert f'name="next" value="{BUCKET.replace("&", "&amp;")}"' in editor
    response = owner_client.post(with_next(reverse("dunning:reminder_edit", args=[draft.pk])), form_data(draft))
    assert response["Location"] == with_next(reverse("dunning:reminder_detail", args=[draft.pk]))
    summary = owner_client.get(response["Location"]).content.decode()
    assert f'href="{with_next(reverse("dunning:reminder_edit", args=[draft.pk]))}"' in summary
    assert f'name="next" value="{BUCKET.replace("&", "&amp;")}"' in summary


def test_deleting_a_draft_goes_back_to_the_bucket(owner_client, draft):
    response = owner_client.post(reverse("dunning:reminder_delete", args=[draft.pk]), {"next": BUCKET})
    assert response.status_code == 302
    assert response["Location"] == BUCKET
    assert not Reminder.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("target", ["", "https://evil.test/retards/", "//evil.test/"])
def test_deleting_without_a_safe_way_back_goes_to_the_overview(owner_client, draft, target):
    response = owner_client.post(reverse("dunning:reminder_delete", args=[draft.pk]), {"next": target})
    assert response["Location"] == reverse("pages:late_payments")
