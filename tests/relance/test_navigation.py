"""The main menu, built once per page and shown twice (desktop bar and phone menu)."""

import re

from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User


def test_menu_shows_twice_the_same_with_the_current_page_marked(owner_client: HttpClient) -> None:
    text = owner_client.get(reverse("ledger:client_list")).text
    desktop = re.search(r'<ul class="nav-desktop">(.*?)</ul>', text, re.S)
    phone = re.search(r'<details class="nav-phone">.*?<ul>(.*?)</ul>', text, re.S)
    assert desktop and phone
    assert desktop.group(1).count("<li>") == 9  # eight pages and the logout button
    assert f'<a href="{reverse("ledger:client_list")}" aria-current="page">Clients</a>' in desktop.group(1)
    assert desktop.group(1).count("aria-current") == 1
    assert "À valider" not in desktop.group(1)
    # The very same items, token included: rendered once.
    assert desktop.group(1).strip() == phone.group(1).strip()


def test_logout_button_of_the_menu_passes_the_csrf_check(owner: User) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)
    text = http.get(reverse("pages:dashboard")).text
    token = re.search(
        r'action="/[^"]*" class="inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', text
    )
    assert token
    response = http.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert http.get(reverse("pages:dashboard")).status_code == 302


def test_menu_speaks_the_users_language(owner_client: HttpClient) -> None:
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = owner_client.get(reverse("pages:dashboard")).text
    menu = re.search(r'<ul class="nav-desktop">(.*?)</ul>', text, re.S)
    assert menu and "Tableau de bord" not in menu.group(1) and "Se déconnecter" not in menu.group(1)
