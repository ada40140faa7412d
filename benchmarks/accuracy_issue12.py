"""Scoring of the issue-12 renders: the centre-line angle near and far, the inclinometer-
comparable (crest) angle, the toe-to-wall distance in cm, trust of far-leg trials, hand-held
shake and camera pitch, and the refusal of motions that are not a knee-to-wall test.

Used by ``python benchmarks/accuracy.py --suite issue12``; each figure is compared with the
target of issue 12 in the printout and kept by the ratchet (``issue12`` in
accuracy_ratchet.json).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from accuracy_suite import render_suite, truth_of

#: A verdict is given from a trial whose angle is more than this off: the test's minimal
#: detectable change (Konor 2012), the error issue 12 allows no verdict to rest on.
MDC_DEG = 4.6
VERDICTS = ("restricted", "not_restricted", "borderline")


def _settings(truth: dict, scale: str):
    from ankle_cv.protocols.knee_to_wall import KneeToWallSettings

    if scale == "foot_length":  # the shoe's length, as a clinician measures it with a tape
        return KneeToWallSettings(foot_length_cm=round(truth["person"]["foot_length_cm"], 1))
    return KneeToWallSettings()


def score_clip(video: Path, *, scale: str = "auto", cache_dir: Path | None = None) -> dict:
    """One row: per matched trial the errors and whether it was trusted; per clip the
    warnings, the verdicts and whether the clip was refused as not a knee-to-wall test."""
    from ankle_cv.pipeline import analyze_video

    truth = truth_of(video)
    analysis = analyze_video(video, "knee-to-wall", _settings(truth, scale), cache_dir=cache_dir)
    result = analysis.result
    codes = sorted({w.code.value for w in result.warnings})
    verdicts = {leg.leg: leg.classification.value for leg in result.legs}
    row = {
        "motion": truth.get("motion", "knee_to_wall"),
        "warnings": codes,
        "verdicts": verdicts,
        "refused": "not_knee_to_wall" in codes and not any(v in VERDICTS for v in verdicts.values()),
        "scale_source": None if result.distance is None else result.distance.scale_source,
        "pitch_deg": result.camera.pitch_deg,
        "true_pitch_deg": truth["scenario"].get("camera_pitch_deg", 0.0),
        "verticals_painted": bool(truth["scenario"].get("door_casings", False)),
        "truth_points_error_deg": _truth_points_error(video, truth, analysis.series, result.camera.scene_roll_deg),
        "trials": [],
    }
    if row["motion"] != "knee_to_wall":
        return row
    tested = truth["tested_leg"]
    row["near_leg"] = tested == ("right" if truth["facing"] == "right" else "left")
    leg = result.leg(tested)
    trials = list(leg.trials) if leg else []
    used: set[int] = set()
    for want in truth["trials"]:
        i = next((i for i, tr in enumerate(trials) if i not in used
                  and want["start_frame"] <= tr.peak_any_frame <= want["end_frame"]), None)
        if i is None:
            row["trials"].append({"missed": True})
            continue
        used.add(i)
        got = trials[i]
        err = None if got.peak_deg is None else got.peak_deg - want["peak_tibia_heel_down_deg"]
        # at the heel-down peak, as the centre line: a trial with a lift is measured before it
        crest = want.get("peak_crest_deg_heel_down")
        cm = want.get("toe_to_wall_cm_heel_down")
        row["trials"].append({
            "missed": False,
            "error_deg": err,
            "trusted": bool(got.trusted),
            "best": leg.best_trial == got.number,
            "verdict": verdicts[tested] in VERDICTS,
            "crest_error_deg": None if got.crest_deg is None or crest is None else got.crest_deg - crest,
            "crest_note": got.crest_note,
            "cm_error": None if got.toe_to_wall_cm is None or cm is None else got.toe_to_wall_cm - cm,
            "centre_vs_crest_truth_deg": None if crest is None else want["peak_tibia_heel_down_deg"] - crest,
        })
    return row


def _truth_points_error(video: Path, truth: dict, series, roll_deg: float) -> dict | None:
    """The tibia angle of the truth's own projected knee and ankle at each trial's peak, minus
    the true angle: as the picture shows it (``plain``, levelled by the scene lines' roll vote
    ``roll_deg``, as without the vanishing point) and in the picture levelled
    by the scene's verticals (``levelled``, where they were found): what camera pitch does to
    the angle with no landmark error, and what levelling leaves of it. None for clips that
    are not a knee-to-wall test."""
    from ankle_cv.core import geometry
    from ankle_cv.protocols.knee_to_wall.kinematics import pitch_from_verticals
    from ankle_cv_render.truth import read_csv

    if truth.get("motion", "knee_to_wall") != "knee_to_wall":
        return None
    roll_deg = 0.0 if roll_deg is None else roll_deg  # no scene lines: assumed level
    table = read_csv(video.with_name(video.stem + ".truth.csv"))
    sel = np.array([str(leg) == truth["tested_leg"] for leg in table["leg"]])
    kx, ky, ax, ay, true = (np.asarray(table[k], float)[sel] for k in
                            ("knee_x_px", "knee_y_px", "ankle_x_px", "ankle_y_px", "tibia_deg"))
    face = 1.0 if truth["facing"] == "right" else -1.0
    size = series.frame_size_px
    vp = pitch_from_verticals(series.lines[:, 1:], size)[0]
    out = {"plain": [], "levelled": []}
    for tr in truth["trials"]:
        i = tr["start_frame"] + int(np.argmax(true[tr["start_frame"]:tr["end_frame"] + 1]))
        out["plain"].append(float(geometry.tibia_angle_deg(kx[i] - ax[i], ky[i] - ay[i], roll_deg=roll_deg,
                                                           facing_sign=face) - true[i]))
        if vp is not None:
            x, y = geometry.level_points(np.array([ax[i], kx[i]]), np.array([ay[i], ky[i]]), vp,
                                         focal_px=geometry.phone_focal_px(size), centre_px=(size[0] / 2, size[1] / 2))
            out["levelled"].append(float(geometry.tibia_angle_deg(x[1] - x[0], y[1] - y[0], roll_deg=0.0,
                                                                  facing_sign=face) - true[i]))
    return out


def _stats(values) -> dict:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if not v.size:
        return {"n": 0, "mae": None, "max_abs": None, "bias": None}
    return {"n": int(v.size), "mae": round(float(np.mean(np.abs(v))), 2),
            "max_abs": round(float(np.max(np.abs(v))), 2), "bias": round(float(np.mean(v)), 2)}


def summarize(rows: dict[str, dict], foot_rows: dict[str, dict] | None = None) -> dict:
    """The issue-12 figures from per-clip rows (and the rows of a foot-length-scale run)."""
    ktw = {k: r for k, r in rows.items() if r["motion"] == "knee_to_wall"}
    other = {k: r for k, r in rows.items() if r["motion"] != "knee_to_wall"}

    def trials(pick, key):
        return [t[key] for r in ktw.values() if pick(r) for t in r["trials"] if not t["missed"] and t["trusted"]]

    near = _stats(trials(lambda r: r["near_leg"], "error_deg"))
    far = _stats(trials(lambda r: not r["near_leg"], "error_deg"))
    every = [t for r in ktw.values() for t in r["trials"] if not t["missed"]]
    unsafe = [t for t in every if t["error_deg"] is not None and abs(t["error_deg"]) > MDC_DEG
              and t["best"] and t["verdict"]]
    bad_trusted = [t for t in every if t["error_deg"] is not None and abs(t["error_deg"]) > MDC_DEG and t["trusted"]]
    marker = _stats(t["cm_error"] for r in ktw.values() if r["scale_source"] == "marker" for t in r["trials"]
                    if not t["missed"])
    foot = _stats(t["cm_error"] for r in (foot_rows or {}).values() if r.get("scale_source") == "foot_length"
                  for t in r["trials"] if not t["missed"])
    crest = _stats(t["crest_error_deg"] for t in every if t["trusted"])  # the trials a verdict can rest on
    crest_all = _stats(t["crest_error_deg"] for t in every)
    shaken = [k for k, r in ktw.items() if "shake" in k]
    pitched = [r for r in ktw.values() if r["true_pitch_deg"]]
    levelled = [r for r in ktw.values() if r["verticals_painted"]]
    pitch = _stats(t["error_deg"] for r in pitched for t in r["trials"] if not t["missed"] and t["trusted"])
    pitch_found = _stats(None if r["pitch_deg"] is None else r["pitch_deg"] - r["true_pitch_deg"] for r in levelled)
    points_plain = _stats(e for r in pitched for e in r["truth_points_error_deg"]["plain"])
    points_levelled = _stats(e for r in pitched for e in r["truth_points_error_deg"]["levelled"])
    return {
        "clips": len(rows),
        "near_trusted_trials": near["n"], "near_mae_deg": near["mae"], "near_max_abs_deg": near["max_abs"],
        "near_bias_deg": near["bias"],
        "far_trusted_trials": far["n"], "far_mae_deg": far["mae"], "far_max_abs_deg": far["max_abs"],
        "far_bias_deg": far["bias"],
        "trials": len(every), "untrusted_trials": sum(not t["trusted"] for t in every),
        "verdicts_on_trials_off_by_more_than_mdc": len(unsafe),
        "trusted_trials_off_by_more_than_mdc": len(bad_trusted),
        "crest_measured_share": round(crest_all["n"] / len(every), 3) if every else None,
        "crest_mae_deg": crest["mae"], "crest_max_abs_deg": crest["max_abs"], "crest_bias_deg": crest["bias"],
        "crest_all_trials_mae_deg": crest_all["mae"], "crest_all_trials_max_abs_deg": crest_all["max_abs"],
        "centre_minus_crest_truth_deg": _stats(t["centre_vs_crest_truth_deg"] for t in every)["bias"],
        "cm_marker_trials": marker["n"], "cm_marker_mae": marker["mae"], "cm_marker_max_abs": marker["max_abs"],
        "cm_foot_trials": foot["n"], "cm_foot_mae": foot["mae"], "cm_foot_max_abs": foot["max_abs"],
        "false_feet_moving_or_leg_lost": sum(bool({"feet_moving", "leg_lost"} & set(r["warnings"]))
                                             for r in ktw.values()),
        "false_feet_moving_or_leg_lost_shaken": sum(bool({"feet_moving", "leg_lost"} & set(ktw[k]["warnings"]))
                                                    for k in shaken),
        "pitched_clips": len(pitched), "pitched_trusted_trials": pitch["n"], "pitched_mae_deg": pitch["mae"],
        "pitched_max_abs_deg": pitch["max_abs"], "pitched_bias_deg": pitch["bias"],
        "clips_with_scene_verticals": len(levelled), "pitch_found": pitch_found["n"],
        "pitch_error_max_abs_deg": pitch_found["max_abs"],
        "pitched_truth_points_plain_max_abs_deg": points_plain["max_abs"],
        "pitched_truth_points_levelled_max_abs_deg": points_levelled["max_abs"],
        "pitch_found_without_verticals": sum(r["pitch_deg"] is not None for r in ktw.values()
                                             if not r["verticals_painted"]),
        "knee_to_wall_refused": sum(r["refused"] for r in ktw.values()),
        "other_motions": len(other),
        "other_motions_refused": sum(r["refused"] for r in other.values()),
    }


def run(suite: dict, folder: Path, *, jobs: int = 2, cache_dir: Path | None = None) -> tuple[dict, dict, dict]:
    """Render and score the suite twice (scale from the marker or the image; then from the
    foot length with the marker ignored): (rows, foot-length rows, summary)."""
    paths = render_suite(suite, folder, jobs=jobs)
    rows = {name: score_clip(path, cache_dir=cache_dir) for name, path in paths.items()}
    foot_rows = {name: score_clip(path, scale="foot_length", cache_dir=cache_dir) for name, path in paths.items()
                 if rows[name]["motion"] == "knee_to_wall"}
    return rows, foot_rows, summarize(rows, foot_rows)


def print_rows(rows: dict, foot_rows: dict) -> None:
    print(f"  {'clip':22} {'motion':16} {'verdicts':28} {'centre err (trusted*)':28} {'crest err':18} "
          f"{'cm err marker/img':20} {'cm err foot':14} {'pitch found/true':17} warnings")
    for name, r in rows.items():
        def fmt(key, trials, star=False):
            out = []
            for t in trials:
                if t["missed"]:
                    out.append("miss")
                elif t[key] is None:
                    out.append("-")
                else:
                    out.append(f"{t[key]:+.1f}" + ("*" if star and t["trusted"] else ""))
            return " ".join(out) or "-"
        verdicts = ",".join(f"{k[0]}:{v}" for k, v in r["verdicts"].items()) or "-"
        foot = foot_rows.get(name, {"trials": []})["trials"]
        pitch = "-" if r["pitch_deg"] is None else f"{r['pitch_deg']:+.1f}/{r['true_pitch_deg']:+.0f}"
        print(f"  {name:22} {r['motion']:16} {verdicts:28} {fmt('error_deg', r['trials'], True):28} "
              f"{fmt('crest_error_deg', r['trials']):18} {fmt('cm_error', r['trials']):20} "
              f"{fmt('cm_error', foot):14} {pitch:17} {','.join(r['warnings'])}")


def field_names() -> list[str]:
    """The result fields this scoring reads (kept in step with the results' dataclasses)."""
    from ankle_cv.protocols.knee_to_wall.results import Trial

    return [f.name for f in dataclasses.fields(Trial)]
