"""Sinks: report JSON, per-frame CSV, text summary, and atomic writing of an output folder."""
