"""Toe-to-wall distance in cm from image positions and a scale (pure numpy).

Positions are level-horizontal image coordinates ``h`` (camera roll removed:
``h = cos(roll) x - sin(roll) y``), so the distance is the horizontal one whatever the phone's
roll. A pinhole camera with its principal point at the image centre (``centre_h_px``) is
assumed. The toe and the wall point may lie at different depths (the wall taken from a marker
card nearer the camera than the foot); ``depth_ratio`` is the scale at the toe's depth over
the scale at the wall point's depth (1 when both are at the foot's depth, as for the knee
touching the wall). Then, with ``s`` the scale (px per cm) at the wall point's depth and
``f`` = +1/-1 the direction the feet point (towards the wall),

    distance_cm = f * ((wall_h - c) - (toe_h - c) / depth_ratio) / s

which is ``f * (wall_h - toe_h) / s`` for ``depth_ratio`` = 1.
"""

from __future__ import annotations

import numpy as np


def toe_to_wall_cm(toe_h_px, wall_h_px, *, facing, px_per_cm: float, depth_ratio: float = 1.0,
                   centre_h_px: float = 0.0) -> np.ndarray:
    """Horizontal distance from the toe's tip to the wall (cm; negative past the wall).

    Parameters
    ----------
    toe_h_px, wall_h_px : array_like
        Level-horizontal image coordinates of the toe's tip and of the wall (broadcast).
    facing : array_like
        +1 when the feet (and the wall) are towards increasing ``h``, -1 otherwise.
    px_per_cm : float
        Scale at the wall point's depth.
    depth_ratio : float
        Scale at the toe's depth over ``px_per_cm`` (1: same depth).
    centre_h_px : float
        Level-horizontal coordinate of the principal point (matters only when
        ``depth_ratio`` is not 1).
    """
    if not px_per_cm > 0 or not depth_ratio > 0:
        raise ValueError(f"px_per_cm and depth_ratio must be positive, got {px_per_cm}, {depth_ratio}")
    toe = np.asarray(toe_h_px, dtype=np.float64)
    wall = np.asarray(wall_h_px, dtype=np.float64)
    return np.asarray(facing, dtype=np.float64) * (
        (wall - centre_h_px) - (toe - centre_h_px) / depth_ratio) / px_per_cm


def toe_to_wall_sd_cm(toe_h_px, wall_h_px, *, facing, px_per_cm: float, px_per_cm_sd: float, toe_sd_px,
                      wall_sd_px, depth_ratio: float = 1.0, depth_ratio_sd: float = 0.0,
                      centre_h_px: float = 0.0) -> np.ndarray:
    """Standard uncertainty of :func:`toe_to_wall_cm` (cm), first-order propagation of
    independent errors: the toe's and the wall's positions (px), the scale and the depth
    ratio."""
    toe = np.asarray(toe_h_px, dtype=np.float64)
    wall = np.asarray(wall_h_px, dtype=np.float64)
    d = toe_to_wall_cm(toe, wall, facing=facing, px_per_cm=px_per_cm, depth_ratio=depth_ratio,
                       centre_h_px=centre_h_px)
    parts = (
        np.asarray(wall_sd_px, dtype=np.float64) / px_per_cm,
        np.asarray(toe_sd_px, dtype=np.float64) / (depth_ratio * px_per_cm),
        np.abs(d) * px_per_cm_sd / px_per_cm,
        np.abs(toe - centre_h_px) / (depth_ratio**2 * px_per_cm) * depth_ratio_sd,
    )
    return np.sqrt(sum(p**2 for p in parts))


def foot_scale(foot_px, foot_px_sd: float, *, foot_length_cm: float,
               foot_length_sd_cm: float) -> tuple[float, float]:
    """Scale (px per cm, and its SD) from the planted foot's length in the image and in cm.

    The foot points at the wall, so its image length is foreshortened as the toe-to-wall
    distance is, and it lies at the foot's depth: no depth or turn term."""
    if not foot_length_cm > 0:
        raise ValueError(f"foot_length_cm must be positive, got {foot_length_cm}")
    foot = float(np.median(np.asarray(foot_px, dtype=np.float64)))
    scale = foot / foot_length_cm
    return scale, scale * float(np.hypot(foot_px_sd / foot, foot_length_sd_cm / foot_length_cm))
