"""The shin's front edge at each trial's peak: what an inclinometer on the tibial crest reads.

Builds one :class:`~ankle_cv.vision.shin.ShinRequest` per trial: its heel-down peak frame and
those of the :data:`~ankle_cv.vision.shin.HALF_WINDOW` frames either side where the shank's
angle stays within :data:`PEAK_BAND_DEG` of the peak's and the leg's landmarks are known (a
spread over frames of a still shank, not of the drive), measured in the pass shared with the
toe-to-wall distance (:mod:`.peaks`), and writes the result into the trials (``crest_deg``,
``crest_sd_deg``, ``crest_note``); the legs take their best trial's
(:func:`~ankle_cv.protocols.knee_to_wall.scoring.leg_result`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...landmarks import ANKLE, HEEL, KNEE, TOE
from ...vision.shin import HALF_WINDOW, ShinAngle, ShinRequest
from .kinematics import LegKinematics
from .results import Trial

#: Frames around the peak count when the (smoothed) shank angle is this close to the peak's.
PEAK_BAND_DEG = 1.0


def shin_requests(kin: LegKinematics, trials: list[tuple[int, Trial]]) -> list[ShinRequest]:
    """One request per trial with a heel-down peak (keyed by its position in ``trials``)."""
    n = kin.time_s.size
    out = []
    for key, (leg, trial) in enumerate(trials):
        if trial.peak_frame is None:
            continue
        idx = np.arange(max(trial.peak_frame - HALF_WINDOW, trial.start_frame),
                        min(trial.peak_frame + HALF_WINDOW + 1, trial.end_frame + 1, n))
        angle = kin.tibia_deg[leg]
        idx = idx[(idx == trial.peak_frame) | (np.abs(angle[idx] - angle[trial.peak_frame]) <= PEAK_BAND_DEG)]
        knee = np.stack([kin.x_px[KNEE, leg, idx], kin.y_px[KNEE, leg, idx]], -1).astype(np.float64)
        ankle = np.stack([kin.x_px[ANKLE, leg, idx], kin.y_px[ANKLE, leg, idx]], -1).astype(np.float64)
        toe = np.stack([kin.x_px[TOE, leg, idx] - kin.x_px[HEEL, leg, idx],
                        kin.y_px[TOE, leg, idx] - kin.y_px[HEEL, leg, idx]], -1).astype(np.float64)
        # where the foot's landmarks are gated, the clip's facing gives the toes' side
        facing = np.nan_to_num(kin.facing[idx], nan=0.0)
        lost = ~np.isfinite(toe).all(1)
        toe[lost] = np.stack([facing[lost], np.zeros(lost.sum())], -1)
        other = np.stack([np.stack([kin.x_px[j, 1 - leg, idx], kin.y_px[j, 1 - leg, idx]], -1)
                          for j in (KNEE, ANKLE)], 1).astype(np.float64)  # (F, 2, 2)
        keep = np.isfinite(knee).all(1) & np.isfinite(ankle).all(1) & (np.abs(toe).sum(1) > 0)
        if keep.any():
            out.append(ShinRequest(key=key, frames=tuple(int(i) for i in idx[keep]), knee_xy=knee[keep],
                                   ankle_xy=ankle[keep], toe_dir_xy=toe[keep], roll_deg=float(kin.roll.roll_deg),
                                   other_leg_px=other[keep], level=kin.level))
    return out


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def with_crest(trials: list[tuple[int, Trial]], shin: dict[int, ShinAngle]) -> list[tuple[int, Trial]]:
    """The trials with their crest angle filled in (a trial without a heel-down peak or whose
    frames were not measured keeps None with the reason)."""
    out = []
    for key, (leg, trial) in enumerate(trials):
        found = shin.get(key)
        if found is None:
            note = "no heel-down peak" if trial.peak_frame is None else "the leg's landmarks were not known there"
            out.append((leg, dataclasses.replace(trial, crest_note=note)))
            continue
        out.append((leg, dataclasses.replace(trial, crest_deg=_rounded(found.angle_deg, 1),
                                             crest_sd_deg=_rounded(found.sd_deg, 2), crest_note=found.note)))
    return out

