"""Runs on top of the engine: chunks and executors, the run store, ensembles, sweeps, reports, clusters, studies."""
