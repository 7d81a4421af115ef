"""`python -m bench.data [options]`: writes the bench's synthetic books into the database of the settings.

The product's settings unless DJANGO_SETTINGS_MODULE says otherwise, as for the `relance` command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    import django

    django.setup()
    from bench.data.command import Command

    # Django names the program "<argv[0]> <argv[1]>" in its usage line and errors.
    Command().run_from_argv(["python -m", "bench.data", *sys.argv[1:]])


if __name__ == "__main__":
    main()
