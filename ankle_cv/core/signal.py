"""Time-series plumbing on whole arrays: gap filling, smoothing, runs, robust location.

Time is the **last** axis (series of shape (..., T), each row contiguous); no function
loops over frames in Python.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def _neighbour_indices(valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the last valid sample at or before, and the first at or after, each sample
    along the last axis; -1 / T where none."""
    n = valid.shape[-1]
    idx = np.arange(n, dtype=np.int64)
    prev = np.maximum.accumulate(np.where(valid, idx, -1), axis=-1)
    nxt = np.minimum.accumulate(np.where(valid, idx, n)[..., ::-1], axis=-1)[..., ::-1]
    return prev, nxt


def fill_gaps(values: np.ndarray, time_s: np.ndarray, *, max_gap_s: float,
              ends: np.ndarray | None = None) -> np.ndarray:
    """Linearly interpolate NaN runs no longer than ``max_gap_s`` (edges are never filled).

    Works on the runs of NaN only (gaps are few), so its cost is one scan of the series.

    Parameters
    ----------
    values : ndarray of shape (..., T)
    time_s : ndarray of shape (T,)
        Sample times in seconds (need not be uniform).
    max_gap_s : float
        Longest span, from the last valid sample before a gap to the first after it, that
        is bridged. ``np.inf`` fills every interior gap.
    ends : ndarray of shape (..., T), bool, optional
        Fill only the gaps whose valid samples on both sides are True here (e.g. a heel up
        on both sides of a gap: lost while up, not between a lift and a heel down).

    Returns
    -------
    ndarray of shape (..., T), same dtype
    """
    values = np.asarray(values)
    out = values.copy()
    n = values.shape[-1]
    flat = out.reshape(-1, n)
    missing = np.isnan(flat)
    allowed = np.ones_like(missing) if ends is None else np.broadcast_to(ends, values.shape).reshape(-1, n)
    for row, gaps, ok in zip(flat, missing, allowed):  # a loop over series, not frames
        if not gaps.any():
            continue
        spans = runs(gaps)
        spans = spans[(spans[:, 0] > 0) & (spans[:, 1] < n)]  # interior gaps only
        spans = spans[time_s[spans[:, 1]] - time_s[spans[:, 0] - 1] <= max_gap_s + 1e-9]
        spans = spans[ok[spans[:, 0] - 1] & ok[spans[:, 1]]]
        if not spans.size:
            continue
        lengths = spans[:, 1] - spans[:, 0]
        offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        idx = np.repeat(spans[:, 0], lengths) + offset
        lo = np.repeat(spans[:, 0] - 1, lengths)
        hi = np.repeat(spans[:, 1], lengths)
        w = (time_s[idx] - time_s[lo]) / (time_s[hi] - time_s[lo])
        row[idx] = row[lo] + w * (row[hi] - row[lo])
    return out


def fill_nearest(values: np.ndarray) -> np.ndarray:
    """Fill every NaN of a 1-D array with the nearest valid sample (ties: the earlier one)."""
    valid = ~np.isnan(values)
    if valid.all() or not valid.any():
        return values.copy()
    prev, nxt = _neighbour_indices(valid)
    idx = np.arange(values.size)
    use_next = (prev < 0) | ((nxt < values.size) & (nxt - idx < idx - prev))
    return values[np.where(use_next, nxt, prev).clip(0, values.size - 1)]


def frame_interval_s(time_s: np.ndarray) -> float:
    """Median frame interval of a (possibly variable-rate) time vector (1 s if undefined),
    from its first :data:`MAX_SAMPLES` intervals."""
    if time_s.size < 2:
        return 1.0
    return float(np.median(np.diff(time_s[: MAX_SAMPLES + 1])))


def sample_rate_hz(time_s: np.ndarray) -> float:
    """Median sampling rate of a (possibly variable-rate) time vector."""
    return 1.0 / frame_interval_s(time_s)


def gaussian_sigma_frames(cutoff_hz: float, rate_hz: float) -> float:
    """Gaussian kernel width (frames) whose -3 dB frequency is ``cutoff_hz``.

    A Gaussian of standard deviation sigma seconds passes half the power at
    sqrt(ln 2) / (2 pi sigma) Hz.
    """
    return float(np.sqrt(np.log(2.0)) / (2.0 * np.pi * cutoff_hz) * rate_hz)


