"""Batch scoring of many videos: inputs, worker processes, resumable per-video outputs and
the summary table (``ankle-cv batch``; ``--scheduler`` runs the same jobs on Dask)."""
