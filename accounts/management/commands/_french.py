"""Command-line parsing whose errors are French and exit with status 1, like every Relance error."""

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser


def fail(command: BaseCommand, message: str) -> NoReturn:
    command.stderr.write(message)
    sys.exit(1)


def frenchify(parser: CommandParser, command: BaseCommand) -> CommandParser:
    def error(message: str) -> NoReturn:
        fail(command, f"Commande invalide ({message}). Voir « relance {command_name(command)} --help ».")

    parser.error = error  # type: ignore[method-assign]
    return parser


def command_name(command: BaseCommand) -> str:
    return type(command).__module__.rsplit(".", 1)[-1]


class FrenchCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        return frenchify(super().create_parser(prog_name, subcommand, **kwargs), self)
