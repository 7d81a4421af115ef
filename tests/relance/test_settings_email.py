import pytest
from django.core.exceptions import ImproperlyConfigured

from relance.settings import _email_settings, _reminder_send_timeout

EMAIL_VARIABLES = [
    "EMAIL_URL", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS", "EMAIL_USE_SSL",
]  # fmt: skip
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EMAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_smtp_url_gives_host_port_credentials_and_starttls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "smtp://lea%40atelier.example:p%40ss%3Aw0rd@smtp.example.org:587/?tls=1")
    assert _email_settings() == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "lea@atelier.example",
        "EMAIL_HOST_PASSWORD": "p@ss:w0rd",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtp_url_without_port_or_tls_uses_port_25_in_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "smtp://127.0.0.1")
    email = _email_settings()
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"]) == ("127.0.0.1", 25)
    assert email["EMAIL_USE_TLS"] is False
    assert email["EMAIL_USE_SSL"] is False
    assert email["EMAIL_HOST_USER"] == ""


def test_smtps_url_uses_implicit_tls_on_port_465(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "smtps://user:secret@mail.example.org")
    email = _email_settings()
    assert email["EMAIL_PORT"] == 465
    assert email["EMAIL_USE_SSL"] is True
    assert email["EMAIL_USE_TLS"] is False
    assert email["EMAIL_HOST_PASSWORD"] == "secret"


def test_console_url_prints_mails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "console://")
    assert _email_settings() == {"EMAIL_BACKEND": CONSOLE}


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp+tls://mail.example.org", "mail.example.org"])
def test_unknown_email_url_scheme_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _email_settings()


def test_without_any_variable_mails_go_to_the_console() -> None:
    assert _email_settings()["EMAIL_BACKEND"] == CONSOLE


def test_email_host_variables_select_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "2525")
    monkeypatch.setenv("EMAIL_HOST_USER", "lea")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "secret")
    monkeypatch.setenv("EMAIL_USE_TLS", "true")
    email = _email_settings()
    assert email["EMAIL_BACKEND"] == SMTP
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"]) == ("smtp.example.org", 2525)
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == ("lea", "secret")
    assert email["EMAIL_USE_TLS"] is True


def test_bad_email_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "vingt-cinq")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        _email_settings()


def test_a_send_is_uncertain_after_five_minutes_or_twice_the_email_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMINDER_SEND_TIMEOUT", raising=False)
    assert _reminder_send_timeout(email_timeout=20) == 300
    assert _reminder_send_timeout(email_timeout=200) == 400


def test_a_send_timeout_that_would_not_let_the_server_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_SEND_TIMEOUT", "39")
    with pytest.raises(ImproperlyConfigured, match="REMINDER_SEND_TIMEOUT"):
        _reminder_send_timeout(email_timeout=20)
    monkeypatch.setenv("REMINDER_SEND_TIMEOUT", "40")
    assert _reminder_send_timeout(email_timeout=20) == 40
