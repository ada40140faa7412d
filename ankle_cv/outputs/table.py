"""The per-frame CSV of any protocol: its columns, one row per frame (and leg)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def fixed(values, digits: int) -> list[str]:
    """Fixed-point strings with ``digits`` decimals, empty where NaN or infinite (a Python
    loop over the values is several times faster than ``np.char.mod`` here)."""
    fmt = f"%.{digits}f"
    return [fmt % v if v - v == 0 else "" for v in np.asarray(values, dtype=np.float64).ravel().tolist()]


def write_table(columns: tuple[str, ...], table: dict[str, np.ndarray], path: str | Path) -> None:
    """Write ``table`` (column -> array of strings, equal lengths) with a header row."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(zip(*(table[c] for c in columns)))
