import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import create_token, revoke_token
from api.auth import token_auth
from core.models import AuditEvent

URL = reverse("accounts:tokens")


def created_key(html: str) -> str:
    match = re.search(r'id="new-token-key"[^>]*><code>([^<]+)</code>', html)
    assert match is not None
    return match.group(1)


def test_token_page_lists_only_my_tokens(owner_client: HttpClient, owner: User, outsider: User) -> None:
    create_token(user=owner, name="Logiciel comptable")
    create_token(user=outsider, name="Jeton du concurrent")
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert "Logiciel comptable" in response.text
    assert "Jeton du concurrent" not in response.text
    assert response.context["section"] == "tokens"


def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.post(URL, {"name": "Logiciel comptable"})
    assert response.status_code == 201
    assert "il ne sera plus jamais affiché" in response.text
    key = created_key(response.text)
    token = ApiToken.objects.get(user=owner)
    assert token.name == "Logiciel comptable"
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert key.startswith(token.hint)
    assert key not in owner_client.get(URL).text
    assert AuditEvent.objects.filter(action="token_created", object_id=token.pk).exists()


def test_a_created_key_authenticates_on_the_api(owner_client: HttpClient, owner: User) -> None:
    key = created_key(owner_client.post(URL, {"name": "Script"}).text)
    assert token_auth.authenticate(RequestFactory().get("/"), key) == owner


def test_creating_a_token_without_name_is_refused(owner_client: HttpClient, owner: User) -> None:
    response = owner_client.post(URL, {"name": "   "})
    assert response.status_code == 422
    assert response.context["form"].errors["name"] == ["Ce champ est obligatoire."]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_and_keeps_it_listed(owner_client: HttpClient, owner: User) -> None:
    token, key = create_token(user=owner, name="Ancien script")
    response = owner_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Le jeton « Ancien script » est révoqué" in response.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Révoqué le" in response.text
    assert token_auth.authenticate(RequestFactory().get("/"), key) is None
    assert AuditEvent.objects.filter(action="token_revoked", object_id=token.pk).exists()


def test_revoking_another_users_token_is_404(outsider_client: HttpClient, owner: User) -> None:
    token, _key = create_token(user=owner, name="Mon jeton")
    response = outsider_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_colleagues_token_of_the_same_business_is_404(owner_client: HttpClient, owner: User) -> None:
    colleague = User.objects.create_user("collegue@relance.test", "motdepasse-solide-42", business=owner.business)
    token, _key = create_token(user=colleague, name="Jeton du collègue")
    assert owner_client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404


def test_revoke_refuses_get_and_needs_login(owner_client: HttpClient, owner: User) -> None:
    token, _key = create_token(user=owner, name="Mon jeton")
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert owner_client.get(url).status_code == 405
    response = HttpClient().post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_refuses_put(owner_client: HttpClient) -> None:
    assert owner_client.put(URL).status_code == 405


def test_token_page_shows_last_use(owner_client: HttpClient, owner: User) -> None:
    token, _key = create_token(user=owner, name="Compta")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.make_aware(dt.datetime(2026, 11, 2, 14, 30)))
    assert "02/11/2026 à 14:30" in owner_client.get(URL).text


def test_token_page_query_count_does_not_grow(
    owner_client: HttpClient, owner: User, django_assert_max_num_queries: Any
) -> None:
    for index in range(12):
        create_token(user=owner, name=f"Jeton {index}")
    # One more than before the navigation showed the "À valider" count (one COUNT query).
    with django_assert_max_num_queries(5):
        response = owner_client.get(URL)
    assert response.text.count("Révoquer<") == 12


@pytest.mark.django_db
def test_create_token_service_refuses_a_user_without_business(staff: User) -> None:
    with pytest.raises(ValidationError):
        create_token(user=staff, name="x")


def test_revoke_token_twice_keeps_the_first_date(owner: User) -> None:
    token, _key = create_token(user=owner, name="x")
    first = revoke_token(token=token).revoked_at
    assert revoke_token(token=token).revoked_at == first
    assert AuditEvent.objects.filter(action="token_revoked").count() == 1
