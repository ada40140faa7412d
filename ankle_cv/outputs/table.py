"""The per-frame CSV of any protocol: its columns, one row per frame (and leg)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def write_table(columns: tuple[str, ...], table: dict[str, np.ndarray], path: str | Path) -> None:
    """Write ``table`` (column -> array of strings, equal lengths) with a header row."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(zip(*(table[c] for c in columns)))
