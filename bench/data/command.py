"""The options of `python -m bench.data`, checked and explained in French like the `relance` commands."""

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bench.data import generator
from dunning.models import Reminder


def _count(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise argparse.ArgumentTypeError(f"attendu : un nombre entier d’au moins {minimum}, pas « {value} »")
        return number

    return parse


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"attendu : une date AAAA-MM-JJ, pas « {value} »") from None


TENANTS = 4000
MEDIAN_INVOICES = 200
LARGEST_INVOICES = 50_000
LARGEST_BUSINESSES = 3


class Command(BaseCommand):
    help = (
        "Écrit des données synthétiques pour les benchmarks : entreprises, clients, factures (20 % impayées, "
        "réparties sur les tranches de retard), règlements, avoirs et relances figées. Sans --businesses ni "
        f"--invoices-per-business : {TENANTS} entreprises de tailles très inégales (médiane {MEDIAN_INVOICES} "
        f"factures, les {LARGEST_BUSINESSES} plus grandes {LARGEST_INVOICES}), environ deux millions de factures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--businesses", type=_count(1), default=None, help="Nombre d’entreprises (défaut : 1).")
        parser.add_argument(
            "--invoices-per-business", type=_count(1), default=None, help="Factures par entreprise (défaut : 1000)."
        )
        parser.add_argument(
            "--tenants",
            type=_count(1),
            default=None,
            help=f"Nombre d’entreprises de tailles très inégales, sans relances (défaut : {TENANTS}).",
        )
        parser.add_argument(
            "--median-invoices",
            type=_count(1),
            default=MEDIAN_INVOICES,
            help=f"Avec --tenants : factures de l’entreprise médiane (défaut : {MEDIAN_INVOICES}).",
        )
        parser.add_argument(
            "--largest-invoices",
            type=_count(1),
            default=LARGEST_INVOICES,
            help=f"Avec --tenants : factures des plus grandes entreprises (défaut : {LARGEST_INVOICES}).",
        )
        parser.add_argument(
            "--largest-businesses",
            type=_count(0),
            default=LARGEST_BUSINESSES,
            help=f"Avec --tenants : nombre des plus grandes entreprises (défaut : {LARGEST_BUSINESSES}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Graine du tirage : même graine, mêmes données.")
        parser.add_argument(
            "--reminders-per-business",
            type=_count(0),
            default=None,
            help="Relances figées par entreprise (défaut : une pour deux factures en retard).",
        )
        parser.add_argument(
            "--pdfs", action="store_true", help="Produit aussi le PDF de chaque relance (environ 10 ms chacun)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime d’abord les données de benchmark existantes (et elles seules).",
        )
        parser.add_argument("--today", type=_day, default=None, help="Date du jour des données (AAAA-MM-JJ).")

    def handle(self, *args: Any, **options: Any) -> None:
        if generator.bench_data_exists():
            if not options["reset"]:
                raise CommandError(
                    f"La base contient déjà des données de benchmark (comptes @{generator.BENCH_DOMAIN}). "
                    "Relancez avec --reset pour les remplacer."
                )
            removed = generator.remove_bench_data()
            self.stdout.write(f"{removed} entreprise(s) de benchmark supprimée(s).")
        started = time.perf_counter()
        today = options["today"] or timezone.localdate()
        progress = self.stdout.write if options["verbosity"] > 1 else None
        uniform = options["businesses"] is not None or options["invoices_per_business"] is not None
        if uniform and options["tenants"] is None:
            summary = generator.generate(
                businesses=options["businesses"] or 1,
                invoices_per_business=options["invoices_per_business"] or 1000,
                seed=options["seed"],
                today=today,
                reminders_per_business=options["reminders_per_business"],
                progress=progress,
            )
        else:
            summary = generator.generate_tenants(
                businesses=options["tenants"] or TENANTS,
                median=options["median_invoices"],
                largest=options["largest_invoices"],
                largest_count=options["largest_businesses"],
                seed=options["seed"],
                today=today,
                progress=self.stdout.write if options["verbosity"] > 0 else None,
            )
        pdfs = 0
        if options["pdfs"]:
            reminders = Reminder.objects.filter(business__in=summary.businesses)
            pdfs = generator.store_reminder_pdfs(reminders)
        self.stdout.write(
            f"{len(summary.businesses)} entreprise(s), {summary.clients} clients, {summary.invoices} factures "
            f"dont {summary.unpaid} impayées, {summary.payments} règlements, {summary.credit_notes} avoirs, "
            f"{summary.reminders} relances{f' ({pdfs} PDF)' if options['pdfs'] else ''} "
            f"en {time.perf_counter() - started:.1f} s."
        )
        self.stdout.write(f"Connexion : {summary.users[0].email} / {generator.BENCH_PASSWORD}")
