"""Planar geometry in image pixels: camera roll, tibia-to-vertical and sole angles.

Conventions are those of :mod:`ankle_cv.landmarks`: image y points down; ``roll_deg`` is the
angle of the true horizontal in the image, counter-clockwise on screen; the tibia angle is
positive when the knee is forward of the ankle in the direction the foot points.
"""

from __future__ import annotations

import numpy as np

from .signal import evenly, shorth


def upright(dx_px: np.ndarray, dy_px: np.ndarray, *, roll_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Turn image vectors into world-upright ones, roll removed.

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Image vector components in pixels, y down (any shape, broadcast together).
    roll_deg : float
        Camera roll (see module docstring).

    Returns
    -------
    horizontal, vertical : ndarray
        Components in pixels in the level frame: x to the right of a level camera, y up.
    """
    r = np.deg2rad(roll_deg)
    c, s = float(np.cos(r)), float(np.sin(r))  # python floats keep float32 input float32
    # rotate (dx, -dy) by -roll: the horizon, seen at +roll, becomes horizontal
    return c * dx_px - s * dy_px, -s * dx_px - c * dy_px


def line_angle_deg(dx_px: np.ndarray, dy_px: np.ndarray) -> np.ndarray:
    """Screen angle of undirected image lines, counter-clockwise from +x, in (-90, 90].

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Line direction components, pixels, y down.
    """
    a = np.rad2deg(np.arctan2(-dy_px, dx_px))
    return np.where(a > 90.0, a - 180.0, np.where(a <= -90.0, a + 180.0, a))


def tibia_angle_deg(dx_px: np.ndarray, dy_px: np.ndarray, *, roll_deg: float, facing_sign: np.ndarray) -> np.ndarray:
    """Angle of the line ankle -> knee to the true vertical, signed by the foot's direction.

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Image vector from the ankle to the knee, pixels (y down).
    roll_deg : float
        Camera roll used to recover the true vertical.
    facing_sign : ndarray
        +1 where the foot points to image right (in the level frame), -1 where it points
        left, NaN where unknown (broadcast against the vector).

    Returns
    -------
    ndarray
        Degrees in (-180, 180]; 0 is a vertical shank, positive is knee forward of ankle.
    """
    h, v = upright(dx_px, dy_px, roll_deg=roll_deg)
    return np.rad2deg(np.arctan2(facing_sign * h, v))


def robust_sd(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (NaNs ignored;
    long series use evenly spaced samples)."""
    values = evenly(np.asarray(values).ravel())
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


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def roll_from_lines(
    segments_px: np.ndarray,
    *,
    max_tilt_deg: float = 15.0,
    band_deg: float = 3.0,
    min_segments: int = 6,
    min_support: float = 0.4,
) -> tuple[float, float, int]:
    """Camera roll from straight lines of the scene (true verticals and horizontals).

    Each segment within ``max_tilt_deg`` of the image horizontal or vertical votes, with
    its length as weight, for the tilt it shows; the roll is the weighted median, refined
    over the votes within ``band_deg`` of it. Lines receding in depth or on clutter scatter
    and are outvoted; lines parallel to the image plane (a back wall's floor line, door
    frames, the wall being faced) agree.

    Parameters
    ----------
    segments_px : ndarray of shape (K, 4)
        x0, y0, x1, y1 of each segment, image pixels (y down).

    Returns
    -------
    roll_deg : float
        NaN when fewer than ``min_segments`` agree or they hold less than ``min_support`` of
        the voting length (no man-made structure to trust).
    spread_deg : float
        Length-weighted robust SD of the agreeing segments' tilts.
    n_segments : int
        Segments that agreed.
    """
    seg = np.asarray(segments_px, dtype=np.float64).reshape(-1, 4)
    angle = line_angle_deg(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    tilt = np.where(angle > 45.0, angle - 90.0, np.where(angle <= -45.0, angle + 90.0, angle))
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    vote = np.abs(tilt) <= max_tilt_deg
    if vote.sum() < min_segments:
        return float("nan"), float("nan"), int(vote.sum())
    tilt, length = tilt[vote], length[vote]
    first = _weighted_median(tilt, length)
    near = np.abs(tilt - first) <= band_deg
    if near.sum() < min_segments or length[near].sum() < min_support * length.sum():
        return float("nan"), float("nan"), int(near.sum())
    roll = _weighted_median(tilt[near], length[near])
    spread = 1.4826 * _weighted_median(np.abs(tilt[near] - roll), length[near])
    return roll, spread, int(near.sum())
