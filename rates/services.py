"""Keeping the rate tables current: import a CSV, fetch the ECB series, note admin edits.

Shared by `relance rates`, the rates pages and the admin. Each update is all or nothing and
raises `ValidationError` ({"file": [...]} or {"url": "..."}) with French messages.
"""

import datetime as dt
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formats import long_date, percent
from law.ratefiles import ECB_SERIES, RateFile, RateFileError, parse_ecb_series, parse_rate_file
from law.rates import ECB_TABLE, LEGAL_TABLE, TABLE_NAMES, HalfYear
from rates.models import EcbRate, LegalRate, RateTableStatus

DEFAULT_ECB_URL = f"https://data-api.ecb.europa.eu/service/data/FM/{ECB_SERIES.removeprefix('FM.')}?format=csvdata"
MAX_ANSWER_BYTES = 20 * 1024 * 1024


@dataclass
class RatesReport:
    """What an import or fetch changed (or would change, in a dry run)."""

    table: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    known_through_before: dt.date | None = None
    known_through_after: dt.date | None = None
    dry_run: bool = False

    def known_through_label(self, day: dt.date | None) -> str:
        if day is None:
            return "pour aucune date"
        if self.table == LEGAL_TABLE:
            return f"jusqu’au {HalfYear.of(day).label}"
        return f"jusqu’au {day:%d/%m/%Y}"

    @property
    def summary(self) -> str:
        name = TABLE_NAMES[self.table]
        counts = (
            f"{len(self.created)} ajouté(s), {len(self.updated)} modifié(s), "
            f"{len(self.removed)} retiré(s), {self.unchanged} inchangé(s)"
        )
        through = f"connu {self.known_through_label(self.known_through_after)}"
        if self.known_through_after != self.known_through_before:
            through += f" (avant : {self.known_through_label(self.known_through_before)})"
        prefix = "Simulation, rien n’est enregistré — " if self.dry_run else ""
        return f"{prefix}{name[0].upper()}{name[1:]} : {counts} ; {through}."

    @property
    def lines(self) -> list[str]:
        return [
            *(f"+ {item}" for item in self.created),
            *(f"~ {item}" for item in self.updated),
            *(f"- {item}" for item in self.removed),
            *self.skipped,
        ]


def _status(table: str) -> RateTableStatus:
    status, _ = RateTableStatus.objects.select_for_update().get_or_create(table=table)
    return status


def _bump(status: RateTableStatus, known_through: dt.date | None, note: str) -> None:
    RateTableStatus.objects.filter(pk=status.pk).update(
        known_through=known_through, version=F("version") + 1, updated_at=timezone.now(), note=note[:2000]
    )


def import_rates(
    *, content: bytes | str, known_through: dt.date | None = None, dry_run: bool = False, origin: str = ""
) -> RatesReport:
    """Import one rate file (table recognised by its header). `known_through` overrides
    the ECB file's own note; the known-through date never moves back."""
    try:
        rate_file = parse_rate_file(content)
    except RateFileError as error:
        raise ValidationError({"file": error.errors}) from None
    if known_through is not None and rate_file.table != ECB_TABLE:
        raise ValidationError(
            {"known_through": "Cette date ne vaut que pour le taux BCE : le taux légal est connu par semestre."}
        )
    if known_through is not None and known_through < rate_file.ecb_changes[-1].effective_date:
        raise ValidationError({"known_through": "Cette date précède le dernier changement de taux du fichier."})
    if rate_file.table == ECB_TABLE:
        return _apply_ecb(rate_file, known_through=known_through, dry_run=dry_run, origin=origin or "import")
    return _apply_legal(rate_file, dry_run=dry_run, origin=origin or "import")


