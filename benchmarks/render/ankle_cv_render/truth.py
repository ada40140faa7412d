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
from .figure import (
    CREST_BOTTOM_ABOVE_ANKLE_M,
    CREST_TOP_BELOW_KNEE_M,
    INCLINOMETER_BELOW_TUBEROSITY_M,
    INCLINOMETER_LENGTH_M,
    Appearance,
    build_figure,
    crest_line,
    front_x_m,
)
from .motion import KNEE_FRONT_PARTS, Motion
from .scenarios import Capture, KneeToWall, SquatFront
from .skeleton import SIDES, suffix

SCHEMA = "ankle-cv/render-truth"
SCHEMA_VERSION = 2

#: CSV columns, one row per frame and leg (left row first).
COLUMNS = ("frame", "time_s", "leg", "tibia_deg", "heel_height_cm", "heel_height_norm",
           "heel_lifted", "fppa_deg", "turnout_deg", "hip_x_px", "hip_y_px", "knee_x_px",
           "knee_y_px", "ankle_x_px", "ankle_y_px", "heel_x_px", "heel_y_px", "toe_x_px",
           "toe_y_px", "crest_deg", "sole_height_cm", "toe_to_wall_cm", "knee_front_to_wall_cm",
           "wall_x_px", "wall_y_px", "trunk_deg") + tuple(
               f"marker_c{i}_{a}_px" for i in range(4) for a in "xy") + ("card_edge_x_px",
                                                                      "card_edge_y_px")

_POINTS = ("hip", "knee", "ankle", "heel", "toe")
_DECIMALS = {"time_s": 6, "tibia_deg": 4, "heel_height_cm": 4, "heel_height_norm": 5,
             "fppa_deg": 4, "turnout_deg": 4, "crest_deg": 4, "sole_height_cm": 4,
             "toe_to_wall_cm": 4, "knee_front_to_wall_cm": 4, "trunk_deg": 4}


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


def per_frame(motion: Motion, camera: Camera, fps: float,
              look: Appearance | None = None) -> dict[str, np.ndarray]:
    """Per-frame, per-leg truth measured on the model.

    Returns
    -------
    dict of str to ndarray of shape (2 T,)
    """
    look = Appearance() if look is None else look
    pose = motion.pose
    a = pose.anthro
    n = pose.n_frames
    prims = build_figure(pose, look)
    nan = np.full(n, np.nan)
    trunk_y = pose.frames["trunk"][:, :, 1]
    frame_cols = {"trunk_deg": np.degrees(np.arctan2(trunk_y[:, 0], trunk_y[:, 1]))}
    corners = (camera.project(np.broadcast_to(motion.card.marker_corners_m(), (n, 4, 3)))
               if motion.card is not None else np.full((n, 4, 2), np.nan))
    for i in range(4):
        frame_cols[f"marker_c{i}_x_px"], frame_cols[f"marker_c{i}_y_px"] = corners[:, i, 0], corners[:, i, 1]
    edge = np.full((n, 2), np.nan)
    if motion.card is not None:  # bottom of the card's wall-side edge: on the floor, at the wall
        c = motion.card
        edge = camera.project(np.tile([c.center_m[0] + 0.5 * c.card_m, 0.0, c.center_m[2]], (n, 1)))
    frame_cols["card_edge_x_px"], frame_cols["card_edge_y_px"] = edge[:, 0], edge[:, 1]
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
        d["crest_deg"] = nan
        if look.model == "anatomical":
            upper, lower = crest_line(pose, look, leg)
            d["crest_deg"] = measures.tibia_deg(upper, lower, pose.foot_yaw_rad[leg])
        # lowest of the heel, ball and toe points above their flat-foot heights
        d["sole_height_cm"] = 100.0 * np.maximum(np.minimum.reduce([
            p["heel"][:, 1] - a.heel_point_height_m, p["toe"][:, 1] - a.toe_point_height_m,
            pose.points["ball" + s][:, 1]]), 0.0)
        for c in ("toe_to_wall_cm", "knee_front_to_wall_cm", "wall_x_px", "wall_y_px"):
            d[c] = nan
        if motion.wall_x_m is not None:
            w = motion.wall_x_m
            d["toe_to_wall_cm"] = (w - p["toe"][:, 0]) * 100.0
            d["knee_front_to_wall_cm"] = (w - front_x_m(prims, KNEE_FRONT_PARTS, leg)) * 100.0
            corner = np.stack([np.full(n, w), np.zeros(n), pose.points["ball" + s][:, 2]], -1)
            uv = camera.project(corner)
            d["wall_x_px"], d["wall_y_px"] = uv[:, 0], uv[:, 1]
        d.update(frame_cols)
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
        best = int(down[np.argmax(tib[down])])
        trial = {"leg": ev.leg, "start_frame": ev.start_frame, "peak_frame": peak,
                 "end_frame": ev.end_frame, "peak_tibia_deg": _r(tib[peak]),
                 "peak_tibia_heel_down_deg": _r(tib[down].max())}
        for col, key in (("crest_deg", "peak_crest_deg"), ("toe_to_wall_cm", "toe_to_wall_cm"),
                         ("knee_front_to_wall_cm", "knee_front_to_wall_cm")):
            v = t.leg(ev.leg, col)
            trial[key] = None if np.isnan(v[peak]) else _r(v[peak])
            trial[key + "_heel_down"] = None if np.isnan(v[best]) else _r(v[best])
        trials.append(trial)
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
    exercise = []
    for ev in motion.reps:
        rep = {"leg": ev.leg, "start_frame": ev.start_frame, "peak_frame": ev.peak_frame,
               "end_frame": ev.end_frame,
               "trunk_deg": _r(t.leg("left", "trunk_deg")[ev.peak_frame])}
        for leg in SIDES:
            rep[f"sole_height_cm_{leg}"] = _r(t.leg(leg, "sole_height_cm")[ev.peak_frame])
            rep[f"ankle_x_m_{leg}"] = _r(motion.pose.points["ankle" + suffix(leg)][ev.peak_frame, 0])
        exercise.append(rep)
    return {"trials": trials, "heel_lifts": lifts, "squat_reps": reps, "reps": exercise}


