"""Each rep's measures from the squat kinematics, as far as its camera view supports them,
and the summary over reps."""

from __future__ import annotations

import warnings

import numpy as np

from ...core import quality
from ...core import reps as core_reps
from ...landmarks import LEGS
from ...vocab import View
from .kinematics import SquatHeel, SquatKinematics
from .results import SMALL_LIFT_PX, Asymmetry, Flag, HeelLift, LegSummary, NotRep, PerLeg, Rep, SquatFlag, TurnOut
from .settings import SquatSettings

#: Values at the bottom are medians over this window either side of the bottom frame, and
#: standing values over this long just before the rep starts.
BOTTOM_WINDOW_S = 0.1
STANDING_WINDOW_S = 0.3

#: FPPA is not measured where the thigh is seen shorter than this share of its standing
#: length: it then points at the camera, and a knee landmark 5% of a thigh length off
#: sideways would swing the angle by more than FPPA's ~7.5 deg smallest detectable difference
#: (0.05 / 0.4 rad = 7.2 deg).
MIN_THIGH_SHARE = 0.4
#: A frontal-plane projection angle beyond this is no knee seen from the front (published
#: values reach about 30 deg in patellofemoral pain): a landmark or foreshortening error.
MAX_FPPA_DEG = 45.0
UNSEEN = "{what} not seen (landmarks missing or below the visibility threshold)"

NOT_FRONT = "needs a front view; filmed from the {view}"
NOT_SIDE = "needs a side view; filmed from the {view}"
REASONS = {
    core_reps.REJECTED_AT_EDGE: "the clip starts or ends inside it",
    core_reps.REJECTED_FEET_MOVING: "the feet were moving (walking into or out of position)",
    core_reps.REJECTED_TOO_SHORT: "too short for a rep",
    core_reps.REJECTED_HALF_REP: "a half rep: less than half as deep as the deepest rep",
    core_reps.REJECTED_LOST: "the person's landmarks were lost before it ended (or before it began)",
    core_reps.REJECTED_NOT_UPRIGHT: "the person did not stand upright before and after it (pulses in a held squat?)",
}


