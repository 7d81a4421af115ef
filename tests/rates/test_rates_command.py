"""`relance rates show | import | fetch` and the services behind them."""

import datetime as dt
import http.server
import io
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from law.rates import HalfYear
from rates import services
from rates.models import EcbRate, LegalRate, RateTableStatus
from rates.tables import load_rate_tables

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LEGAL_HEADER = "semester_start,particuliers_percent,autres_percent,source\n"
ECB_HEADER = "effective_date,rate_percent,source\n"


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        yield dt.date(2026, 11, 28)


def run(*args: str) -> tuple[int, str, str]:
    """The command's exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("rates", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(EcbRate.objects.order_by("effective_date").values_list("effective_date", "rate", "source")),
        list(LegalRate.objects.order_by("semester_start").values_list("semester_start", "particuliers", "autres")),
        list(RateTableStatus.objects.order_by("table").values_list("table", "known_through", "version")),
    )


def write(tmp_path: Path, text: str, name: str = "taux.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# show


def test_show_lists_half_years_and_what_is_missing(frozen_today: dt.date) -> None:
    status, out, _ = run("show")
    assert status == 0
    assert "table vérifiée jusqu’au 01/04/2026" in out
    rows = {line.split("  ")[0]: re.split(r"\s{2,}", line) for line in out.splitlines() if line[:4].isdigit()}
    assert rows["2026 S1"] == ["2026 S1", "2,15\u202f%", "12,15\u202f%", "2,62\u202f%", "7,86\u202f%", "6,67\u202f%"]
    assert rows["2026 S2"] == ["2026 S2", "inconnu", "inconnu", "inconnu", "inconnu", "inconnu"]
    assert list(rows)[-1] == "2015 S1"
    assert (
        "Manquant : second semestre 2026 — taux BCE (opérations principales de refinancement) et taux de l’intérêt légal."
        in out
    )
    assert "relance rates fetch" in out


def test_show_says_nothing_is_missing_once_the_half_year_is_added(frozen_today: dt.date, tmp_path: Path) -> None:
    run("import", write(tmp_path, LEGAL_HEADER + "2026-07-01,6.50,2.50,Arrêté de test\n"))
    run("import", write(tmp_path, ECB_HEADER + "2025-06-11,2.15,BCE\n", "bce.csv"), "--known-through", "2026-11-27")
    _, out, _ = run("show")
    assert "Aucun taux ne manque jusqu’au second semestre 2026 inclus." in out


# import


def test_import_adds_a_legal_half_year_and_extends_the_table(tmp_path: Path) -> None:
    path = write(
        tmp_path, LEGAL_HEADER + "2026-01-01,6.67,2.62,Arrêté du 15 déc. 2025\n2026-07-01,6.50,2.50,Arrêté de test\n"
    )
    status, out, err = run("import", path)
    assert (status, err) == (0, "")
    assert "1 ajouté(s), 1 modifié(s)" in out  # 2026 S1's source differs from the shipped one
    assert "connu jusqu’au second semestre 2026 (avant : jusqu’au premier semestre 2026)." in out
    assert RateTableStatus.objects.get(table="legal").known_through == dt.date(2026, 7, 1)
    assert load_rate_tables().legal_rate(HalfYear(2026, 2)).autres == Decimal("2.50")


def test_import_accepts_french_spreadsheet_conventions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "semester_start;particuliers_percent;autres_percent;source\n01/07/2026;6,50;2,50;Arrêté de test\n",
        encoding="cp1252",
    )
    assert run("import", path)[0] == 0
    assert LegalRate.objects.get(semester_start=dt.date(2026, 7, 1)).particuliers == Decimal("6.50")


def test_import_skips_a_half_year_left_empty(tmp_path: Path) -> None:
    path = write(tmp_path, LEGAL_HEADER + "2026-01-01,6.67,2.62,Arrêté\n2026-07-01,,,UNVERIFIED\n")
    status, out, _ = run("import", path)
    assert status == 0
    assert "second semestre 2026 sans taux, ignoré" in out
    assert not LegalRate.objects.filter(semester_start=dt.date(2026, 7, 1)).exists()
    assert RateTableStatus.objects.get(table="legal").known_through == dt.date(2026, 1, 1)


def test_import_of_ecb_changes_uses_the_known_through_note(tmp_path: Path) -> None:
    path = write(tmp_path, "# known_through: 2026-07-02\n" + ECB_HEADER + "2026-06-17,2.00,Communiqué de test\n")
    assert run("import", path)[0] == 0
    tables = load_rate_tables()
    assert tables.ecb_known_through == dt.date(2026, 7, 2)
    assert tables.ecb_rate(HalfYear(2026, 2)) == Decimal("2.00")


def test_import_never_moves_the_known_through_date_back(tmp_path: Path) -> None:
    path = write(tmp_path, "# known_through: 2025-01-01\n" + ECB_HEADER + "2024-12-18,3.15,hnb.hr\n")
    status, out, _ = run("import", path)
    assert status == 0
    assert RateTableStatus.objects.get(table="ecb").known_through == dt.date(2026, 4, 1)


def test_import_is_all_or_nothing_with_a_french_error_per_line(tmp_path: Path) -> None:
    before = snapshot()
    path = write(
        tmp_path,
        LEGAL_HEADER
        + "2026-07-01,6.50,2.50,Arrêté de test\n"
        + "2026-07-15,6.50,2.50,Arrêté\n"
        + "2027-01-01,abc,2.50,Arrêté\n"
        + "2027-07-01,6.50,2.50,\n",
    )
    status, out, err = run("import", path)
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "Erreur : aucun taux n’a été modifié.",
        "  Ligne 3 : Un semestre commence le 1er janvier ou le 1er juillet, pas le 15/07/2026.",
        "  Ligne 4 : le taux « particuliers » « abc » n’est pas un nombre.",
        "  Ligne 5 : indiquez la source du taux (arrêté, adresse).",
    ]
    assert snapshot() == before


def test_import_refuses_an_unknown_header(tmp_path: Path) -> None:
    status, _, err = run("import", write(tmp_path, "date,taux\n2026-07-01,2\n"))
    assert status == 1
    assert "En-tête non reconnu" in err


def test_import_refuses_duplicates_and_implausible_rates(tmp_path: Path) -> None:
    path = write(tmp_path, ECB_HEADER + "2026-06-17,2.00,a\n2026-06-17,2.10,b\n2026-06-18,215,c\n")
    status, _, err = run("import", path)
    assert status == 1
    assert "Ligne 3 : le 17/06/2026 figure déjà ligne 2." in err
    assert "Ligne 4 : le taux 215 % n’est pas vraisemblable (entre -10 et 50 %)." in err


def test_import_dry_run_changes_nothing(tmp_path: Path) -> None:
    before = snapshot()
    status, out, _ = run("import", write(tmp_path, LEGAL_HEADER + "2026-07-01,6.50,2.50,Arrêté\n"), "--dry-run")
    assert status == 0
    assert out.startswith("Simulation, rien n’est enregistré — Taux de l’intérêt légal : 1 ajouté(s)")
    assert snapshot() == before


def test_import_of_a_missing_file_fails_in_french() -> None:
    assert run("import", "/nonexistent/taux.csv") == (1, "", "Erreur : fichier introuvable : /nonexistent/taux.csv\n")


def test_known_through_option_is_for_the_ecb_table_only(tmp_path: Path) -> None:
    path = write(tmp_path, LEGAL_HEADER + "2026-07-01,6.50,2.50,Arrêté\n")
    status, _, err = run("import", path, "--known-through", "2026-12-31")
    assert status == 1
    assert "ne vaut que pour le taux BCE" in err


def test_a_bad_known_through_date_is_an_argument_error_in_french(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="« 31/12/2026 » n’est pas une date AAAA-MM-JJ") as caught:
        call_command("rates", "import", "x.csv", "--known-through", "31/12/2026")
    assert caught.value.returncode == 1


def test_shipped_files_import_as_unchanged() -> None:
    from law.ratefiles import SHIPPED_ECB, SHIPPED_LEGAL

    for path, count in ((SHIPPED_ECB, 20), (SHIPPED_LEGAL, 23)):
        report = services.import_rates(content=path.read_bytes())
        assert (report.created, report.updated, report.unchanged) == ([], [], count)


# fetch: a local HTTP server replays recorded ECB answers


class Replay(http.server.BaseHTTPRequestHandler):
    answers: dict[str, tuple[int, bytes]] = {}
    requested: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        Replay.requested.append(self.path)
        status, body = self.answers.get(self.path.split("?")[0], (404, b"Not Found"))
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ecb_server() -> Iterator[str]:
    Replay.answers = {
        "/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV": (200, (DATA / "ecb_mrr_answer.csv").read_bytes()),
        "/malformed": (200, (DATA / "ecb_mrr_malformed.csv").read_bytes()),
        "/html": (200, b"<html><body>Service unavailable</body></html>"),
        "/empty": (200, (DATA / "ecb_mrr_answer.csv").read_bytes().splitlines()[0] + b"\r\n"),
        "/error": (500, b"Internal Server Error"),
    }
    Replay.requested = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


SERIES_PATH = "/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata"


def test_fetch_merges_the_series_and_extends_the_known_through_date(ecb_server: str, frozen_today: dt.date) -> None:
    status, out, err = run("fetch", "--url", ecb_server + SERIES_PATH)
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == (
        "Taux BCE (opérations principales de refinancement) : 0 ajouté(s), 0 modifié(s), 0 retiré(s), "
        "1 inchangé(s) ; connu jusqu’au 03/07/2026 (avant : jusqu’au 01/04/2026)."
    )
    assert Replay.requested == [SERIES_PATH]
    tables = load_rate_tables()
    assert tables.ecb_known_through == dt.date(2026, 7, 3)
    assert tables.ecb_rate(HalfYear(2026, 2)) == Decimal("2.15")
    # The row the series agrees with keeps its richer, verified source.
    assert EcbRate.objects.get(effective_date=dt.date(2025, 6, 11)).source.startswith("https://deenazaidi.com")


def test_fetch_replaces_changes_the_series_contradicts(ecb_server: str, frozen_today: dt.date) -> None:
    EcbRate.objects.create(effective_date=dt.date(2025, 9, 10), rate=Decimal("2.00"), source="erreur de saisie")
    EcbRate.objects.filter(effective_date=dt.date(2025, 6, 11)).update(rate=Decimal("2.25"))
    status, out, _ = run("fetch", "--url", ecb_server + SERIES_PATH)
    assert status == 0
    assert "  ~ 11/06/2025 : 2.15 % (avant : 2.25 %)" in out.splitlines()
    assert "  - 10/09/2025 : 2.00 %" in out.splitlines()
    assert not EcbRate.objects.filter(effective_date=dt.date(2025, 9, 10)).exists()
    assert EcbRate.objects.get(effective_date=dt.date(2025, 6, 11)).source.startswith("Portail de données de la BCE")


def test_fetch_uses_the_ecb_api_url_setting(ecb_server: str, settings: Any, frozen_today: dt.date) -> None:
    settings.ECB_API_URL = ecb_server + SERIES_PATH
    assert run("fetch")[0] == 0
    assert Replay.requested == [SERIES_PATH]


def test_default_url_is_the_ecb_data_portal_over_https() -> None:
    assert services.DEFAULT_ECB_URL == (
        "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV?format=csvdata"
    )


def test_fetch_known_through_option_covers_a_series_of_change_dates_only(
    ecb_server: str, frozen_today: dt.date
) -> None:
    status, _, _ = run("fetch", "--url", ecb_server + SERIES_PATH, "--known-through", "2026-11-27")
    assert status == 0
    assert RateTableStatus.objects.get(table="ecb").known_through == dt.date(2026, 11, 27)


def test_fetch_known_through_cannot_be_in_the_future(ecb_server: str, frozen_today: dt.date) -> None:
    before = snapshot()
    status, _, err = run("fetch", "--url", ecb_server + SERIES_PATH, "--known-through", "2026-12-31")
    assert status == 1
    assert "date future" in err
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/malformed", "Ligne 3 de la réponse : le taux « NaN » n’est pas un nombre."),
        ("/malformed", "Ligne 4 de la réponse : date « 2026-07-1 » invalide."),
        ("/html", "La réponse de la BCE n’est pas un CSV de série (colonnes TIME_PERIOD et OBS_VALUE absentes)."),
        ("/empty", "La réponse de la BCE ne contient aucune observation."),
        ("/error", "Le portail de la BCE a répondu 500"),
    ],
)
def test_a_malformed_answer_fails_in_french_and_leaves_the_table_unchanged(
    ecb_server: str, frozen_today: dt.date, path: str, message: str
) -> None:
    before = snapshot()
    status, out, err = run("fetch", "--url", ecb_server + path)
    assert (status, out) == (1, "")
    assert err.startswith("Erreur : aucun taux n’a été modifié.")
    assert message in err
    assert snapshot() == before


def test_an_unreachable_server_fails_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        services.fetch_ecb_rates(url="http://127.0.0.1:9/", timeout=2)
    assert caught.value.message_dict["url"][0].startswith("Impossible de joindre le portail de la BCE")


def test_only_http_addresses_are_fetched() -> None:
    with pytest.raises(ValidationError, match="http:// ou https:// seulement"):
        services.fetch_ecb_rates(url="file:///etc/passwd")


def test_a_known_through_date_before_the_last_change_is_refused(tmp_path: Path) -> None:
    note_first = write(tmp_path, "# known_through: 2026-06-01\n" + ECB_HEADER + "2026-06-17,2.00,Communiqué\n")
    status, _, err = run("import", note_first)
    assert status == 1
    assert "Ligne 3 : ce changement du 17/06/2026 est postérieur à la mention known_through (01/06/2026)." in err
    option = write(tmp_path, ECB_HEADER + "2026-06-17,2.00,Communiqué\n", "bce.csv")
    status, _, err = run("import", option, "--known-through", "2026-06-01")
    assert status == 1
    assert "Cette date précède le dernier changement de taux du fichier." in err
