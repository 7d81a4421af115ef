import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Business, PendingSignup, User
from accounts.services import signup
from dunning.models import ReminderTemplate
from tests.helpers import SmtpSink

URL = reverse("accounts:signup")
SITE_URL = "https://relance.example.fr"
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


def post_signup(data: dict[str, str], capture: Any, ip: str = "203.0.113.7") -> HttpResponse:
    """Posts the sign-up form; the e-mail it causes leaves once the request's transaction commits."""
    with capture(execute=True):
        return HttpClient(REMOTE_ADDR=ip).post(URL, data)


def received(sink: SmtpSink) -> list[EmailMessage]:
    messages = [email.message_from_bytes(item["data"], policy=email.policy.default) for item in sink.messages]
    assert all(isinstance(message, EmailMessage) for message in messages)
    return messages  # type: ignore[return-value]


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def links_in(message: EmailMessage) -> list[str]:
    text, html = text_and_html(message)
    return re.findall(r"https?://[^\s\"<>]+", text + html)


def without_csrf(page: str) -> str:
    """CSRF tokens differ on every page, whoever asks."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> str:
    settings.SITE_URL = SITE_URL
    return SITE_URL


def test_signup_answers_the_same_whether_the_email_is_registered_or_not(
    owner: User, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    answers = []
    for address in ["nouvelle@atelier.test", "OWNER@relance.test"]:
        http = HttpClient(REMOTE_ADDR="203.0.113.7")
        with django_capture_on_commit_callbacks(execute=True):
            response = http.post(URL, {**GOOD, "email": address})
        page = http.get(response["Location"])
        answers.append((response.status_code, response["Location"], sorted(response.cookies), without_csrf(page.text)))
        assert "_auth_user_id" not in http.session
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, reverse("accounts:signup_done"))
    assert "Vérifiez votre boîte de réception" in answers[0][3]
    assert len(smtp_server.messages) == 2


def test_signup_with_a_registered_email_creates_nothing_and_tells_the_owner_to_log_in(
    owner: User, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["relance.example.fr", "piege.example"]
    businesses = Business.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient().post(URL, {**GOOD, "email": "OWNER@relance.test"}, HTTP_HOST="piege.example")
    assert response.status_code == 302
    assert Business.objects.count() == businesses
    assert User.objects.count() == 1
    assert not PendingSignup.objects.exists()
    (message,) = received(smtp_server)
    assert smtp_server.messages[0]["to"] == [owner.email]
    assert message["Subject"] == "Vous avez déjà un compte Relance"
    text, _html = text_and_html(message)
    assert "Vous avez déjà un compte : aucun autre n’a été créé." in text
    links = links_in(message)
    assert f"{SITE_URL}{reverse('accounts:login')}" in links
    assert f"{SITE_URL}{reverse('accounts:password_reset')}" in links
    assert all(link == SITE_URL or link.startswith(f"{SITE_URL}/") for link in links), links


def activation_link(sink: SmtpSink) -> str:
    (message,) = received(sink)
    assert message["Subject"] == "Activez votre compte Relance"
    (link,) = {link for link in links_in(message) if "/inscription/activer/" in link}
    assert link.startswith(f"{SITE_URL}/compte/inscription/activer/")
    return link.removeprefix(SITE_URL)


@pytest.mark.django_db
def test_signup_of_a_new_email_creates_the_account_only_from_the_emailed_link(
    smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    post_signup(GOOD, django_capture_on_commit_callbacks)
    assert not User.objects.exists() and not Business.objects.exists()
    assert smtp_server.messages[0]["to"] == ["lea@atelier.test"]
    link = activation_link(smtp_server)

    http = HttpClient()
    # Opening the link (as a mail scanner does) does not use it up.
    for _ in range(2):
        page = http.get(link)
        assert page.status_code == 200
        assert "Activer mon compte" in page.text
    assert not User.objects.exists()

    response = http.post(link, follow=True)
    assert response.redirect_chain == [(reverse("accounts:settings"), 302)]
    user = User.objects.get(email="lea@atelier.test")
    assert user.business is not None and user.business.legal_name == "Atelier Léa"
    assert user.check_password("un-mot-de-passe-solide")
    assert response.wsgi_request.user == user
    assert "Bienvenue sur Relance" in response.text

    again = HttpClient().post(link)
    assert again.status_code == 404
    assert "Ce lien d’activation a expiré ou a déjà servi." in again.text
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_activation_link_expires_after_three_days(
    smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    post_signup(GOOD, django_capture_on_commit_callbacks)
    link = activation_link(smtp_server)
    PendingSignup.objects.update(created_at=timezone.now() - dt.timedelta(days=3, minutes=1))
    assert HttpClient().get(link).status_code == 404
    response = HttpClient().post(link)
    assert response.status_code == 404
    assert "Lien expiré ou déjà utilisé" in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_tampered_activation_link_is_refused(smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any) -> None:
    post_signup(GOOD, django_capture_on_commit_callbacks)
    link = activation_link(smtp_server)
    assert HttpClient().post(link[:-3] + "xx/").status_code == 404
    assert HttpClient().get(reverse("accounts:signup_confirm", args=["pas-un-jeton"])).status_code == 404
    assert not User.objects.exists()


@pytest.mark.django_db
def test_of_two_signups_for_one_email_only_the_first_link_used_makes_an_account(
    smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    post_signup(GOOD, django_capture_on_commit_callbacks)
    post_signup({**GOOD, "business_name": "Autre nom"}, django_capture_on_commit_callbacks, ip="192.0.2.1")
    first, second = (
        next(link.removeprefix(SITE_URL) for link in links_in(message) if "/activer/" in link)
        for message in received(smtp_server)
    )
    assert HttpClient().post(second).status_code == 302
    assert HttpClient().post(first).status_code == 404
    user = User.objects.get()
    assert user.business is not None and user.business.legal_name == "Autre nom"


def test_signup_emails_to_one_address_are_limited_and_the_page_says_the_same(
    owner: User, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    answers = {
        (response.status_code, response["Location"])
        for response in (
            post_signup({**GOOD, "email": owner.email}, django_capture_on_commit_callbacks) for _ in range(12)
        )
    }
    assert answers == {(302, reverse("accounts:signup_done"))}
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_LIMIT


@pytest.mark.django_db
def test_signup_done_page_answers_405_to_post() -> None:
    assert HttpClient().get(reverse("accounts:signup_done")).status_code == 200
    assert HttpClient().post(reverse("accounts:signup_done")).status_code == 405


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
