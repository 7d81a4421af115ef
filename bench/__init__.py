"""Relance's benchmarks: `make bench` / `make bench-quick` run `python -m bench.run` (see bench/README.md)."""
