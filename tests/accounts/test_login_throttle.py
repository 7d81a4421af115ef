import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Throttle, User
from accounts.views import client_ip
from tests.factories import make_user

URL = reverse("accounts:login")
PASSWORD = "motdepasse-solide-42"
THROTTLED = "Trop de tentatives échouées. Réessayez dans 15 minutes ou réinitialisez votre mot de passe."


def fail_login(email: str, ip: str = "203.0.113.7", times: int = 1) -> None:
    for _ in range(times):
        response = HttpClient(REMOTE_ADDR=ip).post(URL, {"email": email, "password": "mauvais"})
        assert response.status_code == 422


def login(email: str, ip: str = "203.0.113.7") -> tuple[HttpClient, int]:
    http = HttpClient(REMOTE_ADDR=ip)
    response = http.post(URL, {"email": email, "password": PASSWORD})
    return http, response.status_code


def test_five_failures_from_one_address_refuse_the_right_password_from_there(owner: User) -> None:
    fail_login(owner.email, times=5)
    http = HttpClient(REMOTE_ADDR="203.0.113.7")
    response = http.post(URL, {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert THROTTLED in response.text
    assert "_auth_user_id" not in http.session


def test_failures_from_other_addresses_do_not_lock_the_owner_out(owner: User) -> None:
    for index in range(7):
        fail_login(owner.email, ip=f"192.0.2.{index + 1}", times=5)
    _http, status = login(owner.email, ip="198.51.100.20")
    assert status == 302


def test_four_failures_still_allow_the_right_password(owner: User) -> None:
    fail_login(owner.email, times=4)
    _http, status = login(owner.email)
    assert status == 302


def test_failures_for_many_emails_from_one_address_lock_that_address_only(owner: User, settings: Any) -> None:
    for index in range(settings.LOGIN_THROTTLE_IP_LIMIT):
        fail_login(f"inconnu{index}@exemple.test", ip="192.0.2.50")
    _http, status = login(owner.email, ip="192.0.2.50")
    assert status == 429
    _http, status = login(owner.email, ip="192.0.2.51")
    assert status == 302


def test_the_address_limit_is_above_the_limit_per_email() -> None:
    assert settings.LOGIN_THROTTLE_IP_LIMIT > settings.LOGIN_THROTTLE_LIMIT


def test_successful_logins_from_one_address_never_lock_it(owner: User, settings: Any) -> None:
    colleagues = [make_user(owner.business, email=f"collegue{index}@relance.test") for index in range(3)]
    for _ in range(settings.LOGIN_THROTTLE_IP_LIMIT + 1):
        for user in [owner, *colleagues]:
            _http, status = login(user.email, ip="192.0.2.60")
            assert status == 302


def test_a_throttled_attempt_is_not_counted_again(owner: User) -> None:
    fail_login(owner.email, times=5)
    login(owner.email)
    assert Throttle.objects.get(scope=Throttle.Scope.LOGIN, email=owner.email, ip="203.0.113.7").hits == 5
    assert Throttle.objects.get(scope=Throttle.Scope.LOGIN_IP, ip="203.0.113.7").hits == 5


def test_failures_older_than_the_window_do_not_count(owner: User) -> None:
    fail_login(owner.email, times=5)
    Throttle.objects.update(window_start=timezone.now() - dt.timedelta(minutes=16))
    _http, status = login(owner.email)
    assert status == 302


def test_counters_of_ended_periods_are_deleted_as_new_attempts_come(owner: User) -> None:
    for index in range(3):
        fail_login(owner.email, ip=f"192.0.2.{index + 1}")
    Throttle.objects.update(window_start=timezone.now() - dt.timedelta(minutes=16))
    fail_login(owner.email, ip="192.0.2.9")
    assert set(Throttle.objects.values_list("scope", "ip")) == {
        (Throttle.Scope.LOGIN, "192.0.2.9"),
        (Throttle.Scope.LOGIN_IP, "192.0.2.9"),
    }


def test_the_limit_and_window_come_from_the_settings(owner: User, settings: Any) -> None:
    settings.LOGIN_THROTTLE_LIMIT = 2
    settings.LOGIN_THROTTLE_WINDOW = 60
    fail_login(owner.email, times=2)
    _http, status = login(owner.email)
    assert status == 429
    Throttle.objects.update(window_start=timezone.now() - dt.timedelta(seconds=61))
    _http, status = login(owner.email)
    assert status == 302


def test_a_successful_login_is_not_counted_as_a_failure(owner: User) -> None:
    fail_login(owner.email, times=4)
    _http, status = login(owner.email)
    assert status == 302
    assert Throttle.objects.get(scope=Throttle.Scope.LOGIN, email=owner.email, ip="203.0.113.7").hits == 4
    assert Throttle.objects.get(scope=Throttle.Scope.LOGIN_IP, ip="203.0.113.7").hits == 4
    fail_login(owner.email)
    _http, status = login(owner.email)
    assert status == 429


def test_a_successful_login_does_not_clear_failures_from_other_addresses(owner: User) -> None:
    fail_login(owner.email, ip="192.0.2.99", times=5)
    _http, status = login(owner.email, ip="198.51.100.20")
    assert status == 302
    _http, status = login(owner.email, ip="192.0.2.99")
    assert status == 429


def test_another_users_failures_do_not_lock_this_one(owner: User) -> None:
    other = make_user(owner.business, email="collegue@relance.test")
    fail_login(other.email, times=5)
    _http, status = login(owner.email)
    assert status == 302


def test_client_ip_is_remote_addr_without_a_proxy() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(request) == "192.0.2.1"


def test_client_ip_behind_the_proxy_is_the_address_it_appended(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.77")
    assert client_ip(request) == "192.0.2.77"


@pytest.mark.django_db
def test_unknown_email_failures_are_counted_too() -> None:
    fail_login("personne@exemple.test", times=5)
    response = HttpClient(REMOTE_ADDR="203.0.113.7").post(URL, {"email": "personne@exemple.test", "password": "x"})
    assert response.status_code == 429
