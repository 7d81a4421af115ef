"""Synthetic books for the benchmarks: `bench.data.generator` writes them, `python -m bench.data` is its command."""
