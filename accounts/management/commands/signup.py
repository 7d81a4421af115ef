from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from accounts import services
from accounts.management.commands._french import FrenchCommand, fail

LABELS = {"email": "E-mail", "password": "Mot de passe", "business_name": "Entreprise"}


class Command(FrenchCommand):
    help = "Crée un compte (entreprise et utilisateur), comme la page d’inscription."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="adresse e-mail de connexion")
        parser.add_argument("--password", help="mot de passe")
        parser.add_argument("--business", help="nom de l’entreprise")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [f"--{name}" for name in ("email", "password", "business") if options.get(name) is None]
        if missing:
            fail(self, "Option(s) obligatoire(s) manquante(s) : " + ", ".join(missing) + ".")
        try:
            user = services.signup(
                email=options["email"], password=options["password"], business_name=options["business"]
            )
        except ValidationError as error:
            lines = [
                f"{LABELS.get(field, field)} : {message}"
                for field, msgs in error.message_dict.items()
                for message in msgs
            ]
            fail(self, "\n".join(["Compte non créé :", *lines]))
        assert user.business is not None
        self.stdout.write(f"Compte créé : {user.email} pour l’entreprise « {user.business.legal_name} ».")
