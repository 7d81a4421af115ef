import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Throttle, User
from tests.factories import make_user
from tests.helpers import SmtpSink

URL = reverse("accounts:password_reset")
LINK = re.compile(r"https?://[^\s\"<>]+/compte/mot-de-passe/nouveau/[^\s\"<>]+/")
SITE_URL = "https://relance.example.fr"
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> str:
    settings.SITE_URL = SITE_URL
    return SITE_URL


def received(sink: SmtpSink) -> EmailMessage:
    assert len(sink.messages) == 1
    message = email.message_from_bytes(sink.messages[0]["data"], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_reset_email_goes_through_smtp_and_its_link_sets_a_new_password(owner: User, smtp_server: SmtpSink) -> None:
    for _ in range(5):
        HttpClient(REMOTE_ADDR="203.0.113.5").post(LOGIN, {"email": owner.email, "password": "mauvais"})
    response = HttpClient().post(URL, {"email": "Owner@Relance.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")

    message = received(smtp_server)
    assert smtp_server.messages[0]["to"] == [owner.email]
    assert message["Subject"] == "Réinitialisation de votre mot de passe Relance"
    text, html = parts(message)
    assert "Vous avez demandé à réinitialiser le mot de passe" in text
    link = LINK.search(text)
    assert link is not None
    assert link.group(0) in html
    assert link.group(0).startswith(f"{SITE_URL}/compte/mot-de-passe/nouveau/")

    browser = HttpClient()
    form_page = browser.get(link.group(0).removeprefix(SITE_URL), follow=True)
    assert form_page.status_code == 200
    assert "Choisissez un nouveau mot de passe" in form_page.text
    set_password_url = form_page.redirect_chain[-1][0]
    done = browser.post(
        set_password_url,
        {"new_password1": "nouveau-mot-de-passe-99", "new_password2": "nouveau-mot-de-passe-99"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password("nouveau-mot-de-passe-99")
    # The password has changed: guesses made against the old one no longer hold the owner back.
    assert not Throttle.objects.filter(scope=Throttle.Scope.LOGIN, email=owner.email).exists()
    login = HttpClient(REMOTE_ADDR="203.0.113.5").post(
        LOGIN, {"email": owner.email, "password": "nouveau-mot-de-passe-99"}
    )
    assert login.status_code == 302

    again = HttpClient().get(link.group(0).removeprefix(SITE_URL), follow=True)
    assert "Lien expiré ou déjà utilisé" in again.text


def test_reset_link_comes_from_the_site_url_whatever_the_host_header(
    owner: User, smtp_server: SmtpSink, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["relance.example.fr", "piege.example"]
    response = HttpClient().post(URL, {"email": owner.email}, HTTP_HOST="piege.example")
    assert response.status_code == 302
    text, html = parts(received(smtp_server))
    links = re.findall(r"https?://[^\s\"<>]+", text + html)
    assert links
    assert all(link == SITE_URL or link.startswith(f"{SITE_URL}/") for link in links), links
    assert "piege.example" not in text + html


def test_reset_for_an_unknown_email_sends_nothing_and_says_the_same(db: None, smtp_server: SmtpSink) -> None:
    response = HttpClient().post(URL, {"email": "personne@exemple.test"}, follow=True)
    assert "Vérifiez votre boîte de réception" in response.text
    assert smtp_server.messages == []


def test_reset_with_a_weak_new_password_is_refused_in_french(owner: User, smtp_server: SmtpSink) -> None:
    HttpClient().post(URL, {"email": owner.email})
    text, _html = parts(received(smtp_server))
    link = LINK.search(text)
    assert link is not None
    browser = HttpClient()
    page = browser.get(link.group(0).removeprefix(SITE_URL), follow=True)
    response = browser.post(page.redirect_chain[-1][0], {"new_password1": "azerty", "new_password2": "azerty"})
    assert response.status_code == 422
    assert "Ce mot de passe est trop court" in response.text
    owner.refresh_from_db()
    assert owner.check_password("motdepasse-solide-42")


def test_reset_when_the_smtp_server_refuses_still_answers_normally(owner: User, smtp_server: SmtpSink) -> None:
    smtp_server.refuse = "554 Transaction failed"
    response = HttpClient().post(URL, {"email": owner.email})
    assert response.status_code == 302
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_reset_with_an_invalid_email_answers_422_in_french() -> None:
    response = HttpClient().post(URL, {"email": "pas-une-adresse"})
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide." in response.text


@pytest.mark.django_db
def test_reset_pages_refuse_other_methods() -> None:
    assert HttpClient().delete(URL).status_code == 405
    assert HttpClient().post(reverse("accounts:password_reset_done")).status_code == 405


def test_reset_emails_to_one_address_are_limited_and_the_page_says_the_same(
    owner: User, smtp_server: SmtpSink, settings: Any
) -> None:
    answers = {
        (response.status_code, response["Location"])
        for response in (HttpClient(REMOTE_ADDR="203.0.113.9").post(URL, {"email": owner.email}) for _ in range(12))
    }
    assert answers == {(302, reverse("accounts:password_reset_done"))}
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_LIMIT
    assert all(message["to"] == [owner.email] for message in smtp_server.messages)


def test_reset_emails_to_one_address_are_limited_whatever_the_client_address(
    owner: User, smtp_server: SmtpSink, settings: Any
) -> None:
    for index in range(12):
        response = HttpClient(REMOTE_ADDR=f"192.0.2.{index + 1}").post(URL, {"email": owner.email})
        assert response.status_code == 302
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_LIMIT


def test_reset_requests_from_one_client_address_are_limited(owner: User, smtp_server: SmtpSink, settings: Any) -> None:
    users = [make_user(owner.business, email=f"collegue{index}@relance.test") for index in range(12)]
    for user in users:
        response = HttpClient(REMOTE_ADDR="203.0.113.9").post(URL, {"email": user.email})
        assert response.status_code == 302
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_IP_LIMIT
    assert len(users) > settings.ACCOUNT_EMAIL_IP_LIMIT


def test_requests_for_unknown_emails_count_against_the_client_address(
    owner: User, smtp_server: SmtpSink, settings: Any
) -> None:
    for index in range(settings.ACCOUNT_EMAIL_IP_LIMIT):
        HttpClient(REMOTE_ADDR="203.0.113.9").post(URL, {"email": f"personne{index}@exemple.test"})
    response = HttpClient(REMOTE_ADDR="203.0.113.9").post(URL, {"email": owner.email})
    assert response.status_code == 302
    assert smtp_server.messages == []


def test_reset_emails_are_sent_again_once_the_window_has_passed(
    owner: User, smtp_server: SmtpSink, settings: Any
) -> None:
    for _ in range(settings.ACCOUNT_EMAIL_LIMIT + 1):
        HttpClient().post(URL, {"email": owner.email})
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_LIMIT
    Throttle.objects.update(window_start=timezone.now() - dt.timedelta(seconds=settings.ACCOUNT_EMAIL_WINDOW + 1))
    HttpClient().post(URL, {"email": owner.email})
    assert len(smtp_server.messages) == settings.ACCOUNT_EMAIL_LIMIT + 1
