"""Benchmarks of the registry: printed figures and ratios, never timed assertions."""
