"""Per-frame angle CSV: one row per frame and leg (columns documented in the README)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ..protocols.knee_to_wall import KneeToWallResult

COLUMNS = (
    "frame", "time_s", "leg", "tested", "trial",
    "tibia_raw_deg", "tibia_deg", "heel_height_foot", "heel_down",
    "knee_visibility", "ankle_visibility", "heel_visibility", "toe_visibility",
)


def _fmt(values: np.ndarray, digits: int) -> np.ndarray:
    """Fixed-point strings, empty where NaN."""
    values = np.asarray(values, dtype=np.float64)
    out = np.char.mod(f"%.{digits}f", np.nan_to_num(values))
    return np.where(np.isfinite(values), out, "")


def angle_table(result: KneeToWallResult) -> dict[str, np.ndarray]:
    """The CSV's columns as arrays of strings, rows ordered by frame then leg (left, right)."""
    kin = result.kinematics
    n = kin.time_s.shape[0]
    frame = np.repeat(np.arange(n), 2)
    leg_idx = np.tile([0, 1], n)
    tested = (np.nan_to_num(kin.front_side, nan=-1)[frame] == leg_idx)
    trial = np.zeros(2 * n, dtype=np.int64)
    for leg_result in result.legs:  # few trials: mark each trial's frames
        li = LEGS.index(leg_result.leg)
        for tr in leg_result.trials:
            rows = (leg_idx == li) & (frame >= tr.start_frame) & (frame <= tr.end_frame) & tested
            trial[rows] = tr.number
    return {
        "frame": frame.astype(str),
        "time_s": _fmt(kin.time_s[frame], 4),
        "leg": np.asarray(LEGS)[leg_idx],
        "tested": tested.astype(int).astype(str),
        "trial": np.where(trial > 0, trial.astype(str), ""),
        "tibia_raw_deg": _fmt(kin.tibia_raw_deg.reshape(-1), 2),
        "tibia_deg": _fmt(kin.tibia_deg.reshape(-1), 2),
        "heel_height_foot": _fmt(kin.heel_height_foot.reshape(-1), 4),
        "heel_down": np.where(kin.heel_known.reshape(-1), kin.heel_down.reshape(-1).astype(int).astype(str), ""),
        "knee_visibility": _fmt(kin.visibility[:, :, KNEE].reshape(-1), 3),
        "ankle_visibility": _fmt(kin.visibility[:, :, ANKLE].reshape(-1), 3),
        "heel_visibility": _fmt(kin.visibility[:, :, HEEL].reshape(-1), 3),
        "toe_visibility": _fmt(kin.visibility[:, :, TOE].reshape(-1), 3),
    }


def write_angles_csv(result: KneeToWallResult, path: str | Path) -> None:
    table = angle_table(result)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(zip(*(table[c] for c in COLUMNS)))
