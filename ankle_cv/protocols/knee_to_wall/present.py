"""How a knee-to-wall result reads: its part of the report JSON, its per-frame CSV table and
its text summary (the generic outputs add the envelope and write the files)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ...landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ...outputs.table import fixed
from ...vocab import Classification, HeelSource, WarningCode
from ..references import CREST_OFFSET, VALIDATION
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
        "distance": distance_body(result),
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "settings": settings,
        "references": result.settings.references.sources(),
    }


DISTANCE_MEASURE = (
    "toe-to-wall distance: horizontal distance from the shoe's tip to the wall at each trial's heel-down peak, "
    "in cm (legs[].toe_to_wall_cm, per trial legs[].trials[].toe_to_wall_cm, each with its SD)"
)
_SCALE_HOW = {"marker": "scale from the ArUco marker card", "foot_length": "scale from the given foot length"}
_WALL_HOW = {"marker": "wall at the card's edge", "knee_contact": "wall where the knee touched it"}
_TOE_HOW = {"heel_and_foot_length": ", toe placed from the heel and the foot length (the card hid it)"}


def distance_body(result: KneeToWallResult) -> dict:
    """The report's ``distance`` section: how cm were measured (or why not) and the norm."""
    refs = result.settings.references
    facts = dataclasses.asdict(result.distance) if result.distance is not None else {
        "scale_source": None, "px_per_cm": None, "px_per_cm_sd": None, "wall_source": None,
        "note": "cm not measured"}
    return {"measure": DISTANCE_MEASURE, **facts, "normal_cm": refs.normal_distance_cm,
            "normal_sd_cm": refs.normal_distance_sd_cm}


def _distance_lines(leg: LegResult, result: KneeToWallResult) -> list[str]:
    """The leg's toe-to-wall line of the summary."""
    dist, refs = result.distance, result.settings.references
    norm = f"normal {refs.normal_distance_cm:g} ± {refs.normal_distance_sd_cm:g} cm, Hoch & McKeon 2011"
    if dist is None or dist.scale_source is None or leg.toe_to_wall_cm is None:
        why = dist.note if dist is not None and dist.note else "cm not measured for the best trial"
        return [f"  toe-to-wall: — ({why})"]
    trials = ", ".join(f"{tr.number}: {tr.toe_to_wall_cm:.1f}" for tr in leg.trials if tr.toe_to_wall_cm is not None)
    caveat = " — not interpretable (see the verdict)" if leg.classification == Classification.NOT_INTERPRETABLE else ""
    return [f"  toe-to-wall {leg.toe_to_wall_cm:.1f} ± {leg.toe_to_wall_sd_cm:.1f} cm (best trial; "
            f"{_SCALE_HOW[dist.scale_source]}, {_WALL_HOW[dist.wall_source]}{_TOE_HOW.get(dist.toe_source, '')}; "
            f"{norm}); per trial {trials} cm{caveat}"]


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


def _judged(leg: LegResult) -> str:
    """What the verdict was judged on, in words."""
    if leg.verdict_source == "shin_front_edge":
        return f"shin front edge {_deg(leg.verdict_angle_deg)}"
    return (f"centre line + {CREST_OFFSET.offset_deg:g}° expected crest offset = {_deg(leg.verdict_angle_deg)} "
            f"(± {CREST_OFFSET.sd_deg:g}° between people)")


def _verdict(leg: LegResult, refs) -> str:
    if leg.classification == Classification.NOT_INTERPRETABLE:
        return f"not interpretable: {leg.classification_reason}"
    judged = _judged(leg)
    if leg.classification == Classification.BORDERLINE:
        band = ("the minimal detectable change" if leg.verdict_band_deg <= refs.mdc_deg else
                f"the minimal detectable change {refs.mdc_deg:g}° widened by the angle's uncertainty")
        return (f"borderline: {judged} is within {leg.verdict_band_deg:g}° ({band}) of the "
                f"{refs.restriction_deg:g}° cut-off")
    if leg.classification == Classification.RESTRICTED:
        return f"restricted: {judged}, below the {refs.restriction_deg:g}° cut-off"
    return f"not restricted: {judged}, cut-off {refs.restriction_deg:g}°"


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
    lines += _crest_lines(leg)
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
    for tr in leg.trials:
        if not tr.trusted:
            lines.append(f"  trial {tr.number} not trusted for the best result: {'; '.join(tr.distrust_reasons)}")
    for h in leg.heel_lifts:
        height = f"{100 * h.peak_height_foot:.0f}% of foot length"
        if h.peak_height_cm is not None:
            height += f" ≈ {h.peak_height_cm:.1f} cm"
        where = f"trial {h.trial}" if h.trial else "between trials"
        lines.append(f"  heel lift {h.start_s:.2f}–{h.end_s:.2f} s ({where}), peak {height} at {h.peak_s:.2f} s")
    return lines


