"""Benchmarks, kept out of `make test`: `make bench` or `python -m bench <nombre>`."""
