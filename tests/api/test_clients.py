from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Business
from core.models import AuditEvent
from ledger.models import Client
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db


def count_queries(api: ApiClient, path: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, params)
    assert response.status_code == 200
    return len(queries)


def test_list_clients_is_paginated_and_scoped_to_the_business(
    api: ApiClient, business: Business, other_business: Business
) -> None:
    for name in ["Cerise", "Abricot", "Banane"]:
        make_client(business, name=name)
    make_client(other_business, name="Autre entreprise")

    response = api.get("/clients", {"limit": 2, "offset": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [client["name"] for client in body["items"]] == ["Banane", "Cerise"]


def test_list_clients_searches_name_email_and_city(api: ApiClient, business: Business) -> None:
    make_client(business, name="Boulangerie Durand", city="Lyon", email="a@durand.test")
    make_client(business, name="Garage Martin", city="Nantes", email="compta@martin.test")

    assert [c["name"] for c in api.get("/clients", {"q": "durand"}).json()["items"]] == ["Boulangerie Durand"]
    assert [c["name"] for c in api.get("/clients", {"q": "nantes"}).json()["items"]] == ["Garage Martin"]
    assert api.get("/clients", {"q": "martin.test"}).json()["count"] == 1


def test_list_clients_refuses_a_limit_above_200(api: ApiClient) -> None:
    response = api.get("/clients", {"limit": 500})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "limit"], "msg": "La valeur doit être inférieure ou égale à 200.", "type": "less_than_equal"}
    ]


