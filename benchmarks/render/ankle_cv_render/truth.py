"""Ground truth of a rendered clip: per-frame table, events, and the two truth files.

Every number is measured on the posed 3-D model (not copied from the scenario), so it is the
truth of the pixels even where a commanded value could not be met exactly. Definitions follow
ankle_cv.landmarks; see benchmarks/render/README.md for the file formats.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import measures
from .camera import Camera
from .motion import Motion
from .scenarios import Capture, KneeToWall, SquatFront
from .skeleton import SIDES, suffix

SCHEMA = "ankle-cv/render-truth"
SCHEMA_VERSION = 1

#: CSV columns, one row per frame and leg (left row first).
COLUMNS = ("frame", "time_s", "leg", "tibia_deg", "heel_height_cm", "heel_height_norm",
           "heel_lifted", "fppa_deg", "turnout_deg", "hip_x_px", "hip_y_px", "knee_x_px",
           "knee_y_px", "ankle_x_px", "ankle_y_px", "heel_x_px", "heel_y_px", "toe_x_px",
           "toe_y_px")

_POINTS = ("hip", "knee", "ankle", "heel", "toe")
_DECIMALS = {"time_s": 6, "tibia_deg": 4, "heel_height_cm": 4, "heel_height_norm": 5,
             "fppa_deg": 4, "turnout_deg": 4}


@dataclass(frozen=True)
class Truth:
    """Ground truth of one clip.

    Attributes
    ----------
    document : dict
        The ``<stem>.truth.json`` content.
    table : dict of str to ndarray of shape (2 T,)
        The ``<stem>.truth.csv`` columns (see ``COLUMNS``), rows frame-major, left leg first.
    """

    document: dict
    table: dict[str, np.ndarray]

    def leg(self, leg: str, column: str) -> np.ndarray:
        """One column for one leg; ``ndarray of shape (T,)``."""
        return self.table[column][self.table["leg"] == leg]


def per_frame(motion: Motion, camera: Camera, fps: float) -> dict[str, np.ndarray]:
    """Per-frame, per-leg truth measured on the model.

    Returns
    -------
    dict of str to ndarray of shape (2 T,)
    """
    pose = motion.pose
    a = pose.anthro
    n = pose.n_frames
    per_leg = {}
    for leg, side in SIDES.items():
        s = suffix(leg)
        p = {name: pose.points[name + s] for name in _POINTS}
        rise_m = p["heel"][:, 1] - a.heel_point_height_m
        rise_m = np.where(rise_m > 1e-9, rise_m, 0.0)
        d = {"tibia_deg": measures.tibia_deg(p["knee"], p["ankle"], pose.foot_yaw_rad[leg]),
             "heel_height_cm": rise_m * 100.0,
             "heel_height_norm": rise_m / a.shoe_length_m,
             "heel_lifted": (rise_m > 0).astype(int),
             "fppa_deg": measures.fppa_deg(p["hip"], p["knee"], p["ankle"], side),
             "turnout_deg": measures.turnout_deg(p["heel"], p["toe"], side)}
        for name in _POINTS:
            uv = camera.project(p[name])
            d[name + "_x_px"], d[name + "_y_px"] = uv[:, 0], uv[:, 1]
        per_leg[leg] = d
    frame = np.arange(n)
    table = {"frame": np.repeat(frame, 2), "time_s": np.repeat(frame / fps, 2),
             "leg": np.tile(np.array(list(SIDES)), n)}
    for c in COLUMNS[3:]:
        table[c] = np.stack([per_leg["left"][c], per_leg["right"][c]], -1).reshape(-1)
    return table


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) frame of each run of True values."""
    padded = np.concatenate([[False], mask, [False]]).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(s), int(e) - 1) for s, e in zip(edges[::2], edges[1::2])]


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd) + 0.0  # no "-0.0" in the JSON