def _apply_ecb(rate_file: RateFile, *, known_through: dt.date | None, dry_run: bool, origin: str) -> RatesReport:
    file_through = known_through or rate_file.known_through
    assert isinstance(file_through, dt.date)
    with transaction.atomic():
        status = _status(ECB_TABLE)
        report = RatesReport(table=ECB_TABLE, known_through_before=status.known_through, dry_run=dry_run)
        existing = {
            row.effective_date: row
            for row in EcbRate.objects.filter(
                effective_date__in=[change.effective_date for change in rate_file.ecb_changes]
            )
        }
        for change in rate_file.ecb_changes:
            row = existing.get(change.effective_date)
            label = f"{change.effective_date:%d/%m/%Y} : {change.rate} %"
            if row is None:
                report.created.append(label)
                if not dry_run:
                    EcbRate.objects.create(effective_date=change.effective_date, rate=change.rate, source=change.source)
            elif row.rate != change.rate or row.source != change.source:
                report.updated.append(f"{label} (avant : {row.rate} %)" if row.rate != change.rate else label)
                if not dry_run:
                    row.rate, row.source = change.rate, change.source
                    row.save(update_fields=["rate", "source"])
            else:
                report.unchanged += 1
        report.known_through_after = max(filter(None, [status.known_through, file_through]))
        if not dry_run:
            _bump(status, report.known_through_after, f"{origin} le {timezone.localdate():%d/%m/%Y} : {report.summary}")
    return report


def _apply_legal(rate_file: RateFile, *, dry_run: bool, origin: str) -> RatesReport:
    assert isinstance(rate_file.known_through, HalfYear)
    with transaction.atomic():
        status = _status(LEGAL_TABLE)
        report = RatesReport(
            table=LEGAL_TABLE, known_through_before=status.known_through, skipped=rate_file.skipped, dry_run=dry_run
        )
        existing = {
            row.semester_start: row
            for row in LegalRate.objects.filter(
                semester_start__in=[rate.half_year.start for rate in rate_file.legal_rates]
            )
        }
        for rate in rate_file.legal_rates:
            row = existing.get(rate.half_year.start)
            label = f"{rate.half_year.label} : particuliers {rate.particuliers} %, autres cas {rate.autres} %"
            values = {"particuliers": rate.particuliers, "autres": rate.autres, "source": rate.source}
            if row is None:
                report.created.append(label)
                if not dry_run:
                    LegalRate.objects.create(semester_start=rate.half_year.start, **values)
            elif (row.particuliers, row.autres, row.source) != (rate.particuliers, rate.autres, rate.source):
                report.updated.append(label)
                if not dry_run:
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.save(update_fields=list(values))
            else:
                report.unchanged += 1
        report.known_through_after = max(filter(None, [status.known_through, rate_file.known_through.start]))
        if not dry_run:
            _bump(status, report.known_through_after, f"{origin} le {timezone.localdate():%d/%m/%Y} : {report.summary}")
    return report


def ecb_url(url: str | None = None) -> str:
    """--url, else the ECB_API_URL setting (from the environment), else the ECB data portal."""
    return url or settings.ECB_API_URL or DEFAULT_ECB_URL


