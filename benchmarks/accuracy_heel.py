"""Scoring of the heel-lift sweep: the smallest heel lift of the tested foot found on every
render (recall 1.0), false lifts (precision), and the heel height read with the heel down
(the tracker's noise floor, which the image thresholds are set from).

Used by ``python benchmarks/accuracy.py --suite heel`` (the 12 lift renders of
``accuracy_suite.heel_suite``) and, for the noise floor and false lifts on clips with larger
or no lifts, ``--suite heel`` also scores the issue-12 knee-to-wall renders; kept by the
ratchet (``heel`` in accuracy_ratchet.json).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from accuracy_suite import render_suite, truth_of


def _tested_leg_truth(video: Path, truth: dict) -> np.ndarray:
    """True heel height (cm) of the tested leg per frame."""
    from ankle_cv_render.truth import read_csv

    table = read_csv(video.with_name(video.stem + ".truth.csv"))
    mine = np.asarray([str(v) == truth["tested_leg"] for v in table["leg"]])
    return np.asarray(table["heel_height_cm"], dtype=float)[mine]


def score_clip(video: Path, *, cache_dir: Path | None = None) -> dict:
    """One row: each true lift of the tested foot (height, the peak read, found or not), the
    lifts found where the heel stayed down, and the most the heel read with it down."""
    from ankle_cv.pipeline import analyze_video

    truth = truth_of(video)
    result = analyze_video(video, "knee-to-wall", cache_dir=cache_dir).result
    tested = truth["tested_leg"]
    side = ("left", "right").index(tested)
    foot_cm = truth["person"]["foot_length_cm"]
    height = result.heel.height_foot[side]
    true_cm = _tested_leg_truth(video, truth)
    n = min(height.size, true_cm.size)
    in_trial = np.zeros(n, dtype=bool)
    for trial in truth["trials"]:
        in_trial[trial["start_frame"]:trial["end_frame"] + 1] = True
    down = in_trial & (true_cm[:n] < 0.02) & np.isfinite(height[:n]) & result.kinematics.is_front[side, :n]
    leg = result.leg(tested)
    found = [(h.start_frame, h.end_frame) for h in (leg.heel_lifts if leg else ())]
    row = {"near_leg": tested == ("right" if truth["facing"] == "right" else "left"),
           "heel_source": str(result.heel.source), "foot_cm": foot_cm,
           "down_max_foot": round(float(np.max(height[:n][down])), 4) if down.any() else None,
           "lifts": [], "false_lifts": 0}
    used = set()
    for want in (w for w in truth["heel_lifts"] if w["leg"] == tested):
        span = slice(want["start_frame"], want["end_frame"] + 1)
        read = height[span]
        hit = next((i for i, (lo, hi) in enumerate(found)
                    if lo <= want["end_frame"] and want["start_frame"] <= hi), None)
        if hit is not None:
            used.add(hit)
        row["lifts"].append({"true_cm": want["peak_height_cm"],
                             "read_cm": round(float(np.nanmax(read)) * foot_cm, 2) if np.isfinite(read).any() else None,
                             "found": hit is not None})
    row["false_lifts"] = len(found) - len(used)
    return row


def summarize(rows: dict[str, dict]) -> dict:
    """The sweep's figures: recall per lift height, the smallest height from which every lift
    was found, precision, and the heel-down noise floor."""
    lifts = [lift for r in rows.values() if r["near_leg"] for lift in r["lifts"]]
    heights = sorted({lift["true_cm"] for lift in lifts})
    recall = {h: float(np.mean([lift["found"] for lift in lifts if lift["true_cm"] == h])) for h in heights}
    # the smallest height from which every lift (that height and all taller) was found
    smallest = None
    for h in reversed(heights):
        if recall[h] < 1.0:
            break
        smallest = h
    found = sum(lift["found"] for r in rows.values() for lift in r["lifts"])
    false = sum(r["false_lifts"] for r in rows.values())
    floors = [r["down_max_foot"] for r in rows.values() if r["near_leg"] and r["down_max_foot"] is not None]
    far_floors = [r["down_max_foot"] for r in rows.values() if not r["near_leg"] and r["down_max_foot"] is not None]
    return {
        "clips": len(rows),
        "near_leg_lifts": len(lifts),
        "recall_by_height_cm": {f"{h:g}": round(v, 3) for h, v in recall.items()},
        "smallest_lift_found_cm": smallest,
        "lifts_found": found,
        "false_lifts": false,
        "lift_precision": round(found / (found + false), 3) if found + false else 1.0,
        "heel_down_max_foot": round(max(floors), 4) if floors else None,
        "heel_down_max_foot_far_leg": round(max(far_floors), 4) if far_floors else None,
        "clips_tracked_in_image": sum(r["heel_source"] == "image" for r in rows.values()),
    }


def run(suites: list[dict], folder: Path, *, jobs: int = 2, cache_dir: Path | None = None) -> tuple[dict, dict]:
    """Render (cached) and score the knee-to-wall clips of ``suites``: (rows, summary)."""
    from ankle_cv_render import KneeToWall

    rows = {}
    for suite in suites:
        clips = {name: s for name, s in suite.items() if isinstance(s, KneeToWall)}
        for name, path in render_suite(clips, folder, jobs=jobs).items():
            rows[name] = score_clip(path, cache_dir=cache_dir)
    return rows, summarize(rows)


def print_rows(rows: dict) -> None:
    print(f"  {'clip':24} {'leg':5} {'heel':9} {'down max':>9} {'false':>6}  lifts (true cm: read cm, found)")
    for name, r in rows.items():
        lifts = " ".join(f"{lift['true_cm']:g}:{lift['read_cm']}{'' if lift['found'] else ' MISSED'}"
                         for lift in r["lifts"]) or "-"
        down = "-" if r["down_max_foot"] is None else f"{r['down_max_foot']:.4f}"
        print(f"  {name:24} {'near' if r['near_leg'] else 'far':5} {r['heel_source']:9} {down:>9} "
              f"{r['false_lifts']:>6}  {lifts}")
