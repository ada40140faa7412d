"""The knee-to-wall core: a landmark array in, per-frame angles and events out.

One function, :func:`knee_to_wall_kinematics`, runs the whole chain on whole arrays (both
legs at once, no per-frame Python): visibility and segment-length gating, facing, front-leg
choice, anatomical side, short-gap filling, camera roll, heel height and lifts, zero-phase
smoothing of the tibia-to-vertical angles, and trial segmentation. It reads only the eight
leg landmarks it needs (knees, ankles, heels, foot indices: one slice of the array) and
works in float32. It takes whole arrays and no state, so it can equally run on a rolling
window of a live stream.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..landmarks import ANKLE, HEEL, KNEE, LEG_SLICE, LEGS, N_LANDMARKS, TOE
from . import events, geometry, legs as _legs, signal

ROLL_SOURCES = ("auto", "scene", "sole", "level")


@dataclasses.dataclass(frozen=True, eq=False)
class KneeToWallKinematics:
    """Per-frame series and events of one clip; legs are anatomical, row 0 left, 1 right.

    Attributes
    ----------
    time_s : ndarray of shape (T,)
    tibia_raw_deg : ndarray of shape (T, 2)
        Tibia-to-vertical angle from the gated landmarks, unsmoothed (NaN where gated).
    tibia_deg : ndarray of shape (T, 2)
        The same with gaps up to ``max_gap_s`` bridged and zero-phase smoothing.
    heel_height_foot : ndarray of shape (T, 2)
        Heel height above its heel-down level, in foot lengths (NaN where unknown).
    heel_down : ndarray of shape (T, 2), bool
        Heel height known and not in a lift.
    heel_known : ndarray of shape (T, 2), bool
        The heel's height is known (seen, or tracked in the image).
    reliable : ndarray of shape (T, 2), bool
        The angle is known and, for the front leg, its ankle is where the foot was planted
        for the stance (MediaPipe has not lost the leg).
    visibility : ndarray of shape (T, 2, 4)
        MediaPipe visibility of knee, ankle, heel, foot index of each leg.
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
    x_px, y_px : ndarray of shape (T, 2, 4)
        Gated positions of knee, ankle, heel, foot index per leg (NaN where gated).
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
    reliable: np.ndarray
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
    x_px: np.ndarray
    y_px: np.ndarray
    still: np.ndarray
    stance: np.ndarray
    heel_source: str
    lifts: np.ndarray
    trials: np.ndarray

    def front(self, values: np.ndarray) -> np.ndarray:
        """The front leg's column of a (T, 2, ...) array, NaN where the front is unknown."""
        return _legs.pick_leg(values, self.front_side)

    @property
    def swapped(self) -> np.ndarray:
        """ndarray of shape (T,), bool: frames in which MediaPipe's left/right labels were
        exchanged to make the legs anatomical."""
        return _swapped(self.front_label, self.front_side)


#: Frames per block when the leg landmarks are transposed into rows.
_BLOCK_FRAMES = 65536


