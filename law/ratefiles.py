"""Rate files: the CSV formats Relance ships and imports, and the ECB data portal's answer.

Pure parsing (no Django, no clock); every problem is reported in French, per line.

ECB file (`law/data/ecb_mro_rates.csv`)::

    # known_through: 2026-04-01
    effective_date,rate_percent,source
    2025-06-11,2.15,"https://…"

One row per change of the main refinancing operations rate. The optional comment line
`# known_through: AAAA-MM-JJ` says through which day the file is known complete; without it,
the file is complete through its last change.

Legal rate file (`law/data/taux_interet_legal.csv`)::

    semester_start,particuliers_percent,autres_percent,source
    2026-01-01,6.67,2.62,"Arrêté du 15 déc. 2025 …"

One row per half-year (1 January or 1 July). A row whose two rates are empty is a
half-year known to be missing: it is skipped. Both files accept `,` or `;` as separator,
a decimal comma, dates as AAAA-MM-JJ or JJ/MM/AAAA, UTF-8 or Windows-1252.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from law.rates import ECB_TABLE, LEGAL_TABLE, EcbChange, HalfYear, LawError, LegalRate, RateTables

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_ECB = DATA_DIR / "ecb_mro_rates.csv"
SHIPPED_LEGAL = DATA_DIR / "taux_interet_legal.csv"

ECB_HEADER = ["effective_date", "rate_percent", "source"]
LEGAL_HEADER = ["semester_start", "particuliers_percent", "autres_percent", "source"]
ECB_SERIES = "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"
KNOWN_THROUGH = re.compile(r"^#\s*known_through\s*[:=]\s*(\S+)\s*$", re.IGNORECASE)
MAX_ERRORS = 20
RATE_BOUNDS = (Decimal("-10"), Decimal("50"))


class RateFileError(LawError):
    """A rate file or an ECB answer that cannot be used; `errors` lists each problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            self.errors.append(f"… et {len(errors) - MAX_ERRORS} autres erreurs.")
        super().__init__("\n".join(self.errors), field="file")


@dataclass
class RateFile:
    table: str
    ecb_changes: list[EcbChange] = field(default_factory=list)
    legal_rates: list[LegalRate] = field(default_factory=list)
    # ECB: a day; legal: the last half-year of the file.
    known_through: dt.date | HalfYear | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.ecb_changes) + len(self.legal_rates)


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as French spreadsheets save."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_day(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _rate(text: str, label: str) -> Decimal:
    if not text.strip():
        raise ValueError(f"{label} est vide")
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{label} « {text} » n’est pas un nombre") from None
    if not value.is_finite():
        raise ValueError(f"{label} « {text} » n’est pas un nombre")
    if not RATE_BOUNDS[0] <= value <= RATE_BOUNDS[1]:
        raise ValueError(f"{label} {text} % n’est pas vraisemblable (entre -10 et 50 %)")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{label} « {text} » doit avoir au plus deux décimales")
    return value


