"""Benchmarks of the portal on EU-scale data: `make bench` (see benchmarks/harness.py)."""
