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
    heel_known : ndarray of shape (T, 2), bool
        The heel's height is known (seen, or tracked in the image).
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
    xy_px : ndarray of shape (T, 2, 5, 2)
        Gap-filled, smoothed positions of hip, knee, ankle, heel, foot index per leg.
    still : ndarray of shape (T, 2), bool
        The leg is the front leg and its foot is still (heel and foot index).
    stance : ndarray of shape (T,), int64
        Stance number: stances are separated by steps of the front foot.
    heel_source : {"image", "landmarks"}
        Where the front foot's heel height came from: the heel tracked in the image
        (``heel_rise_foot``), or MediaPipe's heel and foot-index landmarks.
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
    heel_known: np.ndarray
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
    xy_px: np.ndarray
    still: np.ndarray
    stance: np.ndarray
    heel_source: str
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
               foot_px: np.ndarray, on: float, off: float, min_dur_s: float, measured: np.ndarray | None,
               is_front: np.ndarray):
    """Heel height (foot lengths above heel-down) and lifts of both legs at one roll.

    The landmark height is referred to its heel-down level, taken from the frames in which
    the leg is the front leg and its foot is still (``still``, shape (T, 2)). ``measured``
    (T, 2), where not None, replaces it in the front leg's frames: the heel tracked in the
    image, already relative to a heel-down frame; NaN there means unknown, never a
    landmark stand-in (the two do not share a baseline).

    Returns height (T, 2), lifts (K, 4), heel_down (T, 2) and heel_known (T, 2).
    """
    height = events.heel_height_norm(xy[:, :, HEEL], xy[:, :, TOE], roll_deg=roll_deg, foot_length_px=foot_px)
    height = height - events.heel_baseline(height, still)
    if measured is not None:
        height = np.where(is_front, measured[:, None], height)
    found = []
    for leg in range(2):  # two legs, not frames
        spans = events.detect_heel_lifts(height[:, leg], time_s, on_foot=on, off_foot=off,
                                         min_duration_s=min_dur_s)
        found.append(np.column_stack((np.full(len(spans), leg), spans)))
    lifts = np.concatenate(found).astype(np.int64)
    lifted = np.zeros(height.shape, dtype=bool)
    for leg, lo, hi, _ in lifts:
        lifted[lo:hi, leg] = True
    known = np.isfinite(height)
    return height, lifts, known & ~lifted, known


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
    max_foot_speed: float = 1.0,
    min_prominence_deg: float = 5.0,
    min_spacing_s: float = 1.0,
    heel_rise_foot: np.ndarray | None = None,
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
    heel_rise_foot : ndarray of shape (T,), optional
        Rise of the front foot's heel over its forefoot measured in the image (foot
        lengths; NaN where not measured), from :func:`ankle_cv.heel_track.track_heel_rise`
        on the anchors of :func:`heel_anchors`. Where given it replaces the landmark
        heel height: MediaPipe's heel and foot-index landmarks drift up by up to a tenth of
        a foot length as the shank tilts forward even with the heel flat on the floor.
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
    foot_mid = signal.quiet_nanmean(xy_filled[:, :, [ANKLE, HEEL, TOE]], axis=2)  # unseen heel left out
    front_foot = _legs.pick_leg(foot_mid, front_label)
    stance = _legs.stance_segments(front_foot, time_s, foot_px=_legs.foot_scale_px(xy_filled))
    if leg is None:
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

    measured = None if heel_rise_foot is None else np.asarray(heel_rise_foot, dtype=np.float64)
    heel_args = dict(foot_px=foot_px, on=heel_on_foot, off=heel_off_foot, min_dur_s=heel_min_duration_s,
                     measured=measured, is_front=is_front)
    # the sole estimate: heel lifts are roll-independent (heights are taken against the
    # heel-down level), so a rough roll finds the flat frames the refined one is taken from
    rough, _, _ = geometry.estimate_roll_deg(front_sole_deg, still.any(axis=1))
    height, _, heel_down, _ = _heel_pass(xy, still, time_s, roll_deg=np.nan_to_num(rough), **heel_args)
    flat = still & heel_down & (np.abs(height) < heel_off_foot)  # neither heel nor toes up
    sole = geometry.estimate_roll_deg(front_sole_deg, flat.any(axis=1))[:2]
    scene = geometry.roll_from_lines(lines)[:2] if lines is not None else (np.nan, np.nan)
    roll, roll_sd, source = _choose_roll(roll_deg, roll_source, sole=sole, scene=scene)
    height, lifts, heel_down, heel_known = _heel_pass(xy, still, time_s, roll_deg=roll, **heel_args)

    face = facing[:, None]
    tibia = geometry.tibia_angle_deg(xy[:, :, KNEE], xy[:, :, ANKLE], roll_deg=roll, facing_sign=face)
    tibia_raw = geometry.tibia_angle_deg(xy_raw[:, :, KNEE], xy_raw[:, :, ANKLE], roll_deg=roll, facing_sign=face)

    kin = KneeToWallKinematics(
        time_s=np.asarray(time_s, dtype=np.float64),
        tibia_raw_deg=tibia_raw,
        tibia_deg=tibia,
        heel_height_foot=height,
        heel_down=heel_down,
        heel_known=heel_known,
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
        xy_px=xy,
        still=still,
        stance=stance,
        heel_source="landmarks" if measured is None else "image",
        lifts=lifts,
        trials=np.zeros((0, 3), dtype=np.int64),
    )
    trials = events.segment_trials(kin.front(tibia), time_s, min_prominence_deg=min_prominence_deg,
                                   min_spacing_s=min_spacing_s)
    return dataclasses.replace(kin, trials=trials)