def build_truth(scenario: Capture, motion: Motion, camera: Camera, *, video_path: Path,
                n_frames: int) -> Truth:
    """Assemble the truth of a rendered clip (the video file must be complete)."""
    table = per_frame(motion, camera, scenario.fps, scenario.appearance)
    pose = motion.pose
    a = pose.anthro
    digest = hashlib.sha256(Path(video_path).read_bytes()).hexdigest()
    doc = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "scenario": scenario.to_dict(),
           "video": {"file": Path(video_path).name, "width": scenario.width_px,
                     "height": scenario.height_px, "fps": scenario.fps, "n_frames": n_frames,
                     "sha256": digest},
           "tested_leg": scenario.tested_leg if isinstance(scenario, KneeToWall) else None,
           "facing": None if isinstance(scenario, SquatFront) else scenario.facing,
           "roll_deg": scenario.roll_deg, "motion": motion.kind}
    doc.update(events(table, motion, scenario))
    toe_to_wall = None
    if isinstance(scenario, KneeToWall) and motion.wall_x_m is not None:
        toe = pose.points["toe" + suffix(scenario.tested_leg)][:, 0]
        toe_to_wall = _r((motion.wall_x_m - float(toe.max())) * 100.0, 3)
    doc["toe_to_wall_cm"] = toe_to_wall
    look = scenario.appearance
    doc["crest"] = None if look.model != "anatomical" else {
        "top_cm": look.crest_top_cm, "bottom_cm": look.crest_bottom_cm,
        "top_below_knee_cm": _r(CREST_TOP_BELOW_KNEE_M * a.scale * 100.0, 3),
        "bottom_above_ankle_cm": _r(CREST_BOTTOM_ABOVE_ANKLE_M * a.scale * 100.0, 3),
        "span_below_knee_cm": [
            _r((CREST_TOP_BELOW_KNEE_M + INCLINOMETER_BELOW_TUBEROSITY_M) * a.scale * 100.0, 3),
            _r((CREST_TOP_BELOW_KNEE_M + INCLINOMETER_BELOW_TUBEROSITY_M + INCLINOMETER_LENGTH_M)
               * a.scale * 100.0, 3)]}
    doc["wall"] = None if motion.wall_x_m is None else {
        "x_m": _r(motion.wall_x_m, 5), "measured": motion.wall_measured}
    card = motion.card
    doc["marker"] = None if card is None else {
        "dictionary": "DICT_4X4_50", "id": 0, "size_cm": _r(card.marker_m * 100.0, 3),
        "card_cm": _r(card.card_m * 100.0, 3),
        "margin_cm": _r(card.margin_m * 100.0, 3),
        "offset_from_foot_midline_cm": _r(scenario.marker_offset_cm, 3),
        "marker_part_above_floor_cm": _r(scenario.marker_lift_cm, 3),
        "plane_z_m": _r(card.center_m[2], 5),
        "wall_edge_x_m": _r(card.center_m[0] + 0.5 * card.card_m, 5),
        "bottom_above_floor_cm": _r((card.center_m[1] - 0.5 * card.marker_m) * 100.0, 3),
        "corners_m": [[_r(v, 5) for v in c] for c in card.marker_corners_m()]}
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
