"""Squat kinematics: the core's ``compute_*`` functions composed for this test, once per clip
on whole arrays (both legs at once, no per-frame Python).

Every series is computed for every frame; which of them a rep may report depends on the view
it was filmed in (:mod:`.scoring`). Legs keep MediaPipe's labels, which are anatomical when
the camera sees the front of the body; in a side view the two legs overlap and the labels
may swap, so side-view measures use the *near* leg, the better-seen of the two in each frame.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...core import geometry, legs, measures, quality, reps, signal
from ...landmarks import (
    ANKLE,
    HEEL,
    HIP,
    KNEE,
    LEFT_SHOULDER,
    RIGHT_SHOULDER,
    TOE,
)
from ...vision.heel import HeelAnchor
from ...vocab import HeelSource
from ..camera import RollEstimate, choose_roll
from .settings import SquatSettings

#: The standing hip height is a running 90th percentile over this window.
STANDING_LEVEL_WINDOW_S = 6.0
#: Foot length (heel to toe) over shank length (knee to ankle centre): 0.152 H / 0.246 H in
#: Winter's anthropometric table (Biomechanics and Motor Control of Human Movement, 2009);
#: barefoot (a shoe adds a few per cent, reading turn-out slightly larger).
FOOT_PER_SHANK = 0.62
#: Standing upright, the hips are at least this share of the straight leg's length (thigh plus
#: shank, each its 90th percentile in the picture) above the ankles: legs straight under a
#: stance as wide as 0.4 leg lengths give 0.98, a quarter squat 0.9 or less.
UPRIGHT_SHARE = 0.85
#: Below this foot length in the picture the heel patch is too small to follow.
MIN_TRACK_FOOT_PX = 40.0


@dataclasses.dataclass(frozen=True, eq=False)
class SquatKinematics:
    """Per-frame series of one squat clip.

    Attributes
    ----------
    time_s : ndarray of shape (T,)
    dt_s, sigma_frames : float
    x_px, y_px, visibility : ndarray of shape (5, 2, T)
        Gated joints (hip, knee, ankle, heel, foot index) under MediaPipe's labels.
    roll : RollEstimate
    width_ratio : ndarray of shape (T,)
        Body width over torso length (0-0.2 side view, > 0.42 front view), smoothed.
    hip_height_px, standing_px : ndarray of shape (T,)
        Hips above the ankles (level frame) and its running standing level.
    drop_leg : ndarray of shape (T,)
        Hip drop below standing in leg lengths, smoothed.
    planted : ndarray of shape (T,), bool
        Both ankles (those seen) are still.
    near : ndarray of shape (T,)
        Index (0 left, 1 right label) of the better-seen leg in each frame.
    facing : ndarray of shape (T,)
        +1 feet pointing image right, -1 left, NaN unknown (side view).
    knee_flexion_deg, fppa_deg, turnout_deg : ndarray of shape (2, T)
        Smoothed per-leg angles.
    separation_ratio, hip_shift_body : ndarray of shape (T,)
        Knee-to-ankle separation ratio; hips' midpoint sideways of the ankles' midpoint in
        shoulder widths, positive towards the left leg.
    thigh_share : ndarray of shape (2, T)
        Each thigh's length in the picture over its standing length (its 90th percentile):
        small when the thigh points at the camera.
    foot_length_px : ndarray of shape (2,)
    reps : ndarray of shape (K, 3), int64
        Start, bottom, end frame of each rep.
    not_reps : ndarray of shape (M, 4), int64
        Excursions that are not reps, with the reason (:mod:`ankle_cv.core.reps`).
    """

    time_s: np.ndarray
    dt_s: float
    sigma_frames: float
    x_px: np.ndarray
    y_px: np.ndarray
    visibility: np.ndarray
    roll: RollEstimate
    width_ratio: np.ndarray
    hip_height_px: np.ndarray
    standing_px: np.ndarray
    drop_leg: np.ndarray
    planted: np.ndarray
    near: np.ndarray
    facing: np.ndarray
    knee_flexion_deg: np.ndarray
    fppa_deg: np.ndarray
    turnout_deg: np.ndarray
    separation_ratio: np.ndarray
    hip_shift_body: np.ndarray
    thigh_share: np.ndarray
    foot_length_px: np.ndarray
    reps: np.ndarray
    not_reps: np.ndarray

    def near_leg(self, values: np.ndarray) -> np.ndarray:
        """The near (better-seen) leg's row of a (..., 2, T) array."""
        return np.take_along_axis(values, np.broadcast_to(self.near, values.shape[:-2] + (1,) + self.near.shape),
                                  axis=-2)[..., 0, :]


