"""SECRET_KEY_FILE: the production key read from a file (what `make run` uses), never silently empty."""

import secrets
import subprocess
from pathlib import Path

from tests.accounts.test_security import RELANCE, production_env


def relance_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RELANCE), "check", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_key_file_passes_the_deployment_checks(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(60) + "\n")
    env = production_env(tmp_path, SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS="relance.example")
    result = relance_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_missing_or_empty_key_file_stops_the_start(tmp_path: Path) -> None:
    missing = relance_check(production_env(tmp_path, SECRET_KEY_FILE=str(tmp_path / "absent")))
    assert missing.returncode != 0
    assert "SECRET_KEY_FILE cannot be read" in missing.stderr
    (tmp_path / "empty").write_text("\n")
    empty = relance_check(production_env(tmp_path, SECRET_KEY_FILE=str(tmp_path / "empty")))
    assert empty.returncode != 0
    assert f"SECRET_KEY_FILE {tmp_path / 'empty'} is empty." in empty.stderr