def smooth(values: np.ndarray, time_s: np.ndarray | None = None, *, cutoff_hz: float | None = None,
           sigma_frames: float | None = None) -> np.ndarray:
    """Zero-phase Gaussian low-pass along time, NaN-aware; NaNs stay NaN.

    Normalised convolution: NaN samples carry no weight and the kernel is renormalised over
    the samples present, so a gap neither drags its neighbours towards zero nor needs
    inventing data. Variable frame rates are treated as uniform at the median rate.

    Parameters
    ----------
    values : ndarray of shape (..., T)
    time_s : ndarray of shape (T,)
    cutoff_hz : float
        -3 dB frequency of the filter (with ``time_s``), or
    sigma_frames : float
        the kernel's standard deviation in frames directly.

    Returns
    -------
    ndarray of shape (..., T), float32 for float32 input
    """
    values = np.asarray(values)
    if values.shape[-1] < 2:
        return values.copy()
    sigma = sigma_frames if sigma_frames is not None else gaussian_sigma_frames(cutoff_hz, sample_rate_hz(time_s))
    present = ~np.isnan(values)
    if present.all():
        return ndimage.gaussian_filter1d(values, sigma, axis=-1, mode="nearest")
    dtype = np.float32 if values.dtype == np.float32 else np.float64
    num = ndimage.gaussian_filter1d(np.where(present, values, 0).astype(dtype), sigma, axis=-1, mode="nearest")
    den = ndimage.gaussian_filter1d(present.astype(dtype), sigma, axis=-1, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, num / den, np.nan).astype(dtype, copy=False)


def moving_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving sum over ``window`` samples (odd) of a 1-D series, edges padded with
    the edge value."""
    return ndimage.uniform_filter1d(np.asarray(values, dtype=np.float64), window, mode="nearest") * window


def runs(mask: np.ndarray) -> np.ndarray:
    """Start and stop (exclusive) indices of the runs of True in a 1-D boolean array.

    Returns
    -------
    ndarray of shape (K, 2), int64
    """
    m = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(m[1:] != m[:-1])
    return edges.reshape(-1, 2)


def hysteresis_runs(values: np.ndarray, *, on: float | np.ndarray, off: float | np.ndarray) -> np.ndarray:
    """Runs of a 1-D signal above ``off`` that reach ``on`` somewhere (NaN counts as below).

    Switching on needs ``on``; switching off needs a fall below ``off``, so noise around a
    single threshold cannot toggle the state. Either threshold may be an array of the
    signal's shape (one per sample: samples measured two ways with different noise).

    Returns
    -------
    ndarray of shape (K, 2), int64
        Start and stop (exclusive) index of each run.
    """
    if np.any(np.asarray(off) > np.asarray(on)):
        raise ValueError(f"off threshold {off} must not exceed on threshold {on}")
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=-np.inf)
    spans = runs(values > off)
    csum = np.concatenate(([0], np.cumsum(values > on, dtype=np.int64)))
    return spans[(csum[spans[:, 1]] - csum[spans[:, 0]]) > 0]


#: Clip-wide robust locations use at most this many evenly spaced samples.
MAX_SAMPLES = 100_000


def evenly(values: np.ndarray) -> np.ndarray:
    """At most :data:`MAX_SAMPLES` evenly spaced samples of a 1-D array."""
    return values[:: max(1, values.size // MAX_SAMPLES)]


def shorth(values: np.ndarray) -> float:
    """Robust location: the median of the shortest interval holding half of the values.

    Unlike the median it follows the densest cluster, so up to half of the samples can be
    elsewhere (a heel held up, a toe raised) without moving the result. NaNs are ignored;
    NaN if nothing is left. Long series use :func:`evenly` spaced samples.
    """
    values = evenly(np.asarray(values).ravel())
    v = np.sort(values[np.isfinite(values)].astype(np.float64))
    n = v.size
    if n == 0:
        return float("nan")
    half = n // 2 + 1
    widths = v[half - 1 :] - v[: n - half + 1]
    start = int(np.argmin(widths))
    return float(np.median(v[start : start + half]))


def speed(x: np.ndarray, y: np.ndarray, dt_s: float) -> np.ndarray:
    """Speed of points with coordinates ``x``, ``y`` (..., T), pixels per second, from
    central differences at a uniform frame interval ``dt_s`` (one-sided at the ends)."""
    if x.shape[-1] < 2:
        return np.full(x.shape, np.nan)
    return np.hypot(np.gradient(x, dt_s, axis=-1), np.gradient(y, dt_s, axis=-1))
