import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger.models import Client
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("ledger:client_create")


def valid(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "business",
        "name": "Boulangerie Martin",
        "contact_name": "Sophie",
        "email": "compta@martin.test",
        "phone": "",
        "address_line1": "3 rue Neuve",
        "address_line2": "",
        "postal_code": "69001",
        "city": "Lyon",
        "country": "France",
        "siren": "",
        "notes": "",
        "pause_reason": "",
        "pause_until": "",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.put(URL).status_code == 405


def test_form_renders_with_labels(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert '<label for="id_name">Nom ou raison sociale' in response.text
    assert 'type="date" name="pause_until"' in response.text


def test_creates_the_client_in_the_user_business_with_audit(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, valid(siren="732 829 320"))
    client = Client.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pages:client_detail", args=[client.pk])
    assert client.business == business
    assert client.siren == "732829320"
    assert AuditEvent.objects.filter(client=client, action="created").count() == 1


def test_consumer_client(owner_client: HttpClient) -> None:
    owner_client.post(URL, valid(kind="consumer"))
    assert Client.objects.get().is_consumer


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Indiquez le nom du client."),
        ({"siren": "123456789"}, "siren", "Ce SIREN n’est pas valide (clé de contrôle incorrecte)."),
        ({"siren": "12345"}, "siren", "Le SIREN doit comporter 9 chiffres."),
        ({"email": "pas-un-email"}, "email", "Saisissez une adresse e-mail valide, par exemple compta@client.fr."),
        ({"reminders_paused": "on"}, "pause_reason", "Indiquez le motif de la pause des relances."),
        (
            {"reminders_paused": "on", "pause_reason": "Litige", "pause_until": "2026-01-01"},
            "pause_until",
            "Cette date est déjà passée : choisissez une date à venir ou laissez vide.",
        ),
    ],
)
def test_invalid_input_is_422_with_french_message_and_nothing_written(
    owner_client: HttpClient, data: dict[str, str], field: str, message: str
) -> None:
    response = owner_client.post(URL, valid(**data))
    assert response.status_code == 422
    assert message in response.context["form"].errors[field]
    assert message.replace("’", "&#x27;") in response.text or message in response.text
    assert not Client.objects.exists()
    assert not AuditEvent.objects.exists()


def test_pause_with_reason_and_end_date(owner_client: HttpClient) -> None:
    owner_client.post(URL, valid(reminders_paused="on", pause_reason="Litige", pause_until="2027-01-31"))
    client = Client.objects.get()
    assert client.reminders_paused and client.pause_reason == "Litige"
    assert str(client.pause_until) == "2027-01-31"
