"""Which way the person faces, which leg is in front, and which anatomical side that is.

MediaPipe's left/right labels are unreliable in a side view (they swap for stretches of
frames, and the far leg may collapse onto the near one), so the front (tested) leg is found
from geometry: the foot furthest forward in the direction the feet point. Its anatomical
side is then voted per frame from MediaPipe's labels over a window of frames.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import ndimage

from ..landmarks import ANKLE, HEEL, KNEE, TOE
from .signal import fill_all, fill_gaps, quiet_nanmean, runs
from .signal import speed as signal_speed


def _odd_window(frames: float) -> int:
    n = max(int(round(frames)), 1)
    return n if n % 2 == 1 else n + 1


def _running_median(values: np.ndarray, time_s: np.ndarray, *, window_frames: int) -> np.ndarray:
    """Running median along time of a (T,) or (T, C) array; gaps bridged first, NaN kept
    where nothing could be bridged."""
    filled = fill_gaps(values, time_s, max_gap_s=np.inf)
    nan = np.isnan(filled)
    if nan.all():
        return filled
    idx = np.arange(filled.shape[0])
    # hold the edge values into leading/trailing NaN so the filter has data
    first, last = idx[~nan][0], idx[~nan][-1]
    held = filled.copy()
    held[:first] = filled[first]
    held[last + 1 :] = filled[last]
    size = (window_frames,) + (1,) * (filled.ndim - 1)
    return ndimage.median_filter(held, size=size, mode="nearest")


def foot_length_px(heel_px: np.ndarray, toe_px: np.ndarray) -> np.ndarray:
    """Heel -> foot index distance, ndarray of shape (...) from points (..., 2)."""
    return np.linalg.norm(toe_px - heel_px, axis=-1)


def _rear_of_foot(legs_xy: np.ndarray) -> np.ndarray:
    """Heel where seen, else the ankle: the back end of each foot, (T, 2, 2)."""
    heel, ankle = legs_xy[:, :, HEEL], legs_xy[:, :, ANKLE]
    return np.where(np.isfinite(heel), heel, ankle)


def foot_scale_px(legs_xy: np.ndarray) -> float:
    """Typical length of the foot's visible part (heel or ankle -> foot index) in pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(foot_length_px(_rear_of_foot(legs_xy), legs_xy[:, :, TOE])))


def facing_sign(legs_xy: np.ndarray, time_s: np.ndarray, *, window_s: float = 1.0) -> np.ndarray:
    """Per-frame direction the feet point: +1 image right, -1 image left.

    Parameters
    ----------
    legs_xy : ndarray of shape (T, 2, 5, 2)
        The direction of each foot is heel (or ankle, where the heel is unseen) -> foot index.
    time_s : ndarray of shape (T,)
    window_s : float
        Running-median window that stops single-frame flips.

    Returns
    -------
    ndarray of shape (T,), float
        +1, -1, or NaN where no foot was ever seen.
    """
    rear, toe = _rear_of_foot(legs_xy), legs_xy[:, :, TOE]
    direction = (toe[..., 0] - rear[..., 0]) / foot_length_px(rear, toe)
    mean_dir = quiet_nanmean(direction, axis=1)  # frames with no foot stay NaN
    fs = 1.0 / np.median(np.diff(time_s)) if time_s.size > 1 else 1.0
    med = _running_median(mean_dir, time_s, window_frames=_odd_window(window_s * fs))
    return np.sign(med).astype(np.float64)


def front_leg_label(
    legs_xy: np.ndarray,
    facing: np.ndarray,
    *,
    min_separation_foot: float = 0.25,
) -> np.ndarray:
    """Per frame, which MediaPipe label (0 left, 1 right) carries the foot furthest forward.

    Decided in every frame on its own, so that a brief MediaPipe label swap is followed
    rather than smoothed over.

    Parameters
    ----------
    legs_xy : ndarray of shape (T, 2 legs, 5 joints, 2)
        Joint positions in pixels, legs in MediaPipe's label order.
    facing : ndarray of shape (T,)
        From :func:`facing_sign`.
    min_separation_foot : float
        Feet closer than this (in foot lengths, along the facing direction) are ambiguous
        in that frame, which then takes the decision of the nearest unambiguous frame.

    Returns
    -------
    ndarray of shape (T,), float
        0.0 or 1.0, NaN where no frame of the clip is unambiguous.
    """
    foot = quiet_nanmean(legs_xy[:, :, [ANKLE, HEEL, TOE], 0], axis=2)
    fwd = foot * facing[:, None]
    length = foot_scale_px(legs_xy)
    diff = fwd[:, 1] - fwd[:, 0]
    with np.errstate(invalid="ignore"):
        decided = np.where(np.abs(diff) >= min_separation_foot * length, (diff > 0).astype(float), np.nan)
    return np.round(fill_all(decided[:, None])[:, 0])


