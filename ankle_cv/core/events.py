"""Heel-lift events and knee-drive trials, from whole per-frame series."""

from __future__ import annotations

import numpy as np

from .signal import fill_gaps, frame_interval_s, hysteresis_runs, shorth


def heel_baseline(height: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Heel-down level of each leg: the shorth of its height over the chosen frames.

    Parameters
    ----------
    height : ndarray of shape (L, T)
    use : ndarray of shape (L, T), bool
        Frames to take the level from (the leg planted: front and still); a leg with fewer
        than 10 such frames uses all its frames.

    Returns
    -------
    ndarray of shape (L,)
    """
    levels = []
    for h, u in zip(height, use):  # one leg at a time
        ok = u & np.isfinite(h)
        levels.append(shorth(h[ok] if ok.sum() >= 10 else h))
    return np.array(levels, dtype=np.float32)


def detect_heel_lifts(
    lift_height: np.ndarray,
    time_s: np.ndarray,
    *,
    on_foot: float | np.ndarray,
    off_foot: float | np.ndarray,
    min_duration_s: float,
    onset_rate_fraction: float = 0.2,
    dt_s: float | None = None,
    max_gap_s: float = 0.0,
) -> np.ndarray:
    """Heel lifts of one leg by hysteresis and a minimum duration.

    Parameters
    ----------
    lift_height : ndarray of shape (T,)
        Heel height above its heel-down level, in foot lengths.
    time_s : ndarray of shape (T,)
    on_foot, off_foot : float or ndarray of shape (T,)
        A lift starts where the height first exceeds ``off_foot`` on its way above
        ``on_foot``, and ends when it falls back below ``off_foot`` (per frame where the
        height was measured two ways: tracked in the image, or from the landmarks).
    min_duration_s : float
        Shorter excursions are landmark jitter, not lifts.
    onset_rate_fraction : float
        Each detected lift is widened back over the frames in which the heel was already
        rising at more than this fraction of the lift's fastest rise, and forward over those
        in which it was still falling that fast, so that its start is when the heel began to
        rise rather than when it crossed ``off_foot`` (a threshold on the rate, not the
        height, is not fooled by a slow drift of the heel-down level).
    dt_s : float, optional
        Frame interval (default: from ``time_s``).
    max_gap_s : float
        A gap of unknown height (NaN) up to this long, with the heel measured above
        ``off_foot`` on both sides, is bridged by interpolation before the thresholds are
        applied, so a heel lost for a moment while up is one lift, not two. Other gaps end a
        lift (they are not heel-down frames either: the caller keeps them unknown). Peaks
        are always measured frames.

    Returns
    -------
    ndarray of shape (K, 3), int64
        start frame, stop frame (exclusive) and frame of the peak height of each lift.
    """
    height = np.asarray(lift_height, dtype=np.float64)
    up = np.nan_to_num(height, nan=-np.inf) > off_foot  # a gap is bridged only between two of these
    bridged = fill_gaps(height, time_s, max_gap_s=max_gap_s, ends=up) if height.size else height
    spans = hysteresis_runs(bridged, on=on_foot, off=off_foot)
    if spans.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    dur = time_s[spans[:, 1] - 1] - time_s[spans[:, 0]] + (dt_s or frame_interval_s(time_s))
    spans = spans[dur >= min_duration_s]
    if spans.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    h = np.nan_to_num(lift_height, nan=-np.inf)
    peaks = [lo + int(np.argmax(h[lo:hi])) for lo, hi in spans]  # a loop over events, not frames
    spans = widen_by_rate(np.asarray(lift_height, dtype=np.float64), spans, peaks, onset_rate_fraction)
    return np.column_stack((spans, peaks)).astype(np.int64)


def widen_by_rate(height: np.ndarray, spans: np.ndarray, peaks: list[int], fraction: float) -> np.ndarray:
    """Move each lift's start back over the frames still rising at more than ``fraction`` of
    its fastest rise, and its stop forward over those still falling that fast, without
    crossing the neighbouring lifts (NaN, unknown, stops the widening)."""
    n = height.size
    rate = np.gradient(height) if n > 1 else np.zeros(n)  # foot lengths per frame
    out = []
    for i, ((lo, hi), peak) in enumerate(zip(spans, peaks)):  # a loop over lifts
        prev_stop = spans[i - 1, 1] if i else 0
        next_start = spans[i + 1, 0] if i + 1 < len(spans) else n
        fastest_rise = np.nanmax(rate[lo:peak + 1], initial=0.0)
        slow = np.flatnonzero(~(rate[prev_stop:lo] > fraction * fastest_rise))
        start = prev_stop + (slow[-1] + 1 if slow.size else 0)
        fastest_fall = np.nanmax(-rate[peak:hi], initial=0.0)
        slow = np.flatnonzero(~(-rate[hi:next_start] > fraction * fastest_fall))
        stop = hi + (slow[0] if slow.size else next_start - hi)
        out.append((start, stop))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


#: A drive's prominence is measured within this window (seconds) around its peak.
PROMINENCE_WINDOW_S = 10.0


def segment_trials(
    angle_deg: np.ndarray, time_s: np.ndarray, *, min_prominence_deg: float, min_spacing_s: float,
    dt_s: float | None = None,
) -> np.ndarray:
    """Knee drives: peaks of the tibia angle, each with the valleys that bound it.

    Parameters
    ----------
    angle_deg : ndarray of shape (T,)
        Smoothed tibia angle of the front leg (NaN where unknown).
    min_prominence_deg : float
        How far a drive must rise above the valleys around it, looked for within
        ``PROMINENCE_WINDOW_S`` of the peak.
    min_spacing_s : float
        Smallest time between two peaks.
    dt_s : float, optional
        Frame interval (default: from ``time_s``).

    Returns
    -------
    ndarray of shape (K, 3), int64
        start, peak and stop (exclusive) frame of each trial. Consecutive trials share the
        valley frame between them.
    """
    from scipy.signal import find_peaks  # scipy.signal takes ~1 s to import: only when needed

    finite = np.isfinite(angle_deg)
    if finite.sum() < 3:
        return np.zeros((0, 3), dtype=np.int64)
    a = np.where(finite, angle_deg, np.nanmin(angle_deg) - 1.0)
    fs = 1.0 / (dt_s or frame_interval_s(time_s))
    wlen = 2 * int(round(PROMINENCE_WINDOW_S * fs / 2)) + 1
    peaks, _ = find_peaks(
        a, prominence=min_prominence_deg, distance=max(int(round(min_spacing_s * fs)), 1), wlen=wlen
    )
    if peaks.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    edges = np.concatenate(([0], peaks, [a.size]))
    # the valley between consecutive peaks (and before the first / after the last): the
    # first minimum of each segment, found for all segments at once
    segment_min = np.minimum.reduceat(a, edges[:-1])
    segment = np.repeat(np.arange(edges.size - 1), np.diff(edges))
    at_min = np.flatnonzero(a == segment_min[segment])
    valleys = at_min[np.unique(segment[at_min], return_index=True)[1]].astype(np.int64)
    starts = valleys[:-1]
    stops = np.minimum(valleys[1:] + 1, a.size)
    return np.column_stack((starts, peaks, stops)).astype(np.int64)
