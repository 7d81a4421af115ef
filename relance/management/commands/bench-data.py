"""`relance bench-data`, the spelling of issue 5, for `relance bench_data`."""

from relance.management.commands.bench_data import Command

__all__ = ["Command"]
