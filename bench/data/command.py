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


class Command(BaseCommand):
    help = (
        "Écrit des données synthétiques pour les benchmarks : entreprises, clients, factures (20 % impayées, "
        "réparties sur les tranches de retard), règlements, avoirs et relances figées."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--businesses", type=_count(1), default=1, help="Nombre d’entreprises (défaut : 1).")
        parser.add_argument(
            "--invoices-per-business", type=_count(1), default=1000, help="Factures par entreprise (défaut : 1000)."
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
        summary = generator.generate(
            businesses=options["businesses"],
            invoices_per_business=options["invoices_per_business"],
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
            reminders_per_business=options["reminders_per_business"],
            progress=self.stdout.write if options["verbosity"] > 1 else None,
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
