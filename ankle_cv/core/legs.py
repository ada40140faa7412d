"""Which way the person faces, which leg is in front, and which anatomical side that is.

MediaPipe's left/right labels are unreliable in a side view (they swap for stretches of
frames, and the far leg may collapse onto the near one), so the front (tested) leg is found
from geometry in every frame: the foot furthest forward in the direction the feet point. Its
anatomical side is MediaPipe's majority label over the whole stance.

Layout (the core's one axis order): coordinates are separate arrays of shape
(5 joints, 2 legs, T) (hip, knee, ankle, heel, foot index, see ``ankle_cv.landmarks.HIP``;
legs 0 left, 1 right), and per-leg series have shape (2, T), so that every operation runs on
contiguous rows. :func:`front` takes the front leg of any such array.
"""

from __future__ import annotations

import numpy as np

from ..landmarks import ANKLE, HEEL, KNEE, LEG_SLICE, N_JOINTS, N_LANDMARKS, TOE
from .signal import fill_nearest, moving_sum, runs, speed

#: Frames per block when the leg landmarks are transposed into rows.
_BLOCK_FRAMES = 65536


def gather_joints(xyzv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leg landmarks of a (T, 33, 4) array as float32 rows: x, y, visibility, each of
    shape (5 joints, 2 legs, T) (hip, knee, ankle, heel, foot index; MediaPipe's left, right).

    The transpose runs in blocks of frames that stay in cache, which makes it about as fast
    as a plain copy of those landmarks.
    """
    xyzv = np.asarray(xyzv)
    if xyzv.ndim != 3 or xyzv.shape[1:] != (N_LANDMARKS, 4):
        raise ValueError(f"xyzv must have shape (T, {N_LANDMARKS}, 4), got {xyzv.shape}")
    n = xyzv.shape[0]
    legs = xyzv[:, LEG_SLICE].reshape(n, N_JOINTS, 2, 4)  # a view: frame, joint, leg, value
    x, y, vis = (np.empty((N_JOINTS, 2, n), dtype=np.float32) for _ in range(3))
    for lo in range(0, n, _BLOCK_FRAMES):  # a loop over blocks of frames
        block = legs[lo:lo + _BLOCK_FRAMES].transpose(3, 1, 2, 0)  # value, joint, leg, frame
        hi = lo + block.shape[-1]
        x[..., lo:hi], y[..., lo:hi], vis[..., lo:hi] = block[0], block[1], block[3]
    return x, y, vis

#: Typical lengths and positions are medians over at most this many evenly spaced frames
#: (20 000 samples put the median within a fraction of a percent).
TYPICAL_SAMPLES = 20_000


def typical(values: np.ndarray) -> float:
    """Median of the finite values of a series (last axis time), over at most
    :data:`TYPICAL_SAMPLES` evenly spaced frames."""
    step = max(1, values.shape[-1] // TYPICAL_SAMPLES)
    v = values[..., ::step]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def _odd(frames: float) -> int:
    n = max(int(round(frames)), 1)
    return n if n % 2 else n + 1


def gate_implausible_lengths(x: np.ndarray, y: np.ndarray, *, tolerance: float = 0.3) -> None:
    """Blank, in place, joints whose segment lengths contradict the rest of the clip.

    Bones do not change length, so a frame in which a leg's shank (knee-ankle) or foot
    (heel-foot index) is far longer or shorter than its typical length holds a landmark
    error (typically MediaPipe pulling one joint onto the other leg). The typical length is
    the median over the frames and both labels (in a side view both legs project alike).

    Parameters
    ----------
    x, y : ndarray of shape (5, 2, T)
        Modified in place: knee and ankle NaN where the shank is off, heel and foot index
        where the foot is off.
    tolerance : float
        Allowed relative deviation from the typical length.
    """
    for a, b in ((KNEE, ANKLE), (HEEL, TOE)):
        length = np.hypot(x[a] - x[b], y[a] - y[b])  # (2, T)
        with np.errstate(invalid="ignore"):
            bad = np.abs(length / np.float32(typical(length)) - 1) > tolerance
        for joint in (a, b):
            x[joint][bad] = np.nan
            y[joint][bad] = np.nan


def foot_vector(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Heel (or ankle, where the heel is unseen) -> foot index, components of shape (2, T)."""
    heel_seen = ~np.isnan(x[HEEL])
    rear_x = np.where(heel_seen, x[HEEL], x[ANKLE])
    rear_y = np.where(heel_seen, y[HEEL], y[ANKLE])
    return x[TOE] - rear_x, y[TOE] - rear_y


def facing_sign(foot_dx: np.ndarray, *, rate_hz: float, window_s: float = 1.0) -> np.ndarray:
    """Per-frame direction the feet point: +1 image right, -1 image left.

    Each seen foot votes with the sign of its heel -> foot index direction; the majority
    over a centred window of ``window_s`` decides, so single-frame flips change nothing.

    Parameters
    ----------
    foot_dx : ndarray of shape (2, T)
        Horizontal component of :func:`foot_vector`.
    rate_hz : float
        Frame rate.

    Returns
    -------
    ndarray of shape (T,), float
        +1, -1, or NaN when no foot is seen in the whole clip.
    """
    sign = np.nan_to_num(np.sign(foot_dx))
    total = moving_sum(sign[0] + sign[1], _odd(window_s * rate_hz))
    return fill_nearest(np.where(np.abs(total) > 0.5, np.sign(total), np.nan))


def foot_middle(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the ankle, heel and foot index that are seen, components of shape (2, T)."""
    sum_x = np.zeros_like(x[0])
    sum_y = np.zeros_like(y[0])
    count = np.zeros_like(x[0])
    for joint in (ANKLE, HEEL, TOE):
        seen = ~np.isnan(x[joint])
        sum_x += np.where(seen, x[joint], 0)
        sum_y += np.where(seen, y[joint], 0)
        count += seen
    with np.errstate(invalid="ignore", divide="ignore"):
        return sum_x / count, sum_y / count


def front_leg_label(mid_x: np.ndarray, facing: np.ndarray, *, foot_px: float,
                    min_separation_foot: float = 0.25) -> np.ndarray:
    """Per frame, which MediaPipe label (0 left, 1 right) carries the foot furthest forward.

    Decided in every frame on its own, so that a brief MediaPipe label swap is followed
    rather than smoothed over.

    Parameters
    ----------
    mid_x : ndarray of shape (2, T)
        Horizontal position of each foot (:func:`foot_middle`).
    facing : ndarray of shape (T,)
        From :func:`facing_sign`.
    foot_px : float
        Typical foot length.
    min_separation_foot : float
        Feet closer than this (in foot lengths, along the facing direction) are ambiguous
        in that frame, which then takes the decision of the nearest unambiguous frame.

    Returns
    -------
    ndarray of shape (T,), float
        0.0 or 1.0, NaN where no frame of the clip is unambiguous.
    """
    diff = facing * (mid_x[1] - mid_x[0])
    with np.errstate(invalid="ignore"):
        decided = np.where(np.abs(diff) >= min_separation_foot * foot_px, (diff > 0).astype(float), np.nan)
    return fill_nearest(decided)


def stance_segments(foot_x: np.ndarray, foot_y: np.ndarray, time_s: np.ndarray, *, dt_s: float, foot_px: float,
                    step_speed_foot: float = 0.7, min_step_s: float = 0.15, min_stance_s: float = 1.0) -> np.ndarray:
    """Split a clip into stances: the stretches between steps of the front foot.

    A step is a run of at least ``min_step_s`` in which the front foot moves faster than
    ``step_speed_foot`` foot lengths per second; shorter bursts are landmark glitches. A
    stance shorter than ``min_stance_s`` is no stance (nobody tests a leg in under a second):
    it is a burst of landmark jumps, and joins the stance before it.

    Parameters
    ----------
    foot_x, foot_y : ndarray of shape (T,)
        Position of the front foot (whichever label carries it) in pixels.
    dt_s : float
        Typical frame interval.

    Returns
    -------
    ndarray of shape (T,), int64
        Stance number of each frame; a step's frames begin the next stance.
    """
    fast = np.nan_to_num(speed(foot_x, foot_y, dt_s) / foot_px) > step_speed_foot
    spans = runs(fast)
    if spans.size:
        dur = time_s[spans[:, 1] - 1] - time_s[spans[:, 0]]
        spans = spans[dur >= min_step_s - 1e-9]
    starts, kept = spans[:, 0], []
    ends = np.append(starts[1:], foot_x.shape[0]) - 1
    for start, end in zip(starts, ends):  # a loop over steps
        if time_s[end] - time_s[start] >= min_stance_s - 1e-9:
            kept.append(start)
    step_start = np.zeros(foot_x.shape[0], dtype=np.int64)
    step_start[kept] = 1
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
        side = np.where(total > 0, (right / total > 0.5).astype(float), np.nan)
    return side[stance]


def swap_legs(values: np.ndarray, swap: np.ndarray) -> np.ndarray:
    """Exchange the two legs, the second-to-last axis of (..., 2, T), where ``swap`` (T,)."""
    return np.where(swap, values[..., ::-1, :], values)


def front(values: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Per frame, the leg ``side`` (0/1) of an array of shape (..., 2, T).

    Returns
    -------
    ndarray of shape (..., T), float64
        NaN where ``side`` is NaN.
    """
    values = np.asarray(values)
    out = np.where(side == 1.0, values[..., 1, :], values[..., 0, :]).astype(np.float64)
    return np.where(np.isfinite(side), out, np.nan)


def front_mask(mask: np.ndarray, side: np.ndarray) -> np.ndarray:
    """:func:`front` of a boolean (..., 2, T) array: False where ``side`` is unknown."""
    return front(mask.astype(np.float64), side) == 1.0


def is_front_leg(side: np.ndarray) -> np.ndarray:
    """ndarray of shape (2, T), bool: whether each leg is the front leg in each frame."""
    return np.isfinite(side) & (np.arange(2)[:, None] == side)


def planted_ok(x: np.ndarray, y: np.ndarray, is_front: np.ndarray, stance: np.ndarray, foot_px: np.ndarray, *,
               tolerance_foot: float = 0.2) -> np.ndarray:
    """Frames in which the front leg's ankle is where that foot was planted.

    In a knee-to-wall test the front foot stays put for the whole stance, so its ankle
    hardly moves (a heel lift raises it by a centimetre or two). An ankle landmark far from
    the stance's median position means MediaPipe has lost the leg (typically pulled onto the
    other leg when the tested leg is the far one): the frame's angle is not to be trusted.

    Parameters
    ----------
    x, y : ndarray of shape (2, T)
        Ankle position of each (anatomical) leg.
    is_front : ndarray of shape (2, T), bool
    stance : ndarray of shape (T,)
    foot_px : ndarray of shape (2,)

    Returns
    -------
    ndarray of shape (2, T), bool
        False where the leg is the front leg and its ankle is more than ``tolerance_foot``
        foot lengths from the stance's median ankle position (or unseen); True elsewhere.
    """
    ok = ~is_front.copy()
    for leg in range(2):
        front = is_front[leg]
        for s in np.unique(stance[front]):  # a loop over stances
            frames = front & (stance == s)
            cx, cy = typical(x[leg][frames]), typical(y[leg][frames])
            with np.errstate(invalid="ignore"):
                ok[leg][frames] = np.hypot(x[leg][frames] - cx, y[leg][frames] - cy) <= tolerance_foot * foot_px[leg]
    return ok
