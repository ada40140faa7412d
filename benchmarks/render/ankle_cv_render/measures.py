"""The measured quantities, defined once on 3-D model points (ankle_cv.landmarks conventions).

World frame as in body.py: x the person's forward, y up, z the person's right.
"""

from __future__ import annotations

import numpy as np

from .body import apply, rot_y


def tibia_deg(knee: np.ndarray, ankle: np.ndarray, yaw_rad: np.ndarray) -> np.ndarray:
    """Tibia-to-vertical angle in the foot's sagittal plane (ankle_cv.landmarks convention).

    Parameters
    ----------
    knee, ankle : ndarray of shape (T, 3)
    yaw_rad : ndarray of shape (T,)
        Foot yaw; the foot's forward direction is the rotated world x.

    Returns
    -------
    ndarray of shape (T,)
        Positive when the knee is forward of the ankle along the foot.
    """
    v = knee - ankle
    fwd = apply(rot_y(yaw_rad), np.array([1.0, 0.0, 0.0]))
    return np.degrees(np.arctan2(np.sum(v * fwd, -1), v[:, 1]))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: int) -> np.ndarray:
    """Frontal plane projection angle in the person's frontal plane (world y-z plane).

    Parameters
    ----------
    hip, knee, ankle : ndarray of shape (T, 3)
    side : int
        +1 right leg, -1 left leg.

    Returns
    -------
    ndarray of shape (T,)
        Angle between hip->knee and knee->ankle, positive when the knee is medial.
    """
    t = (knee - hip)[:, [2, 1]]
    s = (ankle - knee)[:, [2, 1]]
    cross = t[:, 0] * s[:, 1] - t[:, 1] * s[:, 0]
    dot = np.sum(t * s, -1)
    return side * np.degrees(np.arctan2(cross, dot))


def turnout_deg(heel: np.ndarray, toe: np.ndarray, side: int) -> np.ndarray:
    """Foot direction (heel -> toe) against the person's forward (world x), horizontal plane.

    Returns
    -------
    ndarray of shape (T,)
        Positive when the toes point outward (away from the midline).
    """
    v = toe - heel
    return np.degrees(np.arctan2(side * v[:, 2], v[:, 0]))