def rounded(value, digits: int = 1):
    """A float rounded for the report, None for NaN or None."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


def _median(values: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(values)) if np.size(values) else float("nan")


def _max(values: np.ndarray) -> float:
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else float("nan")


def rep_view(kin: SquatKinematics, start: int, end: int, settings: SquatSettings) -> tuple[View, float]:
    """The view a rep was filmed in (the user's, or from the body's width over the rep)."""
    ratio = _median(kin.width_ratio[start:end + 1])
    return (settings.view or quality.view_of(ratio)), ratio


def _window(kin: SquatKinematics, frame: int, half_s: float) -> slice:
    half = max(1, int(round(half_s / kin.dt_s)))
    return slice(max(0, frame - half), frame + half + 1)


def _standing(kin: SquatKinematics, start: int) -> slice:
    return slice(max(0, start - max(1, int(round(STANDING_WINDOW_S / kin.dt_s)))), start + 1)


def _heel_lift(kin: SquatKinematics, heel: SquatHeel | None, start: int, end: int, number: int, leg: str,
               foot_length_cm: float | None) -> HeelLift | None:
    if heel is None:
        return None
    inside = [row for row in heel.lifts if row[0] <= end and start <= row[1] - 1]
    if not inside:
        return None
    lo, hi, peak = max(inside, key=lambda row: heel.height_foot[row[2]])
    height = float(heel.height_foot[peak])
    t = kin.time_s
    return HeelLift(leg=leg, rep=number, start_frame=int(lo), end_frame=int(hi) - 1, peak_frame=int(peak),
                    start_s=rounded(t[lo], 3), end_s=rounded(t[hi - 1], 3), peak_s=rounded(t[peak], 3),
                    peak_height_foot=rounded(height, 3),
                    peak_height_cm=rounded(height * foot_length_cm) if foot_length_cm else None,
                    peak_height_px=rounded(height * heel.foot_px))


def score_rep(kin: SquatKinematics, heel: SquatHeel | None, row: np.ndarray, number: int,
              settings: SquatSettings) -> Rep:
    """One rep's measures; those its view does not support are None, with the reason."""
    start, bottom, end = (int(v) for v in row)
    t = kin.time_s
    view, ratio = rep_view(kin, start, end, settings)
    refs = settings.references
    at_bottom = _window(kin, bottom, BOTTOM_WINDOW_S)
    before = _standing(kin, start)
    missing: dict[str, str] = {}
    front, side = view == View.FRONT, view == View.SIDE

    fppa = fppa_flag = kasr = kasr_flag = turnout = None
    if front:
        values = [_median(kin.fppa_deg[leg, at_bottom]) for leg in range(2)]
        share = [_median(kin.thigh_share[leg, at_bottom]) for leg in range(2)]
        for leg in range(2):
            key = f"fppa_deg.{LEGS[leg]}"
            if share[leg] < MIN_THIGH_SHARE:
                values[leg] = float("nan")
                missing[key] = (
                    f"the {LEGS[leg]} thigh pointed at the camera (seen at {100 * share[leg]:.0f}% of its standing "
                    f"length, under {100 * MIN_THIGH_SHARE:.0f}%): too deep for a 2-D FPPA from the front")
            elif abs(values[leg]) > MAX_FPPA_DEG:
                missing[key] = (f"the {LEGS[leg]} knee read {values[leg]:+.0f} deg, beyond any frontal-plane angle "
                                f"(over {MAX_FPPA_DEG:.0f}): a landmark or foreshortening error, not reported")
                values[leg] = float("nan")
            elif not np.isfinite(values[leg]):
                missing[key] = UNSEEN.format(what=f"the {LEGS[leg]} hip, knee or ankle (or the other hip)")
        limit = refs.fppa_threshold_deg(settings.sex)
        fppa = PerLeg(*(rounded(v) for v in values))
        fppa_flag = PerLeg(*(bool(v > limit) if np.isfinite(v) else None for v in values))
        ratio_value = _median(kin.separation_ratio[at_bottom])
        kasr = rounded(ratio_value, 2)
        kasr_flag = bool(ratio_value < refs.separation_ratio) if np.isfinite(ratio_value) else None
        if not np.isfinite(ratio_value):
            missing["separation_ratio"] = UNSEEN.format(what="both knees and both ankles")
        turnout = {}
        for leg, name in enumerate(LEGS):
            standing = _median(kin.turnout_deg[leg, before])
            low = _median(kin.turnout_deg[leg, at_bottom])
            change = low - standing
            turnout[name] = TurnOut(standing_deg=rounded(standing), bottom_deg=rounded(low), change_deg=rounded(change),
                                    flagged=bool(change > refs.turnout_change_deg) if np.isfinite(change) else None)
            if not np.isfinite(change):
                missing[f"turnout.{name}"] = UNSEEN.format(what=f"the {name} heel, foot index or ankle, or the other "
                                                          "ankle,")
    else:
        for key in ("fppa_deg", "separation_ratio", "turnout"):
            missing[key] = NOT_FRONT.format(view=view.value)

    knee = lift = lifted = heel_leg = None
    if side:
        near = int(np.bincount(kin.near[start:end + 1], minlength=2).argmax())
        knee = rounded(_max(kin.near_leg(kin.knee_flexion_deg)[start:end + 1]))
        if knee is None:
            missing["knee_flexion_deg"] = UNSEEN.format(what="the near hip, knee or ankle")
        facing = _median(kin.facing[start:end + 1])
        heel_leg = ("right" if facing > 0 else "left") if np.isfinite(facing) else LEGS[near]
        lift = _heel_lift(kin, heel, start, end, number, heel_leg, settings.foot_length_cm)
        tracked = heel is not None and np.isfinite(heel.height_foot[start:end + 1]).mean() >= 0.8
        lifted = True if lift is not None else (False if tracked else None)
        if lifted is None:
            missing["heel_lift"] = "the heel could not be followed through this rep"
    else:
        for key in ("knee_flexion_deg", "heel_lift"):
            missing[key] = NOT_SIDE.format(view=view.value)

    shift = None
    if front:
        shift = rounded(_median(kin.hip_shift_body[at_bottom]) - _median(kin.hip_shift_body[before]), 2)
        if shift is None:
            missing["hip_shift_body"] = UNSEEN.format(what="the hips, ankles or shoulders")
    else:
        missing["hip_shift_body"] = NOT_FRONT.format(view=view.value)
    drop = _median(kin.drop_leg[at_bottom]) - _median(kin.drop_leg[before])
    return Rep(
        number=number, start_frame=start, bottom_frame=bottom, end_frame=end,
        start_s=rounded(t[start], 3), bottom_s=rounded(t[bottom], 3), end_s=rounded(t[end], 3),
        duration_s=rounded(t[end] - t[start], 2), view=view, body_width_ratio=rounded(ratio, 2),
        hip_drop_leg=rounded(drop, 2), knee_flexion_deg=knee, fppa_deg=fppa, fppa_flagged=fppa_flag,
        separation_ratio=kasr, separation_flagged=kasr_flag, turnout=turnout, heel_lift=lift, heel_lifted=lifted,
        heel_leg=heel_leg, hip_shift_body=shift, not_measurable=missing,
    )


def not_counted(kin: SquatKinematics) -> list[NotRep]:
    t = kin.time_s
    return [NotRep(start_frame=int(a), end_frame=int(c), start_s=rounded(t[a], 3), end_s=rounded(t[c], 3),
                   reason=REASONS[int(why)]) for a, _, c, why in kin.not_reps]