def _crest_lines(leg: LegResult) -> list[str]:
    """The leg's shin-front-edge line: the angle an inclinometer on the tibial crest would read."""
    if leg.best_deg is None:
        return []
    best = next((t for t in leg.trials if t.number == leg.best_trial), None)
    if best is None or best.crest_deg is None:
        why = best.crest_note if best is not None and best.crest_note else "no video at hand"
        return [f"  shin front edge (inclinometer line): not measured ({why})"]
    others = ", ".join(f"{t.number}: {_deg(t.crest_deg)}" for t in leg.trials if t.crest_deg is not None)
    return [f"  shin front edge (inclinometer line) {_deg(best.crest_deg)} ± {best.crest_sd_deg:.1f}° at the best "
            f"trial's peak, measured in the image; per trial {others}"]


_ROLL_HOW = {"user": "given", "scene": "from scene lines", "sole": "from the planted sole", "level": "assumed level"}


def summary_lines(result: KneeToWallResult, *, hint=None) -> list[str]:
    """The summary after its header lines; ``hint(setting)``, where given, names how a user
    gives the setting a warning points to (the CLI's flag)."""
    refs = result.settings.references
    cam = result.camera
    roll = f"roll {cam.roll_deg:+.1f}° ({_ROLL_HOW[cam.roll_source]}"
    roll += f", scatter ±{cam.roll_sd_deg:.1f}°)" if cam.roll_sd_deg is not None else ")"
    if cam.pitch_deg is not None:
        roll += (f", pitched {cam.pitch_deg:+.1f}°: the scene's verticals converge ({cam.verticals} lines), "
                 "the shank is measured in the picture levelled by them")
    lines = [f"  camera: {cam.view} view, feet point {cam.facing or 'unknown'}, {roll}", ""]
    if not result.legs:
        lines.append("No knee drive found: no trial to score.")
    refused = next((w for w in result.warnings if w.code == WarningCode.NOT_KNEE_TO_WALL), None)
    if refused is not None:
        lines += [f"NOT A KNEE-TO-WALL TEST: {refused.message}", ""]
    for leg in result.legs:
        lines += _leg_lines(leg, refs) + _distance_lines(leg, result) + [""]
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
        "  - angle = ankle→knee centre line to true vertical; an inclinometer on the tibial crest reads about "
        f"{CREST_OFFSET.offset_deg:g}° more (± {CREST_OFFSET.sd_deg:g}° between people; docs/method.md)",
        "  - the verdict is judged on the shin's front edge where it was measured, else on the centre line plus "
        "that offset, with the borderline band widened by its spread",
        "  - shin front edge = the shin's anterior outline between 25% and 65% of the way from knee to ankle, "
        "found in the image: the line an inclinometer on the tibial crest rests on (bare leg or tight clothing)",
        f"  - noise SD = frame-to-frame scatter of the angle, not its error: on rendered clips with known angles "
        f"(tested leg near the camera) the worst error was {VALIDATION.angle_max_abs_deg:g}°; on the far side, over "
        f"the trials trusted, {VALIDATION.far_trusted_mae_deg:g}° on average and "
        f"{VALIDATION.far_trusted_max_abs_deg:g}° at worst",
        (f"  - heel lifts under about {VALIDATION.smallest_lift_found_cm:g} cm may go unnoticed (the smallest found in "
         "every rendered test)" if result.heel.source == HeelSource.IMAGE else
         "  - heel from MediaPipe's landmarks (no video): lifts under about 1 cm may go unnoticed, and at steep "
         "shank angles a flat heel may read as lifted"),
        f"  - a change under {refs.mdc_deg:g}° is within the minimal detectable change (Powden et al. 2015)",
        f"  - restricted below {refs.restriction_deg:g}° (Backman & Danielson 2011, patellar tendinopathy risk; "
        "measured with an inclinometer on the tibia, not the centre line)",
        f"  - normal toe-to-wall distance {refs.normal_distance_cm:g} ± {refs.normal_distance_sd_cm:g} cm "
        f"(Hoch & McKeon 2011); ~{refs.deg_per_cm:g}° per cm on average (Bennell et al. 1998)",
    ]
    return lines
