"""Figures of runs and sweeps; every function returns a matplotlib Figure and never shows it."""
