"""The knee-to-wall core: per-label leg landmarks in, per-frame angles and events out.

One function, :func:`knee_to_wall_kinematics`, runs the whole chain on whole arrays (both
legs at once, no per-frame Python): visibility gating, short-gap filling, facing, front-leg
choice, anatomical side, zero-phase smoothing, camera roll from the planted sole, heel
height and lifts, tibia-to-vertical angles and trial segmentation. The same function runs
offline on a clip and live on a rolling window.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ..landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from . import events, geometry, legs as _legs, signal


@dataclasses.dataclass(frozen=True, eq=False)
class KneeToWallKinematics:
    """Per-frame series and events of one clip; legs are anatomical, row 0 left, 1 right.

    Attributes
    ----------
    time_s : ndarray of shape (T,)
    tibia_raw_deg : ndarray of shape (T, 2)
        Tibia-to-vertical angle from the gated, unsmoothed landmarks.
    tibia_deg : ndarray of shape (T, 2)
        The same from gap-filled, smoothed landmarks.
    heel_height_foot : ndarray of shape (T, 2)
        Heel height above its heel-down level, in foot lengths.
    heel_down : ndarray of shape (T, 2), bool
        Heel seen and not in a lift.
    visibility : ndarray of shape (T, 2, 5)
        MediaPipe visibility of hip, knee, ankle, heel, foot index of each leg.
    front_label : ndarray of shape (T,)
        MediaPipe label (0 left, 1 right) of the foot furthest forward, NaN unknown.
    front_side : ndarray of shape (T,)
        Anatomical side of the front (tested) leg: 0 left, 1 right, NaN unknown.
    facing : ndarray of shape (T,)
        +1 feet point image right, -1 left, NaN unknown.
    roll_deg, roll_sd_deg : float
        Camera roll used and the scatter of the evidence it came from (NaN if none).
    roll_source : {"user", "scene", "sole", "level"}
        Where the roll used came from (``level`` means assumed 0).
    sole_roll_deg, scene_roll_deg : float
        The roll the planted sole and the scene lines suggest (NaN where unavailable).
    foot_length_px : ndarray of shape (2,)
    lifts : ndarray of shape (K, 4), int64
        leg (0/1), start frame, stop frame (exclusive), frame of peak height.
    trials : ndarray of shape (M, 3), int64
        start, peak and stop (exclusive) frame of each knee drive of the front leg.
    """

    time_s: np.ndarray
    tibia_raw_deg: np.ndarray
    tibia_deg: np.ndarray
    heel_height_foot: np.ndarray
    heel_down: np.ndarray
    visibility: np.ndarray
    front_label: np.ndarray
    front_side: np.ndarray
    facing: np.ndarray
    roll_deg: float
    roll_sd_deg: float
    roll_source: str
    sole_roll_deg: float
    scene_roll_deg: float
    foot_length_px: np.ndarray
    lifts: np.ndarray
    trials: np.ndarray

    def front(self, values: np.ndarray) -> np.ndarray:
        """The front leg's column of a (T, 2, ...) array, NaN where the front is unknown."""
        return _legs.pick_leg(values, self.front_side)


