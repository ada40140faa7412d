"""Trials, heel lifts and the verdict of each tested leg, from the kinematics."""

from __future__ import annotations

import warnings

import numpy as np

from ...landmarks import ANKLE, HIP, KNEE, LEGS
from ...vocab import Classification, Posture
from ..references import CREST_OFFSET, References
from .kinematics import HeelEvents, LegKinematics
from .posture import TrialPosture, motion_name
from .results import MAX_JITTER_SD_DEG, MIN_TRACKED_SHARE, HeelLift, LegResult, Trial

#: Tracking evidence a trusted trial needs (see :func:`trust_of`). A shank or thigh in the
#: sagittal plane keeps its length in a side view: landmark scatter moves it 2-5%, the
#: thigh's hip landmark more; a knee or ankle jumping to the other leg changes it by a
#: quarter or more. A knee moves at most ~2 foot lengths/s in a lunge: under 0.1 foot
#: lengths a frame at 25-30 fps; a step over :data:`MAX_KNEE_JUMP_FOOT` (5 times that) is a
#: landmark jumping. One left/right relabelling near the peak is corrected by the stance
#: logic; more (:data:`MAX_LABEL_FLIPS`) mean MediaPipe did not know which leg was which.
PEAK_WINDOW_S = 0.5
MIN_KNEE_VISIBILITY = 0.5
MAX_SHANK_CV = 0.08
MAX_SHANK_WORST = 0.25
MAX_THIGH_CV = 0.12
MAX_KNEE_JUMP_FOOT = 0.5
MAX_LABEL_FLIPS = 1

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


def _cv(values: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanstd(values) / np.nanmean(values)) if np.isfinite(values).sum() >= 2 else np.nan


def tracking_evidence(kin: LegKinematics, leg: int, start: int, stop: int, peak: int) -> dict:
    """The tracking evidence of ``leg`` around frame ``peak``: over the frames within
    :data:`PEAK_WINDOW_S` of it, inside the trial ``start:stop``, in which ``leg`` is the
    front leg (see :class:`Trial`). Around the peak, because that is the frame the result
    comes from: on the far-leg renders MediaPipe lost the leg near the peak in every trial
    whose error exceeded 4.6 deg, while glitches elsewhere in a trial left its peak right."""
    half = int(round(PEAK_WINDOW_S / kin.dt_s))
    start, stop = max(start, peak - half), min(stop, peak + half + 1)
    own = np.zeros(kin.front_side.shape, dtype=bool)
    own[start:stop] = kin.front_side[start:stop] == leg
    x, y, sl = np.where(own, kin.x_px[:, leg], np.nan), np.where(own, kin.y_px[:, leg], np.nan), own
    shank = np.hypot(x[KNEE] - x[ANKLE], y[KNEE] - y[ANKLE])
    thigh = np.hypot(x[HIP] - x[KNEE], y[HIP] - y[KNEE])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        clip_shank = np.hypot(kin.x_px[KNEE, leg] - kin.x_px[ANKLE, leg], kin.y_px[KNEE, leg] - kin.y_px[ANKLE, leg])
        typical = np.nanmedian(clip_shank[kin.front_side == leg]) if (kin.front_side == leg).any() else np.nan
        worst = np.nanmax(np.abs(shank[sl] / typical - 1.0)) if np.isfinite(shank[sl]).any() else np.nan
        vis = float(np.nanmedian(kin.visibility[[KNEE, ANKLE], leg][:, sl])) if sl.any() else np.nan
        step = np.hypot(np.diff(x[KNEE]), np.diff(y[KNEE])) / np.nanmean(kin.foot_length_px)  # NaN off the trial
        jump = float(np.nanmax(step)) if np.isfinite(step).any() else np.nan
    swapped = kin.swapped[start:stop]
    flips = np.diff(swapped.astype(np.int8)) != 0
    flips &= own[start:stop][1:] & own[start:stop][:-1]  # both frames this leg's
    return dict(peak_tracked_share=round_or_none(float(kin.reliable[leg, start:stop].mean()), 3),
                knee_visibility=round_or_none(vis, 2), shank_length_cv=round_or_none(_cv(shank[sl]), 3),
                shank_length_worst=round_or_none(worst, 3), thigh_length_cv=round_or_none(_cv(thigh[sl]), 3),
                knee_jump_foot=round_or_none(jump, 2), label_swaps=int(np.count_nonzero(flips)))


