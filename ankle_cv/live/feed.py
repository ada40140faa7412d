"""Frames from a camera, a stream or a file played as a camera, on a capture thread of their
own, into a one-slot buffer (:class:`~ankle_cv.live.slot.LatestSlot`).

A camera or stream paces itself (``read`` waits for the next frame; its buffer is one frame,
:class:`ankle_cv.io.source.CaptureSource`). A file is paced by its frames' container times
against the wall clock (:func:`paced`), so it plays at its native rate whatever the
consumer does: frames the consumer is too slow for are dropped, as a camera's would be.
Every captured frame also goes to ``on_frame`` (the recorder) on the capture thread, before
it is offered to the consumer.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ..errors import InputError
from .slot import LatestSlot


@dataclasses.dataclass(frozen=True, eq=False)
class FeedFrame:
    """One captured frame.

    ``index`` counts the frames captured (from 0); ``time_s`` is the frame's own time: the
    container's for a file, seconds on the monotonic clock since the camera opened for a
    camera or stream; ``captured_at_s`` is the monotonic clock when the capture thread had
    it (what display latency is measured from).
    """

    index: int
    time_s: float
    image_bgr: np.ndarray
    captured_at_s: float


def paced(frames: Iterable, *, stop: threading.Event, clock: Callable[[], float] = time.monotonic
          ) -> Iterator[tuple[object, float]]:
    """Frames of a file released at their container times on the wall clock: (frame, the
    clock when it was released).

    The first frame is released at once; frame ``k`` when ``frame.time_s - first.time_s``
    seconds have passed since. A producer running late (decoding slower than real time)
    releases frames at once, never waiting to catch up. Stops early when ``stop`` is set.
    """
    start_clock = start_media = None
    for frame in frames:
        if start_clock is None:
            start_clock, start_media = clock(), frame.time_s
        delay = start_clock + (frame.time_s - start_media) - clock()
        if delay > 0 and stop.wait(delay):
            return
        if stop.is_set():
            return
        yield frame, clock()


class LiveFeed:
    """A frame source read on its own thread.

    Parameters
    ----------
    open_frames : callable
        ``open_frames(stop_event)`` returns an iterator of (frame, captured_at_s), frames
        having ``time_s`` and ``image_bgr`` (:func:`paced` frames of a file, or a camera's).
    name : str
        The source in words, for messages.
    fps : float
        The source's nominal frame rate.
    is_file : bool
        A file played as a camera (it ends; its rate is exact).

    Attributes
    ----------
    slot : LatestSlot of FeedFrame
        The newest frame; closed when the source ends or the feed stops.
    on_frame : callable, optional
        Called with every :class:`FeedFrame` on the capture thread, before the slot gets it.
    """

    def __init__(self, open_frames: Callable[[threading.Event], Iterator], *, name: str, fps: float,
                 is_file: bool, release: Callable[[], None] | None = None) -> None:
        self._open_frames = open_frames
        self._release = release
        self.name, self.fps, self.is_file = name, float(fps), is_file
        self.slot: LatestSlot[FeedFrame] = LatestSlot()
        self.on_frame: Callable[[FeedFrame], None] | None = None
        self.captured = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ankle-cv-capture", daemon=True)

    def start(self) -> LiveFeed:
        self._thread.start()
        return self

    def _run(self) -> None:
        frames = None
        try:
            frames = self._open_frames(self._stop)
            for frame, captured_at in frames:
                if self._stop.is_set():
                    break
                item = FeedFrame(self.captured, float(frame.time_s), frame.image_bgr, captured_at)
                self.captured += 1
                if self.on_frame is not None:
                    self.on_frame(item)
                self.slot.put(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            self.error = exc
        finally:
            if frames is not None and hasattr(frames, "close"):
                frames.close()  # release the camera or decoder now
            self.slot.close()

    def raise_error(self) -> None:
        """Re-raise, on the consumer's thread, what stopped the capture thread."""
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    @property
    def ended(self) -> bool:
        """The source has ended (or failed) and its last frame was taken."""
        return self.slot.closed

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Stop capturing and wait for the capture thread (a stream stuck in a read is left
        to end on its own: the thread is a daemon)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        elif self._thread.ident is None and self._release is not None:
            self._release()  # never started: release the camera here


def _camera_frames(source) -> Callable[[threading.Event], Iterator]:
    def open_frames(stop: threading.Event) -> Iterator:
        frames = source.frames()
        try:
            for frame in frames:
                yield frame, time.monotonic()
        finally:
            frames.close()  # releases the camera

    return open_frames


def _file_frames(path: str) -> Callable[[threading.Event], Iterator]:
    from ..io.source import read_frames

    def open_frames(stop: threading.Event) -> Iterator:
        frames = read_frames(path, prefetch=4)
        try:
            yield from paced(frames, stop=stop)
        finally:
            frames.close()  # stops the decoding thread

    return open_frames


def open_feed(*, camera: int | None = None, source: str | None = None) -> LiveFeed:
    """A feed (not yet started) of camera number ``camera``, or of ``source``: a stream URL
    (``scheme://...``) or a video file played at its native rate.

    Raises
    ------
    InputError
        No such camera, a stream that does not answer, a file that is not a usable video.
    """
    from ..io.source import CaptureSource, FileSource

    if (camera is None) == (source is None):
        raise ValueError("give exactly one of camera and source")
    if camera is not None:
        if camera < 0:
            raise InputError(f"camera {camera}: no such camera (cameras are numbered from 0)")
        cap = CaptureSource(int(camera))
        return LiveFeed(_camera_frames(cap), name=cap.name, fps=cap.fps, is_file=False, release=cap.close)
    if "://" in source:
        cap = CaptureSource(source)
        return LiveFeed(_camera_frames(cap), name=cap.name, fps=cap.fps, is_file=False, release=cap.close)
    video = FileSource(source)
    return LiveFeed(_file_frames(video.info.path), name=video.name, fps=video.info.fps, is_file=True)
