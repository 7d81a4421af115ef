import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.commands import FrenchCommand
from core.formats import percent
from law.rates import ECB_TABLE, TABLE_NAMES, HalfYear, RateTables
from rates.services import DEFAULT_ECB_URL, RatesReport, fetch_ecb_rates, import_rates
from rates.tables import load_rate_tables


def iso_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {value} » n’est pas une date AAAA-MM-JJ") from None


class Command(FrenchCommand):
    help = "Les tables de taux (BCE et intérêt légal) : les afficher, importer un CSV, lire la série de la BCE."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="{show,import,fetch}")
        commands.add_parser(
            "show",
            help="Affiche les tables et ce qu’elles couvrent.",
            description="Affiche, par semestre, le taux BCE, le taux par défaut (BCE + 10), le taux légal "
            "et le plancher d’un taux contractuel, puis les semestres manquants.",
        )
        importer = commands.add_parser(
            "import",
            help="Importe un fichier CSV de taux (tout ou rien).",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            description=(
                "Importe un fichier CSV ; la table est reconnue à son en-tête. Tout ou rien : à la\n"
                "moindre erreur, rien n’est enregistré et chaque ligne fautive est signalée.\n\n"
                "Taux BCE (un changement par ligne) :\n"
                "    # known_through: 2026-06-30\n"
                "    effective_date,rate_percent,source\n"
                '    2025-06-11,2.15,"Communiqué de la BCE du 5 juin 2025"\n'
                "La ligne de commentaire « # known_through: AAAA-MM-JJ » (facultative) dit jusqu’à quel\n"
                "jour le fichier est complet (vérifié) ; sans elle, jusqu’à son dernier changement.\n"
                "L’option --known-through la remplace.\n\n"
                "Taux de l’intérêt légal (un semestre par ligne, 1er janvier ou 1er juillet) :\n"
                "    semester_start,particuliers_percent,autres_percent,source\n"
                '    2026-07-01,6.50,2.50,"Arrêté du … (JORF du …)"\n'
                "Une ligne sans taux (semestre encore inconnu) est ignorée.\n\n"
                "Séparateur , ou ; — décimale . ou , — dates AAAA-MM-JJ ou JJ/MM/AAAA — UTF-8 ou\n"
                "Windows-1252. Une table n’est jamais raccourcie : sa date « connue jusqu’au »\n"
                "ne recule pas."
            ),
        )
        importer.add_argument("file", metavar="FICHIER.csv", help="Le fichier à importer.")
        importer.add_argument(
            "--known-through", type=iso_day, metavar="AAAA-MM-JJ", help="Taux BCE : complet jusqu’à ce jour."
        )
        importer.add_argument("--dry-run", action="store_true", help="Montre ce qui changerait, sans enregistrer.")
        fetcher = commands.add_parser(
            "fetch",
            help="Lit la série du taux de refinancement sur le portail de données de la BCE.",
            description=(
                "Télécharge la série FM.D.U2.EUR.4F.KR.MRR_FR.LEV (format CSV) du portail de données "
                "de la BCE, en déduit les changements de taux et met la table à jour, connue jusqu’à la "
                "dernière observation. Une réponse illisible laisse la table inchangée. Adresse : --url, "
                f"sinon le réglage ou la variable d’environnement ECB_API_URL, sinon {DEFAULT_ECB_URL}"
            ),
        )
        fetcher.add_argument("--url", help="Adresse complète de la série au format CSV (http ou https).")
        fetcher.add_argument(
            "--known-through",
            type=iso_day,
            metavar="AAAA-MM-JJ",
            help="La série est complète jusqu’à ce jour (au plus aujourd’hui), utile quand elle ne liste "
            "que les jours de changement.",
        )
        fetcher.add_argument("--timeout", type=float, default=30, help="Délai d’attente en secondes (30).")
        fetcher.add_argument("--dry-run", action="store_true", help="Montre ce qui changerait, sans enregistrer.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "show":
            self.show(load_rate_tables(), HalfYear.of(timezone.localdate()))
            return
        try:
            if action == "import":
                path = Path(options["file"])
                try:
                    content = path.read_bytes()
                except FileNotFoundError:
                    self.fail(f"fichier introuvable : {path}")
                except OSError as error:
                    self.fail(f"impossible de lire {path} ({type(error).__name__}).")
                report = import_rates(
                    content=content,
                    known_through=options["known_through"],
                    dry_run=options["dry_run"],
                    origin=f"import de {path.name}",
                )
            else:
                report = fetch_ecb_rates(
                    url=options["url"],
                    known_through=options["known_through"],
                    dry_run=options["dry_run"],
                    timeout=options["timeout"],
                )
        except ValidationError as error:
            lines = [message for messages in error.message_dict.values() for message in messages]
            self.fail("aucun taux n’a été modifié.\n" + "\n".join(f"  {line}" for line in lines))
        self.report(report)

    def report(self, report: RatesReport) -> None:
        self.stdout.write(report.summary)
        for line in report.lines:
            self.stdout.write(f"  {line}")

    def show(self, tables: RateTables, current: HalfYear) -> None:
        write = self.stdout.write
        if tables.ecb_changes:
            write(
                f"Taux BCE (opérations principales de refinancement) : {len(tables.ecb_changes)} changements "
                f"du {tables.ecb_changes[0].effective_date:%d/%m/%Y} au {tables.ecb_changes[-1].effective_date:%d/%m/%Y}, "
                f"table vérifiée jusqu’au {_day(tables.ecb_known_through)}."
            )
        else:
            write("Taux BCE : table vide.")
        if tables.legal_rates:
            write(
                f"Taux de l’intérêt légal : {len(tables.legal_rates)} semestres, du "
                f"{tables.legal_rates[0].half_year.label} au "
                f"{tables.legal_known_through.label if tables.legal_known_through else '—'}."
            )
        else:
            write("Taux de l’intérêt légal : table vide.")
        write("")
        header = (
            "Semestre",
            "BCE au 1er jour",
            "Défaut (BCE + 10)",
            "Légal autres cas",
            "Plancher (3 ×)",
            "Légal particuliers",
        )
        widths = [9, 16, 18, 17, 15, 18]
        write("  ".join(title.ljust(width) for title, width in zip(header, widths, strict=True)).rstrip())
        for row in reversed(tables.rows(through=current)):
            cells = [
                row.half_year.short_label,
                *(
                    percent(value) if value is not None else "inconnu"
                    for value in (
                        row.ecb,
                        row.default_rate,
                        row.legal_autres,
                        row.contract_floor,
                        row.legal_particuliers,
                    )
                ),
            ]
            write("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
        missing = tables.missing(through=current)
        write("")
        if not missing:
            write(f"Aucun taux ne manque jusqu’au {current.label} inclus.")
            return
        for half_year, missing_tables in missing:
            names = " et ".join(TABLE_NAMES[table] for table in missing_tables)
            write(f"Manquant : {half_year.label} — {names}.")
        write(
            "Pour compléter : « relance rates fetch » (taux BCE), « relance rates import FICHIER.csv », "
            "ou l’administration (/admin/law/)."
        )
        if any(ECB_TABLE in missing_tables for _, missing_tables in missing):
            write("Le taux BCE d’un semestre est connu dès que la table est vérifiée jusqu’à son premier jour.")


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"
