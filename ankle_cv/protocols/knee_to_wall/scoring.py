"""Trials, heel lifts and the verdict of each tested leg, from the kinematics."""

from __future__ import annotations

import warnings

import numpy as np

from ...landmarks import LEGS
from ...vocab import Classification
from ..references import References
from .kinematics import HeelEvents, LegKinematics
from .results import MIN_TRACKED_SHARE, HeelLift, LegResult, Trial

#: Where the peak of a knee drive can lie: the knee forward of the ankle (above 0 deg) and
#: short of what a shank reaches in a weight-bearing lunge; outside, not a knee-to-wall drive.
PLAUSIBLE_TIBIA_DEG = (0.0, 70.0)


def median_int(values: np.ndarray) -> int | None:
    """Rounded median of the finite values, None if there are none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmedian(values) if values.size else np.nan
    return None if np.isnan(m) else int(round(float(m)))


def round_or_none(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _peak_note(a: np.ndarray, peak_idx: int | None, *, min_drive_deg: float, lifted_first: bool) -> str | None:
    """Why the heel-down peak at ``peak_idx`` (of the trial's angles ``a``) does not count."""
    if peak_idx is None:
        return "no frame with the heel down and the leg tracked"
    if a[peak_idx] < a[0] + min_drive_deg:  # what counts is not a drive
        return "the heel lifted before the knee drove" if lifted_first else "MediaPipe lost the leg before the peak"
    if not PLAUSIBLE_TIBIA_DEG[0] <= a[peak_idx] <= PLAUSIBLE_TIBIA_DEG[1]:
        return (f"its highest heel-down, tracked angle ({a[peak_idx]:.0f} deg) is not a knee-to-wall "
                "drive (landmark error, or another movement)")
    return None


def trials_of(kin: LegKinematics, heel: HeelEvents, min_drive_deg: float) -> list[tuple[int, Trial]]:
    """Every knee drive as (leg, :class:`Trial`), numbered per leg."""
    t = kin.time_s
    angle = kin.front(kin.tibia_deg)
    raw = kin.front(kin.tibia_raw_deg)
    down = kin.front_mask(heel.down)
    known = kin.front_mask(heel.known)
    reliable = kin.front_mask(kin.reliable)
    out, counts = [], {0: 0, 1: 0}
    for start, _, stop in kin.trials:  # a loop over trials, not frames
        leg = median_int(kin.front_side[start:stop])
        if leg is None:
            continue
        a = angle[start:stop]
        frames = np.arange(start, stop)
        own = heel.lifts[(heel.lifts[:, 0] == leg) & (heel.lifts[:, 1] >= start) & (heel.lifts[:, 1] < stop)]
        first_lift = int(own[:, 1].min()) if len(own) else stop
        # a frame counts while the heel is down, or not known to be up, before the first lift,
        # and while MediaPipe has the leg where it was planted
        ok = reliable[start:stop] & (down[start:stop] | ~known[start:stop]) & (frames < first_lift)
        any_idx = int(np.nanargmax(a))
        counts[leg] += 1
        peak_idx = int(np.flatnonzero(ok)[np.argmax(a[ok])]) if ok.any() else None
        note = _peak_note(a, peak_idx, min_drive_deg=min_drive_deg,
                          lifted_first=bool(len(own)) and first_lift <= start + any_idx)
        if note is not None:
            peak_idx = None
        checked = peak_idx is not None and known[start:start + peak_idx + 1].mean() >= 0.8
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            jitter = float(np.nanstd(raw[start:stop] - a))
        out.append((leg, Trial(
            leg=LEGS[leg],
            number=counts[leg],
            start_frame=int(start),
            end_frame=int(stop - 1),
            start_s=round_or_none(t[start], 3),
            end_s=round_or_none(t[stop - 1], 3),
            peak_deg=None if peak_idx is None else round_or_none(a[peak_idx]),
            peak_frame=None if peak_idx is None else int(start + peak_idx),
            peak_s=None if peak_idx is None else round_or_none(t[start + peak_idx], 3),
            peak_any_deg=round_or_none(a[any_idx]),
            peak_any_frame=int(start + any_idx),
            peak_any_s=round_or_none(t[start + any_idx], 3),
            jitter_sd_deg=round_or_none(jitter, 2),
            heel_lifted=bool(len(own)),
            heel_checked=bool(checked),
            tracked_share=round_or_none(float(reliable[start:stop].mean()), 3),
            note=note,
        )))
    return out


def lifts_of(kin: LegKinematics, heel: HeelEvents, trials: list[tuple[int, Trial]],
             foot_cm: float | None) -> list[tuple[int, HeelLift]]:
    """Every heel lift of a leg while it is the tested (front) leg, as (leg, :class:`HeelLift`)."""
    t = kin.time_s
    out = []
    for leg, lo, hi, peak in heel.lifts:
        if median_int(kin.front_side[lo:hi]) != leg:
            continue
        trial = next((tr.number for lg, tr in trials if lg == leg and tr.start_frame <= lo <= tr.end_frame), None)
        h = float(heel.height_foot[leg, peak])
        out.append((int(leg), HeelLift(
            leg=LEGS[leg], trial=trial,
            start_frame=int(lo), end_frame=int(hi - 1), peak_frame=int(peak),
            start_s=round_or_none(t[lo], 3), end_s=round_or_none(t[hi - 1], 3), peak_s=round_or_none(t[peak], 3),
            peak_height_foot=round_or_none(h, 3),
            peak_height_cm=None if foot_cm is None else round_or_none(h * foot_cm, 1),
        )))
    return out


def best_trial(trials) -> Trial | None:
    """The trial whose heel-down peak is the leg's result: the highest among the trials with
    one, preferring trials MediaPipe tracked (:data:`MIN_TRACKED_SHARE`) and, among those,
    trials whose heel was checked."""
    counted = [tr for tr in trials if tr.peak_deg is not None]
    trusted = [tr for tr in counted if tr.tracked_share >= MIN_TRACKED_SHARE] or counted
    checked = [tr for tr in trusted if tr.heel_checked]
    return max(checked or trusted, key=lambda tr: tr.peak_deg) if counted else None


def leg_result(leg: int, trials: list[tuple[int, Trial]], lifts: list[tuple[int, HeelLift]],
               refs: References, blocking: list[str]) -> LegResult:
    """The best trial of a leg (among trials MediaPipe tracked, preferring a checked heel) and
    what it means against the cut-off; ``blocking`` are the reasons no verdict is given."""
    own = tuple(tr for lg, tr in trials if lg == leg)
    best = best_trial(own)
    reasons = list(blocking)
    if best is not None and best.tracked_share < MIN_TRACKED_SHARE:
        reasons.append("MediaPipe lost the leg in every trial")
    if best is None:
        classification = Classification.NO_RESULT
    elif reasons:
        classification = Classification.NOT_INTERPRETABLE
    elif abs(best.peak_deg - refs.restriction_deg) < refs.mdc_deg:
        classification = Classification.BORDERLINE
    elif best.peak_deg < refs.restriction_deg:
        classification = Classification.RESTRICTED
    else:
        classification = Classification.NOT_RESTRICTED
    return LegResult(
        leg=LEGS[leg],
        best_deg=None if best is None else best.peak_deg,
        best_trial=None if best is None else best.number,
        best_s=None if best is None else best.peak_s,
        restricted=None if best is None else bool(best.peak_deg < refs.restriction_deg),
        classification=classification,
        classification_reason="; ".join(reasons) if classification == Classification.NOT_INTERPRETABLE else None,
        heel_checked=best is not None and best.heel_checked,
        trials=own,
        heel_lifts=tuple(h for lg, h in lifts if lg == leg),
    )
