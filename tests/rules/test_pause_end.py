"""A pause of the reminders cannot be set to end in the past; a pause that has since ended does
not block editing the client."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger import services
from ledger.models import Client
from tests.helpers import errors_at
from tests.rules.conftest import World

PAST_PAUSE = "Cette date est déjà passée : choisissez une date à venir ou laissez vide."


@pytest.fixture
def ended_pause(world: World) -> Client:
    Client.objects.filter(pk=world.client.pk).update(
        reminders_paused=True, pause_reason="Litige", pause_until=dt.date(2026, 11, 1)
    )
    world.client.refresh_from_db()
    return world.client


def test_a_client_whose_pause_has_ended_can_still_be_edited(world: World, ended_pause: Client) -> None:
    form = {
        "kind": "business",
        "name": "Boulangerie Martin et fils",
        "country": "France",
        "reminders_paused": "on",
        "pause_reason": "Litige",
        "pause_until": "2026-11-01",
    }
    assert world.page.post(reverse("ledger:client_edit", args=[ended_pause.pk]), form).status_code == 302
    assert world.api.patch(f"/clients/{ended_pause.pk}", {"city": "Villeurbanne"}).status_code == 200
    ended_pause.refresh_from_db()
    assert (ended_pause.name, ended_pause.city) == ("Boulangerie Martin et fils", "Villeurbanne")


def test_a_new_end_in_the_past_is_refused_on_update(world: World, ended_pause: Client) -> None:
    api = world.api.patch(f"/clients/{ended_pause.pk}", {"pause_until": "2026-11-27"})
    assert errors_at(api, "pause_until") == [PAST_PAUSE]
    with pytest.raises(ValidationError) as refused:
        services.update_client(client=ended_pause, actor=world.owner, pause_until=dt.date(2026, 11, 27))
    assert refused.value.message_dict == {"pause_until": [PAST_PAUSE]}


def test_pausing_again_with_the_old_end_date_is_refused(world: World) -> None:
    Client.objects.filter(pk=world.client.pk).update(pause_until=dt.date(2026, 11, 1))
    api = world.api.patch(f"/clients/{world.client.pk}", {"reminders_paused": True, "pause_reason": "Litige"})
    assert errors_at(api, "pause_until") == [PAST_PAUSE]


def test_a_pause_ending_today_is_accepted(world: World) -> None:
    client = services.update_client(
        client=world.client,
        actor=world.owner,
        reminders_paused=True,
        pause_reason="Litige",
        pause_until=dt.date(2026, 11, 28),
    )
    assert client.is_paused_on(dt.date(2026, 11, 28))
