"""Clip-level quality measures: detection, camera view, feet in frame, visibility."""

from __future__ import annotations

import warnings

import numpy as np

from ..landmarks import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER
from ..vocab import View
from .geometry import upright


def detection_rate(xyzv: np.ndarray) -> float:
    """Share of frames with a person, from an array of shape (T, 33, 4)."""
    if xyzv.shape[0] == 0:
        return 0.0
    return float((~np.isnan(xyzv[:, :, 0]).all(axis=1)).mean())


def body_width_ratios(xyzv: np.ndarray, *, roll_deg: float = 0.0) -> np.ndarray:
    """How square-on the camera sees the body in each frame: the mean of the horizontal
    shoulder and hip widths divided by the torso length (shoulder mid to hip mid).

    About 0-0.2 in a side view, 0.5 or more in a front view; NaN without a torso.

    Returns
    -------
    ndarray of shape (T,)
    """
    pts = xyzv[:, [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP], :2].astype(np.float64)
    shoulders = upright(pts[:, 1, 0] - pts[:, 0, 0], pts[:, 1, 1] - pts[:, 0, 1], roll_deg=roll_deg)[0]
    hips = upright(pts[:, 3, 0] - pts[:, 2, 0], pts[:, 3, 1] - pts[:, 2, 1], roll_deg=roll_deg)[0]
    widths = 0.5 * (np.abs(shoulders) + np.abs(hips))
    torso = np.linalg.norm(pts[:, :2].mean(axis=1) - pts[:, 2:].mean(axis=1), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return widths / torso


def body_width_ratio(xyzv: np.ndarray, *, roll_deg: float = 0.0) -> float:
    """The median over frames of :func:`body_width_ratios`; NaN without a torso."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(body_width_ratios(xyzv, roll_deg=roll_deg)))


#: Body width / torso length above which the camera is taken to face the person.
FRONT_VIEW_RATIO = 0.42
#: ... and above which (up to the front) the view is oblique.
OBLIQUE_VIEW_RATIO = 0.25


def views_of(ratios: np.ndarray) -> np.ndarray:
    """The camera view each body-width ratio indicates, as an array of :class:`View` values."""
    ratios = np.asarray(ratios, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(~np.isfinite(ratios), View.UNKNOWN.value,
                        np.where(ratios > FRONT_VIEW_RATIO, View.FRONT.value,
                                 np.where(ratios > OBLIQUE_VIEW_RATIO, View.OBLIQUE.value, View.SIDE.value)))


def view_of(ratio: float) -> View:
    """The camera view (:class:`ankle_cv.vocab.View`) a body-width ratio indicates."""
    return View(str(views_of(np.array([ratio]))[0]))


def out_of_frame_share(points_px: np.ndarray, frame_size_px: tuple[int, int], *, margin_px: float = 0.0) -> float:
    """Share of frames (with the points seen) in which any point lies outside the image.

    Parameters
    ----------
    points_px : ndarray of shape (T, K, 2)
    """
    x, y = points_px[..., 0], points_px[..., 1]
    seen = np.isfinite(x).any(axis=1)
    if not seen.any():
        return 0.0
    width, height = frame_size_px
    with np.errstate(invalid="ignore"):
        out = ((x < -margin_px) | (x > width + margin_px) | (y < -margin_px) | (y > height + margin_px)).any(axis=1)
    return float(out[seen].mean())