def gather_legs(xyzv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leg landmarks of a (T, 33, 4) array as float32 rows: x, y, visibility, each of
    shape (4 joints, 2 legs, T) (knee, ankle, heel, foot index; MediaPipe's left, right).

    The transpose runs in blocks of frames that stay in cache, which makes it about as fast
    as a plain copy of those landmarks.
    """
    xyzv = np.asarray(xyzv)
    if xyzv.ndim != 3 or xyzv.shape[1:] != (N_LANDMARKS, 4):
        raise ValueError(f"xyzv must have shape (T, {N_LANDMARKS}, 4), got {xyzv.shape}")
    n = xyzv.shape[0]
    legs = xyzv[:, LEG_SLICE].reshape(n, 4, 2, 4)  # a view: frame, joint, leg, value
    x, y, vis = (np.empty((4, 2, n), dtype=np.float32) for _ in range(3))
    for lo in range(0, n, _BLOCK_FRAMES):  # a loop over blocks of frames
        block = legs[lo:lo + _BLOCK_FRAMES].transpose(3, 1, 2, 0)  # value, joint, leg, frame
        hi = lo + block.shape[-1]
        x[..., lo:hi], y[..., lo:hi], vis[..., lo:hi] = block[0], block[1], block[3]
    return x, y, vis


def _heel_pass(heel_x, heel_y, toe_x, toe_y, time_s: np.ndarray, *, roll_deg: float, still: np.ndarray,
               is_front: np.ndarray, foot_px: np.ndarray, measured: np.ndarray | None, sigma: float,
               on: float, off: float, min_dur_s: float, dt_s: float):
    """Heel height (foot lengths above heel-down) and lifts of both legs at one roll.

    The landmark height (heel over foot index, level frame) is referred to its heel-down
    level, the shorth over the frames in which the leg is the front leg and its foot is
    ``still``. ``measured`` (T,), where not None, replaces it in the front leg's frames: the
    heel tracked in the image, already relative to a heel-down frame; NaN there means
    unknown, never a landmark stand-in (the two do not share a baseline).

    Returns height (2, T), lifts (K, 4), heel_down (2, T) and heel_known (2, T).
    """
    height = events.heel_height_norm(heel_x - toe_x, heel_y - toe_y, roll_deg=roll_deg, foot_length_px=foot_px)
    height = signal.smooth(height, sigma_frames=sigma)
    height -= events.heel_baseline(height, still)[:, None]
    if measured is not None:
        height = np.where(is_front, signal.smooth(measured, sigma_frames=sigma), height)
    found = []
    for leg in range(2):  # two legs, not frames
        spans = events.detect_heel_lifts(height[leg], time_s, on_foot=on, off_foot=off, min_duration_s=min_dur_s,
                                         dt_s=dt_s)
        found.append(np.column_stack((np.full(len(spans), leg), spans)))
    lifts = np.concatenate(found).astype(np.int64)
    lifted = np.zeros(height.shape, dtype=bool)
    for leg, lo, hi, _ in lifts:  # a loop over lifts
        lifted[leg, lo:hi] = True
    known = np.isfinite(height)
    return height, lifts, known & ~lifted, known


def _swapped(front_label: np.ndarray, front_side: np.ndarray) -> np.ndarray:
    return np.isfinite(front_label) & np.isfinite(front_side) & (front_label != front_side)


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
    xyzv: np.ndarray,
    time_s: np.ndarray,
    *,
    lines: np.ndarray | None = None,
    roll_source: str = "auto",
    roll_deg: float | None = None,
    leg: str | None = None,
    min_visibility: float = 0.5,
    max_gap_s: float = 0.25,
    cutoff_hz: float = 6.0,
    heel_on_foot: float = 0.035,
    heel_off_foot: float = 0.0175,
    heel_min_duration_s: float = 0.15,
    max_foot_speed: float = 1.0,
    min_prominence_deg: float = 5.0,
    min_spacing_s: float = 1.0,
    heel_rise_foot: np.ndarray | None = None,
) -> KneeToWallKinematics:
    """Angles, heel lifts and trials of a knee-to-wall clip.

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
        MediaPipe landmarks: x_px, y_px, z, visibility (NaN rows where no person was found).
    time_s : ndarray of shape (T,)
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
    min_visibility : float
        Landmarks seen with less visibility are treated as missing.
    max_gap_s : float
        Longest gap of missing landmarks bridged by interpolation.
    cutoff_hz : float
        -3 dB frequency of the zero-phase Gaussian smoothing of angles and heel heights.
    heel_on_foot, heel_off_foot, heel_min_duration_s : float
        Heel-lift hysteresis thresholds (foot lengths) and minimum duration.
    max_foot_speed : float
        A foot slower than this (foot lengths per second, heel and foot index) is still;
        the heel-down level and the sole's roll come from still front-foot frames.
    min_prominence_deg, min_spacing_s : float
        Trial (knee drive) segmentation: the least rise of a drive and the least time
        between two drive peaks.
    heel_rise_foot : ndarray of shape (T,), optional
        Rise of the front foot's heel over its forefoot measured in the image (foot
        lengths; NaN where not measured), from :func:`ankle_cv.heel_track.track_heel_rise`
        on the anchors of :func:`heel_anchors`. Where given it replaces the landmark heel
        height: MediaPipe's heel and foot-index landmarks drift up by up to a tenth of a
        foot length as the shank tilts forward even with the heel flat on the floor.
    """
    if leg is not None and leg not in LEGS:
        raise ValueError(f"leg must be one of {LEGS} or None, got {leg!r}")
    if roll_source not in ROLL_SOURCES:
        raise ValueError(f"roll_source must be one of {ROLL_SOURCES}, got {roll_source!r}")
    time_s = np.asarray(time_s, dtype=np.float64)
    dt_s = signal.frame_interval_s(time_s)
    sigma = signal.gaussian_sigma_frames(cutoff_hz, 1.0 / dt_s)
    x, y, vis = gather_legs(xyzv)  # (4 joints, 2 legs, T) each, MediaPipe's label order
    unseen = ~(vis >= min_visibility)  # NaN visibility (no person) is unseen too
    x[unseen] = np.nan
    y[unseen] = np.nan
    _legs.gate_implausible_lengths(x, y)

    foot_dx, foot_dy = _legs.foot_vector(x, y)  # heel, or ankle where unseen, -> foot index
    foot_scale = _legs.typical(np.hypot(foot_dx, foot_dy))
    facing = _legs.facing_sign(foot_dx, rate_hz=1.0 / dt_s)
    mid_x, mid_y = _legs.foot_middle(x, y)
    front_label = _legs.front_leg_label(mid_x, facing, foot_px=foot_scale)
    stance = _legs.stance_segments(_legs.pick(mid_x, front_label), _legs.pick(mid_y, front_label), time_s,
                                   dt_s=dt_s, foot_px=foot_scale)
    if leg is None:
        front_side = _legs.stance_side(front_label, stance)
    else:
        front_side = np.where(np.isfinite(front_label), float(LEGS.index(leg)), np.nan)

    # from here on legs are anatomical: (..., 2, T)
    swap = _swapped(front_label, front_side)
    x, y, vis = (_legs.swap_legs(a, swap) for a in (x, y, vis))
    is_front = np.isfinite(front_side) & (np.arange(2)[:, None] == front_side)  # (2, T)
    foot_px = np.array([_legs.typical(np.hypot(x[TOE, i] - x[HEEL, i], y[TOE, i] - y[HEEL, i])) for i in (0, 1)],
                       dtype=np.float32)

    # a planted foot is still: heel and foot index both slower than max_foot_speed
    foot_speed = np.fmax(signal.speed(x[HEEL], y[HEEL], dt_s), signal.speed(x[TOE], y[TOE], dt_s)) / foot_px[:, None]
    still = is_front & (signal.smooth(foot_speed, sigma_frames=sigma) < max_foot_speed)

    measured = None if heel_rise_foot is None else np.asarray(heel_rise_foot, dtype=np.float32)
    # the sole's roll: the shorth over still front-foot frames resists the minority of
    # frames with the heel or the toes up
    sole_deg = _legs.pick(geometry.line_angle_deg(x[TOE] - x[HEEL], y[TOE] - y[HEEL]), front_side)
    sole = geometry.estimate_roll_deg(sole_deg, still[0] | still[1])[:2]
    scene = geometry.roll_from_lines(lines)[:2] if lines is not None else (np.nan, np.nan)
    roll, roll_sd, source = _choose_roll(roll_deg, roll_source, sole=sole, scene=scene)
    height, lifts, heel_down, heel_known = _heel_pass(
        x[HEEL], y[HEEL], x[TOE], y[TOE], time_s, roll_deg=roll, still=still, is_front=is_front, foot_px=foot_px,
        measured=measured, sigma=sigma, on=heel_on_foot, off=heel_off_foot, min_dur_s=heel_min_duration_s, dt_s=dt_s)

    shank_dx, shank_dy = x[KNEE] - x[ANKLE], y[KNEE] - y[ANKLE]  # (2, T)
    tibia_raw = geometry.tibia_angle_deg(shank_dx, shank_dy, roll_deg=roll, facing_sign=facing)
    bridged = signal.fill_gaps(np.stack((shank_dx, shank_dy)), time_s, max_gap_s=max_gap_s)
    tibia = signal.smooth(geometry.tibia_angle_deg(bridged[0], bridged[1], roll_deg=roll, facing_sign=facing),
                          sigma_frames=sigma)
    foot_any_px = np.where(np.isfinite(foot_px), foot_px, foot_scale)  # an unseen heel: the visible part
    reliable = np.isfinite(tibia) & _legs.planted_ok(x[ANKLE], y[ANKLE], is_front, stance, foot_any_px)
    trials = events.segment_trials(_legs.pick(tibia, front_side), time_s,
                                   min_prominence_deg=min_prominence_deg, min_spacing_s=min_spacing_s, dt_s=dt_s)
    return KneeToWallKinematics(
        time_s=time_s,
        tibia_raw_deg=tibia_raw.T,
        tibia_deg=tibia.T,
        heel_height_foot=height.T,
        heel_down=heel_down.T,
        heel_known=heel_known.T,
        reliable=reliable.T,
        visibility=vis.transpose(2, 1, 0),
        front_label=front_label,
        front_side=front_side,
        facing=facing,
        roll_deg=float(roll),
        roll_sd_deg=float(roll_sd),
        roll_source=source,
        sole_roll_deg=float(sole[0]),
        scene_roll_deg=float(scene[0]),
        foot_length_px=foot_px,
        x_px=x.transpose(2, 1, 0),
        y_px=y.transpose(2, 1, 0),
        still=still.T,
        stance=stance,
        heel_source="landmarks" if measured is None else "image",
        lifts=lifts,
        trials=trials,
    )


@dataclasses.dataclass(frozen=True)
class HeelAnchor:
    """Where to track the front foot's heel in one stance (frames ``start`` to ``stop``).

    ``ref`` is the stance's frame with the knee furthest back (the heel surely down);
    heel and foot index are the landmark positions there, in pixels.
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
    heel = np.stack((kin.front(kin.x_px[:, :, HEEL]), kin.front(kin.y_px[:, :, HEEL])), axis=1)
    toe = np.stack((kin.front(kin.x_px[:, :, TOE]), kin.front(kin.y_px[:, :, TOE])), axis=1)
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
