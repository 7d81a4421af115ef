import io

import pytest
from django.core.management import call_command

from accounts.models import ApiToken, User


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("token", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_token_create_prints_only_the_key(owner: User) -> None:
    code, out, err = run("create", "--email", "OWNER@relance.test", "--name", "Export compta")
    assert code == 0 and err == ""
    assert out.endswith("\n") and out.count("\n") == 1
    key = out.strip()
    token = ApiToken.objects.get(user=owner)
    assert token.name == "Export compta"
    assert token.key_hash == ApiToken.hash_key(key)


def test_token_create_has_a_default_name(owner: User) -> None:
    code, _out, _err = run("create", "--email", owner.email)
    assert code == 0
    assert ApiToken.objects.get(user=owner).name == "Ligne de commande"


@pytest.mark.django_db
def test_token_create_for_an_unknown_email_fails_in_french() -> None:
    code, out, err = run("create", "--email", "personne@exemple.test")
    assert code == 1 and out == ""
    assert err.strip() == "Aucun compte actif avec l’adresse e-mail personne@exemple.test."
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_create_without_email_fails_in_french() -> None:
    code, _out, err = run("create")
    assert code == 1
    assert "Option obligatoire manquante : --email." in err


def test_token_create_for_a_deactivated_user_fails(owner: User) -> None:
    owner.is_active = False
    owner.save()
    code, _out, _err = run("create", "--email", owner.email)
    assert code == 1


@pytest.mark.django_db
def test_token_without_action_fails_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run()
    assert code == 1
    assert capsys.readouterr().err.startswith("Commande invalide")