def stance_segments(foot_xy: np.ndarray, time_s: np.ndarray, *, foot_px: float,
                    step_speed_foot: float = 0.7, min_step_s: float = 0.15) -> np.ndarray:
    """Split a clip into stances: the stretches between steps of the front foot.

    A step is a run of at least ``min_step_s`` in which the front foot moves faster than
    ``step_speed_foot`` foot lengths per second; shorter bursts are landmark glitches.

    Parameters
    ----------
    foot_xy : ndarray of shape (T, 2)
        Position of the front foot (whichever label carries it) in pixels.

    Returns
    -------
    ndarray of shape (T,), int64
        Stance number of each frame; a step's frames begin the next stance.
    """
    fast = np.nan_to_num(signal_speed(foot_xy, time_s) / foot_px) > step_speed_foot
    spans = runs(fast)
    if spans.size:
        dur = time_s[spans[:, 1] - 1] - time_s[spans[:, 0]]
        spans = spans[dur >= min_step_s - 1e-9]
    step_start = np.zeros(foot_xy.shape[0], dtype=np.int64)
    step_start[spans[:, 0]] = 1
    return np.cumsum(step_start)


def stance_side(front_label: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Anatomical side of the front leg per frame: MediaPipe's majority label over the
    frame's whole stance, so label swaps shorter than half a stance change nothing.

    Returns
    -------
    ndarray of shape (T,), float
        1.0 right, 0.0 left, NaN where the stance has no labelled frame.
    """
    known = np.isfinite(front_label)
    n_stances = int(stance.max()) + 1 if stance.size else 0
    right = np.bincount(stance[known], weights=front_label[known], minlength=n_stances)
    total = np.bincount(stance[known], minlength=n_stances)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = right / total
    side = np.where(total > 0, (share > 0.5).astype(float), np.nan)
    return side[stance]


def resolve_legs(values: np.ndarray, front_label: np.ndarray, front_side: np.ndarray) -> np.ndarray:
    """Reorder per-label leg data into anatomical order (left, right) using the front leg's
    label and side in every frame.

    Parameters
    ----------
    values : ndarray of shape (T, 2, ...)
        Leg data in MediaPipe's label order.
    front_label, front_side : ndarray of shape (T,)
        0/1 (NaN unknown): the label carrying the front foot, and the anatomical side
        (0 left, 1 right) it belongs to.

    Returns
    -------
    ndarray of shape (T, 2, ...)
        Row 0 is the anatomical left leg, row 1 the right. Frames where either input is
        unknown keep MediaPipe's order.
    """
    known = np.isfinite(front_label) & np.isfinite(front_side)
    swap = known & (np.nan_to_num(front_label) != np.nan_to_num(front_side))
    order = np.where(swap[:, None], [[1, 0]], [[0, 1]])
    order = order.reshape(order.shape + (1,) * (values.ndim - 2))
    return np.take_along_axis(values, order, axis=1)


def pick_leg(values: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Per frame, the column ``side`` of a (T, 2, ...) array; NaN where ``side`` is NaN.

    Returns
    -------
    ndarray of shape (T, ...), float64
    """
    idx = np.nan_to_num(side).astype(np.int64).reshape((-1, 1) + (1,) * (values.ndim - 2))
    out = np.take_along_axis(values.astype(np.float64), idx, axis=1)[:, 0]
    known = np.isfinite(side).reshape((-1,) + (1,) * (out.ndim - 1))
    return np.where(known, out, np.nan)


def gate_implausible_lengths(legs_xy: np.ndarray, *, tolerance: float = 0.3) -> np.ndarray:
    """Blank leg landmarks whose segment lengths contradict the rest of the clip.

    Bones do not change length, so a frame in which a leg's shank (knee-ankle) or foot
    (heel-foot index) is far longer or shorter than its typical length holds a landmark
    error (typically MediaPipe pulling one joint onto the other leg). The typical length is
    the median over all frames and both labels (in a side view both legs project alike).

    Parameters
    ----------
    legs_xy : ndarray of shape (T, 2, 5, 2)
    tolerance : float
        Allowed relative deviation from the typical length.

    Returns
    -------
    ndarray of shape (T, 2, 5, 2)
        A copy with knee and ankle blanked where the shank is off, heel and foot index where
        the foot is off.
    """
    out = legs_xy.copy()
    for (a, b), blank in (((KNEE, ANKLE), [KNEE, ANKLE]), ((HEEL, TOE), [HEEL, TOE])):
        length = np.linalg.norm(legs_xy[:, :, a] - legs_xy[:, :, b], axis=-1)  # (T, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            typical = np.nanmedian(length)
        with np.errstate(invalid="ignore"):
            bad = np.abs(length / typical - 1.0) > tolerance
        for j in blank:
            out[:, :, j][bad] = np.nan
    return out
