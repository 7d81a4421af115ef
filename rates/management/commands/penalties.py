import argparse
import json
from typing import Any

from core.commands import FrenchCommand
from law.penalties import compute_penalties, parse_penalty_request
from law.rates import LawError
from rates.tables import load_rate_tables


def payment_flag(value: str) -> dict[str, str]:
    date, separator, amount = value.partition(":")
    if not separator:
        raise argparse.ArgumentTypeError(f"« {value} » : attendu AAAA-MM-JJ:MONTANT, par exemple 2025-07-10:400.00")
    return {"date": date, "amount": amount}


class Command(FrenchCommand):
    help = (
        "Calcule les pénalités de retard d’une facture (art. L441-10 et D441-5 du Code de commerce ; "
        "art. 1231-6 et 1344-1 du Code civil) et les écrit en JSON. Code de sortie 0, ou 1 avec "
        "un message d’erreur en français."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--amount", required=True, metavar="MONTANT", help="Montant TTC de la facture, par exemple 1000.00."
        )
        parser.add_argument("--due-date", required=True, metavar="AAAA-MM-JJ", help="Échéance, AAAA-MM-JJ.")
        parser.add_argument(
            "--until", required=True, metavar="AAAA-MM-JJ", help="Date de calcul (paiement ou aujourd’hui), AAAA-MM-JJ."
        )
        parser.add_argument(
            "--debtor",
            required=True,
            metavar="business|consumer",
            help="business (client professionnel) ou consumer (particulier).",
        )
        parser.add_argument(
            "--contract-rate", metavar="TAUX", help="Taux contractuel en %% par an, à la place de BCE + 10 points."
        )
        parser.add_argument(
            "--notice-date",
            metavar="AAAA-MM-JJ",
            help="Particulier : date de réception de la mise en demeure, AAAA-MM-JJ.",
        )
        parser.add_argument(
            "--payment",
            metavar="AAAA-MM-JJ:MONTANT",
            action="append",
            default=[],
            type=payment_flag,
            help="Règlement reçu, AAAA-MM-JJ:MONTANT ; répétable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kwargs = parse_penalty_request({**options, "payments": options["payment"]})
            result = compute_penalties(tables=load_rate_tables(), **kwargs)
        except LawError as error:
            self.fail(error.message)
        self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
