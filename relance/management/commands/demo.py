from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Business
from relance import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (une entreprise, ~40 clients, ~300 factures sur 24 mois)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--reset", action="store_true", help="Supprime d’abord l’entreprise et l’utilisateur de démonstration."
        )
        group.add_argument(
            "--if-empty", action="store_true", help="Ne charge la démo que si la base ne contient aucune entreprise."
        )

    def handle(self, *args: Any, reset: bool, if_empty: bool, **options: Any) -> None:
        if if_empty and Business.objects.exists():
            self.stdout.write("La base contient déjà des données : démonstration non chargée.")
            return
        if reset:
            demo.remove_demo()
        elif demo.demo_exists():
            raise CommandError(
                f"La démonstration est déjà chargée ({demo.DEMO_EMAIL}). "
                "Relancez avec --reset pour la supprimer et la recharger."
            )
        summary = demo.load_demo(today=timezone.localdate())
        self.stdout.write(
            f"Démonstration chargée : {summary.business}, {summary.clients} clients, {summary.invoices} factures, "
            f"{summary.payments} règlements, {summary.credit_notes} avoirs, {summary.reminders} relances."
        )
        self.stdout.write(f"Connexion : {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}")