@dataclasses.dataclass(frozen=True)
class HeelAnchor:
    """Where to track the front foot's heel in one stance (frames ``start`` to ``stop``).

    ``ref`` is the stance's frame with the knee furthest back (the heel surely down);
    heel and foot index are the smoothed landmark positions there, in pixels.
    """

    start: int
    stop: int
    ref: int
    heel_xy_px: tuple[float, float]
    toe_xy_px: tuple[float, float]
    foot_px: float


#: Below this foot length in the picture the heel patch is too small to follow.
MIN_TRACK_FOOT_PX = 40.0


def heel_anchors(kin: KneeToWallKinematics, *, min_frames: int = 10,
                 min_foot_px: float = MIN_TRACK_FOOT_PX) -> list[HeelAnchor]:
    """One :class:`HeelAnchor` per stance of the front leg with at least ``min_frames``
    frames and a foot at least ``min_foot_px`` long in the picture."""
    anchors = []
    angle = kin.front(kin.tibia_deg)
    still = kin.front(kin.still.astype(np.float64)) == 1.0
    heel, toe = kin.front(kin.xy_px[:, :, HEEL]), kin.front(kin.xy_px[:, :, TOE])
    known = np.isfinite(kin.front_side)
    for stance in np.unique(kin.stance[known]):  # a loop over stances, not frames
        frames = np.flatnonzero(known & (kin.stance == stance))
        if frames.size < min_frames:
            continue
        side = int(np.bincount(kin.front_side[frames].astype(np.int64)).argmax())
        if not kin.foot_length_px[side] >= min_foot_px:
            continue
        usable = frames[still[frames] & np.isfinite(angle[frames]) & np.isfinite(heel[frames, 0])
                        & np.isfinite(toe[frames, 0]) & (kin.front_side[frames] == side)]
        if usable.size == 0:
            continue
        ref = int(usable[np.argmin(angle[usable])])
        anchors.append(HeelAnchor(
            start=int(frames[0]), stop=int(frames[-1]) + 1, ref=ref,
            heel_xy_px=(float(heel[ref, 0]), float(heel[ref, 1])),
            toe_xy_px=(float(toe[ref, 0]), float(toe[ref, 1])),
            foot_px=float(kin.foot_length_px[side]),
        ))
    return anchors
