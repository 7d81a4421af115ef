from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User
from accounts.services import create_token


def test_admin_lists_businesses_users_and_tokens(staff_client: HttpClient, owner: User) -> None:
    token, key = create_token(user=owner, name="Compta")
    for model in ["business", "user", "apitoken", "throttle", "pendingsignup"]:
        response = staff_client.get(reverse(f"admin:accounts_{model}_changelist"))
        assert response.status_code == 200, model
    page = staff_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.key_hash in page.text and key not in page.text
    assert 'name="key_hash"' not in page.text


def test_admin_cannot_add_a_token(staff_client: HttpClient) -> None:
    assert staff_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_admin_user_pages_work_with_email_login(staff_client: HttpClient, owner: User) -> None:
    assert staff_client.get(reverse("admin:accounts_user_change", args=[owner.pk])).status_code == 200
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "nouveau@relance.test", "business": owner.business_id, "password1": "un-mot-de-passe-solide",
         "password2": "un-mot-de-passe-solide", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    assert User.objects.get(email="nouveau@relance.test").business_id == owner.business_id


def test_admin_action_revokes_tokens(staff_client: HttpClient, owner: User) -> None:
    token, _key = create_token(user=owner, name="Compta")
    response = staff_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
