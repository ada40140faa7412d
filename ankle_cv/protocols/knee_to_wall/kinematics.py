"""Knee-to-wall kinematics: the core's ``compute_*`` functions composed for this test.

:func:`leg_kinematics` runs once per clip on whole arrays (both legs at once, no per-frame
Python): visibility and segment-length gating, facing, front-leg choice, anatomical side,
camera roll, still-foot frames, tibia angles and trial segmentation. None of that depends
on the heel. :func:`heel_events` then adds the heel height and its lifts, from the heel
tracked in the image (:mod:`ankle_cv.vision.heel`, anchored by :func:`heel_anchors`) or,
without a video, from the landmarks. Both take arrays and settings and hold no state, so they
run equally on a rolling window of a live stream.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...core import events, geometry, legs, measures, signal
from ...landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ...vision.heel import HeelAnchor
from ...vocab import HeelSource, RollSource
from ..camera import RollEstimate, choose_roll
from .settings import KneeToWallSettings


@dataclasses.dataclass(frozen=True, eq=False)
class LegKinematics:
    """Per-frame series of one clip that do not depend on the heel.

    Legs are anatomical (row 0 left, 1 right); per-joint arrays have the core's layout
    (5 joints, 2 legs, T), per-leg series (2, T).

    Attributes
    ----------
    time_s : ndarray of shape (T,)
    dt_s, sigma_frames : float
        Typical frame interval and the smoothing kernel's width in frames.
    x_px, y_px : ndarray of shape (5, 2, T)
        Gated joint positions (NaN where gated).
    visibility : ndarray of shape (5, 2, T)
        MediaPipe visibility of each joint.
    tibia_raw_deg : ndarray of shape (2, T)
        Tibia-to-vertical angle from the gated landmarks, unsmoothed.
    tibia_deg : ndarray of shape (2, T)
        The same with short gaps bridged and zero-phase smoothing.
    reliable : ndarray of shape (2, T), bool
        The angle is known and, for the front leg, its ankle is where the foot was planted.
    still : ndarray of shape (2, T), bool
        The leg is the front leg and its foot is still.
    front_label, front_side, facing : ndarray of shape (T,)
        MediaPipe label of the front foot, anatomical side of the front leg (0 left,
        1 right, NaN unknown), and +1/-1 for feet pointing image right/left.
    stance : ndarray of shape (T,), int64
        Stance number (stances are separated by steps of the front foot).
    foot_length_px : ndarray of shape (2,)
    roll : RollEstimate
    trials : ndarray of shape (M, 3), int64
        Start, peak and stop (exclusive) frame of each knee drive of the front leg.
    level : Leveller or None
        Where the scene's verticals converge (a pitched camera): maps image points to the
        levelled picture the shank's angles are measured in.
    """

    time_s: np.ndarray
    dt_s: float
    sigma_frames: float
    x_px: np.ndarray
    y_px: np.ndarray
    visibility: np.ndarray
    tibia_raw_deg: np.ndarray
    tibia_deg: np.ndarray
    reliable: np.ndarray
    still: np.ndarray
    front_label: np.ndarray
    front_side: np.ndarray
    facing: np.ndarray
    stance: np.ndarray
    foot_length_px: np.ndarray
    roll: RollEstimate
    trials: np.ndarray
    level: geometry.Leveller | None = None

    def front(self, values: np.ndarray) -> np.ndarray:
        """The front leg of a (..., 2, T) array, NaN where the front leg is unknown."""
        return legs.front(values, self.front_side)

    def front_mask(self, mask: np.ndarray) -> np.ndarray:
        """The front leg of a boolean (..., 2, T) array, False where unknown."""
        return legs.front_mask(mask, self.front_side)

    @property
    def is_front(self) -> np.ndarray:
        return legs.is_front_leg(self.front_side)

    @property
    def swapped(self) -> np.ndarray:
        """ndarray of shape (T,), bool: frames in which MediaPipe's left/right labels were
        exchanged to make the legs anatomical."""
        return _swapped(self.front_label, self.front_side)


@dataclasses.dataclass(frozen=True, eq=False)
class HeelEvents:
    """Heel height and lifts of both legs (anatomical rows).

    Attributes
    ----------
    height_foot : ndarray of shape (2, T)
        Heel height above its heel-down level, in foot lengths (NaN where unknown).
    down, known : ndarray of shape (2, T), bool
        Heel known and not in a lift; heel height known.
    lifts : ndarray of shape (K, 4), int64
        leg (0/1), start frame, stop frame (exclusive), frame of peak height.
    source : HeelSource
        Whether the front foot's heel was tracked in the image or taken from landmarks.
    """

    height_foot: np.ndarray
    down: np.ndarray
    known: np.ndarray
    lifts: np.ndarray
    source: HeelSource


#: Shanks at or beyond this angle to the vertical (knee level with or below the ankle) are
#: landmark errors in any standing test, not measurements.
MAX_TIBIA_DEG = 90.0


def _swapped(front_label: np.ndarray, front_side: np.ndarray) -> np.ndarray:
    return np.isfinite(front_label) & np.isfinite(front_side) & (front_label != front_side)


def _front_side(front_label: np.ndarray, stance: np.ndarray, leg: str | None) -> np.ndarray:
    if leg is None:
        return legs.stance_side(front_label, stance)
    return np.where(np.isfinite(front_label), float(LEGS.index(leg)), np.nan)


#: The vertical vanishing point is trusted when the roll it implies at the picture's centre
#: (where pitch tilts no vertical) agrees this closely with the roll of the scene's horizontal
#: lines (pitch does not tilt those parallel to the picture: the floor line, a shelf), and the
#: pitch it implies is at most MAX_PITCH_DEG.
MAX_VP_ROLL_DISAGREEMENT_DEG, MAX_PITCH_DEG = 3.0, 25.0
#: Horizontal segments (within 15 deg of the image horizontal) needed for that check.
MIN_HORIZONTALS = 3


def pitch_from_verticals(lines: np.ndarray | None,
                         frame_size_px: tuple[int, int]) -> tuple[np.ndarray | None, int, float]:
    """(vanishing point or None, distinct vertical lines that agreed on it, pitch in degrees or
    NaN): the scene's verticals' meeting point
    (:func:`ankle_cv.core.geometry.vertical_vanishing_point`) when the scene's horizontal lines
    confirm the roll it implies and the pitch is plausible for a phone on a stand or in a hand;
    the pitch assumes a typical phone's field of view."""
    none = None, 0, float("nan")
    if lines is None or not len(lines):
        return none
    seg = np.asarray(lines, dtype=np.float64).reshape(-1, 4)
    flat = np.abs(geometry.line_angle_deg(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])) <= 15.0
    level = geometry.roll_from_lines(seg[flat], min_segments=MIN_HORIZONTALS)[0] if flat.any() else float("nan")
    vp, n = geometry.vertical_vanishing_point(seg, frame_size_px=frame_size_px)
    if vp is None or not np.isfinite(level):
        return none
    centre = (frame_size_px[0] / 2, frame_size_px[1] / 2)
    pitch = geometry.camera_pitch_deg(vp, focal_px=geometry.phone_focal_px(frame_size_px), centre_px=centre)
    implied = geometry.vertical_roll_deg(vp, centre_px=centre)
    if not (abs(implied - level) <= MAX_VP_ROLL_DISAGREEMENT_DEG and abs(pitch) <= MAX_PITCH_DEG):
        return none
    return vp, n, pitch


