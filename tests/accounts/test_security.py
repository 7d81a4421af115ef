import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client as HttpClient
from django.urls import reverse

RELANCE = Path(sys.executable).with_name("relance")
# Variables of the test run that production would not have.
DROPPED = {
    "RELANCE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL",
    "TASKS_BACKEND", "DJANGO_SETTINGS_MODULE", "SECRET_KEY_FILE",
}  # fmt: skip


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    return {**env, "DEBUG": "false", "RELANCE_VAR_DIR": str(tmp_path), **extra}


def test_check_deploy_reports_nothing_with_production_settings(tmp_path: Path) -> None:
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="relance.example")
    result = subprocess.run(
        [str(RELANCE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_app_refuses_to_start_without_secret_key_in_production(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(RELANCE), "check"], env=production_env(tmp_path), capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path: Path) -> None:
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="relance.example")
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run(
        [str(RELANCE), "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "True"]


def script_sources(policy: str) -> str:
    match = re.search(r"script-src ([^;]*)", policy)
    assert match is not None
    return match.group(1)


def test_pages_carry_a_csp_without_inline_scripts_and_deny_framing(db: None) -> None:
    response = HttpClient().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in script_sources(policy)
    assert "'unsafe-eval'" not in script_sources(policy)
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_account_pages_have_no_inline_script(owner_client: HttpClient) -> None:
    pages = ["signup", "login", "password_reset"]
    anonymous = HttpClient()
    bodies = [anonymous.get(reverse(f"accounts:{name}")).text for name in pages]
    for name in ["settings", "settings_terms", "settings_email", "tokens", "account", "password_change"]:
        bodies.append(owner_client.get(reverse(f"accounts:{name}")).text)
    for body in bodies:
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
        assert not re.search(r"\son[a-z]+=", body)


def test_forms_are_csrf_protected(owner: object) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(reverse("accounts:login"), {"email": "owner@relance.test", "password": "motdepasse-solide-42"})
    assert response.status_code == 403