def _nanmedian(values: np.ndarray) -> np.ndarray:
    """Median over time of a (T, 2) array; NaN (without a warning) for an all-NaN column."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=0) if values.shape[0] else np.full(values.shape[1:], np.nan)


def _heel_pass(xy: np.ndarray, still: np.ndarray, time_s: np.ndarray, *, roll_deg: float,
               foot_px: np.ndarray, on: float, off: float, min_dur_s: float):
    """Heel height (foot lengths above heel-down) and lifts of both legs at one roll.

    The heel-down level is taken from the frames in which the leg is the front leg and its
    foot is still (``still``, shape (T, 2)).
    """
    height = events.heel_height_norm(xy[:, :, HEEL], xy[:, :, TOE], roll_deg=roll_deg, foot_length_px=foot_px)
    height = height - events.heel_baseline(height, still)
    found = []
    for leg in range(2):  # two legs, not frames
        spans = events.detect_heel_lifts(height[:, leg], time_s, on_foot=on, off_foot=off,
                                         min_duration_s=min_dur_s)
        found.append(np.column_stack((np.full(len(spans), leg), spans)))
    lifts = np.concatenate(found).astype(np.int64)
    lifted = np.zeros(height.shape, dtype=bool)
    for leg, lo, hi, _ in lifts:
        lifted[lo:hi, leg] = True
    return height, lifts, np.isfinite(height) & ~lifted


ROLL_SOURCES = ("auto", "scene", "sole", "level")


def _choose_roll(user: float | None, source: str, *, sole, scene) -> tuple[float, float, str]:
    """(roll, spread, source) from the user's value or the chosen estimate."""
    if user is not None:
        return float(user), float("nan"), "user"
    if source == "auto":
        source = "scene" if np.isfinite(scene[0]) else "level"
    if source == "level":
        return 0.0, float("nan"), "level"
    roll, spread = scene if source == "scene" else sole
    if not np.isfinite(roll):  # the asked-for evidence is missing: assume level
        return 0.0, float("nan"), "level"
    return float(roll), float(spread), source


