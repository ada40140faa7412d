"""The rolling window the live numbers are computed on: the landmarks of the frames processed
in the last seconds, and the scene lines found in them. It only ever looks backward."""

from __future__ import annotations

import collections
import dataclasses
import math
import threading

import numpy as np

from ..landmarks import N_LANDMARKS

#: Seconds of landmarks the live analysis sees: long enough for a knee-to-wall trial or a
#: squat rep and the still stretch before it (the heel-down level, the front foot, the
#: trials' valleys), short enough to score a few times a second on two cores.
WINDOW_S = 15.0


@dataclasses.dataclass(frozen=True, eq=False)
class Snapshot:
    """A copy of the window: rows of processed frames, oldest first.

    Attributes
    ----------
    xyzv : ndarray of shape (T, 33, 4)
    time_s : ndarray of shape (T,)
        Feed time of each row's frame (strictly increasing).
    index : ndarray of shape (T,), int64
        Capture index of each row's frame.
    lines : ndarray of shape (K, 5)
        Scene segments found in the window: row, x0, y0, x1, y1 (pixels).
    final : bool
        The window ends where the recording ended: its last trial or rep is complete.
    take : int
        The take (recording) the window belongs to; 0 before any.
    """

    xyzv: np.ndarray
    time_s: np.ndarray
    index: np.ndarray
    lines: np.ndarray
    final: bool = False
    take: int = 0

    @property
    def n_rows(self) -> int:
        return int(self.time_s.shape[0])


class RollingLandmarks:
    """Landmarks of the processed frames of the last ``span_s`` seconds (feed time). Rows are
    appended by the session's thread, scene lines by the analyst's: a lock guards both."""

    def __init__(self, span_s: float = WINDOW_S) -> None:
        self.span_s = float(span_s)
        self._lock = threading.Lock()
        self._rows: collections.deque = collections.deque()  # (time_s, index, landmarks (33, 4))
        self._lines: collections.deque = collections.deque()  # (time_s, segments (K, 4))

    def append(self, index: int, time_s: float, landmarks: np.ndarray) -> None:
        """Add a processed frame (times must increase) and forget what is older than the span."""
        with self._lock:
            if self._rows and time_s <= self._rows[-1][0]:
                return  # a repeated time stamp would break the series; the frame adds nothing
            self._rows.append((float(time_s), int(index), np.asarray(landmarks, dtype=np.float32)))
            horizon = time_s - self.span_s
            while self._rows and self._rows[0][0] < horizon:
                self._rows.popleft()
            while self._lines and self._lines[0][0] < horizon:
                self._lines.popleft()

    def add_lines(self, time_s: float, segments_px: np.ndarray) -> None:
        """Scene segments (K, 4) found in the frame of feed time ``time_s``."""
        with self._lock:
            self._lines.append((float(time_s), np.asarray(segments_px, dtype=np.float32).reshape(-1, 4)))

    @property
    def oldest_index(self) -> int:
        """Capture index of the oldest row (0 when empty)."""
        with self._lock:
            return self._rows[0][1] if self._rows else 0

    @property
    def newest_time_s(self) -> float:
        with self._lock:
            return self._rows[-1][0] if self._rows else -math.inf

    def __len__(self) -> int:
        return len(self._rows)

    def snapshot(self, *, since_s: float = -math.inf, until_s: float = math.inf, final: bool = False,
                 take: int = 0) -> Snapshot:
        """A copy of the rows (and lines) of feed times ``since_s`` to ``until_s``."""
        with self._lock:
            rows = [r for r in self._rows if since_s <= r[0] <= until_s]
            found = [(t, seg) for t, seg in self._lines if since_s <= t <= until_s and len(seg)]
        time_s = np.array([r[0] for r in rows], dtype=np.float64)
        xyzv = np.stack([r[2] for r in rows]) if rows else np.zeros((0, N_LANDMARKS, 4), np.float32)
        index = np.array([r[1] for r in rows], dtype=np.int64)
        if found and rows:
            row_of = np.searchsorted(time_s, [t for t, _ in found]).clip(0, len(rows) - 1)
            lines = np.concatenate([np.column_stack((np.full(len(seg), r, np.float32), seg))
                                    for r, (_, seg) in zip(row_of, found)])
        else:
            lines = np.zeros((0, 5), dtype=np.float32)
        return Snapshot(xyzv, time_s, index, lines, final, take)

    def recent(self, seconds: float) -> np.ndarray:
        """Landmarks (T, 33, 4) of the last ``seconds`` of processed frames."""
        with self._lock:
            horizon = (self._rows[-1][0] if self._rows else -math.inf) - seconds
            rows = [r[2] for r in self._rows if r[0] >= horizon]
        return np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4), np.float32)

    def recent_lines(self, seconds: float) -> np.ndarray:
        """Scene segments (K, 4) found in the last ``seconds``."""
        horizon = self.newest_time_s - seconds
        with self._lock:
            found = [seg for t, seg in self._lines if t >= horizon]
        return np.concatenate(found) if found else np.zeros((0, 4), dtype=np.float32)
