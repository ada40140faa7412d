"""How a squat result reads: its part of the report JSON, its per-frame CSV table and its text
summary (the generic outputs add the envelope and write the files)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ...core import quality
from ...landmarks import ANKLE, KNEE, LEGS
from ...outputs.table import fixed
from ...vocab import View
from .results import Rep, SquatResult

SCREENING = ("2-D FPPA is a screening flag, not a diagnosis: its smallest detectable difference is about 7.5-9 deg "
             "(Munro et al. 2012) and it agrees poorly with 3-D knee angles in squats (Lopes et al. 2018)")

MEASURES = {
    "hip_drop_leg": {"unit": "leg lengths", "view": "any",
                     "definition": "drop of the hips below standing at the rep's bottom, over the standing height of "
                                   "the hips above the ankles"},
    "knee_flexion_deg": {"unit": "deg", "view": "side",
                         "definition": "peak knee flexion of the near leg: 180 deg minus the hip-knee-ankle angle"},
    "fppa_deg": {"unit": "deg", "view": "front",
                 "definition": "frontal-plane projection angle at the bottom: thigh (hip->knee) against shank "
                               "(knee->ankle), positive when the knee falls medially (valgus)"},
    "separation_ratio": {"unit": "ratio", "view": "front",
                         "definition": "knee-to-ankle separation ratio at the bottom: distance between the knees over "
                                       "distance between the ankles; below 1 the knees are inside the ankles"},
    "turnout": {"unit": "deg", "view": "front",
                "definition": "foot direction (heel->foot index) from straight ahead, positive toes out, standing "
                              "before the rep and at its bottom; the change is bottom minus standing. Arcsine of the "
                              "foot's sideways image component over its length (0.62 x the standing shank, Winter "
                              "2009): the front view foreshortens the foot's forward component"},
    "heel_lift": {"unit": "foot lengths", "view": "side",
                  "definition": "rise of the near heel over the forefoot, tracked in the image, as in the "
                                "knee-to-wall test"},
    "hip_shift_body": {"unit": "shoulder widths", "view": "front",
                       "definition": "sideways shift of the hips' midpoint over the ankles' midpoint from standing to "
                                     "the bottom, positive towards the left leg"},
}

COLUMNS = (
    "frame", "time_s", "leg", "rep", "view", "hip_drop_leg", "knee_flexion_deg", "fppa_deg", "turnout_deg",
    "separation_ratio", "hip_shift_body", "heel_height_foot", "knee_visibility", "ankle_visibility",
)


def _rep_dict(rep: Rep) -> dict:
    out = dataclasses.asdict(rep)
    out["view"] = rep.view.value
    return out


def report_body(result: SquatResult) -> dict:
    """The squat sections of the report (schema ``ankle-cv/squat-report``)."""
    settings = dataclasses.asdict(result.settings)
    settings.pop("references")
    camera = dataclasses.asdict(result.camera)
    return {
        "measures": MEASURES,
        "screening_note": SCREENING,
        "camera": camera,
        "detection_rate": result.clip.detection_rate,
        "rep_count": len(result.reps),
        "reps": [_rep_dict(r) for r in result.reps],
        "not_counted": [dataclasses.asdict(n) for n in result.not_counted],
        "depth_median_leg": result.depth_median_leg,
        "knee_flexion_median_deg": result.knee_flexion_median_deg,
        "legs": [dataclasses.asdict(leg) for leg in result.legs],
        "asymmetry": dataclasses.asdict(result.asymmetry),
        "flags": [dataclasses.asdict(f) for f in result.flags],
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "settings": settings,
        "references": result.settings.references.sources(result.settings.sex),
    }


def frame_views(result: SquatResult) -> np.ndarray:
    """The view of each frame (the user's, or from the body's width): array of strings."""
    kin = result.kinematics
    if result.settings.view is not None:
        return np.full(kin.time_s.shape, result.settings.view.value)
    return quality.views_of(kin.width_ratio)


def frame_table(result: SquatResult) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
    """The CSV's columns as arrays of strings, one row per frame and leg (left then right).

    A measure is empty in frames whose view does not support it (valgus, turn-out and hip shift
    need a front view; knee flexion and heel height a side view, and are given for the near leg)."""
    kin = result.kinematics
    n = kin.time_s.shape[0]
    views = frame_views(result)
    front = views == View.FRONT.value
    side = views == View.SIDE.value
    rep = np.zeros(n, dtype=np.int64)
    for r in result.reps:
        rep[r.start_frame:r.end_frame + 1] = r.number
    near_row = np.arange(2)[:, None] == kin.near[None, :]  # (2, T)
    heel = np.full((2, n), np.nan)
    if result.heel is not None:
        heel = np.where(near_row, result.heel.height_foot[None, :], np.nan)

    def rows(series: np.ndarray) -> np.ndarray:  # (2, T) -> frame-major rows
        return np.asarray(series).T.reshape(-1)

    def both(series: np.ndarray) -> np.ndarray:  # (T,) -> (2, T)
        return np.broadcast_to(series, (2, n))

    nan = np.nan
    table = {
        "frame": np.repeat(np.arange(n), 2).astype(str),
        "time_s": fixed(np.repeat(kin.time_s, 2), 4),
        "leg": np.tile(np.array(LEGS), n),
        "rep": np.repeat(rep, 2).astype(str),
        "view": np.repeat(views, 2),
        "hip_drop_leg": fixed(np.repeat(kin.drop_leg, 2), 3),
        "knee_flexion_deg": fixed(rows(np.where(side & near_row, kin.knee_flexion_deg, nan)), 2),
        "fppa_deg": fixed(rows(np.where(front, kin.fppa_deg, nan)), 2),
        "turnout_deg": fixed(rows(np.where(front, kin.turnout_deg, nan)), 2),
        "separation_ratio": fixed(rows(both(np.where(front, kin.separation_ratio, nan))), 3),
        "hip_shift_body": fixed(rows(both(np.where(front, kin.hip_shift_body, nan))), 3),
        "heel_height_foot": fixed(rows(np.where(side, heel, nan)), 4),
        "knee_visibility": fixed(rows(kin.visibility[KNEE]), 3),
        "ankle_visibility": fixed(rows(kin.visibility[ANKLE]), 3),
    }
    return COLUMNS, table


def _num(value, fmt: str = "{:.1f}", none: str = "–") -> str:
    return none if value is None else fmt.format(value)


def _pair(left, right, fmt: str = "{:.1f}", marks=(False, False)) -> str:
    def one(value, mark):
        text = _num(None if value is None else value + 0.0, fmt).replace("-0", "0") if value is not None \
            and abs(value) < 0.5 else _num(value, fmt)
        return text + ("*" if mark else "")

    return f"{one(left, marks[0])} / {one(right, marks[1])}"


LABELS = {"fppa_deg": "valgus (FPPA)", "separation_ratio": "knee-to-ankle separation", "turnout": "turn-out",
          "hip_shift_body": "hip shift", "knee_flexion_deg": "knee flexion", "heel_lift": "heel lift"}


def _rep_line(rep: Rep) -> str:
    depth = f"hip {rep.hip_drop_leg:.2f}" if rep.hip_drop_leg is not None else "–"
    if rep.knee_flexion_deg is not None:
        depth += f", knee {rep.knee_flexion_deg:.0f}°"
    parts = [f"  {rep.number:>3}  {f'{rep.start_s:.1f}–{rep.end_s:.1f} s':<12}  {rep.view.value:<7}  {depth:<18}"]
    if rep.fppa_deg is not None:
        marks = tuple(bool(getattr(rep.fppa_flagged, leg)) for leg in LEGS)
        parts.append(f"FPPA L/R {_pair(rep.fppa_deg.left, rep.fppa_deg.right, '{:+.0f}', marks)}°")
        parts.append(f"KASR {_num(rep.separation_ratio, '{:.2f}')}{'*' if rep.separation_flagged else ''}")
        change = [rep.turnout[leg].change_deg for leg in LEGS]
        marks = tuple(bool(rep.turnout[leg].flagged) for leg in LEGS)
        parts.append(f"turn-out change L/R {_pair(*change, '{:+.0f}', marks)}°")
    if rep.view == View.SIDE:
        if rep.heel_lifted is None:
            parts.append("heel not followed")
        elif rep.heel_lift is not None:
            cm = f" ({rep.heel_lift.peak_height_cm:.1f} cm)" if rep.heel_lift.peak_height_cm is not None else ""
            lift = rep.heel_lift
            small = f", only {lift.peak_height_px:.1f} px: check the video" if lift.small else ""
            parts.append(f"heel lift* {lift.peak_height_foot:.3f} foot{cm} from {lift.start_s:.2f} s{small}")
        else:
            parts.append("heel down")
    return "  ".join(parts)


def summary_lines(result: SquatResult, *, hint=None) -> list[str]:
    """The text summary after the clip header: reps, depth, per-rep valgus, turn-out and heel
    lift, the flags, what the view could not measure, and the quality warnings."""
    cam = result.camera
    refs = result.settings.references
    lines = [f"View: {cam.view.value}"
             + (f" (body width {cam.body_width_ratio:.2f} x torso length)" if cam.body_width_ratio is not None else "")
             + f" · {len(result.reps)} rep{'s' if len(result.reps) != 1 else ''}"
             + (f" · depth median {result.depth_median_leg:.2f} leg lengths" if result.depth_median_leg is not None
                else "")
             + (f", knee flexion {result.knee_flexion_median_deg:.0f}°" if result.knee_flexion_median_deg is not None
                else ""),
             ""]
    if result.reps:
        lines.append("  rep  time          view     depth (leg lengths) measures (* flagged)")
        lines += [_rep_line(r) for r in result.reps]
        lines.append("")
    lines.append("Flags:" if result.flags else "Flags: none")
    lines += [f"  - {f.text}" for f in result.flags]
    asym = result.asymmetry
    if asym.fppa_deg is not None or asym.hip_shift_body is not None:
        lines.append(f"Left minus right: FPPA {_num(asym.fppa_deg, '{:+.1f}')}°, turn-out change "
                     f"{_num(asym.turnout_change_deg, '{:+.1f}')}°; hip shift at the bottom "
                     f"{_num(asym.hip_shift_body, '{:+.2f}')} shoulder widths (+ towards the left leg)")
    missing: dict[str, list[str]] = {}
    for r in result.reps:
        for key, why in r.not_measurable.items():
            name, _, leg = key.partition(".")
            missing.setdefault(why, []).append(
                f"{LABELS.get(name, name)}{' ' + leg if leg else ''}|{r.number}")
    if missing:
        lines.append("Not measurable:")
        for why, items in missing.items():
            names = sorted({item.split("|")[0] for item in items})
            reps = sorted({int(item.split("|")[1]) for item in items})
            lines.append(f"  - {', '.join(names)}: {why} (rep{'s' if len(reps) > 1 else ''} "
                         f"{', '.join(map(str, reps))})")
    if any(r.fppa_deg is not None for r in result.reps):
        sex = result.settings.sex
        lines.append(f"FPPA flagged above {refs.fppa_threshold_deg(sex):g}° "
                     f"({sex + ' threshold' if sex else 'sex not given'}; Herrington & Munro 2010). {SCREENING}.")
    if result.warnings:
        lines.append("")
        lines.append("Warnings:")
        for w in result.warnings:
            extra = f" [{hint(w.setting)}]" if hint and w.setting else ""
            lines.append(f"  - {w.code.value}: {w.message}{extra}")
    return lines