def trust_of(tr: dict) -> tuple[str, ...]:
    """Why a trial (its :class:`Trial` fields as a dict) is not trusted for the best result."""
    def over(key: str, limit: float) -> bool:
        return tr.get(key) is not None and tr[key] > limit

    reasons = []
    share = tr.get("peak_tracked_share", tr["tracked_share"])
    if share is None or share < MIN_TRACKED_SHARE:
        reasons.append(f"MediaPipe had the leg where the foot was planted in only {100 * (share or 0):.0f}% of the "
                       f"frames within {PEAK_WINDOW_S:g} s of the peak (need {100 * MIN_TRACKED_SHARE:.0f}%)")
    if over("jitter_sd_deg", MAX_JITTER_SD_DEG):
        reasons.append(f"noise SD {tr['jitter_sd_deg']:.1f} deg (limit {MAX_JITTER_SD_DEG:g})")
    if tr.get("knee_visibility") is not None and tr["knee_visibility"] < MIN_KNEE_VISIBILITY:
        reasons.append(f"knee and ankle barely visible (median visibility {tr['knee_visibility']:.2f}, need "
                       f"{MIN_KNEE_VISIBILITY:g})")
    if over("shank_length_cv", MAX_SHANK_CV) or over("shank_length_worst", MAX_SHANK_WORST):
        cv = "n/a" if tr.get("shank_length_cv") is None else f"{100 * tr['shank_length_cv']:.0f}%"
        reasons.append(f"the shank changed length (CV {cv}, worst "
                       f"{100 * (tr['shank_length_worst'] or 0):.0f}% off the clip's median; limits "
                       f"{100 * MAX_SHANK_CV:.0f}%, {100 * MAX_SHANK_WORST:.0f}%)")
    if over("thigh_length_cv", MAX_THIGH_CV):
        reasons.append(f"the thigh changed length (CV {100 * tr['thigh_length_cv']:.0f}%, limit "
                       f"{100 * MAX_THIGH_CV:.0f}%)")
    if over("knee_jump_foot", MAX_KNEE_JUMP_FOOT):
        reasons.append(f"the knee jumped {tr['knee_jump_foot']:.2f} foot lengths in one frame (limit "
                       f"{MAX_KNEE_JUMP_FOOT:g})")
    if over("label_swaps", MAX_LABEL_FLIPS):
        reasons.append(f"MediaPipe's left/right labels flipped {tr['label_swaps']} times near the peak (limit "
                       f"{MAX_LABEL_FLIPS})")

    if tr.get("posture") not in (None, Posture.KNEE_TO_WALL):
        reasons.append(f"looks like {motion_name(tr['posture'])}, not a knee-to-wall drive: "
                       f"{tr['posture_evidence']}")
    return tuple(reasons)


def trials_of(kin: LegKinematics, heel: HeelEvents, min_drive_deg: float, *,
              postures: dict[int, TrialPosture] | None = None) -> list[tuple[int, Trial]]:
    """Every knee drive as (leg, :class:`Trial`), numbered per leg, with its tracking and
    posture evidence (``postures`` by start frame, :func:`~.posture.trial_postures`) and
    whether it is trusted (:func:`trust_of`)."""
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
        fields = dict(
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
            **tracking_evidence(kin, leg, start, stop, start + (any_idx if peak_idx is None else peak_idx)),
        )
        posture = (postures or {}).get(int(start))
        if posture is not None:
            fields.update(posture=posture.posture.value, posture_evidence=posture.evidence or None,
                          trunk_pitch_deg=round_or_none(posture.trunk_pitch_deg),
                          stagger_foot=round_or_none(posture.stagger_foot, 2))
        reasons = trust_of(fields)
        out.append((leg, Trial(**fields, trusted=not reasons, distrust_reasons=reasons)))
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
    one, preferring trusted trials (:func:`trust_of`) and, among those, trials whose heel was
    checked; with no trusted trial, the highest of all (the verdict then says why not)."""
    counted = [tr for tr in trials if tr.peak_deg is not None]
    trusted = [tr for tr in counted if tr.trusted] or counted
    checked = [tr for tr in trusted if tr.heel_checked]
    return max(checked or trusted, key=lambda tr: tr.peak_deg) if counted else None


def leg_result(leg: int, trials: list[tuple[int, Trial]], lifts: list[tuple[int, HeelLift]],
               refs: References, blocking: list[str]) -> LegResult:
    """The best trial of a leg (among trials MediaPipe tracked, preferring a checked heel) and
    what it means against the cut-off; ``blocking`` are the reasons no verdict is given."""
    own = tuple(tr for lg, tr in trials if lg == leg)
    best = best_trial(own)
    reasons = list(blocking)
    if best is not None and not best.trusted:
        reasons.append(f"no trial is trusted (trial {best.number}: {best.distrust_reasons[0]}; see each trial)")
    angle, source, band = verdict_angle(best, refs)
    if best is None:
        classification = Classification.NO_RESULT
    elif reasons:
        classification = Classification.NOT_INTERPRETABLE
    elif abs(angle - refs.restriction_deg) < band:
        classification = Classification.BORDERLINE
    elif angle < refs.restriction_deg:
        classification = Classification.RESTRICTED
    else:
        classification = Classification.NOT_RESTRICTED
    return LegResult(
        leg=LEGS[leg],
        best_deg=None if best is None else best.peak_deg,
        best_trial=None if best is None else best.number,
        best_s=None if best is None else best.peak_s,
        restricted=None if best is None else bool(angle < refs.restriction_deg),
        classification=classification,
        classification_reason="; ".join(reasons) if classification == Classification.NOT_INTERPRETABLE else None,
        heel_checked=best is not None and best.heel_checked,
        trials=own,
        heel_lifts=tuple(h for lg, h in lifts if lg == leg),
        best_crest_deg=None if best is None else best.crest_deg,
        verdict_angle_deg=round_or_none(angle),
        verdict_source=source,
        verdict_band_deg=round_or_none(band),
    )


def verdict_angle(best: Trial | None, refs: References) -> tuple[float | None, str | None, float | None]:
    """What a leg's verdict is judged on, as (angle, source, borderline half-width).

    The cut-off was measured with an inclinometer on the tibial crest. Where the shin's
    front edge was measured at the best peak, that is the comparable angle, judged within
    the minimal detectable change (or twice the edge's scatter, if larger). Otherwise the
    centre line plus the anatomical crest offset (:data:`~ankle_cv.protocols.references.CREST_OFFSET`:
    the expected difference, not a fit to any data set here), with the band widened by the
    offset's spread between people.
    """
    if best is None or best.peak_deg is None:
        return None, None, None
    if best.crest_deg is not None:
        return best.crest_deg, "shin_front_edge", max(refs.mdc_deg, 2.0 * (best.crest_sd_deg or 0.0))
    return (best.peak_deg + CREST_OFFSET.offset_deg, "centre_line_plus_offset",
            float(np.hypot(refs.mdc_deg, CREST_OFFSET.sd_deg)))