def parse_rate_file(content: bytes | str) -> RateFile:
    """Recognise the table by its header and read every row; all or nothing."""
    text = decode(content) if isinstance(content, bytes) else content
    lines = text.splitlines()
    known_through_note: str | None = None
    header_index = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = KNOWN_THROUGH.match(stripped)
            if match:
                known_through_note = match.group(1)
            continue
        header_index = index
        break
    if header_index is None:
        raise RateFileError(["Le fichier est vide."])
    delimiter = ";" if lines[header_index].count(";") > lines[header_index].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines[header_index:])), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    rows = [(header_index + reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if header[: len(ECB_HEADER)] == ECB_HEADER:
        return _ecb_file(rows, known_through_note)
    if header[: len(LEGAL_HEADER)] == LEGAL_HEADER:
        if known_through_note is not None:
            raise RateFileError(
                [
                    "La mention known_through ne vaut que pour le taux BCE : le taux légal est connu "
                    "jusqu’au dernier semestre du fichier."
                ]
            )
        return _legal_file(rows)
    raise RateFileError(
        [
            "En-tête non reconnu. Attendu « "
            + ",".join(ECB_HEADER)
            + " » (taux BCE) ou « "
            + ",".join(LEGAL_HEADER)
            + " » (taux de l’intérêt légal)."
        ]
    )


def _ecb_file(rows: list[tuple[int, list[str]]], known_through_note: str | None) -> RateFile:
    errors: list[str] = []
    known_through = None
    if known_through_note is not None:
        try:
            known_through = parse_day(known_through_note)
        except ValueError:
            errors.append(f"La mention known_through « {known_through_note} » n’est pas une date (AAAA-MM-JJ).")
    changes: list[EcbChange] = []
    seen: dict[dt.date, int] = {}
    for line, row in rows:
        cells = [cell.strip() for cell in row] + [""] * (3 - len(row))
        try:
            day = parse_day(cells[0])
        except ValueError:
            errors.append(f"Ligne {line} : la date « {cells[0]} » n’est pas valide (AAAA-MM-JJ ou JJ/MM/AAAA).")
            continue
        try:
            rate = _rate(cells[1], "le taux")
        except ValueError as error:
            errors.append(f"Ligne {line} : {error}.")
            continue
        if not cells[2]:
            errors.append(f"Ligne {line} : indiquez la source du taux (texte officiel ou adresse).")
            continue
        if day in seen:
            errors.append(f"Ligne {line} : le {day:%d/%m/%Y} figure déjà ligne {seen[day]}.")
            continue
        if known_through is not None and day > known_through:
            errors.append(
                f"Ligne {line} : ce changement du {day:%d/%m/%Y} est postérieur à la mention "
                f"known_through ({known_through:%d/%m/%Y})."
            )
            continue
        seen[day] = line
        changes.append(EcbChange(day, rate, cells[2]))
    if not changes and not errors:
        errors.append("Le fichier ne contient aucun taux.")
    if errors:
        raise RateFileError(errors)
    changes.sort(key=lambda change: change.effective_date)
    return RateFile(table=ECB_TABLE, ecb_changes=changes, known_through=known_through or changes[-1].effective_date)


def _legal_file(rows: list[tuple[int, list[str]]]) -> RateFile:
    errors: list[str] = []
    rates: list[LegalRate] = []
    skipped: list[str] = []
    seen: dict[HalfYear, int] = {}
    for line, row in rows:
        cells = [cell.strip() for cell in row] + [""] * (4 - len(row))
        try:
            half_year = HalfYear.starting(parse_day(cells[0]))
        except LawError as error:
            errors.append(f"Ligne {line} : {error.message}")
            continue
        except ValueError:
            errors.append(f"Ligne {line} : la date « {cells[0]} » n’est pas valide (AAAA-MM-JJ ou JJ/MM/AAAA).")
            continue
        if half_year in seen:
            errors.append(f"Ligne {line} : le {half_year.label} figure déjà ligne {seen[half_year]}.")
            continue
        seen[half_year] = line
        if not cells[1] and not cells[2]:
            skipped.append(f"Ligne {line} : {half_year.label} sans taux, ignoré (semestre encore inconnu).")
            continue
        try:
            particuliers = _rate(cells[1], "le taux « particuliers »")
            autres = _rate(cells[2], "le taux « autres cas »")
        except ValueError as error:
            errors.append(f"Ligne {line} : {error}.")
            continue
        if not cells[3]:
            errors.append(f"Ligne {line} : indiquez la source du taux (arrêté, adresse).")
            continue
        rates.append(LegalRate(half_year, particuliers, autres, cells[3]))
    if not rates and not errors:
        errors.append("Le fichier ne contient aucun taux.")
    if errors:
        raise RateFileError(errors)
    rates.sort(key=lambda row: row.half_year)
    return RateFile(table=LEGAL_TABLE, legal_rates=rates, known_through=rates[-1].half_year, skipped=skipped)


@dataclass
class EcbSeries:
    changes: list[EcbChange]
    last_observation: dt.date


def parse_ecb_series(content: bytes | str, *, source: str) -> EcbSeries:
    """The ECB data portal's `format=csvdata` answer: one row per observation, with the
    columns TIME_PERIOD and OBS_VALUE among others. Only the days the rate changed are kept."""
    text = decode(content) if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    if not {"TIME_PERIOD", "OBS_VALUE"} <= columns:
        raise RateFileError(
            ["La réponse de la BCE n’est pas un CSV de série (colonnes TIME_PERIOD et OBS_VALUE absentes)."]
        )
    errors = []
    observations: dict[dt.date, Decimal] = {}
    for row in reader:
        line = reader.line_num
        try:
            day = dt.date.fromisoformat((row.get("TIME_PERIOD") or "").strip())
        except ValueError:
            errors.append(f"Ligne {line} de la réponse : date « {row.get('TIME_PERIOD')} » invalide.")
            continue
        try:
            observations[day] = _rate(row.get("OBS_VALUE") or "", "le taux")
        except ValueError as error:
            errors.append(f"Ligne {line} de la réponse : {error}.")
    if not observations and not errors:
        errors.append("La réponse de la BCE ne contient aucune observation.")
    if errors:
        raise RateFileError(errors)
    changes: list[EcbChange] = []
    for day in sorted(observations):
        if not changes or changes[-1].rate != observations[day]:
            changes.append(EcbChange(day, observations[day], source))
    return EcbSeries(changes=changes, last_observation=max(observations))


def shipped_rate_tables() -> RateTables:
    """The tables as shipped in law/data (what the data migration loads)."""
    ecb = parse_rate_file(SHIPPED_ECB.read_bytes())
    legal = parse_rate_file(SHIPPED_LEGAL.read_bytes())
    assert isinstance(ecb.known_through, dt.date) and isinstance(legal.known_through, HalfYear)
    return RateTables(
        ecb_changes=tuple(ecb.ecb_changes),
        ecb_known_through=ecb.known_through,
        legal_rates=tuple(legal.legal_rates),
        legal_known_through=legal.known_through,
    )
