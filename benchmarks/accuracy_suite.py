"""Rendered suites with known truth, and the metrics that compare ankle-cv's results to it.

Used by ``benchmarks/accuracy.py`` (the full suite, printed as a table) and by
``tests/test_accuracy_ratchet.py`` (the small suite, checked against the committed figures
in ``benchmarks/accuracy_ratchet.json``).
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from ankle_cv.pipeline import analyze_video
from ankle_cv_render import HeelLift, KneeToWall, SquatFront, SquatSide

ROOT = Path(__file__).resolve().parents[1]
LEG_FACING = (("right", "right"), ("left", "right"), ("left", "left"), ("right", "left"))

#: Six camera and motion set-ups, each rendered for the 4 leg x facing combinations.
_VARIANTS = (
    dict(peaks=(14.0, 20.0, 26.0), roll=0.0, size=(1280, 720), lift=None),
    dict(peaks=(28.0, 32.0, 36.0), roll=5.0, size=(960, 540), lift=HeelLift(trial=2, peak_height_cm=2.0)),
    dict(peaks=(38.0, 42.0, 46.0), roll=-7.0, size=(720, 1280), lift=HeelLift(trial=3, peak_height_cm=2.5)),
    dict(peaks=(44.0, 48.0, 50.0), roll=10.0, size=(1920, 1080), lift=None, jpeg=70, supersample=1),
    dict(peaks=(10.0, 30.0, 50.0), roll=-10.0, size=(1280, 720),
         lift=HeelLift(trial=1, onset_s=0.5, peak_height_cm=1.5)),
    dict(peaks=(22.0, 34.0, 40.0), roll=3.0, size=(540, 960), lift=HeelLift(trial=3, peak_height_cm=3.0), shake=0.3),
)


def knee_to_wall_suite() -> dict[str, KneeToWall]:
    """24 knee-to-wall clips: 6 set-ups x (tested leg, facing), peaks 10-50 deg, roll
    -10..+10 deg, landscape and portrait, 540 to 1920 px wide, 12 heel lifts."""
    suite = {}
    for v, var in enumerate(_VARIANTS):
        for c, (leg, facing) in enumerate(LEG_FACING):
            width, height = var["size"]
            lift = var["lift"]
            if lift is not None and lift.trial > len(var["peaks"]):
                lift = None
            name = f"ktw{v}{c}_{leg[0]}{facing[0]}_{width}x{height}"
            suite[name] = KneeToWall(
                tested_leg=leg, facing=facing, peak_tibia_deg=var["peaks"], heel_lift=lift,
                roll_deg=var["roll"], width_px=width, height_px=height, jpeg_quality=var.get("jpeg"),
                supersample=var.get("supersample", 2), shake_deg=var.get("shake", 0.0), seed=100 + 4 * v + c)
    return suite


def small_suite() -> dict[str, KneeToWall]:
    """4 short clips for the ratchet test: both legs, both facings, near and far leg."""
    common = dict(width_px=960, height_px=540)
    return {
        "small_rr": KneeToWall(tested_leg="right", facing="right", peak_tibia_deg=(20.0, 40.0),
                               heel_lift=HeelLift(trial=2, peak_height_cm=2.0), seed=501, **common),
        "small_lr": KneeToWall(tested_leg="left", facing="right", peak_tibia_deg=(30.0,), roll_deg=4.0,
                               seed=502, **common),
        "small_ll": KneeToWall(tested_leg="left", facing="left", peak_tibia_deg=(35.0,), roll_deg=-6.0,
                               heel_lift=HeelLift(trial=1, peak_height_cm=2.5), seed=503,
                               width_px=540, height_px=960),
        "small_rl": KneeToWall(tested_leg="right", facing="left", peak_tibia_deg=(45.0,), seed=504, **common),
    }


def squat_suite() -> dict:
    """10 squat clips: front views with chosen valgus (FPPA) and turn-out at camera heights
    0.5-1.6 m and rolls -6..+5 deg; side views, both facings, with heel lifts in chosen reps.
    2-4 reps each (28 in all), 540 to 1280 px wide."""
    front = dict(width_px=960, height_px=540)
    return {
        "squat_front_a": SquatFront(n_reps=2, fppa_deg=(15.0, 5.0), turnout_deg=(10.0, 25.0),
                                    turnout_change_deg=(0.0, 10.0), seed=601),
        "squat_front_b": SquatFront(n_reps=2, fppa_deg=(-5.0, 20.0), turnout_deg=(5.0, 5.0), seed=602,
                                    width_px=720, height_px=1280),
        "squat_front_low": SquatFront(n_reps=3, fppa_deg=(10.0, 2.0), turnout_deg=(20.0, 12.0),
                                      turnout_change_deg=(12.0, 0.0), camera_height_m=0.5, roll_deg=4.0,
                                      seed=611, **front),
        "squat_front_mid": SquatFront(n_reps=3, fppa_deg=(0.0, 12.0), turnout_deg=(30.0, 8.0),
                                      turnout_change_deg=(15.0, -6.0), camera_height_m=1.0, roll_deg=-6.0,
                                      stance_width_cm=50.0, seed=612, **front),
        "squat_front_high": SquatFront(n_reps=4, fppa_deg=(8.0, 8.0), turnout_deg=(15.0, 25.0),
                                       turnout_change_deg=(5.0, 20.0), camera_height_m=1.6, roll_deg=5.0,
                                       depth_knee_flexion_deg=80.0, seed=613, **front),
        "squat_side_a": SquatSide(n_reps=2, facing="left", heel_lift_cm=2.5, heel_lift_reps=(2,), seed=603),
        "squat_side_b": SquatSide(n_reps=2, facing="right", heel_lift_cm=0.0, seed=604, width_px=960, height_px=540),
        "squat_side_low": SquatSide(n_reps=3, facing="right", heel_lift_cm=3.0, heel_lift_reps=(1, 3),
                                    camera_height_m=0.5, roll_deg=-5.0, seed=621, **front),
        "squat_side_high": SquatSide(n_reps=3, facing="left", heel_lift_cm=2.0, heel_lift_reps=(3,),
                                     camera_height_m=1.4, roll_deg=3.0, depth_knee_flexion_deg=80.0, seed=622,
                                     width_px=540, height_px=960),
        "squat_side_deep": SquatSide(n_reps=4, facing="right", heel_lift_cm=4.0, depth_knee_flexion_deg=120.0,
                                     seed=623, **front),
    }


#: Heel-lift heights of the lift sweep (cm), each rendered in three camera set-ups.
LIFT_SWEEP_CM = (0.3, 0.4, 0.5, 0.6, 0.8)


def heel_suite() -> dict[str, KneeToWall]:
    """The heel-lift sweep: lifts of 0.3-0.8 cm of the tested (near) leg, in three set-ups (right
    leg facing right at 1280x720, level; left leg facing left at 960x540, rolled -5 deg; right
    leg facing right in portrait 720x1280, rolled +4 deg, the portrait for 0.4 and 0.6 cm only).
    One lift per clip, in a trial near the clip's deepest; the other trials' heels stay down, so
    every clip also counts false lifts. 12 clips of three drives each."""
    setups = (
        ("rr", dict(tested_leg="right", facing="right", peak_tibia_deg=(32.0, 38.0, 42.0), back_foot_cm=50.0,
                    width_px=1280, height_px=720), 2, LIFT_SWEEP_CM),
        ("ll", dict(tested_leg="left", facing="left", peak_tibia_deg=(30.0, 36.0, 40.0), back_foot_cm=55.0,
                    roll_deg=-5.0, width_px=960, height_px=540), 3, LIFT_SWEEP_CM),
        ("rr_portrait", dict(tested_leg="right", facing="right", peak_tibia_deg=(38.0, 34.0, 30.0),
                             back_foot_cm=45.0, roll_deg=4.0, width_px=720, height_px=1280), 1, (0.4, 0.6)),
    )
    suite = {}
    for s, (name, kw, trial, heights) in enumerate(setups):
        for h, cm in enumerate(heights):
            suite[f"lift_{name}_{round(cm * 10):02d}mm"] = KneeToWall(
                heel_lift=HeelLift(trial=trial, onset_s=0.8, peak_height_cm=cm), seed=1300 + 10 * s + h, **kw)
    return suite


def small_squat_suite() -> dict:
    """2 short squat clips for the tests: a front view from 1.2 m with a roll, a side view from
    0.6 m with a heel lift in rep 2."""
    small = dict(width_px=960, height_px=540, n_reps=2)
    return {
        "small_squat_front": SquatFront(fppa_deg=(12.0, 3.0), turnout_deg=(18.0, 8.0), turnout_change_deg=(10.0, 0.0),
                                        camera_height_m=1.2, roll_deg=4.0, seed=701, **small),
        "small_squat_side": SquatSide(facing="right", heel_lift_cm=3.0, heel_lift_reps=(2,), camera_height_m=0.6,
                                      roll_deg=-4.0, seed=702, **small),
    }


def issue12_suite() -> dict:
    """16 clips for issue 12 (cm, crest angle, far leg, pitch, not-a-knee-to-wall), 8-11 s each.

    Twelve knee-to-wall clips (near and far tested leg, both legs and facings, three drives each):
    a wall at a known toe distance on all, chosen so that the front of the knee just touches
    the wall at the highest peak (gap < 1 mm; one clip stops 2 cm short), an ArUco marker on
    nine, a lunge stagger of 45-75 cm on eleven, small heel lifts (0.5-1 cm) on two, one with
    the camera pitched -8 deg and one +8 deg (both with door casings on the back wall, the
    verticals that level a pitched camera) and one level with them, one with 0.5 deg hand-held
    shake, one in leggings, one portrait.
    Then two single-leg hinges and two walking lunges, which must get no verdict.
    """
    from dataclasses import replace

    from ankle_cv_render import Appearance, SingleLegHinge, WalkingLunge
    from ankle_cv_render.motion import touch_toe_to_wall_cm

    def ktw(*, gap_cm: float = 0.0, marker_cm: float | None = None, **kw) -> KneeToWall:
        """A knee-to-wall clip whose knee front reaches the wall (plus gap_cm) at its top peak."""
        base = KneeToWall(**kw)
        touch = np.ceil(touch_toe_to_wall_cm(base) * 10.0) / 10.0
        return replace(base, toe_to_wall_cm=float(touch + gap_cm), marker_cm=marker_cm)

    hd, sd = dict(width_px=1280, height_px=720), dict(width_px=960, height_px=540)
    return {
        "i12_near_rr": ktw(tested_leg="right", facing="right", peak_tibia_deg=(30.0, 36.0, 40.0),
                           marker_cm=10.0, seed=1201, **hd),
        "i12_near_ll": ktw(tested_leg="left", facing="left", peak_tibia_deg=(26.0, 32.0, 35.0),
                           marker_cm=10.0, back_foot_cm=50.0, seed=1202, **sd),
        "i12_far_lr": ktw(tested_leg="left", facing="right", peak_tibia_deg=(32.0, 38.0, 42.0),
                          marker_cm=10.0, back_foot_cm=60.0, seed=1203, **hd),
        "i12_far_rl": ktw(tested_leg="right", facing="left", peak_tibia_deg=(28.0, 34.0, 38.0),
                          marker_cm=10.0, back_foot_cm=75.0, seed=1204, **sd),
        "i12_far_lr_nomarker": ktw(tested_leg="left", facing="right", peak_tibia_deg=(35.0, 40.0, 44.0),
                                   back_foot_cm=45.0, seed=1205, **hd),
        "i12_far_rl_portrait": ktw(tested_leg="right", facing="left", peak_tibia_deg=(30.0, 35.0, 39.0),
                                   marker_cm=12.0, back_foot_cm=55.0, seed=1206, width_px=720,
                                   height_px=1280),
        "i12_near_rr_pitch": ktw(tested_leg="right", facing="right", peak_tibia_deg=(34.0, 38.0, 42.0),
                                 marker_cm=10.0, back_foot_cm=55.0, camera_pitch_deg=-8.0,
                                 camera_height_m=1.1, door_casings=True, seed=1207, **hd),
        "i12_near_ll_pitch_up": ktw(tested_leg="left", facing="left", peak_tibia_deg=(30.0, 35.0, 39.0),
                                    back_foot_cm=50.0, camera_pitch_deg=8.0, camera_height_m=0.35,
                                    door_casings=True, seed=1215, **hd),
        "i12_near_rr_casings": ktw(tested_leg="right", facing="right", peak_tibia_deg=(32.0, 37.0, 41.0),
                                   marker_cm=10.0, back_foot_cm=50.0, door_casings=True, seed=1216, **sd),
        "i12_far_lr_shake": ktw(tested_leg="left", facing="right", peak_tibia_deg=(30.0, 36.0, 41.0),
                                marker_cm=10.0, back_foot_cm=65.0, shake_deg=0.5, seed=1208, **sd),
        "i12_near_ll_gap": ktw(gap_cm=2.0, tested_leg="left", facing="left",
                               peak_tibia_deg=(33.0, 37.0, 40.0), marker_cm=10.0, back_foot_cm=50.0,
                               heel_lift=HeelLift(trial=3, onset_s=0.8, peak_height_cm=1.0),
                               appearance=Appearance(legwear_style="leggings"), seed=1209, **sd),
        "i12_near_rr_lift": ktw(tested_leg="right", facing="right", peak_tibia_deg=(36.0, 40.0, 38.0),
                                back_foot_cm=45.0,
                                heel_lift=HeelLift(trial=2, onset_s=0.8, peak_height_cm=0.5),
                                seed=1210, **sd),
        "i12_hinge_r": SingleLegHinge(facing="right", stance_leg="right", peak_trunk_deg=(50.0, 62.0, 72.0),
                                      seed=1211, **hd),
        "i12_hinge_l": SingleLegHinge(facing="left", stance_leg="right", peak_trunk_deg=(45.0, 55.0, 65.0),
                                      stance_knee_flexion_deg=25.0, seed=1212, **sd),
        "i12_lunge_r": WalkingLunge(facing="right", first_leg="right", step_cm=75.0, seed=1213, **hd),
        "i12_lunge_l": WalkingLunge(facing="left", first_leg="left", step_cm=65.0,
                                    front_knee_flexion_deg=80.0, seed=1214, **sd),
    }


def _render_fingerprint() -> str:
    """Changes whenever the renderer's code does, so cached renders go stale with it."""
    import ankle_cv_render

    digest = hashlib.sha256()
    # The package as imported (benchmarks/render/ankle_cv_render when installed editable).
    package = Path(ankle_cv_render.__file__).resolve().parent
    for path in sorted(package.glob("*.py"), key=lambda p: p.name):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _render_one(args) -> str:
    from ankle_cv_render import render_clip

    scenario, path = args
    if not Path(path).exists():
        render_clip(scenario, path)
    return path


