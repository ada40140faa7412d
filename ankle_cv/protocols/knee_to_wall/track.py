"""What the pictures of a knee-to-wall clip show: the tested (front) leg's tibia angle, its
heel, the trials and each leg's best frame (:class:`ankle_cv.visual.track.Track`)."""

from __future__ import annotations

import numpy as np

from ...landmarks import LEGS
from ...visual.track import ARC_ANKLE_VERTICAL, KeyFrame, Span, Track
from .results import KneeToWallResult
from .scoring import best_trial


def _running_best(result: KneeToWallResult, n: int) -> list[dict[str, float]]:
    """Per frame, each leg's result as it stood then: the best trial (chosen as the result
    chooses it) among the trials that had ended by that frame."""
    ends = sorted({tr.end_frame for leg in result.legs for tr in leg.trials})
    out, best, k = [], {}, 0
    for frame in range(n):
        if k < len(ends) and ends[k] <= frame:
            while k < len(ends) and ends[k] <= frame:
                k += 1
            best = {}
            for leg in result.legs:
                chosen = best_trial([tr for tr in leg.trials if tr.end_frame <= frame])
                if chosen is not None:
                    best[leg.leg] = chosen.peak_deg
        out.append(best)
    return out


def _caption(leg, trial) -> str:
    heel = "with the heel down" if leg.heel_checked else "(heel not seen: not checked)"
    return f"{leg.leg}: best {leg.best_deg:.1f}\u00b0 {heel} (trial {trial.number}, {trial.peak_s:.1f} s)"


def track(result: KneeToWallResult) -> Track:
    kin, heel = result.kinematics, result.heel
    n = kin.time_s.shape[0]
    side = np.nan_to_num(kin.front_side, nan=-1).astype(int)
    shown = np.full((2, n), np.nan)
    tested = np.stack([side == 0, side == 1])  # the back leg's heel is meant to be up
    for leg in (0, 1):
        use = tested[leg] & kin.reliable[leg]
        shown[leg, use] = kin.tibia_deg[leg, use]
    spans, trial_at = [], [""] * n
    for leg in result.legs:
        li = LEGS.index(leg.leg)
        for tr in leg.trials:
            label = f"{leg.leg} trial {tr.number}"
            spans.append(Span(tr.start_frame, tr.end_frame, label, li))
            for f in range(tr.start_frame, min(tr.end_frame, n - 1) + 1):
                trial_at[f] = label
    keys = tuple(KeyFrame(int(t.peak_frame), _caption(leg, t), LEGS.index(leg.leg))
                 for leg in result.legs if leg.best_deg is not None
                 for t in leg.trials if t.number == leg.best_trial and t.peak_frame is not None)
    status = []
    for frame, best in enumerate(_running_best(result, n)):
        parts = [trial_at[frame]] if trial_at[frame] else []
        if best:
            parts.append("best so far " + ", ".join(f"{leg} {deg:.1f}\u00b0" for leg, deg in sorted(best.items())))
        status.append(" | ".join(parts))
    return Track(
        time_s=kin.time_s, angle_deg=shown,
        angle_name=np.where(np.isfinite(shown).any(axis=0), "tibia", ""),
        arcs={"tibia": ARC_ANKLE_VERTICAL}, heel_lifted=tested & heel.known & ~heel.down,
        heel_known=tested & heel.known,
        status=tuple(status), spans=tuple(spans), key_frames=keys,
        roll_deg=float(np.nan_to_num(result.camera.roll_deg)), plot_label="tibia to vertical (deg)",
        swapped=kin.swapped.copy(),
        vertical_vp=None if kin.level is None else tuple(float(v) for v in kin.level.vp),
    )
