"""Planar geometry in image pixels: camera roll, tibia-to-vertical and sole angles.

Conventions are those of :mod:`ankle_cv.landmarks`: image y points down; ``roll_deg`` is the
angle of the true horizontal in the image, counter-clockwise on screen; the tibia angle is
positive when the knee is forward of the ankle in the direction the foot points.
"""

from __future__ import annotations

import numpy as np

from .signal import shorth


def upright(vec_px: np.ndarray, *, roll_deg: float) -> np.ndarray:
    """Turn image vectors into world-upright ones: (forward-on-screen, up), roll removed.

    Parameters
    ----------
    vec_px : ndarray of shape (..., 2)
        Image vectors (dx, dy) in pixels, y down.
    roll_deg : float
        Camera roll (see module docstring).

    Returns
    -------
    ndarray of shape (..., 2)
        (horizontal, vertical) components in pixels: x to the right of a level camera, y up.
    """
    r = np.deg2rad(roll_deg)
    c, s = np.cos(r), np.sin(r)
    x, y_up = vec_px[..., 0], -vec_px[..., 1]
    # rotate by -roll: the horizon, seen at +roll, becomes horizontal
    return np.stack((c * x + s * y_up, -s * x + c * y_up), axis=-1)


def line_angle_deg(vec_px: np.ndarray) -> np.ndarray:
    """Screen angle of undirected image lines, counter-clockwise from +x, in (-90, 90].

    Parameters
    ----------
    vec_px : ndarray of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)
    """
    a = np.rad2deg(np.arctan2(-vec_px[..., 1], vec_px[..., 0]))
    return np.where(a > 90.0, a - 180.0, np.where(a <= -90.0, a + 180.0, a))


def tibia_angle_deg(
    knee_px: np.ndarray, ankle_px: np.ndarray, *, roll_deg: float, facing_sign: np.ndarray
) -> np.ndarray:
    """Angle of the line ankle -> knee to the true vertical, signed by the foot's direction.

    Parameters
    ----------
    knee_px, ankle_px : ndarray of shape (..., 2)
        Image positions in pixels.
    roll_deg : float
        Camera roll used to recover the true vertical.
    facing_sign : ndarray of shape (...)
        +1 where the foot points to image right (in the level frame), -1 where it points
        left, NaN where unknown.

    Returns
    -------
    ndarray of shape (...)
        Degrees in (-180, 180]; 0 is a vertical shank, positive is knee forward of ankle.
    """
    w = upright(knee_px - ankle_px, roll_deg=roll_deg)
    return np.rad2deg(np.arctan2(facing_sign * w[..., 0], w[..., 1]))


def robust_sd(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (NaNs ignored)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(v - np.median(v))))


def estimate_roll_deg(sole_deg: np.ndarray, planted: np.ndarray) -> tuple[float, float, int]:
    """Camera roll from the sole line of a planted foot.

    A flat foot's sole (heel -> foot index) lies on the floor, so its screen angle is the
    angle of the true horizontal: the camera roll. The shorth (median of the densest half)
    over planted frames resists frames where the heel or the toes are up.

    Parameters
    ----------
    sole_deg : ndarray of shape (T,)
        Screen line angle of heel -> foot index, from :func:`line_angle_deg`.
    planted : ndarray of shape (T,), bool
        Frames in which the foot is flat on the floor.

    Returns
    -------
    roll_deg : float
        NaN when no planted frame has a sole angle.
    spread_deg : float
        Robust SD of the per-frame sole angles: the frame-to-frame scatter of the estimate.
    n_frames : int
        Planted frames used.
    """
    v = sole_deg[planted & np.isfinite(sole_deg)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    return shorth(v), robust_sd(v), int(v.size)