def download(url: str, *, timeout: float = 30) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ValidationError({"url": f"Adresse refusée (http:// ou https:// seulement) : {url}"})
    request = urllib.request.Request(url, headers={"Accept": "text/csv", "User-Agent": "Relance (taux BCE)"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (scheme checked above)
            content: bytes = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ValidationError(
            {"url": f"Le portail de la BCE a répondu {error.code} ({error.reason}) pour {url}."}
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ValidationError({"url": f"Impossible de joindre le portail de la BCE ({url}) : {reason}."}) from None
    if len(content) > MAX_ANSWER_BYTES:
        raise ValidationError({"url": "La réponse de la BCE est trop volumineuse (plus de 20 Mo)."})
    return content


def fetch_ecb_rates(
    *, url: str | None = None, known_through: dt.date | None = None, dry_run: bool = False, timeout: float = 30
) -> RatesReport:
    """Download the ECB main refinancing rate series and merge it into the table.

    Over the span the series covers it is authoritative: changes it lacks are removed, rows it
    agrees with keep their (richer) source. Known-through moves to its last observation, or to
    `known_through` (at most today) when the series lists only the days the rate changed.
    """
    if known_through is not None and known_through > timezone.localdate():
        raise ValidationError({"known_through": "Une table ne peut pas être vérifiée jusqu’à une date future."})
    url = ecb_url(url)
    content = download(url, timeout=timeout)
    source = f"Portail de données de la BCE, série {ECB_SERIES} ({url}), lu le {timezone.localdate():%d/%m/%Y}"
    try:
        series = parse_ecb_series(content, source=source)
    except RateFileError as error:
        raise ValidationError({"file": error.errors}) from None
    first, last = series.changes[0].effective_date, series.last_observation
    with transaction.atomic():
        status = _status(ECB_TABLE)
        report = RatesReport(table=ECB_TABLE, known_through_before=status.known_through, dry_run=dry_run)
        before = EcbRate.objects.filter(effective_date__lt=first).order_by("-effective_date").first()
        wanted = {change.effective_date: change.rate for change in series.changes}
        if before is not None and before.rate == series.changes[0].rate:
            # The series starts inside a period the table already has: not a change.
            del wanted[first]
        existing = {row.effective_date: row for row in EcbRate.objects.filter(effective_date__range=(first, last))}
        for day, rate in sorted(wanted.items()):
            row = existing.get(day)
            if row is None:
                report.created.append(f"{day:%d/%m/%Y} : {rate} %")
                if not dry_run:
                    EcbRate.objects.create(effective_date=day, rate=rate, source=source)
            elif row.rate != rate:
                report.updated.append(f"{day:%d/%m/%Y} : {rate} % (avant : {row.rate} %)")
                if not dry_run:
                    row.rate, row.source = rate, source
                    row.save(update_fields=["rate", "source"])
            else:
                report.unchanged += 1
        for day, row in sorted(existing.items()):
            if day not in wanted:
                report.removed.append(f"{day:%d/%m/%Y} : {row.rate} %")
                if not dry_run:
                    row.delete()
        report.known_through_after = max(filter(None, [status.known_through, last, known_through]))
        if not dry_run:
            _bump(status, report.known_through_after, f"fetch le {timezone.localdate():%d/%m/%Y} : {report.summary}")
    return report


def fetch_when_due(*, today: dt.date) -> RatesReport | None:
    """Fetch the ECB series when the current half-year's rate is not known yet: from 1 January
    and 1 July, once a day (whichever scheduler claims the day first) until it is found.

    The rate of a half-year is the one in force on its first day (art. L441-10 du Code de
    commerce), so the table is complete for it once known through that day. Returns the fetch's
    report, or None when nothing was due. A failure is kept for the /taux/ page, never raised.
    """
    start = HalfYear.of(today).start
    status, _created = RateTableStatus.objects.get_or_create(table=ECB_TABLE)
    if status.known_through is not None and status.known_through >= start:
        return None
    claimed = RateTableStatus.objects.filter(pk=status.pk).exclude(fetch_tried_on=today).update(fetch_tried_on=today)
    if not claimed:
        return None
    try:
        report = fetch_ecb_rates()
    except ValidationError as error:
        message = " ".join(text for texts in error.message_dict.values() for text in texts)
        RateTableStatus.objects.filter(pk=status.pk).update(fetch_error=message[:2000])
        return None
    after = report.known_through_after
    missing = (
        ""
        if after is not None and after >= start
        else f"Lu le {today:%d/%m/%Y}, mais le taux en vigueur au {start:%d/%m/%Y} n’y est pas encore."
    )
    RateTableStatus.objects.filter(pk=status.pk).update(fetch_succeeded_at=timezone.now(), fetch_error=missing)
    return report


def rates_edited(*, table: str, day: dt.date | None = None, origin: str = "administration") -> None:
    """After an admin edit: the cache must reload, and a rate added on `day` means the table
    is known at least through that day."""
    with transaction.atomic():
        status = _status(table)
        known_through = max(filter(None, [status.known_through, day])) if day else status.known_through
        _bump(status, known_through, f"{origin} le {timezone.localdate():%d/%m/%Y}")


# Staff edits from the /taux/modifier/ page: one half-year at a time, always with a source.

RATE_BOUNDS = (Decimal("-10"), Decimal("50"))


def _check_edit(rates: dict[str, Decimal], source: str) -> str:
    errors: dict[str, str] = {}
    for name, value in rates.items():
        if not RATE_BOUNDS[0] <= value <= RATE_BOUNDS[1]:
            errors[name] = _("Ce taux n’est pas vraisemblable (entre -10 et 50 %).")
        elif value != value.quantize(Decimal("0.01")):
            errors[name] = _("Un taux a au plus deux décimales.")
    source = " ".join((source or "").split())
    if not source:
        errors["source"] = _("Indiquez la source : la décision ou l’arrêté, sa date et où le lire.")
    if errors:
        raise ValidationError(errors)
    return source


def set_ecb_rate(
    *, half_year: HalfYear, rate: Decimal, source: str, changed_on: dt.date | None = None, origin: str
) -> RatesReport:
    """The ECB rate in force on the first day of `half_year`, as a staff member read it.

    With `changed_on`, the change of that day is added (or corrected). Without it, the rate
    must be the one the table already has in force on that day: the half-year is then only
    confirmed. A different rate without the date of its change is refused, never guessed.
    Either way the table is known at least through the half-year's first day.
    """
    source = _check_edit({"rate": rate}, source)
    start = half_year.start
    if changed_on is not None and changed_on > start:
        raise ValidationError(
            {
                "changed_on": _(
                    "Le taux d’un semestre est celui en vigueur le %(start)s : le changement doit dater "
                    "de ce jour-là ou d’avant."
                )
                % {"start": long_date(start)}
            }
        )
    with transaction.atomic():
        status = _status(ECB_TABLE)
        report = RatesReport(table=ECB_TABLE, known_through_before=status.known_through)
        label = f"{half_year.label} : {rate} %"
        if changed_on is None:
            in_force = EcbRate.objects.filter(effective_date__lte=start).order_by("-effective_date").first()
            if in_force is None or in_force.rate != rate:
                raise ValidationError({"changed_on": _ecb_mismatch(in_force, start, rate)})
            report.unchanged = 1
        else:
            later = EcbRate.objects.filter(effective_date__gt=changed_on, effective_date__lte=start).first()
            if later is not None:
                raise ValidationError(
                    {
                        "changed_on": _(
                            "Un changement du %(day)s est enregistré entre cette date et le %(start)s : "
                            "corrigez plutôt celui-là (indiquez sa date)."
                        )
                        % {"day": long_date(later.effective_date), "start": long_date(start)}
                    }
                )
            row, created = EcbRate.objects.get_or_create(
                effective_date=changed_on, defaults={"rate": rate, "source": source}
            )
            if created:
                report.created.append(f"{changed_on:%d/%m/%Y} : {rate} %")
            elif (row.rate, row.source) != (rate, source):
                report.updated.append(f"{changed_on:%d/%m/%Y} : {rate} % (avant : {row.rate} %)")
                row.rate, row.source = rate, source
                row.save(update_fields=["rate", "source"])
            else:
                report.unchanged = 1
        report.known_through_after = max(filter(None, [status.known_through, start]))
        _bump(status, report.known_through_after, f"{origin} le {timezone.localdate():%d/%m/%Y} : {label} ({source})")
    return report


def _ecb_mismatch(in_force: EcbRate | None, start: dt.date, rate: Decimal) -> str:
    if in_force is None:
        return _("Aucun taux BCE n’est enregistré avant le %(start)s : indiquez la date du changement de taux.") % {
            "start": long_date(start)
        }
    return _(
        "Selon la table, le taux en vigueur le %(start)s est de %(current)s (changement du %(day)s) : "
        "pour %(rate)s, indiquez la date du changement de taux."
    ) % {
        "start": long_date(start),
        "current": percent(in_force.rate),
        "day": long_date(in_force.effective_date),
        "rate": percent(rate),
    }


def set_legal_rate(
    *, half_year: HalfYear, particuliers: Decimal, autres: Decimal, source: str, origin: str
) -> RatesReport:
    """Both columns of a half-year's legal interest rate (its arrêté), added or corrected."""
    source = _check_edit({"particuliers": particuliers, "autres": autres}, source)
    with transaction.atomic():
        status = _status(LEGAL_TABLE)
        report = RatesReport(table=LEGAL_TABLE, known_through_before=status.known_through)
        label = f"{half_year.label} : particuliers {particuliers} %, autres cas {autres} %"
        values = {"particuliers": particuliers, "autres": autres, "source": source}
        row, created = LegalRate.objects.get_or_create(semester_start=half_year.start, defaults=values)
        if created:
            report.created.append(label)
        elif (row.particuliers, row.autres, row.source) != (particuliers, autres, source):
            report.updated.append(label)
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(values))
        else:
            report.unchanged = 1
        report.known_through_after = max(filter(None, [status.known_through, half_year.start]))
        _bump(status, report.known_through_after, f"{origin} le {timezone.localdate():%d/%m/%Y} : {label} ({source})")
    return report
