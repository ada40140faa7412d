"""Sinks for any protocol's result: report JSON, per-frame CSV, text, atomic folders."""
