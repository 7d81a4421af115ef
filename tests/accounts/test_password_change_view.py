from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User

URL = reverse("accounts:password_change")


def test_password_change_page_shows_the_form(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "settings"
    assert 'name="old_password"' in response.text


def test_password_change_keeps_the_session_and_sets_the_new_password(owner: User, owner_client: HttpClient) -> None:
    response = owner_client.post(
        URL,
        {
            "old_password": "motdepasse-solide-42",
            "new_password1": "encore-plus-solide-77",
            "new_password2": "encore-plus-solide-77",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("accounts:account"), 302)]
    assert "Votre mot de passe a été modifié." in response.text
    owner.refresh_from_db()
    assert owner.check_password("encore-plus-solide-77")
    assert owner_client.get(reverse("accounts:account")).status_code == 200


def test_password_change_with_a_wrong_current_password_is_refused_in_french(
    owner: User, owner_client: HttpClient
) -> None:
    response = owner_client.post(
        URL,
        {"old_password": "faux", "new_password1": "encore-plus-solide-77", "new_password2": "encore-plus-solide-77"},
    )
    assert response.status_code == 422
    assert "Votre ancien mot de passe est incorrect" in response.context["form"].errors["old_password"][0]
    owner.refresh_from_db()
    assert owner.check_password("motdepasse-solide-42")


def test_password_change_with_a_weak_password_is_refused_in_french(owner_client: HttpClient) -> None:
    response = owner_client.post(
        URL, {"old_password": "motdepasse-solide-42", "new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 422
    assert "Ce mot de passe est trop courant." in response.context["form"].errors["new_password2"]


def test_password_change_needs_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_password_change_refuses_put(owner_client: HttpClient) -> None:
    assert owner_client.put(URL).status_code == 405
