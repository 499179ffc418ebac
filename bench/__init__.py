"""Benchmarks: scale data and timed scenarios (`make bench`), never part of the tests."""