def events(truth_table: dict[str, np.ndarray], motion: Motion, scenario: Capture) -> dict:
    """Trials, heel lifts and squat reps measured on the per-frame truth."""
    t = Truth(document={}, table=truth_table)
    lifts = []
    for leg in SIDES:
        h = t.leg(leg, "heel_height_cm")
        for s, e in _runs(h > 0):
            peak = s + int(np.argmax(h[s:e + 1]))
            lifts.append({"leg": leg, "start_frame": s, "peak_frame": peak, "end_frame": e,
                          "peak_height_cm": _r(h[peak]),
                          "peak_height_norm": _r(t.leg(leg, "heel_height_norm")[peak], 5)})
    lifts.sort(key=lambda d: (d["start_frame"], d["leg"]))
    trials = []
    for ev in motion.trials:
        tib = t.leg(ev.leg, "tibia_deg")
        span = np.arange(ev.start_frame, ev.end_frame + 1)
        peak = int(span[np.argmax(tib[span])])
        first_lift = min((d["start_frame"] for d in lifts if d["leg"] == ev.leg
                          and ev.start_frame <= d["start_frame"] <= ev.end_frame), default=None)
        down = span if first_lift is None else span[span < first_lift]
        trials.append({"leg": ev.leg, "start_frame": ev.start_frame, "peak_frame": peak,
                       "end_frame": ev.end_frame, "peak_tibia_deg": _r(tib[peak]),
                       "peak_tibia_heel_down_deg": _r(tib[down].max())})
    reps = []
    for ev in motion.squat_reps:
        rep = {"start_frame": ev.start_frame, "bottom_frame": ev.peak_frame,
               "end_frame": ev.end_frame}
        for col in ("fppa_deg", "turnout_deg"):
            rep[col] = {leg: _r(t.leg(leg, col)[ev.peak_frame]) for leg in SIDES}
        rep["turnout_change_deg"] = {
            leg: _r(t.leg(leg, "turnout_deg")[ev.peak_frame] - t.leg(leg, "turnout_deg")[ev.start_frame])
            for leg in SIDES}
        reps.append(rep)
    return {"trials": trials, "heel_lifts": lifts, "squat_reps": reps}


def build_truth(scenario: Capture, motion: Motion, camera: Camera, *, video_path: Path,
                n_frames: int) -> Truth:
    """Assemble the truth of a rendered clip (the video file must be complete)."""
    table = per_frame(motion, camera, scenario.fps)
    pose = motion.pose
    a = pose.anthro
    digest = hashlib.sha256(Path(video_path).read_bytes()).hexdigest()
    doc = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "scenario": scenario.to_dict(),
           "video": {"file": Path(video_path).name, "width": scenario.width_px,
                     "height": scenario.height_px, "fps": scenario.fps, "n_frames": n_frames,
                     "sha256": digest},
           "tested_leg": scenario.tested_leg if isinstance(scenario, KneeToWall) else None,
           "facing": None if isinstance(scenario, SquatFront) else scenario.facing,
           "roll_deg": scenario.roll_deg}
    doc.update(events(table, motion, scenario))
    toe_to_wall = None
    if isinstance(scenario, KneeToWall) and motion.wall_x_m is not None:
        toe = pose.points["toe" + suffix(scenario.tested_leg)][:, 0]
        toe_to_wall = _r((motion.wall_x_m - float(toe.max())) * 100.0, 3)
    doc["toe_to_wall_cm"] = toe_to_wall
    doc["person"] = {"height_m": a.height_m, "thigh_m": _r(a.thigh_m, 5), "shank_m": _r(a.shank_m, 5),
                     "foot_length_cm": _r(a.shoe_length_m * 100.0, 3)}
    doc["camera"] = {"focal_px": _r(camera.focal_px, 4),
                     "position_m": [_r(v, 5) for v in camera.position_m],
                     "principal_point_px": [camera.width / 2.0, camera.height / 2.0]}
    return Truth(document=doc, table=table)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def csv_text(table: dict[str, np.ndarray]) -> str:
    """The truth table as CSV text with fixed decimals (px 3, angles 4)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    n = table["frame"].size
    formatted = []
    for c in COLUMNS:
        v = table[c]
        if c in ("frame", "heel_lifted"):
            formatted.append([str(int(x)) for x in v])
        elif c == "leg":
            formatted.append([str(x) for x in v])
        else:
            nd = _DECIMALS.get(c, 3)
            formatted.append([f"{x:.{nd}f}" for x in np.round(v, nd) + 0.0])
    for i in range(n):
        w.writerow([col[i] for col in formatted])
    return buf.getvalue()


def write_truth(truth: Truth, video_path: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``<stem>.truth.json`` and ``<stem>.truth.csv`` beside the video."""
    video = Path(video_path)
    json_path = video.with_name(video.stem + ".truth.json")
    csv_path = video.with_name(video.stem + ".truth.csv")
    _atomic_write(json_path, json.dumps(truth.document, indent=2) + "\n")
    _atomic_write(csv_path, csv_text(truth.table))
    return json_path, csv_path


def read_csv(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a truth CSV back into columns (numbers as float, ``leg`` as str)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body_rows = rows[0], rows[1:]
    out = {}
    for j, name in enumerate(header):
        vals = [r[j] for r in body_rows]
        out[name] = np.array(vals) if name == "leg" else np.array(vals, float)
    return out
