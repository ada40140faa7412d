"""Per-frame body measures from joint arrays: small pure ``compute_*`` functions.

Every function takes coordinates in the core's layout, ``x_px`` and ``y_px`` of shape
(5 joints, 2 legs, T) (hip, knee, ankle, heel, foot index; see :mod:`ankle_cv.core.legs`),
image pixels with y down, NaN where a joint is missing, and returns one value per leg and
frame, shape (2, T). Angles are degrees; conventions are those of :mod:`ankle_cv.landmarks`.
"""

from __future__ import annotations

import numpy as np

from ..landmarks import ANKLE, HEEL, HIP, KNEE, TOE
from . import geometry, signal


def compute_tibia_angle_deg(x_px: np.ndarray, y_px: np.ndarray, *, roll_deg: float,
                            facing: np.ndarray) -> np.ndarray:
    """Tibia-to-vertical angle of each leg: ankle -> knee against the true vertical.

    Positive when the knee is forward of the ankle in the direction the feet point.

    Parameters
    ----------
    x_px, y_px : ndarray of shape (5, 2, T)
    roll_deg : float
        Camera roll (the angle of the true horizontal in the image, counter-clockwise).
    facing : ndarray of shape (T,)
        +1 where the feet point to image right, -1 left, NaN unknown.

    Returns
    -------
    ndarray of shape (2, T)
        Degrees in (-180, 180]; NaN where the knee or ankle is missing.
    """
    return geometry.tibia_angle_deg(x_px[KNEE] - x_px[ANKLE], y_px[KNEE] - y_px[ANKLE], roll_deg=roll_deg,
                                    facing_sign=facing)


def compute_tibia_angle_smoothed_deg(x_px: np.ndarray, y_px: np.ndarray, time_s: np.ndarray, *, roll_deg: float,
                                     facing: np.ndarray, max_gap_s: float, sigma_frames: float) -> np.ndarray:
    """:func:`compute_tibia_angle_deg` with the shank vector's gaps up to ``max_gap_s``
    bridged (linear in time) and a zero-phase Gaussian low-pass of ``sigma_frames``.

    Returns
    -------
    ndarray of shape (2, T)
    """
    shank = np.stack((x_px[KNEE] - x_px[ANKLE], y_px[KNEE] - y_px[ANKLE]))
    bridged = signal.fill_gaps(shank, time_s, max_gap_s=max_gap_s)
    angle = geometry.tibia_angle_deg(bridged[0], bridged[1], roll_deg=roll_deg, facing_sign=facing)
    return signal.smooth(angle, sigma_frames=sigma_frames)


def compute_fppa_deg(x_px: np.ndarray, y_px: np.ndarray) -> np.ndarray:
    """Frontal-plane projection angle of each knee, positive when the knee falls medially.

    The angle between the thigh (hip -> knee) and the shank (knee -> ankle) lines as the
    image shows them: 0 for a straight leg, positive when the knee lies towards the body's
    midline (the other hip) from the hip-ankle line (dynamic valgus), negative when it lies
    outside (varus). Meaningful in a front (or back) view only.

    Returns
    -------
    ndarray of shape (2, T)
        Degrees in (-180, 180]; NaN where a hip, knee or ankle is missing.
    """
    thigh_x, thigh_y = x_px[KNEE] - x_px[HIP], y_px[KNEE] - y_px[HIP]
    shank_x, shank_y = x_px[ANKLE] - x_px[KNEE], y_px[ANKLE] - y_px[KNEE]
    turn = np.rad2deg(np.arctan2(thigh_x * shank_y - thigh_y * shank_x, thigh_x * shank_x + thigh_y * shank_y))
    medial = np.sign(x_px[HIP, ::-1] - x_px[HIP])  # image direction of the other hip, per leg
    return medial * turn


def compute_foot_direction_deg(x_px: np.ndarray, y_px: np.ndarray, *, roll_deg: float) -> np.ndarray:
    """Screen direction of each foot (heel -> foot index) in the level image frame.

    Degrees counter-clockwise from image right, in (-180, 180]: 0 points right, 90 up the
    image, -90 down it (towards a camera looking down on a foot that points at it).

    Returns
    -------
    ndarray of shape (2, T)
    """
    horizontal, vertical = geometry.upright(x_px[TOE] - x_px[HEEL], y_px[TOE] - y_px[HEEL], roll_deg=roll_deg)
    return np.rad2deg(np.arctan2(vertical, horizontal))


