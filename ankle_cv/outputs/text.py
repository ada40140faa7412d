"""Plain-text summary of a knee-to-wall result, for the terminal and for handing on."""

from __future__ import annotations

from ..protocols.knee_to_wall import KneeToWallResult, LegResult
from ..protocols.references import VALIDATION
from ..versions import tool_versions


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}°"


def _verdict(leg: LegResult, refs) -> str:
    if leg.classification == "not_interpretable":
        return f"not interpretable: {leg.classification_reason}"
    if leg.classification == "borderline":
        return f"borderline (within {refs.mdc_deg:g}°, the minimal detectable change, of the {refs.restriction_deg:g}° cut-off)"
    if leg.classification == "restricted":
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


def summary_text(result: KneeToWallResult) -> str:
    refs = result.settings.references
    w, h = result.frame_size_px
    how = {"user": "given", "scene": "from scene lines", "sole": "from the planted sole",
           "level": "assumed level"}[result.roll_source]
    roll = f"roll {result.roll_deg:+.1f}° ({how}"
    roll += f", scatter ±{result.roll_sd_deg:.1f}°)" if result.roll_sd_deg is not None else ")"
    lines = [
        f"ankle-cv {tool_versions()['ankle-cv']} · knee-to-wall · {result.source}",
        f"  {result.n_frames} frames, {result.duration_s:.1f} s at {result.fps:g} fps, {w}x{h} · "
        f"person found in {100 * result.detection_rate:.0f}% of frames",
        f"  camera: {result.view} view, feet point {result.facing or 'unknown'}, {roll}",
        "",
    ]
    if not result.legs:
        lines.append("No knee drive found: no trial to score.")
    for leg in result.legs:
        lines += _leg_lines(leg, refs) + [""]
    if result.asymmetry_deg is not None:
        flag = "worth a look" if abs(result.asymmetry_deg) >= refs.asymmetry_deg else "within"
        lines += [f"Asymmetry left − right: {result.asymmetry_deg:+.1f}° ({flag} the {refs.asymmetry_deg:g}° flag; "
                  f"MDC {refs.mdc_deg:g}°)", ""]
    if result.warnings:
        lines.append("Warnings:")
        lines += [f"  - {wn.message} [{wn.code}]" for wn in result.warnings]
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
    return "\n".join(lines)