def knee_to_wall_kinematics(
    legs: np.ndarray,
    time_s: np.ndarray,
    *,
    min_visibility: float = 0.5,
    max_gap_s: float = 0.25,
    cutoff_hz: float = 6.0,
    lines: np.ndarray | None = None,
    roll_source: str = "auto",
    roll_deg: float | None = None,
    leg: str | None = None,
    heel_on_foot: float = 0.05,
    heel_off_foot: float = 0.025,
    heel_min_duration_s: float = 0.15,
    max_foot_speed: float = 0.5,
    min_prominence_deg: float = 5.0,
    min_spacing_s: float = 1.0,
) -> KneeToWallKinematics:
    """Angles, heel lifts and trials of a knee-to-wall clip.

    Parameters
    ----------
    legs : ndarray of shape (T, 2, 5, 4)
        x_px, y_px, z, visibility of hip, knee, ankle, heel, foot index, legs in
        MediaPipe's label order (NaN rows where no person was found).
    time_s : ndarray of shape (T,)
    min_visibility : float
        Landmarks seen with less visibility are treated as missing.
    max_gap_s : float
        Longest gap of missing landmarks bridged by interpolation.
    cutoff_hz : float
        Zero-phase low-pass cut-off for the landmark trajectories.
    lines : ndarray of shape (K, 4), optional
        Straight scene segments (x0, y0, x1, y1 px) for levelling the camera.
    roll_source : {"auto", "scene", "sole", "level"}
        Which estimate of the camera roll to use: the scene lines, the planted sole, or
        none (a level camera). ``auto`` takes the scene lines when they agree, else assumes
        a level camera: MediaPipe's heel and foot-index landmarks are not at sole level, so
        the sole line of a real shoe is tilted by several degrees (README, *Camera roll*).
    roll_deg : float, optional
        Camera roll given by the user; overrides ``roll_source``.
    leg : {"left", "right"}, optional
        The tested (front) leg, overriding the side read from MediaPipe's labels.
    heel_on_foot, heel_off_foot, heel_min_duration_s : float
        Heel-lift hysteresis thresholds (foot lengths) and minimum duration.
    max_foot_speed : float
        A foot slower than this (foot lengths per second, heel and foot index) is still;
        the heel-down level and the camera roll come from still front-foot frames.
    min_prominence_deg, min_spacing_s : float
        Trial (knee drive) segmentation: the least rise of a drive and the least time
        between two drive peaks.
    """
    legs = np.asarray(legs, dtype=np.float64)
    if legs.ndim != 4 or legs.shape[1:] != (2, 5, 4):
        raise ValueError(f"legs must have shape (T, 2, 5, 4), got {legs.shape}")
    if leg is not None and leg not in LEGS:
        raise ValueError(f"leg must be one of {LEGS} or None, got {leg!r}")
    if roll_source not in ROLL_SOURCES:
        raise ValueError(f"roll_source must be one of {ROLL_SOURCES}, got {roll_source!r}")
    xy_gated = signal.gate_visibility(legs[..., :2], legs[..., 3], min_visibility=min_visibility)
    xy_gated = _legs.gate_implausible_lengths(xy_gated)
    xy_filled = signal.fill_gaps(xy_gated, time_s, max_gap_s=max_gap_s)

    facing = _legs.facing_sign(xy_filled, time_s)
    front_label = _legs.front_leg_label(xy_filled, facing)
    if leg is None:
        foot_mid = signal.quiet_nanmean(xy_filled[:, :, [ANKLE, HEEL, TOE]], axis=2)  # unseen heel left out
        front_foot = _legs.pick_leg(foot_mid, front_label)
        stance = _legs.stance_segments(front_foot, time_s, foot_px=_legs.foot_scale_px(xy_filled))
        front_side = _legs.stance_side(front_label, stance)
    else:
        front_side = np.where(np.isfinite(front_label), float(LEGS.index(leg)), np.nan)

    def resolve(values):
        return _legs.resolve_legs(values, front_label, front_side)

    xy_raw = resolve(xy_gated)
    xy = signal.smooth(resolve(xy_filled), time_s, cutoff_hz=cutoff_hz)
    visibility = resolve(legs[..., 3])

    is_front = np.isfinite(front_side)[:, None] & (np.arange(2)[None, :] == np.nan_to_num(front_side)[:, None])
    foot_px = _nanmedian(_legs.foot_length_px(xy[:, :, HEEL], xy[:, :, TOE]))
    front_sole_deg = _legs.pick_leg(geometry.line_angle_deg(xy[:, :, TOE] - xy[:, :, HEEL]), front_side)

    # a planted foot is still: heel and foot index both slower than max_foot_speed
    foot_speed = signal.speed(xy[:, :, [HEEL, TOE]], time_s).max(axis=2) / foot_px
    still = is_front & (foot_speed < max_foot_speed)

    heel_args = dict(foot_px=foot_px, on=heel_on_foot, off=heel_off_foot, min_dur_s=heel_min_duration_s)
    # the sole estimate: heel lifts are roll-independent (heights are taken against the
    # heel-down level), so a rough roll finds the flat frames the refined one is taken from
    rough, _, _ = geometry.estimate_roll_deg(front_sole_deg, still.any(axis=1))
    height, _, heel_down = _heel_pass(xy, still, time_s, roll_deg=np.nan_to_num(rough), **heel_args)
    flat = still & heel_down & (np.abs(height) < heel_off_foot)  # neither heel nor toes up
    sole = geometry.estimate_roll_deg(front_sole_deg, flat.any(axis=1))[:2]
    scene = geometry.roll_from_lines(lines)[:2] if lines is not None else (np.nan, np.nan)
    roll, roll_sd, source = _choose_roll(roll_deg, roll_source, sole=sole, scene=scene)
    height, lifts, heel_down = _heel_pass(xy, still, time_s, roll_deg=roll, **heel_args)

    face = facing[:, None]
    tibia = geometry.tibia_angle_deg(xy[:, :, KNEE], xy[:, :, ANKLE], roll_deg=roll, facing_sign=face)
    tibia_raw = geometry.tibia_angle_deg(xy_raw[:, :, KNEE], xy_raw[:, :, ANKLE], roll_deg=roll, facing_sign=face)

    kin = KneeToWallKinematics(
        time_s=np.asarray(time_s, dtype=np.float64),
        tibia_raw_deg=tibia_raw,
        tibia_deg=tibia,
        heel_height_foot=height,
        heel_down=heel_down,
        visibility=visibility,
        front_label=front_label,
        front_side=front_side,
        facing=facing,
        roll_deg=float(roll),
        roll_sd_deg=float(roll_sd),
        roll_source=source,
        sole_roll_deg=float(sole[0]),
        scene_roll_deg=float(scene[0]),
        foot_length_px=foot_px,
        lifts=lifts,
        trials=np.zeros((0, 3), dtype=np.int64),
    )
    trials = events.segment_trials(kin.front(tibia), time_s, min_prominence_deg=min_prominence_deg,
                                   min_spacing_s=min_spacing_s)
    return dataclasses.replace(kin, trials=trials)