def compute_heel_height_foot(x_px: np.ndarray, y_px: np.ndarray, *, roll_deg: float,
                             foot_length_px: np.ndarray) -> np.ndarray:
    """Height of each heel above its foot index in the level frame, in foot lengths.

    Measuring against the forefoot (which stays on the floor in a heel lift) rather than
    against the image cancels camera shake and a drifting phone. Not yet referred to the
    heel-down level (see :func:`ankle_cv.core.events.heel_baseline`).

    Parameters
    ----------
    foot_length_px : ndarray of shape (2,)

    Returns
    -------
    ndarray of shape (2, T)
    """
    vertical = geometry.upright(x_px[HEEL] - x_px[TOE], y_px[HEEL] - y_px[TOE], roll_deg=roll_deg)[1]
    return vertical / foot_length_px[:, None]


def compute_segment_length_px(x_px: np.ndarray, y_px: np.ndarray, a: int, b: int) -> np.ndarray:
    """Image length of the segment between joints ``a`` and ``b`` (e.g. KNEE, ANKLE) of each
    leg, shape (2, T)."""
    return np.hypot(x_px[a] - x_px[b], y_px[a] - y_px[b])


def compute_knee_flexion_deg(x_px: np.ndarray, y_px: np.ndarray) -> np.ndarray:
    """Knee flexion of each leg as the image shows it: 180 deg minus the angle at the knee
    between knee -> hip and knee -> ankle; 0 for a straight leg. Meaningful in a side view.

    Returns
    -------
    ndarray of shape (2, T)
        Degrees in [0, 180]; NaN where a hip, knee or ankle is missing.
    """
    ax, ay = x_px[HIP] - x_px[KNEE], y_px[HIP] - y_px[KNEE]
    bx, by = x_px[ANKLE] - x_px[KNEE], y_px[ANKLE] - y_px[KNEE]
    inner = np.rad2deg(np.arctan2(np.abs(ax * by - ay * bx), ax * bx + ay * by))
    return 180.0 - inner


def compute_knee_ankle_separation_ratio(x_px: np.ndarray, y_px: np.ndarray, *, roll_deg: float = 0.0) -> np.ndarray:
    """Knee-to-ankle separation ratio (KASR): horizontal distance between the knees over the
    horizontal distance between the ankles, in the level image frame. Below 1 the knees are
    closer together than the ankles. Meaningful in a front (or back) view only.

    Returns
    -------
    ndarray of shape (T,)
        NaN where a knee or ankle is missing or the ankles coincide.
    """
    knees = geometry.upright(x_px[KNEE, 0] - x_px[KNEE, 1], y_px[KNEE, 0] - y_px[KNEE, 1], roll_deg=roll_deg)[0]
    ankles = geometry.upright(x_px[ANKLE, 0] - x_px[ANKLE, 1], y_px[ANKLE, 0] - y_px[ANKLE, 1], roll_deg=roll_deg)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(knees) / np.abs(ankles)
    return np.where(np.abs(ankles) > 0, ratio, np.nan)


def compute_turnout_deg(x_px: np.ndarray, y_px: np.ndarray, foot_length_px: np.ndarray, *,
                        roll_deg: float = 0.0) -> np.ndarray:
    """Turn-out of each foot seen from the front: the foot's (heel -> foot index) angle from
    straight ahead, positive with the toes pointing out (away from the other foot).

    A front camera sees the foot's forward component foreshortened (to nothing with the camera
    at floor level), but its sideways component at full length: the angle is the arcsine of
    the horizontal image component (level frame) over the foot's length in the picture,
    ``foot_length_px``. The sign does not depend on whether the person faces the camera.

    Parameters
    ----------
    foot_length_px : ndarray of shape (2,)
        Each foot's heel-to-toe length at its distance from the camera, in pixels.

    Returns
    -------
    ndarray of shape (2, T)
        Degrees in [-90, 90]; NaN where a heel, foot index or the other ankle is missing.
    """
    horizontal = geometry.upright(x_px[TOE] - x_px[HEEL], y_px[TOE] - y_px[HEEL], roll_deg=roll_deg)[0]
    apart = geometry.upright(x_px[ANKLE] - x_px[ANKLE, ::-1], y_px[ANKLE] - y_px[ANKLE, ::-1], roll_deg=roll_deg)[0]
    outward = np.sign(apart) * horizontal  # positive away from the other foot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.rad2deg(np.arcsin(np.clip(outward / np.asarray(foot_length_px)[:, None], -1.0, 1.0)))


def compute_hip_height_px(x_px: np.ndarray, y_px: np.ndarray, *, roll_deg: float = 0.0) -> np.ndarray:
    """Height of the hips above the ankles in the level frame: the mean over the legs seen of
    each hip's height above its own ankle, in pixels, shape (T,) (NaN where no leg is seen)."""
    height = geometry.upright(x_px[HIP] - x_px[ANKLE], y_px[HIP] - y_px[ANKLE], roll_deg=roll_deg)[1]
    seen = np.isfinite(height)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(height, axis=0) / seen.sum(axis=0)
    return np.where(seen.any(axis=0), mean, np.nan)
