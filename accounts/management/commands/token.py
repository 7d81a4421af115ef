from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from accounts import services
from accounts.management.commands._french import FrenchCommand, fail, frenchify
from accounts.models import User


class Command(FrenchCommand):
    help = "Gère les jetons d’API. « create » n’affiche que le jeton, pour qu’un script puisse le lire."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = actions.add_parser("create", help="crée un jeton et l’affiche (une seule fois)")
        frenchify(create, self)
        create.add_argument("--email", help="adresse e-mail du compte")
        create.add_argument(
            "--name", default="Ligne de commande", help="nom du jeton (par défaut « Ligne de commande »)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = services.normalize_email(options.get("email") or "")
        if not email:
            fail(self, "Option obligatoire manquante : --email.")
        user = User.objects.filter(email__iexact=email, is_active=True).select_related("business").first()
        if user is None:
            fail(self, f"Aucun compte actif avec l’adresse e-mail {email}.")
        try:
            _token, key = services.create_token(user=user, name=options["name"])
        except ValidationError as error:
            fail(self, "Jeton non créé : " + " ".join(m for msgs in error.message_dict.values() for m in msgs))
        self.stdout.write(key)
