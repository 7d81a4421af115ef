"""The `relance` console script: Django's manage.py under the product's name.

`relance bench-data` writes the benchmarks' synthetic books (bench/data): it lives in the source
tree, next to the product's packages but not installed with them, so it runs from a checkout only.
"""

import os
import sys
from pathlib import Path

SOURCE_TREE = Path(__file__).resolve().parent.parent


def bench_data(arguments: list[str]) -> None:
    if not (SOURCE_TREE / "bench" / "data").is_dir():
        sys.exit("relance bench-data : seulement depuis les sources de Relance (dossier bench/ absent).")
    sys.path.insert(0, str(SOURCE_TREE))
    import django

    django.setup()
    from bench.data.command import Command

    # Django names the program "<argv[0]> <argv[1]>" in its usage line and errors.
    Command().run_from_argv(["relance", "bench-data", *arguments])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    if sys.argv[1:2] == ["bench-data"]:
        bench_data(sys.argv[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "relance", *sys.argv[1:]])


if __name__ == "__main__":
    main()
