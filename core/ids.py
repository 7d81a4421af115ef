"""Row ids as they come from forms and query strings."""

from collections.abc import Iterable
from typing import Any

# Ids are BigAutoField: SQLite refuses a larger Python int outright (OverflowError), where
# PostgreSQL would simply find nothing.
MAX_ID = 2**63 - 1


def parse_ids(values: Iterable[Any]) -> list[int]:
    """Integers between 1 and MAX_ID; raises ValueError for anything else."""
    ids = [int(value) for value in values]
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise ValueError("id out of range")
    return ids
