"""The raw video of a take: every frame captured while recording, at its capture time,
written by a thread of its own so that encoding never holds up the capture thread for long.

The capture thread hands each frame to :meth:`Recorder.offer` (a put into a bounded queue);
the writer thread encodes them into ``recording.mp4`` with :class:`ankle_cv.io.sink.VideoSink`,
which shows the file under its name only once it is complete. Faces are not blurred: the
recording is the source the analysis is made from, and can be analysed again.
"""

from __future__ import annotations

import dataclasses
import math
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import AnkleCVError, InputError, OutputError
from .feed import FeedFrame

#: Raw frames waiting for the writer: one second at 30 fps (2.7 MB each at 720p, so under
#: 90 MB). Encoding a 720p frame takes ~6 ms here, so the queue only fills when the machine
#: stalls; then the capture thread waits (keeping every frame) and the wait is measured.
QUEUE_FRAMES = 32

_END = object()


@dataclasses.dataclass(frozen=True)
class Recording:
    """A finished take: ``path`` holds ``frames`` frames at ``fps``; ``first_time_s`` is the
    feed time of its first frame (so the recording's time t is feed time first_time_s + t).
    ``duplicated`` frames held a frame over a gap in the source, ``skipped`` ones came ahead of
    their time (see :func:`frames_to_hold`); both are 0 for a file."""

    path: Path
    frames: int
    fps: float
    size_px: tuple[int, int]
    first_time_s: float
    last_time_s: float
    duplicated: int = 0
    skipped: int = 0


#: How far (frames) a frame's capture time may drift from its place in the recording before the
#: previous frame is held over a gap, or the frame is left out: a camera's or stream's jitter
#: (frames arriving in pairs, say) stays under a frame and costs no frame.
MAX_DRIFT_FRAMES = 1.0


def frames_to_hold(elapsed_s: float, fps: float, written: int) -> int:
    """How many copies of the previous frame to write before a frame captured ``elapsed_s``
    after the take's first, when ``written`` frames are written at ``fps``; -1: leave it out.

    An MP4 written by OpenCV has a constant frame rate: a frame's time in it is its number over
    the rate. Keeping each frame within :data:`MAX_DRIFT_FRAMES` of its capture time keeps the
    recording's clock the capture's: every frame of a file lands exactly on its own number;
    where a camera or stream skipped frames, the previous one is held; a frame far ahead of its
    place (a stream's burst of buffered frames) is left out.
    """
    lag = elapsed_s * fps - written
    if lag < -MAX_DRIFT_FRAMES:
        return -1
    return max(0, math.ceil(lag - MAX_DRIFT_FRAMES))


