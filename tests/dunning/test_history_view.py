import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dunning import services
from dunning.models import Reminder
from tests.factories import make_reminder

URL = reverse("dunning:history")


def test_empty_history_teaches_what_to_do(owner_client):
    response = owner_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "history"
    assert "Aucune lettre de relance pour l’instant" in content
    assert reverse("pages:late_payments") in content


def test_history_lists_saved_and_sent_newest_first_without_drafts(owner_client, business, owner):
    older = make_reminder(business, owner, status="saved", name="Ancien client")
    newer = make_reminder(business, owner, status="sent", name="Nouveau client")
    Reminder.objects.filter(pk=older.pk).update(frozen_at=timezone.now() - dt.timedelta(days=3))
    draft = make_reminder(business, owner, status="draft", name="Brouillon client")
    response = owner_client.get(URL)
    listed = list(response.context["page"].object_list)
    assert listed == [newer, older]
    content = response.content.decode()
    assert reverse("dunning:reminder_detail", args=[newer.pk]) in content
    assert reverse("dunning:reminder_detail", args=[draft.pk]) not in content


def test_deactivated_reminders_are_hidden_unless_asked(owner, owner_client, business):
    shown, hidden = make_reminder(business, owner), make_reminder(business, owner)
    services.deactivate_reminder(reminder=hidden, actor=owner)
    assert list(owner_client.get(URL).context["page"].object_list) == [shown]
    listed = owner_client.get(URL, {"inactive": "on"}).context["page"].object_list
    assert set(listed) == {shown, hidden}
    assert "Désactivée" in owner_client.get(URL, {"inactive": "on"}).content.decode()


def test_filters_by_date_client_level_channel_and_status(owner_client, business, owner):
    first = make_reminder(business, owner, status="saved")
    second = make_reminder(business, owner, status="sent", email="")
    Reminder.objects.filter(pk=first.pk).update(frozen_at=timezone.make_aware(dt.datetime(2026, 10, 1, 12)))

    def listed(**params):
        return list(owner_client.get(URL, params).context["page"].object_list)

    assert listed(date_from="2026-10-01", date_to="2026-10-01") == [first]
    assert listed(date_from="2026-10-02") == [second]
    assert listed(client=first.client_id) == [first]
    assert listed(level=1) == [second, first]
    assert listed(level=2) == []
    assert listed(channel="letter") == [second]
    assert listed(status="sent") == [second]


def test_bad_filters_are_422_in_french(owner_client):
    response = owner_client.get(URL, {"date_from": "2026-12-01", "date_to": "2026-11-01", "level": "9"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["date_to"] == ["La date de fin précède la date de début."]
    assert "Sélectionnez un choix valide" in errors["level"][0]


def test_another_business_client_is_not_a_filter_choice(owner_client, other_business, outsider):
    from tests.factories import make_invoice

    foreign = services.create_reminder(
        business=other_business, actor=outsider, invoice_ids=[make_invoice(other_business).pk]
    )
    services.save_reminder(reminder=foreign, actor=outsider)
    response = owner_client.get(URL, {"client": foreign.client_id})
    assert response.status_code == 422
    assert foreign.client.name not in response.content.decode()


def test_htmx_request_gets_only_the_results(owner_client, business, owner):
    make_reminder(business, owner)
    response = owner_client.get(URL, {"level": 1}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content


def test_history_pages_by_25(owner_client, owner, business, client_with_email):
    from tests.factories import make_invoice

    for _ in range(26):
        make_reminder(business, owner, invoices=[make_invoice(business, client_with_email)], level=1)
    first = owner_client.get(URL)
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 sur 2" in first.content.decode()
    assert len(owner_client.get(URL, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("count", [3, 30])
def test_history_query_count_does_not_grow(
    owner_client, owner, business, client_with_email, django_assert_max_num_queries, count
):
    from tests.factories import make_invoice

    for _ in range(count):
        invoices = [make_invoice(business, client_with_email), make_invoice(business, client_with_email)]
        make_reminder(business, owner, invoices=invoices, level=1)
    with django_assert_max_num_queries(9):
        response = owner_client.get(URL, {"inactive": "on"})
    assert len(response.context["page"].object_list) == min(count, 25)


def test_history_refuses_post(owner_client):
    assert owner_client.post(URL).status_code == 405


def test_history_shows_only_the_business_reminders(outsider_client, business, owner):
    reminder = make_reminder(business, owner)
    response = outsider_client.get(URL)
    assert list(response.context["page"].object_list) == []
    assert reminder.reference not in response.content.decode()


def test_drafts_are_listed_only_when_asked_for(owner_client, business, owner):
    draft = make_reminder(business, owner, status="draft", name="Client en brouillon")
    saved = make_reminder(business, owner, name="Client enregistré")
    page = owner_client.get(URL)
    assert list(page.context["page"].object_list) == [saved]
    assert "1 brouillon de relance en attente" in page.content.decode()
    drafts = owner_client.get(URL, {"status": "draft"})
    assert list(drafts.context["page"].object_list) == [draft]
    assert f"Brouillon n° {draft.pk}" in drafts.content.decode()
