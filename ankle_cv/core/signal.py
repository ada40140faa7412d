"""Time-series plumbing on whole arrays: visibility gating, gap filling, smoothing, runs.

Every function works along axis 0 (time) on arrays of any trailing shape, with no Python
loop over frames.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import signal as _sig


def gate_visibility(xy: np.ndarray, visibility: np.ndarray, *, min_visibility: float) -> np.ndarray:
    """Blank coordinates whose landmark visibility is below ``min_visibility``.

    Parameters
    ----------
    xy : ndarray of shape (T, ..., 2)
        Coordinates in pixels.
    visibility : ndarray of shape (T, ...)
        MediaPipe visibility in [0, 1] of the same landmarks (NaN where undetected).
    min_visibility : float
        Threshold in [0, 1].

    Returns
    -------
    ndarray of shape (T, ..., 2)
        A copy of ``xy`` with NaN where the landmark is not visible enough.
    """
    if not 0.0 <= min_visibility <= 1.0:
        raise ValueError(f"min_visibility must be in [0, 1], got {min_visibility}")
    keep = visibility >= min_visibility  # NaN compares False: undetected frames drop out
    return np.where(keep[..., None], xy, np.nan)


def _neighbour_indices(valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the last valid sample at or before, and the first at or after, each sample.

    ``valid`` has shape (T, C); returns two int arrays of that shape, -1 / T where none.
    """
    n = valid.shape[0]
    idx = np.arange(n)[:, None]
    prev = np.maximum.accumulate(np.where(valid, idx, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(valid, idx, n)[::-1], axis=0)[::-1]
    return prev, nxt


def fill_gaps(values: np.ndarray, time_s: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """Linearly interpolate NaN runs no longer than ``max_gap_s`` (edges are never filled).

    Parameters
    ----------
    values : ndarray of shape (T, ...)
    time_s : ndarray of shape (T,)
        Sample times in seconds (need not be uniform).
    max_gap_s : float
        Longest span, from the last valid sample before a gap to the first after it, that
        is bridged. ``np.inf`` fills every interior gap.

    Returns
    -------
    ndarray of shape (T, ...)
    """
    values = np.asarray(values)
    shape = values.shape
    if shape[0] == 0:
        return values.copy()
    flat = values.reshape(shape[0], -1)
    valid = ~np.isnan(flat)
    prev, nxt = _neighbour_indices(valid)
    n = shape[0]
    inside = (prev >= 0) & (nxt < n)
    prev_c = np.clip(prev, 0, n - 1)
    next_c = np.clip(nxt, 0, n - 1)
    t_prev, t_next = time_s[prev_c], time_s[next_c]
    span = t_next - t_prev
    fill = ~valid & inside & (span <= max_gap_s + 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = (time_s[:, None] - t_prev) / span
    a = np.take_along_axis(flat, prev_c, axis=0)
    b = np.take_along_axis(flat, next_c, axis=0)
    out = np.where(fill, a + w * (b - a), flat)
    return out.reshape(shape).astype(values.dtype, copy=False)


def fill_all(flat: np.ndarray) -> np.ndarray:
    """Fill every NaN of (T, C): interior gaps linearly by index, edges by the nearest value."""
    valid = ~np.isnan(flat)
    prev, nxt = _neighbour_indices(valid)
    n = flat.shape[0]
    prev_c = np.where(prev >= 0, prev, nxt).clip(0, n - 1)
    next_c = np.where(nxt < n, nxt, prev).clip(0, n - 1)
    idx = np.arange(n)[:, None]
    span = (next_c - prev_c).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (idx - prev_c) / span, 0.0)
    a = np.take_along_axis(flat, prev_c, axis=0)
    b = np.take_along_axis(flat, next_c, axis=0)
    return np.where(valid, flat, a + w * (b - a))


def quiet_nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmean`` that returns NaN for all-NaN slices without a warning."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def sample_rate_hz(time_s: np.ndarray) -> float:
    """Median sampling rate of a (possibly variable-rate) time vector."""
    if time_s.size < 2:
        return float("nan")
    return float(1.0 / np.median(np.diff(time_s)))


def smooth(values: np.ndarray, time_s: np.ndarray, *, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass along time; NaNs stay NaN.

    NaN samples are bridged (linearly inside, held at the edges) only to run the filter
    and are blanked again afterwards, so the filter never invents data. The design uses the
    median sampling rate; variable frame rates are treated as uniform at that rate.

    Parameters
    ----------
    values : ndarray of shape (T, ...)
    time_s : ndarray of shape (T,)
    cutoff_hz : float
        -3 dB frequency of the forward-backward filter's single pass; clipped to 0.8 of the
        Nyquist frequency for slow frame rates.
    order : int
        Butterworth order of one pass.

    Returns
    -------
    ndarray of shape (T, ...)
        Series too short for the filter (or all NaN) are returned unchanged.
    """
    values = np.asarray(values)
    shape = values.shape
    fs = sample_rate_hz(time_s)
    padlen = 3 * (order + 1)
    if shape[0] <= padlen or not np.isfinite(fs):
        return values.copy()
    flat = values.reshape(shape[0], -1)
    nan = np.isnan(flat)
    all_nan = nan.all(axis=0)
    wn = min(cutoff_hz / (fs / 2.0), 0.8)
    b, a = _sig.butter(order, wn)
    filled = fill_all(flat)
    filled[:, all_nan] = 0.0
    out = _sig.filtfilt(b, a, filled, axis=0, padlen=padlen)
    out[nan] = np.nan
    return out.reshape(shape).astype(values.dtype, copy=False)


def runs(mask: np.ndarray) -> np.ndarray:
    """Start and stop (exclusive) indices of the runs of True in a 1-D boolean array.

    Returns
    -------
    ndarray of shape (K, 2), int64
    """
    m = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(m[1:] != m[:-1])
    return edges.reshape(-1, 2)


def hysteresis_runs(values: np.ndarray, *, on: float, off: float) -> np.ndarray:
    """Runs of a 1-D signal above ``off`` that reach ``on`` somewhere (NaN counts as below).

    Switching on needs ``on``; switching off needs a fall below ``off``, so noise around a
    single threshold cannot toggle the state.

    Returns
    -------
    ndarray of shape (K, 2), int64
        Start and stop (exclusive) index of each run.
    """
    if off > on:
        raise ValueError(f"off threshold {off} must not exceed on threshold {on}")
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=-np.inf)
    spans = runs(values > off)
    csum = np.concatenate(([0], np.cumsum(values > on, dtype=np.int64)))
    return spans[(csum[spans[:, 1]] - csum[spans[:, 0]]) > 0]


def mask_from_runs(spans: np.ndarray, n: int) -> np.ndarray:
    """Boolean mask of length ``n`` that is True inside each (start, stop) span."""
    edges = np.zeros(n + 1, dtype=np.int64)
    np.add.at(edges, spans[:, 0], 1)
    np.add.at(edges, spans[:, 1], -1)
    return np.cumsum(edges[:-1]) > 0


def shorth(values: np.ndarray) -> float:
    """Robust location: the median of the shortest interval holding half of the values.

    Unlike the median it follows the densest cluster, so up to half of the samples can be
    elsewhere (a heel held up, a toe raised) without moving the result. NaNs are ignored;
    NaN if nothing is left.
    """
    v = np.sort(np.asarray(values, dtype=np.float64)[np.isfinite(values)])
    n = v.size
    if n == 0:
        return float("nan")
    half = n // 2 + 1
    widths = v[half - 1 :] - v[: n - half + 1]
    start = int(np.argmin(widths))
    return float(np.median(v[start : start + half]))


def speed(xy: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """Speed along time of points (T, ..., 2) in pixels per second, shape (T, ...)."""
    if xy.shape[0] < 2:
        return np.full(xy.shape[:-1], np.nan)
    velocity = np.gradient(xy, time_s, axis=0)
    return np.linalg.norm(velocity, axis=-1)
