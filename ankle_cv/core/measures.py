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
