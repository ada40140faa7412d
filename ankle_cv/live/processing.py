"""Per processed frame: MediaPipe, then into the rolling window, the foot crops and the
analyst's requests, then the set-up guidance.

It runs on the session's thread, back to back with drawing the frame: measured on this
2-core machine, MediaPipe on a thread of its own beside the drawing ran slower (44 -> 56-100 ms
a frame, fewer frames processed), its own worker threads then competing with the drawing for
the two cores and the interpreter.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import numpy as np

from .analyst import ANALYSIS_PERIOD_S, LINES_PERIOD_S, Analyst
from .feed import FeedFrame
from .guidance import RECENT_S, Guidance, guidance, mean_luma
from .heel import FootCrops
from .window import RollingLandmarks, Snapshot


@dataclasses.dataclass(frozen=True, eq=False)
class Processed:
    """A frame with its landmarks (33, 4) and the guidance for it."""

    frame: FeedFrame
    landmarks: np.ndarray
    guidance: tuple[Guidance, ...]


class FrameProcessor:
    """Processes the frames the session takes (the newest each time; the others are dropped
    by the feed's one-slot buffer).

    Parameters
    ----------
    estimator : PoseEstimator
        The session's one MediaPipe instance.
    window, crops, analyst
        Where the landmarks, the feet's pictures and the scoring requests go.
    test : str
    snapshot : callable
        The window to score now (the session knows which take it belongs to).
    lines_found : callable
        ``lines_found(time_s, segments)``: scene lines found in the frame of ``time_s``.
    roll_deg : callable
        The camera roll from the scene lines now (NaN: unknown), for the guidance.
    min_visibility : float
    """

    def __init__(self, estimator, *, window: RollingLandmarks, crops: FootCrops, analyst: Analyst, test: str,
                 snapshot: Callable[[], Snapshot], lines_found: Callable[[float, np.ndarray], None],
                 roll_deg: Callable[[], float], min_visibility: float = 0.5) -> None:
        self.estimator = estimator
        self.window, self.crops, self.analyst = window, crops, analyst
        self.test, self.min_visibility = test, min_visibility
        self._snapshot, self._lines_found, self._roll_deg = snapshot, lines_found, roll_deg
        self.processed = 0
        self._next_analysis_s = self._next_lines_s = -math.inf

    def process(self, frame: FeedFrame) -> Processed:
        """One frame: landmarks, into the window and crops, requests, guidance."""
        landmarks = self.estimator.process(frame.image_bgr)
        self.processed += 1
        size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
        self.analyst.frame_size_px = size
        self.window.append(frame.index, frame.time_s, landmarks)
        self.crops.add(frame.index, frame.image_bgr, landmarks)
        self.crops.forget_before(self.window.oldest_index)
        if frame.time_s >= self._next_lines_s:
            self._next_lines_s = frame.time_s + LINES_PERIOD_S
            self.analyst.request_lines(frame.image_bgr, landmarks, functools.partial(self._lines_found, frame.time_s))
        if frame.time_s >= self._next_analysis_s:
            self._next_analysis_s = frame.time_s + ANALYSIS_PERIOD_S
            self.analyst.request(self._snapshot())
        live = self.analyst.latest
        heel_lifted = None if live is None else live.numbers.heel_lifted
        problems = guidance(self.window.recent(RECENT_S), size, test=self.test, luma=mean_luma(frame.image_bgr),
                            roll_deg=self._roll_deg(), heel_lifted=heel_lifted, min_visibility=self.min_visibility)
        return Processed(frame, landmarks, tuple(problems))
