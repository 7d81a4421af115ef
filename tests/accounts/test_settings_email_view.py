from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business

URL = reverse("accounts:settings_email")
VALID = {
    "sender_name": "Camille de l’Atelier",
    "reply_to_email": "compta@atelier.test",
    "bcc_self": "on",
    "signature_name": "Camille Martin",
    "signature_title": "Entrepreneur individuel",
}


def test_email_settings_page_previews_sender_and_reply_to(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["section"] == "email"
    assert f"{business.display_name} &lt;noreply@relance.test&gt;" in response.text
    assert "contact@atelier.test" in response.text


def test_email_settings_are_saved(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, VALID, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    business.refresh_from_db()
    assert business.sender_name == "Camille de l’Atelier"
    assert business.reply_to == "compta@atelier.test"
    assert business.bcc_self is True
    assert business.signature_title == "Entrepreneur individuel"
    assert "Camille de l’Atelier &lt;noreply@relance.test&gt;" in response.text


def test_bad_reply_to_is_refused_in_french(owner_client: HttpClient, business: Business) -> None:
    response = owner_client.post(URL, {**VALID, "reply_to_email": "compta(at)atelier"})
    assert response.status_code == 422
    assert response.context["form"].errors["reply_to_email"] == ["Saisissez une adresse e-mail valide."]
    business.refresh_from_db()
    assert business.sender_name == "" and business.bcc_self is False


def test_email_settings_need_login_and_refuse_patch(owner_client: HttpClient, db: None) -> None:
    assert HttpClient().post(URL, VALID).status_code == 302
    assert owner_client.patch(URL).status_code == 405
