"""`relance backup PATH`: a consistent copy of the database, taken while Relance runs.

SQLite: the online backup API copies a snapshot page by page while the web and worker
processes keep writing (WAL mode). PostgreSQL: `pg_dump --format=custom`, which reads one
snapshot of the whole database. Both write to a temporary file renamed at the end, so PATH
is never left half-written.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


def backup_sqlite(source: sqlite3.Connection, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        dest = sqlite3.connect(tmp)
        try:
            # One step (pages=-1): the copy is the database as of one instant.
            source.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def libpq_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq variables: the password never appears on a command line."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    variables = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
    }
    env.update({name: str(value) for name, value in variables.items() if value})
    return env


# pg_dump waits as long as the server makes it (an unanswered connection, a table locked by a
# migration): past this, the backup stops and says so rather than hang a cron job forever.
DEFAULT_TIMEOUT = 3600


def backup_postgresql(settings_dict: dict[str, Any], path: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise CommandError(
            "pg_dump est introuvable : installez le client PostgreSQL (apt-get install postgresql-client)."
        )
    tmp = path.with_name(path.name + ".tmp")
    try:
        result = subprocess.run(  # noqa: S603 (fixed program, arguments are not shell-parsed)
            [pg_dump, "--format=custom", "--no-password", f"--file={tmp}"],
            env=libpq_environment(settings_dict),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump a échoué : {result.stderr.strip()}")
        os.replace(tmp, path)
    except subprocess.TimeoutExpired:
        raise CommandError(
            f"pg_dump n’a pas terminé en {timeout:g} secondes : la sauvegarde est abandonnée "
            "(serveur injoignable ou table verrouillée ?)."
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


class Command(BaseCommand):
    help = "Copie cohérente de la base de données pendant que Relance tourne (SQLite ou PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Fichier à écrire (remplacé s’il existe).")
        parser.add_argument("--database", default="default", help="Alias de la base (par défaut : default).")
        parser.add_argument(
            "--timeout",
            type=int,
            default=DEFAULT_TIMEOUT,
            help=f"Secondes accordées à pg_dump avant abandon (par défaut : {DEFAULT_TIMEOUT}).",
        )

    def handle(self, *args: Any, path: Path, database: str, timeout: int, **options: Any) -> None:
        if timeout <= 0:
            raise CommandError("--timeout doit être un nombre positif de secondes.")
        path = path.expanduser().resolve()
        if not path.parent.is_dir():
            raise CommandError(f"Le dossier {path.parent} n’existe pas.")
        connection = connections[database]
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            backup_sqlite(connection.connection, path)
            kind = "Copie SQLite"
        elif connection.vendor == "postgresql":
            backup_postgresql(connection.settings_dict, path, timeout)
            kind = "Sauvegarde PostgreSQL (pg_dump, format custom)"
        else:
            raise CommandError(f"Sauvegarde impossible : base {connection.vendor} non prise en charge.")
        self.stdout.write(f"{kind} écrite dans {path} ({path.stat().st_size} octets).")
