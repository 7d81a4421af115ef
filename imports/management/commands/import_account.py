from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from accounts.models import Business, User
from core.commands import FrenchCommand
from core.errors import Conflict
from imports.account import restore_account


class Command(FrenchCommand):
    help = (
        "Restaure un export complet de compte (ZIP : account.json et les PDF des factures) dans une entreprise "
        "vide : clients, factures et leurs PDF, règlements, avoirs, annulations, contestations et pauses. "
        "Tout ou rien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="le fichier ZIP de l’export")
        parser.add_argument(
            "--business", required=True, help="l’entreprise de destination : son identifiant ou l’e-mail d’un compte"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        business, actor = self._destination(options["business"])
        path = Path(options["archive"])
        if not path.is_file():
            self.fail(f"Fichier introuvable : {path}.")
        try:
            with path.open("rb") as archive:
                report = restore_account(business=business, actor=actor, archive=archive)
        except ValidationError as error:
            self.fail("Rien n’a été importé. " + " ".join(error.messages))
        except Conflict as error:
            self.fail(f"Rien n’a été importé. {error}")
        self.stdout.write(
            f"Compte restauré dans « {business.legal_name} » (n° {business.pk}) — clients : {report.clients}, "
            f"factures : {report.invoices} (dont {report.pdfs} avec PDF), règlements : {report.payments}, "
            f"avoirs : {report.credit_notes}."
        )

    def _destination(self, value: str) -> tuple[Business, User | None]:
        if value.isdigit():
            business = Business.objects.filter(pk=int(value)).first()
            if business is None:
                self.fail(f"Aucune entreprise n° {value}.")
            return business, None
        user = User.objects.filter(email__iexact=value.strip(), is_active=True).select_related("business").first()
        if user is None or user.business is None:
            self.fail(f"Aucun compte actif avec l’adresse e-mail {value.strip()}, rattaché à une entreprise.")
        return user.business, user
