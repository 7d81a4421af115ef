"""A management command base that fails in French with exit status 1.

`relance penalties` is a machine interface that outside tools call: any error, argparse's included,
is one French line on stderr and exit 1 (argparse itself would say English and exit 2).
"""

import re
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

_TRANSLATIONS = [
    (re.compile(r"^the following arguments are required: (.+)$"), "argument(s) obligatoire(s) manquant(s) : {0}"),
    (re.compile(r"^unrecognized arguments: (.+)$"), "argument(s) inconnu(s) : {0}"),
    (re.compile(r"^argument (\S+): expected one argument$"), "l’option {0} attend une valeur"),
    (
        re.compile(r"^argument (\S+): invalid choice: '?([^']*)'? \(choose from (.+)\)$"),
        "l’option {0} n’accepte pas « {1} » (valeurs possibles : {2})",
    ),
    (re.compile(r"^argument (\S+): ignored explicit argument '(.*)'$"), "l’option {0} n’attend pas de valeur"),
    (re.compile(r"^argument (\S+): (.+)$"), "option {0} : {1}"),
    (re.compile(r"^ambiguous option: (\S+) could match (.+)$"), "option ambiguë {0} (possibles : {1})"),
]


def french(message: str) -> str:
    for pattern, template in _TRANSLATIONS:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return message


def sentence(message: str) -> str:
    """ "Le montant …" → "le montant …", to follow "Erreur : "."""
    return message[:1].lower() + message[1:]


class FrenchCommandParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        text = f"Erreur : {french(message)}. Voir « {self.prog} --help »."
        if self.called_from_command_line:
            self.exit(1, text + "\n")
        raise CommandError(text, returncode=1)


class FrenchCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a plain CommandParser; switching the class keeps every Django option
        # and makes subparsers (which copy the parser's class) French too.
        parser.__class__ = FrenchCommandParser
        return parser

    def fail(self, message: str) -> NoReturn:
        """ "Erreur : …" on stderr and exit status 1, from the command line and call_command alike."""
        self.stderr.write(f"Erreur : {sentence(message)}")
        sys.exit(1)