def test_list_clients_runs_the_same_number_of_queries_for_3_or_30_clients(
    api: ApiClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_client(business)
    api.get("/clients")  # records the token's first use, a write later requests skip
    few = count_queries(api, "/clients")
    for _ in range(27):
        make_client(business)

    with django_assert_max_num_queries(few):
        response = api.get("/clients")

    assert len(response.json()["items"]) == 30
    assert few <= 3


def test_create_client_answers_201_with_every_field(api: ApiClient, business: Business) -> None:
    response = api.post(
        "/clients",
        {
            "kind": "consumer",
            "name": "  Jeanne Petit  ",
            "email": "jeanne@example.test",
            "address_line1": "4 rue Neuve",
            "postal_code": "75011",
            "city": "Paris",
            "siren": "",
            "reminders_paused": True,
            "pause_reason": "Litige en cours",
            "pause_until": "2027-01-31",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.get(pk=body["id"], business=business)
    assert client.name == "Jeanne Petit"
    assert body["kind"] == "consumer"
    assert body["country"] == "France"
    assert body["pause_until"] == "2027-01-31"
    assert set(body) >= {
        "id",
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
        "reminders_paused",
        "pause_reason",
        "pause_until",
    }
    assert AuditEvent.objects.filter(business=business, object_type="client", action="created").count() == 1


def test_create_client_without_name_is_422_at_name(api: ApiClient) -> None:
    assert errors_at(api.post("/clients", {"email": "a@b.test"}), "name") == ["Champ obligatoire."]


def test_create_client_with_blank_name_is_422_from_the_model(api: ApiClient) -> None:
    assert errors_at(api.post("/clients", {"name": "   "}), "name") == ["Ce champ ne peut pas être vide."]


def test_create_client_with_bad_email_kind_and_siren_gives_french_messages(api: ApiClient) -> None:
    response = api.post("/clients", {"name": "X", "email": "pas-une-adresse", "kind": "company"})

    assert errors_at(response, "email") == ["Adresse e-mail invalide."]
    assert errors_at(response, "kind") == ["Valeur non autorisée : choisissez parmi business, consumer."]
    assert Client.objects.count() == 0


def test_create_client_with_invalid_siren_key_is_422_at_siren(api: ApiClient) -> None:
    messages = errors_at(api.post("/clients", {"name": "X", "siren": "732829321"}), "siren")

    assert len(messages) == 1
    assert "SIREN" in messages[0]


def test_create_client_with_too_long_name_says_the_limit(api: ApiClient) -> None:
    assert errors_at(api.post("/clients", {"name": "x" * 201}), "name") == [
        "Texte trop long : 200 caractères au maximum."
    ]


def test_create_client_paused_without_reason_is_422_at_pause_reason(api: ApiClient) -> None:
    response = api.post("/clients", {"name": "X", "reminders_paused": True})

    assert errors_at(response, "pause_reason") == ["Indiquez le motif de la pause des relances."]


def test_create_client_refuses_unknown_fields(api: ApiClient) -> None:
    assert errors_at(api.post("/clients", {"name": "X", "nom": "X"}), "nom") == ["Champ inconnu."]


def test_create_client_refuses_a_nul_character(api: ApiClient) -> None:
    response = api.post("/clients", {"name": "A\x00B"})

    assert errors_at(response, "name") == ["Le texte contient un caractère interdit (NUL)."]


def test_get_client(api: ApiClient, business: Business) -> None:
    client = make_client(business, name="Atelier Bleu")

    response = api.get(f"/clients/{client.pk}")

    assert response.status_code == 200
    assert response.json()["name"] == "Atelier Bleu"


def test_get_another_business_client_is_404(outsider_api: ApiClient, business: Business) -> None:
    client = make_client(business)

    response = outsider_api.get(f"/clients/{client.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


def test_client_id_out_of_range_is_422_not_a_database_error(api: ApiClient) -> None:
    response = api.get(f"/clients/{2**64}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "id"]


def test_patch_client_changes_only_the_fields_sent(api: ApiClient, business: Business) -> None:
    client = make_client(business, name="Ancien nom", city="Lyon")

    response = api.patch(f"/clients/{client.pk}", {"name": "Nouveau nom"})

    assert response.status_code == 200, response.content
    client.refresh_from_db()
    assert (client.name, client.city) == ("Nouveau nom", "Lyon")
    assert AuditEvent.objects.get(object_type="client", action="updated").changes == {
        "name": ["Ancien nom", "Nouveau nom"]
    }


def test_patch_client_with_null_name_is_422(api: ApiClient, business: Business) -> None:
    client = make_client(business, name="Garde son nom")

    response = api.patch(f"/clients/{client.pk}", {"name": None})

    assert errors_at(response, "name") == ["Ce champ ne peut pas être null."]
    client.refresh_from_db()
    assert client.name == "Garde son nom"


def test_patch_client_with_invalid_email_writes_nothing(api: ApiClient, business: Business) -> None:
    client = make_client(business, name="Intact", email="ok@client.test")

    response = api.patch(f"/clients/{client.pk}", {"name": "Changé", "email": "nope"})

    assert errors_at(response, "email") == ["Adresse e-mail invalide."]
    client.refresh_from_db()
    assert (client.name, client.email) == ("Intact", "ok@client.test")


def test_patch_another_business_client_is_404(outsider_api: ApiClient, business: Business) -> None:
    client = make_client(business, name="Pas à toi")

    response = outsider_api.patch(f"/clients/{client.pk}", {"name": "Volé"})

    assert response.status_code == 404
    client.refresh_from_db()
    assert client.name == "Pas à toi"


def test_delete_client_without_invoices_is_204(api: ApiClient, business: Business) -> None:
    client = make_client(business)

    response = api.delete(f"/clients/{client.pk}")

    assert response.status_code == 204
    assert not Client.objects.filter(pk=client.pk).exists()


def test_delete_client_with_invoices_is_409(api: ApiClient, business: Business) -> None:
    client = make_client(business)
    make_invoice(business, client)

    response = api.delete(f"/clients/{client.pk}")

    assert response.status_code == 409
    assert response.json() == {"detail": "Ce client a des factures : il ne peut pas être supprimé."}
    assert Client.objects.filter(pk=client.pk).exists()


def test_delete_another_business_client_is_404(outsider_api: ApiClient, business: Business) -> None:
    client = make_client(business)

    assert outsider_api.delete(f"/clients/{client.pk}").status_code == 404
    assert Client.objects.filter(pk=client.pk).exists()


def test_put_on_a_client_is_405(api: ApiClient, business: Business) -> None:
    client = make_client(business)

    assert api.put(f"/clients/{client.pk}", {"name": "X"}).status_code == 405


def test_search_with_a_nul_character_is_422_not_a_database_error(api: ApiClient) -> None:
    response = api.get("/clients", {"q": "a\x00b"})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "q"], "msg": "Le texte contient un caractère interdit (NUL).", "type": "null_character"}
    ]
