import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from accounts.services import signup
from dunning.models import ReminderTemplate

URL = reverse("accounts:signup")
GOOD = {
    "email": "Lea@Atelier.test",
    "password1": "un-mot-de-passe-solide",
    "password2": "un-mot-de-passe-solide",
    "business_name": "Atelier Léa",
}


@pytest.mark.django_db
def test_signup_page_shows_the_form() -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 200
    assert "Créer votre compte" in response.text
    assert 'name="business_name"' in response.text


@pytest.mark.django_db
def test_signup_creates_business_and_user_then_logs_in_to_the_settings() -> None:
    http = HttpClient()
    response = http.post(URL, GOOD, follow=True)
    assert response.redirect_chain == [(reverse("accounts:settings"), 302)]
    user = User.objects.get(email="lea@atelier.test")
    assert user.business is not None and user.business.legal_name == "Atelier Léa"
    assert user.check_password("un-mot-de-passe-solide")
    assert response.wsgi_request.user == user
    assert "Bienvenue sur Relance" in response.text


@pytest.mark.django_db
def test_signup_with_a_taken_email_in_other_case_is_refused_and_creates_nothing(owner: User) -> None:
    businesses = Business.objects.count()
    response = HttpClient().post(URL, {**GOOD, "email": "OWNER@relance.test"})
    assert response.status_code == 422
    assert "Un compte existe déjà avec cette adresse e-mail" in response.text
    assert Business.objects.count() == businesses
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_with_a_weak_password_explains_in_french() -> None:
    response = HttpClient().post(URL, {**GOOD, "password1": "123456", "password2": "123456"})
    assert response.status_code == 422
    errors = response.context["form"].errors["password1"]
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères." in errors
    assert "Ce mot de passe est entièrement numérique." in errors
    assert not User.objects.exists() and not Business.objects.exists()


@pytest.mark.django_db
def test_signup_with_a_password_like_the_email_is_refused() -> None:
    response = HttpClient().post(
        URL, {**GOOD, "email": "camilledupont@atelier.test", "password1": "camilledupont", "password2": "camilledupont"}
    )
    assert response.status_code == 422
    assert (
        "Le mot de passe est trop semblable au champ «\u00a0e-mail\u00a0»."
        in response.context["form"].errors["password1"]
    )


@pytest.mark.django_db
def test_signup_with_different_passwords_is_refused() -> None:
    response = HttpClient().post(URL, {**GOOD, "password2": "autre-chose-encore"})
    assert response.status_code == 422
    assert response.context["form"].errors["password2"] == ["Les deux mots de passe ne correspondent pas."]


@pytest.mark.django_db
def test_signup_without_business_name_or_valid_email_is_refused() -> None:
    response = HttpClient().post(URL, {**GOOD, "email": "pas-une-adresse", "business_name": "  "})
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert form.errors["business_name"] == ["Ce champ est obligatoire."]


@pytest.mark.django_db
def test_signup_page_answers_405_to_put() -> None:
    assert HttpClient().put(URL).status_code == 405


def test_signup_page_sends_a_logged_in_user_to_the_dashboard(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:dashboard")


@pytest.mark.django_db
def test_signup_service_collects_every_error_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        signup(email="x", password="court", business_name="")
    assert set(caught.value.message_dict) == {"email", "password", "business_name"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_service_stores_the_email_in_lower_case() -> None:
    user = signup(email="  Jean.Petit@Exemple.FR ", password="un-mot-de-passe-solide", business_name=" Jean Petit ")
    assert user.email == "jean.petit@exemple.fr"
    assert user.business is not None and user.business.legal_name == "Jean Petit"


@pytest.mark.django_db
def test_a_new_business_finds_its_default_reminder_templates_on_first_use() -> None:
    # The dunning app seeds them when first needed: accounts, below it, knows nothing of templates.
    user = signup(email="a@b.test", password="un-mot-de-passe-solide", business_name="Atelier")
    http = HttpClient()
    http.force_login(user)
    assert http.get(reverse("dunning:template_edit", args=[1])).status_code == 200
    assert sorted(ReminderTemplate.objects.filter(business=user.business).values_list("level", flat=True)) == [1, 2, 3]
