import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger.models import Client
from tests.factories import make_client
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("ledger:client_edit", args=[pk])


def data_of(client: Client, **overrides: str) -> dict[str, str]:
    fields = [
        "kind",
        "name",
        "contact_name",
        "email",
        "phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
        "siren",
        "notes",
        "pause_reason",
    ]
    data = {field: getattr(client, field) for field in fields}
    data["pause_until"] = ""
    return {**data, **overrides}


def test_anonymous_is_sent_to_login(business: Business) -> None:
    client = make_client(business)
    response = HttpClient().get(url(client.pk))
    assert response.status_code == 302 and response.url == login_url(url(client.pk))


def test_outsider_gets_404_and_changes_nothing(outsider_client: HttpClient, business: Business) -> None:
    client = make_client(business, name="Avant")
    assert outsider_client.get(url(client.pk)).status_code == 404
    assert outsider_client.post(url(client.pk), data_of(client, name="Piraté")).status_code == 404
    client.refresh_from_db()
    assert client.name == "Avant"


def test_wrong_method_is_405(owner_client: HttpClient, business: Business) -> None:
    assert owner_client.delete(url(make_client(business).pk)).status_code == 405


def test_form_is_prefilled(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business, name="Garage Durand")
    response = owner_client.get(url(client.pk))
    assert 'value="Garage Durand"' in response.text


def test_update_records_what_changed(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business, name="Avant", city="Lyon")
    response = owner_client.post(url(client.pk), data_of(client, name="Après", city="Paris"))
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.city) == ("Après", "Paris")
    event = AuditEvent.objects.get(client=client, action="updated")
    assert event.changes == {"name": ["Avant", "Après"], "city": ["Lyon", "Paris"]}
    history = owner_client.get(reverse("pages:client_detail", args=[client.pk])).text
    assert "Fiche client modifiée" in history
    assert "Ville : Lyon → Paris" in history


def test_invalid_input_is_422_and_nothing_changes(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business, name="Avant")
    response = owner_client.post(url(client.pk), data_of(client, name="Après", siren="111111111"))
    assert response.status_code == 422
    assert "Ce SIREN n’est pas valide (clé de contrôle incorrecte)." in response.context["form"].errors["siren"]
    client.refresh_from_db()
    assert client.name == "Avant"
    assert not AuditEvent.objects.filter(action="updated").exists()


def test_ending_the_pause_clears_reason(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business, reminders_paused=True, pause_reason="Litige")
    owner_client.post(url(client.pk), data_of(client))
    client.refresh_from_db()
    assert not client.reminders_paused and client.pause_reason == ""
