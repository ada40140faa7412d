"""How a knee-to-wall result reads: its part of the report JSON, its per-frame CSV table and
its text summary (the generic outputs add the envelope and write the files)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ...landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ...outputs.table import fixed
from ...vocab import Classification
from ..references import VALIDATION
from .results import KneeToWallResult, LegResult

MEASURE = (
    "tibia-to-vertical angle: the line from the ankle centre to the knee centre against the "
    "true vertical, positive with the knee forward of the ankle; this centre line is not the "
    "anterior tibial crest an inclinometer sits on"
)

COLUMNS = (
    "frame", "time_s", "leg", "tested", "trial",
    "tibia_raw_deg", "tibia_deg", "heel_height_foot", "heel_down",
    "knee_visibility", "ankle_visibility", "heel_visibility", "toe_visibility",
)


def report_body(result: KneeToWallResult) -> dict:
    """The knee-to-wall sections of the report (schema ``ankle-cv/knee-to-wall-report``)."""
    settings = dataclasses.asdict(result.settings)
    settings.pop("references")
    return {
        "measure": {"name": "tibia_to_vertical", "unit": "deg", "definition": MEASURE,
                    "validation": VALIDATION.as_dict()},
        "camera": dataclasses.asdict(result.camera),
        "detection_rate": result.clip.detection_rate,
        "legs": [dataclasses.asdict(leg) for leg in result.legs],
        "asymmetry_deg": result.asymmetry_deg,
        "asymmetry_flagged": result.asymmetry_flagged,
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "settings": settings,
        "references": result.settings.references.sources(),
    }


def frame_table(result: KneeToWallResult) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
    """The CSV's columns as arrays of strings, one row per frame and leg (left then right)."""
    kin, heel = result.kinematics, result.heel
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

    def rows(series: np.ndarray) -> np.ndarray:  # (2, T) -> frame-major rows
        return series.T.reshape(-1)

    table = {
        "frame": frame.astype(str),
        "time_s": fixed(kin.time_s[frame], 4),
        "leg": np.asarray(LEGS)[leg_idx],
        "tested": tested.astype(int).astype(str),
        "trial": np.where(trial > 0, trial.astype(str), ""),
        "tibia_raw_deg": fixed(rows(kin.tibia_raw_deg), 2),
        "tibia_deg": fixed(rows(kin.tibia_deg), 2),
        "heel_height_foot": fixed(rows(heel.height_foot), 4),
        "heel_down": np.where(rows(heel.known), rows(heel.down).astype(int).astype(str), ""),
    }
    for name, joint in (("knee", KNEE), ("ankle", ANKLE), ("heel", HEEL), ("toe", TOE)):
        table[f"{name}_visibility"] = fixed(rows(kin.visibility[joint]), 3)
    return COLUMNS, table


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}°"


def _verdict(leg: LegResult, refs) -> str:
    if leg.classification == Classification.NOT_INTERPRETABLE:
        return f"not interpretable: {leg.classification_reason}"
    if leg.classification == Classification.BORDERLINE:
        return (f"borderline (within {refs.mdc_deg:g}°, the minimal detectable change, of the "
                f"{refs.restriction_deg:g}° cut-off)")
    if leg.classification == Classification.RESTRICTED:
        return f"restricted (below the {refs.restriction_deg:g}° cut-off)"
    return f"not restricted (cut-off {refs.restriction_deg:g}°)"


