import pytest
from django.core.management import call_command

from ledger.models import Invoice
from tests.factories import make_business, make_client, make_user
from tests.imports.accounts import archive


@pytest.fixture
def zip_path(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(archive())
    return path


def test_the_account_is_restored_into_the_business_of_an_email(db, zip_path, capsys):
    user = make_user(make_business(), email="nouveau@relance.test")
    call_command("import_account", str(zip_path), "--business", "Nouveau@relance.test")
    assert "clients : 2, factures : 4 (dont 1 avec PDF), règlements : 2, avoirs : 1." in capsys.readouterr().out
    assert Invoice.objects.filter(business=user.business).count() == 4


def test_the_account_is_restored_into_a_business_by_id(db, zip_path):
    business = make_business()
    call_command("import_account", str(zip_path), "--business", str(business.pk))
    assert Invoice.objects.filter(business=business).count() == 4


def test_a_refusal_is_french_on_stderr_with_exit_status_1(db, zip_path, capsys):
    business = make_business()
    make_client(business)
    with pytest.raises(SystemExit) as caught:
        call_command("import_account", str(zip_path), "--business", str(business.pk))
    assert caught.value.code == 1
    assert "Erreur : rien n’a été importé. Cette entreprise a déjà des clients" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("business", "expected"),
    [("999999", "Erreur : aucune entreprise n° 999999."), ("x@y.test", "Erreur : aucun compte actif")],
)
def test_an_unknown_destination_is_refused(db, zip_path, capsys, business, expected):
    with pytest.raises(SystemExit):
        call_command("import_account", str(zip_path), "--business", business)
    assert expected in capsys.readouterr().err


def test_a_missing_file_is_refused(db, tmp_path, capsys):
    business = make_business()
    with pytest.raises(SystemExit):
        call_command("import_account", str(tmp_path / "absent.zip"), "--business", str(business.pk))
    assert "Erreur : fichier introuvable" in capsys.readouterr().err