def leg_kinematics(xyzv: np.ndarray, time_s: np.ndarray, settings: KneeToWallSettings, *,
                   lines: np.ndarray | None = None, camera_shift_px: np.ndarray | None = None,
                   frame_size_px: tuple[int, int] | None = None) -> LegKinematics:
    """Angles, legs, roll and trials of a knee-to-wall clip (everything but the heel).

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
        MediaPipe landmarks: x_px, y_px, z, visibility (NaN rows where no person was found).
    time_s : ndarray of shape (T,)
    settings : KneeToWallSettings
    lines : ndarray of shape (K, 4), optional
        Straight scene segments (x0, y0, x1, y1 px) for levelling the camera.
    camera_shift_px : ndarray of shape (T, 2), optional
        Where hand-held shake has moved the camera's view since the first frame: taken out
        of the feet's positions before judging whether a foot is still or planted.
    frame_size_px : (width, height), optional
        With ``lines``, lets converging scene verticals (a pitched camera) be levelled out of
        the shank's angle (:func:`pitch_from_verticals`).
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    dt_s = signal.frame_interval_s(time_s)
    sigma = signal.gaussian_sigma_frames(settings.cutoff_hz, 1.0 / dt_s)
    x, y, vis = legs.gather_joints(xyzv)  # (5 joints, 2 legs, T) each, MediaPipe's label order
    unseen = ~(vis >= settings.min_visibility)  # NaN visibility (no person) is unseen too
    x[unseen] = np.nan
    y[unseen] = np.nan
    legs.gate_implausible_lengths(x, y)

    foot_dx, foot_dy = legs.foot_vector(x, y)  # heel, or ankle where unseen, -> foot index
    foot_scale = legs.typical(np.hypot(foot_dx, foot_dy))
    facing = legs.facing_sign(foot_dx, rate_hz=1.0 / dt_s)
    shift_x, shift_y = (np.zeros_like(time_s), np.zeros_like(time_s)) if camera_shift_px is None else \
        np.asarray(camera_shift_px, dtype=np.float64).T  # the scene's own motion, not the person's
    mid_x, mid_y = legs.foot_middle(x, y)
    front_label = legs.front_leg_label(mid_x, facing, foot_px=foot_scale)
    stance = legs.stance_segments(legs.front(mid_x, front_label) - shift_x, legs.front(mid_y, front_label) - shift_y,
                                  time_s, dt_s=dt_s, foot_px=foot_scale)
    front_side = _front_side(front_label, stance, settings.leg)

    # from here on legs are anatomical: (..., 2, T)
    swap = _swapped(front_label, front_side)
    x, y, vis = (legs.swap_legs(a, swap) for a in (x, y, vis))
    is_front = legs.is_front_leg(front_side)
    foot_px = np.array([legs.typical(length) for length in measures.compute_segment_length_px(x, y, TOE, HEEL)],
                       dtype=np.float32)

    # a planted foot is still: heel and foot index both slower than max_foot_speed
    foot_speed = np.fmax(signal.speed(x[HEEL] - shift_x, y[HEEL] - shift_y, dt_s),
                         signal.speed(x[TOE] - shift_x, y[TOE] - shift_y, dt_s)) / foot_px[:, None]
    still = is_front & (signal.smooth(foot_speed, sigma_frames=sigma) < settings.max_foot_speed)

    # the sole's roll: the shorth over still front-foot frames resists the minority of
    # frames with the heel or the toes up
    sole_deg = legs.front(geometry.line_angle_deg(x[TOE] - x[HEEL], y[TOE] - y[HEEL]), front_side)
    sole = geometry.estimate_roll_deg(sole_deg, still[0] | still[1])[:2]
    scene = geometry.roll_from_lines(lines)[:2] if lines is not None else (np.nan, np.nan)
    # where the scene's verticals converge (camera pitched), the shank is measured in the
    # picture levelled by them; elsewhere against the roll. Strongly converging verticals
    # disagree on one roll: their meeting point, confirmed by the horizontals, then gives it.
    vp, verticals, pitch = None, 0, float("nan")
    if frame_size_px is not None:
        centre = (frame_size_px[0] / 2, frame_size_px[1] / 2)
        vp, verticals, pitch = pitch_from_verticals(lines, frame_size_px)
        if vp is not None and not np.isfinite(scene[0]):
            scene = (geometry.vertical_roll_deg(vp, centre_px=centre), np.nan)
    roll, roll_sd, source = choose_roll(settings.roll_deg, settings.roll_source, sole=sole, scene=scene)
    if vp is None or source != RollSource.SCENE:  # the user's roll, or the one asked for, levels the picture
        vp, pitch, verticals = None, float("nan"), 0
    else:  # the roll at the picture's centre, where pitch tilts no vertical
        roll = geometry.vertical_roll_deg(vp, centre_px=centre)
    xs, ys, shank_roll, level = x, y, roll, None
    if vp is not None:
        level = geometry.Leveller(vp, focal_px=geometry.phone_focal_px(frame_size_px), centre_px=centre)
        xs, ys = np.full_like(x, np.nan), np.full_like(y, np.nan)
        for joint in (KNEE, ANKLE):
            xs[joint], ys[joint] = level(x[joint], y[joint])
        shank_roll = 0.0

    tibia_raw = measures.compute_tibia_angle_deg(xs, ys, roll_deg=shank_roll, facing=facing)
    # a knee level with or below its ankle is no standing person's shank: a landmark error
    inverted = np.abs(tibia_raw) >= MAX_TIBIA_DEG
    if inverted.any():
        for joint in (KNEE, ANKLE):
            for a in {id(v): v for v in (x, y, xs, ys)}.values():
                a[joint][inverted] = np.nan
        tibia_raw[inverted] = np.nan
    tibia = measures.compute_tibia_angle_smoothed_deg(xs, ys, time_s, roll_deg=shank_roll, facing=facing,
                                                      max_gap_s=settings.max_gap_s, sigma_frames=sigma)
    foot_any_px = np.where(np.isfinite(foot_px), foot_px, foot_scale)  # an unseen heel: the visible part
    reliable = np.isfinite(tibia) & legs.planted_ok(x[ANKLE] - shift_x, y[ANKLE] - shift_y, is_front, stance,
                                                    foot_any_px)
    trials = events.segment_trials(legs.front(tibia, front_side), time_s, dt_s=dt_s,
                                   min_prominence_deg=settings.min_prominence_deg, min_spacing_s=settings.min_spacing_s)
    return LegKinematics(
        time_s=time_s, dt_s=dt_s, sigma_frames=sigma, x_px=x, y_px=y, visibility=vis,
        tibia_raw_deg=tibia_raw, tibia_deg=tibia, reliable=reliable, still=still,
        front_label=front_label, front_side=front_side, facing=facing, stance=stance,
        foot_length_px=foot_px,
        roll=RollEstimate(float(roll), float(roll_sd), source, float(sole[0]), float(scene[0]), pitch_deg=pitch,
                          verticals=verticals),
        trials=trials, level=level,
    )


def heel_events(kin: LegKinematics, settings: KneeToWallSettings, *,
                heel_rise_foot: np.ndarray | None = None) -> HeelEvents:
    """Heel height (foot lengths above heel-down) and lifts of both legs.

    The landmark height (heel over foot index, level frame) is referred to its heel-down
    level, the shorth over the frames in which the leg is the front leg and its foot is
    still. ``heel_rise_foot`` (T,), where given, replaces it in the front leg's frames: the
    heel tracked in the image (:func:`ankle_cv.vision.heel.track_heel_rise`), already
    relative to a heel-down frame; NaN there means unknown, never a landmark stand-in (the
    two do not share a baseline). MediaPipe's heel and foot-index landmarks drift up by up
    to a tenth of a foot length as the shank tilts forward even with the heel flat.
    """
    sigma = kin.sigma_frames
    x, y = kin.x_px, kin.y_px
    height = measures.compute_heel_height_foot(x, y, roll_deg=kin.roll.roll_deg, foot_length_px=kin.foot_length_px)
    height = signal.smooth(height, sigma_frames=sigma)
    height -= events.heel_baseline(height, kin.still)[:, None]
    tracked = np.zeros(height.shape, dtype=bool)  # heights from the image, not the landmarks
    if heel_rise_foot is not None:
        measured = np.asarray(heel_rise_foot, dtype=np.float32)
        tracked = kin.is_front
        height = np.where(tracked, signal.smooth(measured, sigma_frames=sigma), height)
    on = np.where(tracked, settings.heel_image_on_foot, settings.heel_on_foot)
    off = np.where(tracked, settings.heel_image_off_foot, settings.heel_off_foot)
    found = []
    for leg in range(2):  # two legs, not frames
        spans = events.detect_heel_lifts(height[leg], kin.time_s, on_foot=on[leg], off_foot=off[leg],
                                         min_duration_s=settings.heel_min_duration_s, dt_s=kin.dt_s,
                                         max_gap_s=settings.max_gap_s)
        found.append(np.column_stack((np.full(len(spans), leg), spans)))
    lifts = np.concatenate(found).astype(np.int64)
    lifted = np.zeros(height.shape, dtype=bool)
    for leg, lo, hi, _ in lifts:  # a loop over lifts
        lifted[leg, lo:hi] = True
    known = np.isfinite(height)
    source = HeelSource.LANDMARKS if heel_rise_foot is None else HeelSource.IMAGE
    return HeelEvents(height_foot=height, down=known & ~lifted, known=known, lifts=lifts, source=source)


#: Below this foot length in the picture the heel patch is too small to follow.
MIN_TRACK_FOOT_PX = 40.0


def heel_anchors(kin: LegKinematics, *, min_frames: int = 10,
                 min_foot_px: float = MIN_TRACK_FOOT_PX) -> list[HeelAnchor]:
    """One :class:`HeelAnchor` per stance of the front leg with at least ``min_frames``
    frames and a foot at least ``min_foot_px`` long in the picture."""
    anchors = []
    angle = kin.front(kin.tibia_deg)
    still = kin.front_mask(kin.still)
    heel = kin.front(np.stack((kin.x_px[HEEL], kin.y_px[HEEL])))  # (2 coordinates, T)
    toe = kin.front(np.stack((kin.x_px[TOE], kin.y_px[TOE])))
    known = np.isfinite(kin.front_side)
    for stance in np.unique(kin.stance[known]):  # a loop over stances, not frames
        frames = np.flatnonzero(known & (kin.stance == stance))
        if frames.size < min_frames:
            continue
        side = int(np.bincount(kin.front_side[frames].astype(np.int64)).argmax())
        if not kin.foot_length_px[side] >= min_foot_px:
            continue
        usable = frames[still[frames] & np.isfinite(angle[frames]) & np.isfinite(heel[0, frames])
                        & np.isfinite(toe[0, frames]) & (kin.front_side[frames] == side)]
        if usable.size == 0:
            continue
        ref = int(usable[np.argmin(angle[usable])])
        anchors.append(HeelAnchor(
            start=int(frames[0]), stop=int(frames[-1]) + 1, ref=ref,
            heel_xy_px=(float(heel[0, ref]), float(heel[1, ref])),
            toe_xy_px=(float(toe[0, ref]), float(toe[1, ref])),
            foot_px=float(kin.foot_length_px[side]),
        ))
    return anchors


def knee_to_wall_kinematics(xyzv: np.ndarray, time_s: np.ndarray, settings: KneeToWallSettings | None = None, *,
                            lines: np.ndarray | None = None, frame_size_px: tuple[int, int] | None = None,
                            heel_rise_foot: np.ndarray | None = None) -> tuple[LegKinematics, HeelEvents]:
    """The whole knee-to-wall chain on arrays: :func:`leg_kinematics`, then :func:`heel_events`."""
    settings = settings or KneeToWallSettings()
    kin = leg_kinematics(xyzv, time_s, settings, lines=lines, frame_size_px=frame_size_px)
    return kin, heel_events(kin, settings, heel_rise_foot=heel_rise_foot)