def _leg_lines(leg: LegResult, refs) -> list[str]:
    head = f"{leg.leg.upper()} leg (tested)"
    if leg.best_deg is None:
        lines = [f"{head}: no trial with the heel down and the leg tracked — no valid result"]
    else:
        bias = VALIDATION.angle_bias_deg
        lines = [
            f"{head}: best with heel down {_deg(leg.best_deg)} "
            f"(trial {leg.best_trial} at {leg.best_s:.2f} s) — {_verdict(leg, refs)}",
            f"  validated on rendered clips: mean error {VALIDATION.angle_mae_deg:g}°, reads "
            f"{abs(bias):g}° {'low' if bias < 0 else 'high'} on average (tested leg near the camera)",
        ]
    if leg.best_deg is not None and not leg.heel_checked:
        lines.append("  the heel could not be followed in the best trial: a heel lift there would go unnoticed")
    lines.append("  trial  peak heel-down  at        peak any   noise SD  heel")
    for tr in leg.trials:
        at = "" if tr.peak_s is None else f"{tr.peak_s:.2f} s"
        lift = next((h for h in leg.heel_lifts if h.trial == tr.number), None)
        heel = (f"lifted at {lift.start_s:.2f} s" if lift else "lifted" if tr.heel_lifted
                else "down" if tr.heel_checked else "not seen")
        note = f" ({tr.note})" if tr.note else ""
        lines.append(
            f"  {tr.number:<5}  {_deg(tr.peak_deg):<14}  {at:<8}  {_deg(tr.peak_any_deg):<9}  "
            f"{f'{tr.jitter_sd_deg:.2f}°':<9} {heel}{note}"
        )
    for h in leg.heel_lifts:
        height = f"{100 * h.peak_height_foot:.0f}% of foot length"
        if h.peak_height_cm is not None:
            height += f" ≈ {h.peak_height_cm:.1f} cm"
        where = f"trial {h.trial}" if h.trial else "between trials"
        lines.append(f"  heel lift {h.start_s:.2f}–{h.end_s:.2f} s ({where}), peak {height} at {h.peak_s:.2f} s")
    return lines


_ROLL_HOW = {"user": "given", "scene": "from scene lines", "sole": "from the planted sole", "level": "assumed level"}


def summary_lines(result: KneeToWallResult, *, hint=None) -> list[str]:
    """The summary after its header lines; ``hint(setting)``, where given, names how a user
    gives the setting a warning points to (the CLI's flag)."""
    refs = result.settings.references
    cam = result.camera
    roll = f"roll {cam.roll_deg:+.1f}° ({_ROLL_HOW[cam.roll_source]}"
    roll += f", scatter ±{cam.roll_sd_deg:.1f}°)" if cam.roll_sd_deg is not None else ")"
    lines = [f"  camera: {cam.view} view, feet point {cam.facing or 'unknown'}, {roll}", ""]
    if not result.legs:
        lines.append("No knee drive found: no trial to score.")
    for leg in result.legs:
        lines += _leg_lines(leg, refs) + [""]
    if result.asymmetry_deg is not None:
        flag = "worth a look" if result.asymmetry_flagged else "within"
        lines += [f"Asymmetry left − right: {result.asymmetry_deg:+.1f}° ({flag} the {refs.asymmetry_deg:g}° flag; "
                  f"MDC {refs.mdc_deg:g}°)", ""]
    if result.warnings:
        lines.append("Warnings:")
        for wn in result.warnings:
            how = f" ({hint(wn.setting)})" if hint is not None and wn.setting else ""
            lines.append(f"  - {wn.message}{how} [{wn.code}]")
        lines.append("")
    lines += [
        "Reading the numbers:",
        "  - angle = ankle→knee centre line to true vertical; an inclinometer on the tibial crest reads differently",
        f"  - noise SD = frame-to-frame scatter of the angle, not its error: on rendered clips with known angles "
        f"(tested leg near the camera) the worst error was {VALIDATION.angle_max_abs_deg:g}°; with the tested leg on "
        "the far side it was far larger",
        f"  - a change under {refs.mdc_deg:g}° is within the minimal detectable change (Powden et al. 2015)",
        f"  - restricted below {refs.restriction_deg:g}° (Backman & Danielson 2011, patellar tendinopathy risk; "
        "measured with an inclinometer on the tibia, not the centre line)",
        f"  - normal toe-to-wall distance {refs.normal_distance_cm:g} ± {refs.normal_distance_sd_cm:g} cm "
        f"(Hoch & McKeon 2011); ~{refs.deg_per_cm:g}° per cm on average (Bennell et al. 1998)",
    ]
    return lines
