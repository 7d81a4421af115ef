from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

URL = reverse("accounts:account")


def test_account_page_shows_email_and_password_link(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["section"] == "account"
    assert owner.email in response.text
    assert reverse("accounts:password_change") in response.text


def test_name_changes_without_password(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.post(URL, {"name": "Camille Martin", "email": owner.email})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.name == "Camille Martin"


def test_email_change_needs_the_current_password(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.post(URL, {"name": "", "email": "nouvelle@relance.test"})
    assert response.status_code == 422
    assert response.context["form"].errors["current_password"] == [
        "Saisissez votre mot de passe actuel pour changer d’adresse e-mail."
    ]
    response = owner_client.post(URL, {"name": "", "email": "nouvelle@relance.test", "current_password": "faux"})
    assert response.context["form"].errors["current_password"] == ["Mot de passe incorrect."]
    owner.refresh_from_db()
    assert owner.email == "owner@relance.test"


def test_email_change_with_password_is_saved_in_lower_case(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.post(
        URL, {"name": "", "email": "Nouvelle@Relance.test", "current_password": "motdepasse-solide-42"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email == "nouvelle@relance.test"
    assert owner_client.get(URL).status_code == 200


def test_email_of_another_account_is_refused(owner_client: HttpClient, owner: User) -> None:
    make_user(email="pris@relance.test")
    response = owner_client.post(
        URL, {"name": "", "email": "PRIS@relance.test", "current_password": "motdepasse-solide-42"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["email"] == ["Un autre compte utilise déjà cette adresse e-mail."]


def test_account_needs_login_and_refuses_delete(owner_client: HttpClient, db: None) -> None:
    assert HttpClient().get(URL).status_code == 302
    assert owner_client.delete(URL).status_code == 405
