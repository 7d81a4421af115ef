"""`relance penalties`: the machine interface of the late-payment computation, via call_command and a real process."""

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.law.test_penalties import ACCEPTANCE, CASE_8, CASE_8_ERROR

pytestmark = pytest.mark.django_db

RELANCE = Path(sys.executable).parent / "relance"


def flags(inputs: dict[str, Any]) -> list[str]:
    args = []
    for name, value in inputs.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    return args


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("penalties", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", sorted(ACCEPTANCE))
def test_acceptance_case_prints_the_json(case: int) -> None:
    inputs, expected = ACCEPTANCE[case]
    status, out, err = run(*flags(inputs))
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert {key: result[key] for key in expected} == expected
    assert list(result) == ["days_late", "interest", "indemnity", "penalties", "outstanding", "segments", "warnings"]


def test_json_is_indented_by_two_spaces_with_decimal_strings() -> None:
    _, out, _ = run(*flags(ACCEPTANCE[3][0]))
    assert out.startswith('{\n  "days_late": 61,\n  "interest": "20.71",\n')
    assert '      "rate": "13.15",\n' in out


def test_acceptance_case_8_fails_with_the_missing_half_year_on_stderr() -> None:
    assert run(*flags(CASE_8)) == (
        1,
        "",
        f"Erreur : l{CASE_8_ERROR[1:]} : ajoutez-le (relance rates import/fetch ou l’administration)\n",
    )


def test_payments_are_repeatable() -> None:
    status, out, _ = run(
        *flags({"amount": "1000.00", "due_date": "2025-07-15", "until": "2025-08-15", "debtor": "business"}),
        "--payment",
        "2025-07-25:400.00",
        "--payment",
        "2025-08-05:600.00",
    )
    assert status == 0
    result = json.loads(out)
    assert [segment["base"] for segment in result["segments"]] == ["1000.00", "600.00"]
    assert result["outstanding"] == "0.00"


def test_a_bad_value_is_a_french_error_and_exit_1() -> None:
    status, out, err = run(*flags({**ACCEPTANCE[3][0], "amount": "mille"}))
    assert (status, out, err) == (1, "", "Erreur : le montant doit être un nombre, par exemple 1000.00.\n")


def test_a_bad_payment_flag_is_a_french_error() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("penalties", *flags(ACCEPTANCE[3][0]), "--payment", "400")
    assert caught.value.returncode == 1
    assert str(caught.value).startswith(
        "Erreur : option --payment : « 400 » : attendu AAAA-MM-JJ:MONTANT, par exemple 2025-07-10:400.00."
    )


# A real process: `relance penalties` as outside checks call it, on a freshly migrated database.


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    var = tmp_path_factory.mktemp("relance-var")
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["RELANCE_VAR_DIR"] = str(var)
    migrated = subprocess.run(
        [str(RELANCE), "migrate", "--noinput", "-v0"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    yield env


def relance(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RELANCE), "penalties", *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", sorted(ACCEPTANCE))
def test_the_console_script_prints_the_json_and_exits_0(var_dir: dict[str, str], case: int) -> None:
    inputs, expected = ACCEPTANCE[case]
    answer = relance(var_dir, *flags(inputs))
    assert (answer.returncode, answer.stderr) == (0, "")
    result = json.loads(answer.stdout)
    assert {key: result[key] for key in expected} == expected


def test_the_console_script_exits_1_with_the_missing_half_year(var_dir: dict[str, str]) -> None:
    answer = relance(var_dir, *flags(CASE_8))
    assert (answer.returncode, answer.stdout) == (1, "")
    assert "taux BCE du second semestre 2026 n’est pas connu" in answer.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amount", "1000.00"], "Erreur : argument(s) obligatoire(s) manquant(s) : --due-date, --until, --debtor."),
        ([*flags(ACCEPTANCE[3][0]), "--bogus"], "Erreur : argument(s) inconnu(s) : --bogus."),
        ([*flags(ACCEPTANCE[3][0]), "--payment"], "Erreur : l’option --payment attend une valeur."),
        ([*flags({**ACCEPTANCE[3][0], "debtor": "particulier"})], "Erreur : le débiteur doit être « business »"),
    ],
)
def test_argument_errors_are_french_and_exit_1_not_2(var_dir: dict[str, str], args: list[str], message: str) -> None:
    answer = relance(var_dir, *args)
    assert (answer.returncode, answer.stdout) == (1, "")
    assert answer.stderr.startswith(message)
    assert "usage:" not in answer.stderr and "error:" not in answer.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["penalties"], "Calcule les pénalités de retard"),
        (["rates"], "Les tables de taux"),
        (["rates", "show"], "Affiche, par semestre"),
        (["rates", "import"], "# known_through: 2026-06-30"),
        (["rates", "fetch"], "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"),
    ],
)
def test_help_is_printed_in_french(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        call_command(*args, "--help")
    assert caught.value.code == 0
    assert expected in capsys.readouterr().out