@dataclasses.dataclass(frozen=True, eq=False)
class SquatHeel:
    """Heel height of the near foot (foot lengths above heel-down) and its lifts.

    ``lifts`` rows: start, stop (exclusive), peak frame; ``foot_px`` the tracked foot's length
    in the picture."""

    height_foot: np.ndarray
    lifts: np.ndarray
    source: HeelSource
    foot_px: float


def _smooth(values: np.ndarray, time_s: np.ndarray, settings: SquatSettings, sigma: float) -> np.ndarray:
    return signal.smooth(signal.fill_gaps(values, time_s, max_gap_s=settings.max_gap_s), sigma_frames=sigma)


def _percentile(values: np.ndarray, q: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.percentile(finite, q)) if finite.size else float("nan")


def _planted(ankle_x: np.ndarray, ankle_y: np.ndarray, leg_px: float, *, window: int, sigma: float,
             max_shift: float) -> np.ndarray:
    """Frames in which every ankle seen is within ``max_shift`` leg lengths of its running
    median position over ``window`` frames: still feet, however jittery the landmarks."""
    from scipy import ndimage

    shift = np.zeros(ankle_x.shape)
    for coord in (ankle_x, ankle_y):  # two coordinates of two ankles
        smooth = signal.smooth(coord.astype(np.float64), sigma_frames=sigma)
        filled = np.stack([signal.fill_nearest(row) for row in smooth])
        centre = ndimage.median_filter(filled, size=(1, max(1, window) | 1), mode="nearest")
        shift += (smooth - centre) ** 2
    with np.errstate(invalid="ignore"):
        far = np.sqrt(shift) / leg_px > max_shift
    return ~far.any(axis=0) & np.isfinite(shift).any(axis=0)


