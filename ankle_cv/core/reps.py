"""Squat repetitions from the hip's vertical trajectory.

A rep is an excursion of the hip drop (in leg lengths) from standing down past a depth and
back to standing. Two thresholds (hysteresis) keep jitter around either one from making or
splitting reps; the start and the end are then each found on their own, as the last still
frame before the descent and the first still frame after the ascent, so a pause between reps
belongs to neither and reps need not follow each other. Excursions that are not reps are kept
with the reason (``REJECTED_*``): the clip began or ended inside them, the feet moved (walking
into position), the person was lost (landmarks missing) before or after them, they were too
short, the person was not upright before or after them (pulses
in a held squat), or they went down less than half as far as the deepest rep (a half rep).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .events import widen_by_rate
from .signal import hysteresis_runs

REJECTED_AT_EDGE = 0
REJECTED_FEET_MOVING = 1
REJECTED_TOO_SHORT = 2
REJECTED_HALF_REP = 3
REJECTED_NOT_UPRIGHT = 4
REJECTED_LOST = 5


def standing_level(height: np.ndarray, *, window: int, use: np.ndarray | None = None,
                   percentile: float = 90.0) -> np.ndarray:
    """The standing hip height around each frame: a running ``percentile`` of the height
    over ``window`` frames, from the frames in ``use`` (e.g. those with the feet planted)
    where the height is known; NaN where fewer than a tenth of the window's frames count.
    Following it through the clip keeps a slow change of scale (the person a little nearer
    the camera) from reading as depth, and frames of walking in or out cannot raise it."""
    height = np.asarray(height, dtype=np.float64)
    counts = np.isfinite(height) & (True if use is None else np.asarray(use, dtype=bool))
    window = max(1, min(int(window), height.size) | 1)
    # frames that do not count sit at 0, below every real height, out of the top percentiles
    level = ndimage.percentile_filter(np.where(counts, height, 0.0), percentile, size=window, mode="nearest")
    share = ndimage.uniform_filter1d(counts.astype(np.float64), window, mode="nearest")
    return np.where((level > 0) & (share >= 0.1), level, np.nan)


def compute_hip_drop_leg(height_px: np.ndarray, *, window: int,
                         use: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hip drop below standing in leg lengths (0 standing, about 0.4-0.5 at a deep squat's
    bottom) and the standing hip height (px, about one leg length) it is relative to."""
    standing = standing_level(height_px, window=window, use=use)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = 1.0 - np.asarray(height_px, dtype=np.float64) / standing
    return drop, standing


def segment_reps(drop_leg: np.ndarray, time_s: np.ndarray, *, min_depth_leg: float, top_leg: float,
                 min_duration_s: float, planted: np.ndarray, upright: np.ndarray | None = None,
                 min_planted_share: float = 0.8,
                 half_rep_fraction: float = 0.5, rate_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Reps and the excursions that were not reps.

    Parameters
    ----------
    drop_leg : ndarray of shape (T,)
        Smoothed hip drop in leg lengths (NaN where unknown counts as standing).
    time_s : ndarray of shape (T,)
    min_depth_leg, top_leg : float
        An excursion must go deeper than ``min_depth_leg``; it lasts while deeper than
        ``top_leg`` (standing is within ``top_leg`` of the standing level).
    min_duration_s : float
        Shorter excursions (a bob, a stumble) are not reps.
    planted : ndarray of shape (T,), bool
        Frames in which the feet are still; a rep needs ``min_planted_share`` of its frames
        planted (walking into position moves them).
    half_rep_fraction : float
        An excursion shallower than this fraction of the deepest one is a half rep.
    rate_fraction : float
        The start is moved back to where the hip began to drop at more than this fraction
        of the rep's fastest descent, the end forward to where it stopped rising that fast.

    Returns
    -------
    reps : ndarray of shape (K, 3), int64
        Start (last frame before the descent), bottom (deepest frame) and end (first frame
        after the ascent), inclusive.
    rejected : ndarray of shape (M, 4), int64
        Start, bottom and end of each excursion that is not a rep, and the reason
        (``REJECTED_*``).
    """
    drop = np.asarray(drop_leg, dtype=np.float64)
    n = drop.size
    spans = hysteresis_runs(drop, on=min_depth_leg, off=top_leg)
    empty = np.zeros((0, 3), dtype=np.int64), np.zeros((0, 4), dtype=np.int64)
    if spans.size == 0:
        return empty
    deep = np.nan_to_num(drop, nan=-np.inf)
    bottoms = [lo + int(np.argmax(deep[lo:hi])) for lo, hi in spans]  # a loop over excursions
    wide = widen_by_rate(np.nan_to_num(drop, nan=0.0), spans, bottoms, rate_fraction)
    start = np.maximum(wide[:, 0] - 1, 0)
    end = np.minimum(wide[:, 1], n - 1)
    bottom = np.asarray(bottoms, dtype=np.int64)
    reason = np.full(len(spans), -1)
    at_edge = (spans[:, 0] == 0) | (spans[:, 1] >= n)
    csum = np.concatenate(([0], np.cumsum(np.asarray(planted, dtype=bool), dtype=np.int64)))
    planted_share = (csum[end + 1] - csum[start]) / (end - start + 1)
    duration = time_s[end] - time_s[start]
    depth = deep[bottom]
    reason[(reason < 0) & (duration < min_duration_s)] = REJECTED_TOO_SHORT
    reason[(reason < 0) & (planted_share < min_planted_share)] = REJECTED_FEET_MOVING
    if upright is not None:
        up = np.asarray(upright, dtype=bool)
        reason[(reason < 0) & ~(up[start] & up[end])] = REJECTED_NOT_UPRIGHT
    # a run that begins or ends at unknown frames was cut by lost landmarks, not by standing
    before = np.where(spans[:, 0] > 0, spans[:, 0] - 1, 0)
    after = np.minimum(spans[:, 1], n - 1)
    lost = (~np.isfinite(drop[before]) & (spans[:, 0] > 0)) | (~np.isfinite(drop[after]) & (spans[:, 1] < n))
    reason[lost] = REJECTED_LOST
    reason[at_edge] = REJECTED_AT_EDGE
    counted = reason < 0
    if counted.any():
        reason[counted & (depth < half_rep_fraction * depth[counted].max())] = REJECTED_HALF_REP
    rows = np.column_stack((start, bottom, end)).astype(np.int64)
    keep = reason < 0
    return rows[keep], np.column_stack((rows[~keep], reason[~keep])).astype(np.int64)
