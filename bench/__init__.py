"""Benchmarks: `python bench/run.py` measures Tabwise's hot paths against a bare Django + ninja baseline."""