def squat_kinematics(xyzv: np.ndarray, time_s: np.ndarray, settings: SquatSettings, *,
                     lines: np.ndarray | None = None, camera_shift_px: np.ndarray | None = None) -> SquatKinematics:
    """Every per-frame squat series, and the reps, of a clip.

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
        MediaPipe landmarks: x_px, y_px, z (x's pixel scale), visibility.
    time_s : ndarray of shape (T,)
    settings : SquatSettings
    lines : ndarray of shape (K, 4), optional
        Straight scene segments, for levelling the camera.
    camera_shift_px : ndarray of shape (T, 2), optional
        Hand-held shake since the first frame, taken out of the ankles before judging them
        planted.
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    dt_s = signal.frame_interval_s(time_s)
    rate_hz = 1.0 / dt_s
    sigma = signal.gaussian_sigma_frames(settings.cutoff_hz, rate_hz)
    x, y, vis = legs.gather_joints(xyzv)
    unseen = ~(vis >= settings.min_visibility)
    x[unseen] = np.nan
    y[unseen] = np.nan
    legs.gate_implausible_lengths(x, y)

    scene = geometry.roll_from_lines(lines)[:2] if lines is not None else (np.nan, np.nan)
    roll, roll_sd, source = choose_roll(settings.roll_deg, settings.roll_source, sole=(np.nan, np.nan), scene=scene)

    width_ratio = signal.smooth(quality.body_width_ratios(xyzv, roll_deg=roll), sigma_frames=3 * sigma)

    foot_px = np.array([legs.typical(length) for length in measures.compute_segment_length_px(x, y, TOE, HEEL)],
                       dtype=np.float64)

    # depth: the hips above the ankles against their running standing level
    height = _smooth(measures.compute_hip_height_px(x, y, roll_deg=roll), time_s, settings, sigma)
    shift = np.zeros((len(time_s), 2)) if camera_shift_px is None else np.asarray(camera_shift_px, np.float64)
    planted = _planted(x[ANKLE] - shift[:, 0], y[ANKLE] - shift[:, 1], legs.typical(height),
                       window=int(round(rate_hz)), sigma=sigma, max_shift=settings.max_ankle_shift_leg)
    drop, standing = reps.compute_hip_drop_leg(height, window=int(round(STANDING_LEVEL_WINDOW_S * rate_hz)),
                                               use=planted)

    seen = np.nan_to_num(vis[KNEE:].mean(axis=0), nan=-1.0)  # knee, ankle, heel, foot index
    near = np.argmax(seen, axis=0)

    foot_dx = legs.foot_vector(x, y)[0]
    facing = legs.facing_sign(foot_dx, rate_hz=rate_hz)

    knee_flexion = _smooth(measures.compute_knee_flexion_deg(x, y), time_s, settings, sigma)
    fppa = _smooth(measures.compute_fppa_deg(x, y), time_s, settings, sigma)
    kasr = _smooth(measures.compute_knee_ankle_separation_ratio(x, y, roll_deg=roll), time_s, settings, sigma)

    # hips sideways of the ankles, towards the left leg, in shoulder widths of the same frames
    shoulders = xyzv[:, [LEFT_SHOULDER, RIGHT_SHOULDER], :2].astype(np.float64)
    shoulder_px = signal.smooth(np.abs(geometry.upright(shoulders[:, 0, 0] - shoulders[:, 1, 0],
                                                        shoulders[:, 0, 1] - shoulders[:, 1, 1], roll_deg=roll)[0]),
                                sigma_frames=3 * sigma)
    hip_mid = geometry.upright(0.5 * (x[HIP, 0] + x[HIP, 1]) - 0.5 * (x[ANKLE, 0] + x[ANKLE, 1]),
                               0.5 * (y[HIP, 0] + y[HIP, 1]) - 0.5 * (y[ANKLE, 0] + y[ANKLE, 1]), roll_deg=roll)[0]
    left_side = np.sign(geometry.upright(x[ANKLE, 0] - x[ANKLE, 1], y[ANKLE, 0] - y[ANKLE, 1], roll_deg=roll)[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        hip_shift = _smooth(left_side * hip_mid / shoulder_px, time_s, settings, sigma)

    thigh = signal.smooth(measures.compute_segment_length_px(x, y, HIP, KNEE).astype(np.float64), sigma_frames=sigma)
    with np.errstate(invalid="ignore", divide="ignore"):
        thigh_share = thigh / np.array([_percentile(row, 90.0) for row in thigh])[:, None]

    # turn-out: each foot's length in the picture from its shank, standing (a front camera
    # foreshortens the foot itself; the vertical shank stands at the foot's distance)
    standing_still = planted & (drop < settings.rep_top_leg)
    shank = measures.compute_segment_length_px(x, y, KNEE, ANKLE).astype(np.float64)
    shank_px = np.array([legs.typical(row[standing_still]) if standing_still.any() else np.nan for row in shank])
    turnout = _smooth(measures.compute_turnout_deg(x, y, FOOT_PER_SHANK * shank_px, roll_deg=roll), time_s,
                      settings, sigma)

    # upright: the hips at least UPRIGHT_SHARE of the straight leg (thigh + shank) above the ankles
    straight = [_percentile(t, 90.0) + _percentile(s, 90.0) for t, s in zip(thigh, shank)]
    straight_px = float(np.nanmean(straight)) if np.isfinite(straight).any() else np.nan
    with np.errstate(invalid="ignore"):
        upright = height >= UPRIGHT_SHARE * straight_px
    rep_rows, not_reps = reps.segment_reps(drop, time_s, min_depth_leg=settings.rep_depth_leg,
                                           top_leg=settings.rep_top_leg, min_duration_s=settings.min_rep_s,
                                           planted=planted, upright=upright)
    return SquatKinematics(
        time_s=time_s, dt_s=dt_s, sigma_frames=sigma, x_px=x, y_px=y, visibility=vis,
        roll=RollEstimate(float(roll), float(roll_sd), source, float("nan"), float(scene[0])),
        width_ratio=width_ratio, hip_height_px=height, standing_px=standing, drop_leg=drop, planted=planted,
        near=near, facing=facing, knee_flexion_deg=knee_flexion, fppa_deg=fppa, turnout_deg=turnout,
        separation_ratio=kasr, hip_shift_body=hip_shift, thigh_share=thigh_share, foot_length_px=foot_px,
        reps=rep_rows, not_reps=not_reps,
    )


def heel_anchor(kin: SquatKinematics, frames: np.ndarray) -> HeelAnchor | None:
    """Where to track the near heel over ``frames`` (one side-view stretch): the reference is
    the stretch's most upright still frame (standing, heel surely down); None if the foot is
    too small in the picture or never seen standing."""
    leg = int(np.bincount(kin.near[frames], minlength=2).argmax())
    if not kin.foot_length_px[leg] >= MIN_TRACK_FOOT_PX:
        return None
    heel_x, heel_y, toe_x, toe_y = kin.x_px[HEEL, leg], kin.y_px[HEEL, leg], kin.x_px[TOE, leg], kin.y_px[TOE, leg]
    usable = frames[kin.planted[frames] & np.isfinite(heel_x[frames]) & np.isfinite(toe_x[frames])
                    & np.isfinite(kin.drop_leg[frames]) & (kin.near[frames] == leg)]
    if usable.size == 0:
        return None
    ref = int(usable[np.argmin(kin.drop_leg[usable])])
    return HeelAnchor(start=int(frames[0]), stop=int(frames[-1]) + 1, ref=ref,
                      heel_xy_px=(float(heel_x[ref]), float(heel_y[ref])),
                      toe_xy_px=(float(toe_x[ref]), float(toe_y[ref])), foot_px=float(kin.foot_length_px[leg]))


def heel_from_landmarks(kin: SquatKinematics, rep_top_leg: float) -> np.ndarray:
    """The near heel's height over its foot index (level frame, foot lengths), referred to its
    level in the planted frames nearest standing: the fallback without a video."""
    from ...core import events

    height = measures.compute_heel_height_foot(kin.x_px, kin.y_px, roll_deg=kin.roll.roll_deg,
                                               foot_length_px=kin.foot_length_px)
    height = signal.smooth(kin.near_leg(height), sigma_frames=kin.sigma_frames)
    standing = kin.planted & (kin.drop_leg < 0.5 * rep_top_leg)
    return height - events.heel_baseline(height[None], standing[None])[0]


def squat_heel(kin: SquatKinematics, settings: SquatSettings, *, heel_rise_foot: np.ndarray | None,
               foot_px: float) -> SquatHeel:
    """Heel lifts of the near foot from its height: tracked in the image (``heel_rise_foot``,
    NaN where untracked) or, without it, from the landmarks."""
    from ...core import events

    if heel_rise_foot is None:
        height, source = heel_from_landmarks(kin, settings.rep_top_leg), HeelSource.LANDMARKS
    else:
        height = signal.smooth(np.asarray(heel_rise_foot, dtype=np.float64), sigma_frames=kin.sigma_frames)
        source = HeelSource.IMAGE
    lifts = events.detect_heel_lifts(height, kin.time_s, on_foot=settings.heel_on_foot, off_foot=settings.heel_off_foot,
                                     min_duration_s=settings.heel_min_duration_s, dt_s=kin.dt_s,
                                     max_gap_s=settings.max_gap_s)
    return SquatHeel(height_foot=height, lifts=lifts, source=source, foot_px=float(foot_px))