def _values(reps: list[Rep], get) -> np.ndarray:
    out = [get(r) for r in reps]
    return np.array([np.nan if v is None else v for v in out], dtype=np.float64)


def leg_summary(reps: list[Rep], leg: str) -> LegSummary:
    front = [r for r in reps if r.fppa_deg is not None]
    fppa = _values(front, lambda r: getattr(r.fppa_deg, leg))
    change = _values(front, lambda r: r.turnout[leg].change_deg)
    standing = _values(front, lambda r: r.turnout[leg].standing_deg)
    side = [r for r in reps if r.heel_leg == leg and r.heel_lifted is not None]
    return LegSummary(
        leg=leg,
        fppa_median_deg=rounded(_median(fppa)), fppa_max_deg=rounded(_max(fppa)),
        fppa_flagged_reps=sum(bool(getattr(r.fppa_flagged, leg)) for r in front),
        fppa_reps=int(np.isfinite(fppa).sum()),
        turnout_standing_deg=rounded(_median(standing)), turnout_change_median_deg=rounded(_median(change)),
        turnout_flagged_reps=sum(bool(r.turnout[leg].flagged) for r in front),
        turnout_reps=int(np.isfinite(change).sum()),
        heel_lift_reps=sum(bool(r.heel_lifted) for r in side), heel_reps=len(side),
    )


def asymmetry(reps: list[Rep], settings: SquatSettings) -> Asymmetry:
    front = [r for r in reps if r.fppa_deg is not None]
    fppa = _median(_values(front, lambda r: None if None in (r.fppa_deg.left, r.fppa_deg.right)
                           else r.fppa_deg.left - r.fppa_deg.right))
    change = _median(_values(front, lambda r: None if None in (r.turnout["left"].change_deg,
                                                                r.turnout["right"].change_deg)
                             else r.turnout["left"].change_deg - r.turnout["right"].change_deg))
    shift = _median(_values(front, lambda r: r.hip_shift_body))
    return Asymmetry(fppa_deg=rounded(fppa), fppa_flagged=bool(abs(fppa) > settings.references.fppa_sdd_deg)
                     if np.isfinite(fppa) else None,
                     turnout_change_deg=rounded(change), hip_shift_body=rounded(shift, 2))


def flags(reps: list[Rep], legs: list[LegSummary], asym: Asymmetry, settings: SquatSettings) -> list[Flag]:
    """The compensations a clinician should look at, each with its code, leg, reps and one line."""
    refs = settings.references
    out = []
    for leg in legs:
        name = leg.leg
        hit = [r.number for r in reps if r.fppa_flagged is not None and getattr(r.fppa_flagged, name)]
        if hit:
            out.append(Flag(SquatFlag.KNEE_VALGUS, name, tuple(hit),
                            f"knee valgus, {name}: FPPA above {refs.fppa_threshold_deg(settings.sex):g} deg in "
                            f"{len(hit)} of {leg.fppa_reps} reps (largest {leg.fppa_max_deg} deg)"))
        hit = [r.number for r in reps if r.turnout is not None and r.turnout[name].flagged]
        if hit:
            out.append(Flag(SquatFlag.FOOT_TURN_OUT, name, tuple(hit),
                            f"foot turn-out, {name}: turned out by more than {refs.turnout_change_deg:g} deg at the "
                            f"bottom in {len(hit)} of {leg.turnout_reps} reps"))
        lifted = [r for r in reps if r.heel_leg == name and r.heel_lift is not None]
        if lifted:
            small = sum(r.heel_lift.small for r in lifted)
            caution = f" ({small} under {SMALL_LIFT_PX:g} px in the picture: check the video)" if small else ""
            out.append(Flag(SquatFlag.HEEL_LIFT, name, tuple(r.number for r in lifted),
                            f"heel lift, {name}: in {len(lifted)} of {leg.heel_reps} reps{caution}"))
    together = [r.number for r in reps if r.separation_flagged]
    if together:
        out.append(Flag(SquatFlag.KNEES_TOGETHER, None, tuple(together),
                        f"knees drawn together: knee-to-ankle separation ratio below {refs.separation_ratio:g} in "
                        f"{len(together)} of {sum(r.separation_ratio is not None for r in reps)} reps"))
    if asym.fppa_flagged:
        front = tuple(r.number for r in reps if r.fppa_deg is not None)
        out.append(Flag(SquatFlag.VALGUS_ASYMMETRY, None, front,
                        f"valgus asymmetry: left minus right FPPA {asym.fppa_deg:+g} deg, beyond the "
                        f"{refs.fppa_sdd_deg:g} deg smallest detectable difference"))
    return out
