"""The import contracts of pyproject.toml (make lint) hold, and would catch a wall broken.

Each test runs import-linter on a copy of the project's packages, so that a forbidden import can
be planted without touching the working tree that other tests read.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "law",
    "core",
    "rates",
    "accounts",
    "ledger",
    "dunning",
    "recovery",
    "bank",
    "imports",
    "exports",
    "automation",
    "api",
    "relance",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "pyproject.toml", "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_project_keeps_its_contracts(project_copy: Path) -> None:
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_law_importing_django_breaks_the_purity_contract(project_copy: Path) -> None:
    (project_copy / "law" / "probe.py").write_text("from django.conf import settings  # noqa\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "The late-payment law is pure Python BROKEN" in result.stdout
    assert "law is not allowed to import django" in result.stdout


def test_an_upward_import_breaks_the_layers(project_copy: Path) -> None:
    # The ledger sits below dunning: it may not know reminders, even from inside a function.
    (project_copy / "ledger" / "probe.py").write_text(
        "def f():\n    from dunning.models import Reminder\n\n    return Reminder\n"
    )
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "Layers import only downward BROKEN" in result.stdout
    assert "ledger.probe -> dunning.models" in result.stdout


def test_a_cycle_between_two_modules_of_an_app_is_refused(project_copy: Path) -> None:
    (project_copy / "ledger" / "probe_a.py").write_text("from ledger import probe_b  # noqa\n")
    (project_copy / "ledger" / "probe_b.py").write_text("from ledger import probe_a  # noqa\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1
    assert "No import cycle between the modules of an app BROKEN" in result.stdout