class Recorder:
    """One take: the frames captured (monotonic clock, ``FeedFrame.captured_at_s``) from
    ``start_at_s`` until :meth:`stop`, written to ``path`` at ``fps`` (frames per second, or a
    callable giving it, asked when the first frame is written: a camera's measured rate).

    Attributes
    ----------
    frames : int
        Frames accepted so far.
    first_time_s : float or None
        Feed time of the first frame accepted.
    max_wait_s : float
        The longest the capture thread waited for room in the queue.
    """

    def __init__(self, path: str | Path, *, fps: float | Callable[[], float], start_at_s: float = -math.inf,
                 queue_frames: int = QUEUE_FRAMES) -> None:
        self.path = Path(path)
        self._fps = fps
        self.fps: float | None = None if callable(fps) else float(fps)
        self.start_at_s, self.stop_at_s = float(start_at_s), math.inf
        self.frames = 0
        self.first_time_s: float | None = None
        self.last_time_s: float | None = None
        self.size_px: tuple[int, int] | None = None
        self.max_wait_s = 0.0
        self._error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=queue_frames)
        self._done = threading.Event()
        self._closing = False
        self._abandon = False
        self._written = 0
        self.duplicated = self.skipped = 0
        self._thread = threading.Thread(target=self._write, name="ankle-cv-recorder", daemon=True)
        self._thread.start()

    def wants(self, captured_at_s: float) -> bool:
        return not self._closing and self.start_at_s <= captured_at_s < self.stop_at_s

    def offer(self, frame: FeedFrame) -> bool:
        """Queue ``frame`` if it was captured during the take (called by the capture thread);
        whether it was."""
        if not self.wants(frame.captured_at_s):
            return False
        waited_from = time.monotonic()
        while True:
            try:
                self._queue.put(frame, timeout=0.1)
                break
            except queue.Full:
                if self._done.is_set():  # the writer has gone (an error): nothing more is kept
                    return False
        self.max_wait_s = max(self.max_wait_s, time.monotonic() - waited_from)
        self.last_time_s = frame.time_s  # before first_time_s: a reader seeing first sees last
        if self.first_time_s is None:
            self.first_time_s = frame.time_s
        self.frames += 1
        return True

    @property
    def started(self) -> bool:
        """At least one frame was accepted."""
        return self.first_time_s is not None

    def stop(self, at_s: float | None = None) -> None:
        """Accept no frame captured from ``at_s`` on (default: now)."""
        self.stop_at_s = min(self.stop_at_s, time.monotonic() if at_s is None else at_s)

    def _write(self) -> None:
        from ..io.sink import VideoSink

        sink = None
        try:
            while (frame := self._queue.get()) is not _END:
                if self._error is not None:
                    continue  # drain: the capture thread must never wait on a dead writer
                try:
                    if sink is None:
                        height, width = frame.image_bgr.shape[:2]
                        self.size_px = (width, height)
                        if self.fps is None:  # measured by the caller once frames flow
                            self.fps = float(self._fps())
                        sink = VideoSink(self.path, fps=self.fps, size=self.size_px).__enter__()
                        origin_s, previous = frame.time_s, None
                    hold = frames_to_hold(frame.time_s - origin_s, self.fps, self._written)
                    if hold < 0:  # far ahead of its time (a burst of buffered frames)
                        self.skipped += 1
                        continue
                    for _ in range(hold):  # the source missed frames: hold the last one
                        sink.write(previous)
                    self._written += hold
                    self.duplicated += hold
                    sink.write(frame.image_bgr)
                    self._written += 1
                    previous = frame.image_bgr
                except BaseException as exc:  # noqa: BLE001 - any failure (a cv2.error too) ends the take's file
                    self._error = exc
        finally:
            try:
                if sink is not None:
                    failed = self._error is not None or self._abandon
                    sink.__exit__(RuntimeError if failed else None, None, None)  # failed: the partial file goes
            except BaseException as exc:  # noqa: BLE001 - a file that cannot be closed is the take's error
                self._error = self._error or exc
            finally:
                self._done.set()

    def _close(self, *, abandon: bool) -> None:
        if self._closing:  # closing already (an interruption while it did): abandon still counts
            self._abandon = self._abandon or abandon
            self._thread.join()
            return
        self.stop()
        self._abandon = abandon
        self._closing = True
        while not self._done.is_set():  # a writer that has died takes no end marker
            try:
                self._queue.put(_END, timeout=0.1)
                break
            except queue.Full:
                continue
        self._thread.join()

    def finish(self) -> Recording | None:
        """Stop, write what is queued and close the file; the take, or None if it has no frame.

        Raises
        ------
        OutputError
            The video could not be written.
        InputError
            The source changed its picture size during the take.
        """
        self._close(abandon=False)
        if isinstance(self._error, ValueError):
            raise InputError(f"the picture size changed during the recording ({self._error})")
        if isinstance(self._error, AnkleCVError):
            raise self._error
        if self._error is not None:
            raise OutputError(f"cannot write the recording: {self._error}", path=str(self.path))
        if self._written == 0:
            return None
        return Recording(self.path, self._written, self.fps, self.size_px, self.first_time_s, self.last_time_s,
                         self.duplicated, self.skipped)

    def abandon(self) -> None:
        """Stop and throw the take away (its partial file is removed)."""
        self._close(abandon=True)
