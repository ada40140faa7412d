"""The protocol on the rolling window, on a worker thread, a few times a second.

The session hands over a :class:`~ankle_cv.live.window.Snapshot` of the window when it wants
fresh numbers; a request not yet started is replaced by a newer one (scorings are never
queued). Each scoring is ``protocol.analyze`` on a :class:`~ankle_cv.series.LandmarkSeries`
of the snapshot (the heel tracked in the kept foot crops, :mod:`ankle_cv.live.heel`), then
``protocol.track`` for what to draw: the functions ``ankle-cv analyze`` runs. The same
thread looks for the scene's straight lines in a frame now and then (the camera roll).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import numpy as np

from ..errors import AnkleCVError
from .heel import FootCrops
from .numbers import LiveNumbers, Tally, TallyView, numbers_of
from .window import Snapshot

#: Seconds between two scorings of the window: five a second keeps the numbers within a fifth
#: of a second of the picture at ~20 ms each (scoring a 15-s window and building its track).
ANALYSIS_PERIOD_S = 0.2
#: Seconds between two frames searched for scene lines (``analyze`` searches every 30th frame).
LINES_PERIOD_S = 1.0
#: Fewer processed frames than this in the window: nothing to score yet.
MIN_ROWS = 10


@dataclasses.dataclass(frozen=True)
class LiveState:
    """The newest scoring: numbers for the newest frame, the take's tally, and the result
    itself (None when the window could not be scored)."""

    numbers: LiveNumbers
    tally: TallyView
    result: object = None
    take: int = 0


class Analyst:
    """Scores snapshots on a worker thread (:meth:`request`), keeping only the newest request.

    Parameters
    ----------
    protocol : Protocol
    settings : the protocol's settings
    crops : FootCrops
        The feet of the processed frames, for the heel.
    frame_size_px : (int, int)
    fps : float
        The feed's nominal rate (the series' ``fps``).
    source : str
        Names the series (reports of errors).
    """

    def __init__(self, protocol, settings, *, crops: FootCrops, frame_size_px: tuple[int, int], fps: float,
                 source: str = "live") -> None:
        self.protocol, self.settings = protocol, settings
        self.crops = crops
        self.frame_size_px, self.fps, self.source = frame_size_px, float(fps), source
        self.tally = Tally(protocol.name)
        self.latest: LiveState | None = None
        self.scorings = 0
        self.error: BaseException | None = None
        self._cond = threading.Condition()
        self._pending: Snapshot | None = None
        self._lines_job: tuple | None = None
        self._final: tuple[Snapshot, threading.Event, list] | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ankle-cv-analyst", daemon=True)
        self._thread.start()

    # --- the session's side -------------------------------------------------------------------
    def request(self, snapshot: Snapshot) -> None:
        """Score ``snapshot`` when the worker is free (replacing a request not yet started)."""
        with self._cond:
            self._pending = snapshot
            self._cond.notify_all()

    def request_lines(self, image_bgr: np.ndarray, landmarks: np.ndarray, found: Callable[[np.ndarray], None]) -> None:
        """Look for scene lines in ``image_bgr`` (away from the person) and pass the segments
        (K, 4) to ``found`` (replacing a search not yet started)."""
        with self._cond:
            self._lines_job = (image_bgr, landmarks, found)
            self._cond.notify_all()

    def new_take(self) -> int:
        """Start a fresh tally; returns the take's number (snapshots carry it)."""
        with self._cond:
            take = self.tally.take + 1
            self.tally.reset(take)
            self._pending = None
            return take

    def tally_view(self) -> TallyView:
        """The take's tally now."""
        with self._cond:
            return self.tally.view()

    def score_final(self, snapshot: Snapshot, *, timeout_s: float = 30.0) -> LiveState | None:
        """Score the take's last window (its last trial or rep complete) and wait for it."""
        done, box = threading.Event(), []
        with self._cond:
            self._final = (snapshot, done, box)
            self._cond.notify_all()
        deadline = time.monotonic() + timeout_s
        while not done.wait(0.1) and time.monotonic() < deadline:
            if self.error is not None or not self._thread.is_alive():  # the worker has died: no answer comes
                break
        self.raise_error()
        return box[0] if box else None

    def raise_error(self) -> None:
        """Re-raise, on the session's thread, an unexpected error of the worker (a bug)."""
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(10.0)

    # --- the worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or self._pending is not None
                                    or self._lines_job is not None or self._final is not None)
                if self._stopping:
                    return
                final, self._final = self._final, None
                lines, self._lines_job = self._lines_job, None
                snapshot = None if final else self._pending
                if not final:
                    self._pending = None
            try:
                if final is not None:
                    snap, done, box = final
                    box.append(self.score(snap))
                    done.set()
                    continue
                if lines is not None:
                    self._find_lines(*lines)
                if snapshot is not None:
                    self.latest = self.score(snapshot) or self.latest
            except BaseException as exc:  # noqa: BLE001 - a bug: handed to the session, re-raised there
                self.error = exc
                if final is not None:
                    final[1].set()
                return

    @staticmethod
    def _find_lines(image_bgr: np.ndarray, landmarks: np.ndarray, found: Callable[[np.ndarray], None]) -> None:
        from ..vision.scene import scene_lines

        xy = landmarks[:, :2] if np.isfinite(landmarks[:, :2]).any() else None
        found(scene_lines(image_bgr, xy))

    def score(self, snapshot: Snapshot) -> LiveState | None:
        """One scoring of ``snapshot`` (on the calling thread); None when it has too few rows."""
        from ..series import LandmarkSeries

        if snapshot.n_rows < MIN_ROWS:
            return None
        series = LandmarkSeries(snapshot.xyzv, snapshot.time_s, self.frame_size_px, self.fps, source=self.source,
                                lines=snapshot.lines)
        try:
            result = self.protocol.analyze(series, self.settings, frames=self.crops.reader(snapshot))
        except AnkleCVError as exc:  # the set-up, not a bug: said on the screen
            return LiveState(LiveNumbers(float(snapshot.time_s[-1]), problem=exc.reason), self.tally.view(),
                             None, snapshot.take)
        self.scorings += 1
        with self._cond:  # a new take may reset the tally meanwhile: a scoring of the old one is ignored
            if snapshot.take == self.tally.take:
                self.tally.update(result, snapshot.time_s, final=snapshot.final)
            tally = self.tally.view()
        track = self.protocol.track(result)
        return LiveState(numbers_of(track), tally, result, snapshot.take)
