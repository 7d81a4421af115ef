import io

import pytest
from django.core.management import call_command

from accounts.models import User


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("signup", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_signup_command_creates_the_account_and_confirms() -> None:
    code, out, err = run(
        "--email", "Paul@Plomberie.test", "--password", "un-mot-de-passe-solide", "--business", "Plomberie Paul"
    )
    assert code == 0 and err == ""
    assert out.strip() == "Compte créé : paul@plomberie.test pour l’entreprise « Plomberie Paul »."
    user = User.objects.get(email="paul@plomberie.test")
    assert user.business is not None and user.business.legal_name == "Plomberie Paul"
    assert user.check_password("un-mot-de-passe-solide")


@pytest.mark.django_db
def test_signup_command_with_a_taken_email_fails_in_french(owner: User) -> None:
    code, out, err = run("--email", owner.email, "--password", "un-mot-de-passe-solide", "--business", "Doublon")
    assert code == 1 and out == ""
    assert "E-mail : Un compte existe déjà avec cette adresse e-mail" in err
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_command_with_a_weak_password_fails_in_french() -> None:
    code, _out, err = run("--email", "a@b.test", "--password", "12345678", "--business", "X")
    assert code == 1
    assert "Mot de passe : Ce mot de passe est entièrement numérique." in err
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_command_without_business_fails_in_french() -> None:
    code, _out, err = run("--email", "a@b.test", "--password", "un-mot-de-passe-solide")
    assert code == 1
    assert "Option(s) obligatoire(s) manquante(s) : --business." in err


@pytest.mark.django_db
def test_signup_command_with_an_unknown_option_exits_1_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    # Arguments are parsed before call_command's stderr is in place: the message goes to the real stderr.
    code, _out, _err = run("--email", "a@b.test", "--mot-de-passe", "x")
    assert code == 1
    assert capsys.readouterr().err.startswith("Commande invalide (unrecognized arguments: --mot-de-passe x)")