def render_suite(suite: dict, folder: Path, *, jobs: int = 2) -> dict[str, Path]:
    """Render (or reuse) every clip of a suite into ``folder``; returns name -> video path."""
    folder.mkdir(parents=True, exist_ok=True)
    fingerprint = _render_fingerprint()
    paths = {}
    for name, scenario in suite.items():
        key = hashlib.sha256(json.dumps(scenario.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
        paths[name] = folder / f"{name}-{key}-{fingerprint}.mp4"
    todo = [(suite[n], str(p)) for n, p in paths.items() if not p.exists()]
    if todo:
        with ProcessPoolExecutor(max(1, min(jobs, len(todo)))) as pool:
            list(pool.map(_render_one, todo))
    return paths


def truth_of(video: Path) -> dict:
    return json.loads(video.with_name(video.stem + ".truth.json").read_text())


def score_clip(video: Path, *, cache_dir: Path | None = None) -> dict:
    """Run ankle-cv on a rendered clip and compare with its truth: one row of metrics."""
    truth = truth_of(video)
    result = analyze_video(video, "knee-to-wall", cache_dir=cache_dir).result
    tested = truth["tested_leg"]
    legs = {leg.leg: leg for leg in result.legs}
    near = "right" if truth["facing"] == "right" else "left"
    row = {
        "near_leg": tested == near,
        "leg_ok": list(legs) == [tested],
        "facing_ok": result.camera.facing == truth["facing"],
        "roll_error_deg": result.camera.roll_deg - truth["roll_deg"],
        "roll_source": result.camera.roll_source,
        "angle_errors_deg": [],
        "trusted_errors_deg": [],  # the trials a verdict may rest on
        "peak_any_errors_deg": [],
        "missed_trials": 0,
        "extra_trials": 0,
        "true_lifts": len(truth["heel_lifts"]),
        "found_lifts": 0,
        "matched_lifts": 0,
        "onset_errors_frames": [],
    }
    found = legs.get(tested)
    trials = list(found.trials) if found else []
    used = set()
    for want in truth["trials"]:
        match = next((i for i, tr in enumerate(trials) if i not in used
                      and want["start_frame"] <= tr.peak_any_frame <= want["end_frame"]), None)
        if match is None:
            row["missed_trials"] += 1
            continue
        used.add(match)
        got = trials[match]
        row["peak_any_errors_deg"].append(got.peak_any_deg - want["peak_tibia_deg"])
        if got.peak_deg is not None:
            row["angle_errors_deg"].append(got.peak_deg - want["peak_tibia_heel_down_deg"])
            if got.trusted:
                row["trusted_errors_deg"].append(row["angle_errors_deg"][-1])
    row["extra_trials"] = len(trials) - len(used) + sum(len(leg.trials) for name, leg in legs.items() if name != tested)
    lifts = list(found.heel_lifts) if found else []
    row["found_lifts"] = len(lifts) + sum(len(leg.heel_lifts) for name, leg in legs.items() if name != tested)
    for want in truth["heel_lifts"]:
        match = next((h for h in lifts if h.start_frame <= want["end_frame"] and want["start_frame"] <= h.end_frame),
                     None)
        if match is not None:
            row["matched_lifts"] += 1
            row["onset_errors_frames"].append(match.start_frame - want["start_frame"])
    return row


def summarize(rows: dict[str, dict]) -> dict:
    """Suite-level figures from per-clip rows."""
    errors = np.array([e for r in rows.values() for e in r["angle_errors_deg"]])
    trusted = np.array([e for r in rows.values() for e in r["trusted_errors_deg"]])
    any_errors = np.array([e for r in rows.values() for e in r["peak_any_errors_deg"]])
    onsets = np.array([e for r in rows.values() for e in r["onset_errors_frames"]])
    found = sum(r["found_lifts"] for r in rows.values())
    true = sum(r["true_lifts"] for r in rows.values())
    matched = sum(r["matched_lifts"] for r in rows.values())
    rolls = np.array([r["roll_error_deg"] for r in rows.values()])
    return {
        "clips": len(rows),
        "trials": int(errors.size),
        "angle_mae_deg": round(float(np.mean(np.abs(errors))), 2) if errors.size else None,
        "angle_max_abs_deg": round(float(np.max(np.abs(errors))), 2) if errors.size else None,
        "angle_bias_deg": round(float(np.mean(errors)), 2) if errors.size else None,
        "trusted_trials": int(trusted.size),
        "trusted_mae_deg": round(float(np.mean(np.abs(trusted))), 2) if trusted.size else None,
        "trusted_max_abs_deg": round(float(np.max(np.abs(trusted))), 2) if trusted.size else None,
        "peak_any_mae_deg": round(float(np.mean(np.abs(any_errors))), 2) if any_errors.size else None,
        "missed_trials": sum(r["missed_trials"] for r in rows.values()),
        "extra_trials": sum(r["extra_trials"] for r in rows.values()),
        "lift_precision": round(matched / found, 3) if found else 1.0,
        "lift_recall": round(matched / true, 3) if true else 1.0,
        "lift_onset_mae_frames": round(float(np.mean(np.abs(onsets))), 2) if onsets.size else None,
        "lift_onset_max_frames": int(np.max(np.abs(onsets))) if onsets.size else None,
        "leg_accuracy": round(float(np.mean([r["leg_ok"] for r in rows.values()])), 3),
        "facing_accuracy": round(float(np.mean([r["facing_ok"] for r in rows.values()])), 3),
        "roll_mae_deg": round(float(np.mean(np.abs(rolls))), 2),
    }


def run(suite: dict, folder: Path, *, jobs: int = 2, cache_dir: Path | None = None) -> tuple[dict, dict]:
    """Render and score a suite: (per-clip rows, summary)."""
    paths = render_suite(suite, folder, jobs=jobs)
    rows = {name: score_clip(path, cache_dir=cache_dir) for name, path in paths.items()}
    return rows, summarize(rows)


#: How much worse than the committed figures the ratchet test tolerates (run-to-run and
#: machine-to-machine noise of MediaPipe on the same renders is far smaller).
TOLERANCE = {
    "angle_mae_deg": 0.3, "angle_max_abs_deg": 0.5, "angle_bias_deg": 0.3, "lift_onset_mae_frames": 1.0,
    "lift_onset_max_frames": 1, "roll_mae_deg": 0.3,
}
HIGHER_IS_BETTER = ("lift_precision", "lift_recall", "leg_accuracy", "facing_accuracy", "trials")
LOWER_IS_BETTER = ("angle_mae_deg", "angle_max_abs_deg", "lift_onset_mae_frames", "lift_onset_max_frames",
                   "roll_mae_deg", "missed_trials", "extra_trials")


def regressions(summary: dict, committed: dict) -> list[str]:
    """What got worse than the committed figures (beyond the tolerance)."""
    worse = []
    for key in HIGHER_IS_BETTER:
        if summary[key] < committed[key]:
            worse.append(f"{key}: {summary[key]} < committed {committed[key]}")
    for key in LOWER_IS_BETTER:
        limit = None if committed[key] is None else committed[key] + TOLERANCE.get(key, 0)
        if limit is not None and (summary[key] is None or summary[key] > limit):
            worse.append(f"{key}: {summary[key]} > committed {committed[key]} (+{TOLERANCE.get(key, 0)})")
    if committed["angle_bias_deg"] is not None and \
            abs(summary["angle_bias_deg"]) > abs(committed["angle_bias_deg"]) + TOLERANCE["angle_bias_deg"]:
        worse.append(f"angle_bias_deg: |{summary['angle_bias_deg']}| > |committed {committed['angle_bias_deg']}|")
    return worse


def score_squat_clip(video: Path, *, cache_dir: Path | None = None) -> dict:
    """Run the squat analysis on a rendered squat and compare with its truth: one row."""
    truth = truth_of(video)
    result = analyze_video(video, "squat", cache_dir=cache_dir).result
    want, got = truth["squat_reps"], list(result.reps)
    row = {"true_reps": len(want), "found_reps": len(got), "fppa_errors_deg": [], "turnout_change_errors_deg": [],
           "start_errors_frames": [], "end_errors_frames": [], "true_lifts": 0, "found_lifts": 0, "matched_lifts": 0,
           "onset_errors_frames": [], "view": result.camera.view.value}
    for rep in want:
        match = next((r for r in got if r.start_frame <= rep["bottom_frame"] <= r.end_frame), None)
        if match is None:
            continue
        row["start_errors_frames"].append(match.start_frame - rep["start_frame"])
        row["end_errors_frames"].append(match.end_frame - rep["end_frame"])
        for leg in ("left", "right"):
            if match.fppa_deg is not None and getattr(match.fppa_deg, leg) is not None:
                row["fppa_errors_deg"].append(getattr(match.fppa_deg, leg) - rep["fppa_deg"][leg])
            if match.turnout is not None and match.turnout[leg].change_deg is not None:
                row["turnout_change_errors_deg"].append(match.turnout[leg].change_deg - rep["turnout_change_deg"][leg])
    if truth["scenario"]["type"] == "SquatSide":
        facing = truth["scenario"]["facing"]
        lifts = [h for h in truth["heel_lifts"] if h["leg"] == facing]  # the near foot's
        found = [r.heel_lift for r in got if r.heel_lift is not None]
        row["true_lifts"], row["found_lifts"] = len(lifts), len(found)
        for lift in lifts:
            match = next((h for h in found
                          if h.start_frame <= lift["end_frame"] and lift["start_frame"] <= h.end_frame), None)
            if match is not None:
                row["matched_lifts"] += 1
                row["onset_errors_frames"].append(match.start_frame - lift["start_frame"])
    return row


def summarize_squats(rows: dict[str, dict]) -> dict:
    def all_of(key):
        return np.array([e for r in rows.values() for e in r[key]], dtype=float)

    fppa, turn, onset = all_of("fppa_errors_deg"), all_of("turnout_change_errors_deg"), all_of("onset_errors_frames")
    start, end = all_of("start_errors_frames"), all_of("end_errors_frames")
    found = sum(r["found_lifts"] for r in rows.values())
    true = sum(r["true_lifts"] for r in rows.values())
    matched = sum(r["matched_lifts"] for r in rows.values())

    def stat(values, fn):
        return round(float(fn(values)), 2) if values.size else None

    return {
        "clips": len(rows),
        "reps": sum(r["true_reps"] for r in rows.values()),
        "rep_count_exact": round(float(np.mean([r["true_reps"] == r["found_reps"] for r in rows.values()])), 3),
        "fppa_mae_deg": stat(fppa, lambda v: np.mean(np.abs(v))),
        "fppa_max_abs_deg": stat(fppa, lambda v: np.max(np.abs(v))),
        "turnout_change_mae_deg": stat(turn, lambda v: np.mean(np.abs(v))),
        "turnout_change_max_abs_deg": stat(turn, lambda v: np.max(np.abs(v))),
        "rep_start_mae_frames": stat(start, lambda v: np.mean(np.abs(v))),
        "rep_end_mae_frames": stat(end, lambda v: np.mean(np.abs(v))),
        "lift_precision": round(matched / found, 3) if found else 1.0,
        "lift_recall": round(matched / true, 3) if true else 1.0,
        "lift_onset_max_frames": int(np.max(np.abs(onset))) if onset.size else None,
    }


def run_squats(suite: dict, folder: Path, *, jobs: int = 2, cache_dir: Path | None = None) -> tuple[dict, dict]:
    """Render and score a squat suite: (per-clip rows, summary)."""
    paths = render_suite(suite, folder, jobs=jobs)
    rows = {name: score_squat_clip(path, cache_dir=cache_dir) for name, path in paths.items()}
    return rows, summarize_squats(rows)


#: Squat figures the ratchet compares (lower is better unless listed as higher), and the
#: run-to-run tolerance of each.
SQUAT_HIGHER_IS_BETTER = ("rep_count_exact", "lift_precision", "lift_recall")
SQUAT_TOLERANCE = {"fppa_mae_deg": 0.3, "fppa_max_abs_deg": 0.5, "turnout_change_mae_deg": 0.5,
                   "turnout_change_max_abs_deg": 1.0, "lift_onset_max_frames": 1}


def squat_regressions(summary: dict, committed: dict) -> list[str]:
    """What got worse than the committed squat figures (beyond the tolerance)."""
    worse = [f"{key}: {summary[key]} < committed {committed[key]}" for key in SQUAT_HIGHER_IS_BETTER
             if summary[key] < committed[key]]
    for key, tolerance in SQUAT_TOLERANCE.items():
        if committed[key] is not None and (summary[key] is None or summary[key] > committed[key] + tolerance):
            worse.append(f"{key}: {summary[key]} > committed {committed[key]} (+{tolerance})")
    return worse
