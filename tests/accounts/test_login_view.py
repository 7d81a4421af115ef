import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Throttle, User

URL = reverse("accounts:login")
PASSWORD = "motdepasse-solide-42"


@pytest.mark.django_db
def test_login_page_shows_the_form_with_reset_and_signup_links() -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 200
    assert reverse("accounts:password_reset") in response.text
    assert reverse("accounts:signup") in response.text


def test_login_with_email_in_any_case_goes_to_the_dashboard(owner: User) -> None:
    http = HttpClient()
    response = http.post(URL, {"email": "OWNER@Relance.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:dashboard")
    assert http.session["_auth_user_id"] == str(owner.pk)


def test_login_follows_a_local_next_but_not_another_site(owner: User) -> None:
    response = HttpClient().post(URL, {"email": owner.email, "password": PASSWORD, "next": "/compte/parametres/"})
    assert response["Location"] == "/compte/parametres/"
    response = HttpClient().post(URL, {"email": owner.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("pages:dashboard")


def test_login_with_a_wrong_password_is_refused_and_counted(owner: User) -> None:
    http = HttpClient()
    response = http.post(URL, {"email": owner.email, "password": "mauvais"})
    assert response.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "_auth_user_id" not in http.session
    assert Throttle.objects.get(scope=Throttle.Scope.LOGIN, email=owner.email, ip="127.0.0.1").hits == 1


def test_login_of_a_deactivated_user_is_refused(owner: User) -> None:
    owner.is_active = False
    owner.save()
    response = HttpClient().post(URL, {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 422


@pytest.mark.django_db
def test_login_with_an_invalid_email_answers_422_in_french() -> None:
    response = HttpClient().post(URL, {"email": "nimportequoi", "password": "x"})
    assert response.status_code == 422
    assert response.context["form"].errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert not Throttle.objects.exists()


@pytest.mark.django_db
def test_login_page_answers_405_to_delete() -> None:
    assert HttpClient().delete(URL).status_code == 405


def test_logout_by_post_ends_the_session(owner_client: HttpClient) -> None:
    response = owner_client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Vous êtes déconnecté" in response.text
    assert "_auth_user_id" not in owner_client.session


def test_logout_by_get_is_refused(owner_client: HttpClient) -> None:
    response = owner_client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert "_auth_user_id" in owner_client.session


def test_a_protected_page_sends_an_anonymous_visitor_to_login_with_next(db: None) -> None:
    response = HttpClient().get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?next=/compte/parametres/"
