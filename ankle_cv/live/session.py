"""The live loop: the newest frame, MediaPipe, the rolling window, guidance, the screen; and
the takes (countdown, recording, stop).

It never lags: the capture thread keeps only the newest frame (:mod:`ankle_cv.live.feed`),
one :class:`~ankle_cv.pose.estimator.PoseEstimator` serves the whole session, the protocol
scores the window on a worker thread a few times a second (:mod:`ankle_cv.live.analyst`) and
the raw frames of a take are encoded on a writer thread (:mod:`ankle_cv.live.recorder`). When
the loop is slower than the source, frames are dropped and what is shown stays current.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import InputError
from .analyst import Analyst, LiveState
from .display import Action
from .feed import FeedFrame, LiveFeed
from .guidance import ROLL_LINES_S
from .heel import FootCrops
from .numbers import TallyView
from .processing import FrameProcessor, Processed
from .recorder import Recorder, Recording
from .screen import Overlay, draw_live, text_line
from .window import RollingLandmarks

#: A camera or stream silent this long (after its first frame) has gone: the session ends
#: with a message (a live view frozen on its last picture would mislead) and the take is kept.
STALL_END_S = 10.0

#: Seconds of countdown before a take records (phone test apps give about three: time to
#: put the phone down and step into position).
COUNTDOWN_S = 3.0
#: A source that has given no frame this long after it opened does not answer.
FIRST_FRAME_TIMEOUT_S = 10.0
#: Frames whose capture times give a camera's measured rate (the recording's frame rate).
_RATE_FRAMES = 90


@dataclasses.dataclass
class LiveStats:
    """How the loop kept up: frames captured and processed, and per processed frame the
    time from capture to being handed to the display (seconds)."""

    captured: int = 0
    processed: int = 0
    wall_s: float = 0.0
    latency_s: list = dataclasses.field(default_factory=list)
    record_max_wait_s: float = 0.0

    @property
    def processed_per_s(self) -> float:
        return self.processed / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def dropped_share(self) -> float:
        return 1.0 - self.processed / self.captured if self.captured else 0.0

    def latency_ms(self, q: float) -> float:
        """The ``q``-th percentile of the display latency, in ms (NaN without frames)."""
        return float(np.percentile(self.latency_s, q) * 1000.0) if self.latency_s else math.nan

    def describe(self) -> str:
        return (f"processed {self.processed} of {self.captured} frames captured ({self.processed_per_s:.1f}/s, "
                f"{100 * self.dropped_share:.0f}% dropped); display latency median {self.latency_ms(50):.0f} ms, "
                f"95th percentile {self.latency_ms(95):.0f} ms")


@dataclasses.dataclass(frozen=True)
class SessionResult:
    """What a session leaves: the last take (None: nothing recorded), its final scoring and
    tally, and the loop's figures."""

    recording: Recording | None
    final: LiveState | None
    tally: TallyView
    stats: LiveStats


def _warm_up() -> None:
    """Import what the first scoring and scene-line search need before frames flow: scipy's
    signal module alone takes about a second, during which the worker thread importing it
    would hold up the loop."""
    import importlib

    for name in ("scipy.signal", "scipy.ndimage", "ankle_cv.vision.heel", "ankle_cv.vision.scene",
                 "ankle_cv.visual.draw"):
        importlib.import_module(name)


class LiveSession:
    """One run of the live loop over ``feed``.

    Parameters
    ----------
    feed : LiveFeed
        Not yet started.
    protocol, settings
        The test and its settings (the live numbers and the recording's analysis use both).
    display : WindowDisplay or PrintDisplay
    recording_path : Path
        Where a take's raw video goes (``recording.mp4`` in the output folder).
    countdown_s : float
        Seconds between asking for a take and its first recorded frame.
    record_at_start : bool
        Start a take at once (the headless mode); a file then plays only after the countdown,
        so that all of it is recorded.
    duration_s : float, optional
        End the session after recording this long.
    stop : threading.Event, optional
        Set (e.g. by a signal handler) to end the session as the end of the source would.
    echo : callable
        Prints the headless countdown.
    estimator : PoseEstimator, optional
        One to reuse (default: one created for the session and closed with it).
    """

    def __init__(self, feed: LiveFeed, protocol, settings, display, *, recording_path: Path,
                 countdown_s: float = COUNTDOWN_S, record_at_start: bool = False, duration_s: float | None = None,
                 stop: threading.Event | None = None, echo: Callable[[str], None] = print, estimator=None) -> None:
        self.feed, self.protocol, self.settings, self.display = feed, protocol, settings, display
        self.recording_path = Path(recording_path)
        self.countdown_s, self.record_at_start, self.duration_s = float(countdown_s), record_at_start, duration_s
        self.stop_event = stop or threading.Event()
        self.echo, self._estimator = echo, estimator
        self.window = RollingLandmarks()
        self.crops = FootCrops()
        self.analyst = Analyst(protocol, settings, crops=self.crops, frame_size_px=(1, 1), fps=feed.fps,
                               source=feed.name)
        self.recorder: Recorder | None = None
        self.take = 0
        self.recording: Recording | None = None
        self.final: LiveState | None = None
        self.final_tally = TallyView()
        self.stats = LiveStats()
        self.scene_roll_deg = math.nan
        self._capture_times: collections.deque = collections.deque(maxlen=_RATE_FRAMES)
        self._min_visibility = getattr(settings, "min_visibility", 0.5)

    # --- the capture thread's hook ------------------------------------------------------------
    def _on_frame(self, frame: FeedFrame) -> None:
        self._capture_times.append(frame.time_s)
        recorder = self.recorder
        if recorder is not None:
            recorder.offer(frame)

    def _measured_fps(self) -> float:
        """The recording's frame rate: a file's own; a camera's or stream's announced rate, or
        the rate its recent frames came at where that is clearly lower (a webcam in dim light
        delivers fewer frames than it announces). The median interval of a stream's burst of
        buffered frames is short: a faster measured rate is not believed."""
        times = np.asarray(self._capture_times, dtype=np.float64)
        if self.feed.is_file or times.size < 10:
            return self.feed.fps
        interval = float(np.median(np.diff(times)))
        measured = 1.0 / interval if interval > 0 else self.feed.fps
        return measured if measured < 0.9 * self.feed.fps else self.feed.fps

    # --- takes --------------------------------------------------------------------------------
    def _start_take(self, start_at_s: float) -> None:
        self.take = self.analyst.new_take()
        self.recorder = Recorder(self.recording_path, fps=self._measured_fps, start_at_s=start_at_s)

    def _end_take(self, *, at_s: float | None = None) -> None:
        """Stop the take being recorded, close its file and score its last window."""
        recorder = self.recorder
        if recorder is None:
            return
        recorder.stop(at_s)
        if not recorder.started:
            self.recorder = None
            recorder.abandon()  # stopped during the countdown: the previous take stays
            return
        self.stats.record_max_wait_s = max(self.stats.record_max_wait_s, recorder.max_wait_s)
        recording = recorder.finish()  # an interruption in here finds the take still ours to abandon
        self.recorder = None
        if recording is None:
            return
        self.recording = recording
        snapshot = self.window.snapshot(since_s=recording.first_time_s, until_s=recording.last_time_s, final=True,
                                        take=self.take)
        self.final = self.analyst.score_final(snapshot)
        self.final_tally = self.final.tally if self.final is not None else self.analyst.tally_view()

    def _toggle(self, now_s: float) -> None:
        recorder = self.recorder
        if recorder is None:
            self._start_take(now_s + self.countdown_s)
        elif now_s < recorder.start_at_s:  # during the countdown: cancel
            self.recorder = None
            recorder.abandon()
        else:
            self._end_take(at_s=now_s)

    def _state(self, now_s: float) -> tuple[str, float | None]:
        """The recording state in words, and the countdown's seconds left (None: none)."""
        recorder = self.recorder
        if recorder is None:
            return ("stopped: space records again, q quits" if self.recording is not None
                    else "space: record, q: quit"), None
        if now_s < recorder.start_at_s:
            return "get ready", recorder.start_at_s - now_s
        if recorder.first_time_s is None or recorder.last_time_s is None:
            return "REC 0.0 s", None
        return f"REC {recorder.last_time_s - recorder.first_time_s:.1f} s", None

    # --- the loop -----------------------------------------------------------------------------
    def run(self) -> SessionResult:
        """Run until the source ends, the user quits, ``stop`` is set or the duration is
        recorded; then close the take. Raises what stopped the capture (InputError)."""
        from ..pose.estimator import PoseEstimator

        started = time.monotonic()
        estimator = None
        try:
            estimator = self._estimator or PoseEstimator()  # MediaPipe loads before frames flow
            _warm_up()
            if self.record_at_start and self.feed.is_file:
                self._count_down_printed()
                self._start_take(-math.inf)
            elif self.record_at_start:
                self._start_take(time.monotonic() + self.countdown_s)
            self.feed.on_frame = self._on_frame
            self.feed.start()
            started = time.monotonic()
            self._loop(estimator, started)
            self._end_take()
        except Exception:  # a failure (the source, a bug in the live numbers): the take so far is kept
            recorder, self.recorder = self.recorder, None
            if recorder is not None and recorder.started:
                with contextlib.suppress(Exception):
                    kept = recorder.finish()
                    if kept is not None:
                        self.echo(f"the take so far was kept in {kept.path} ({kept.frames} frames): analyse it "
                                  f"with `ankle-cv analyze {kept.path}`")
            elif recorder is not None:
                recorder.abandon()
            raise
        except BaseException:  # interrupted while closing: nothing is kept
            if self.recorder is not None:
                self.recorder.abandon()
                self.recorder = None
            raise
        finally:
            self.stats.wall_s = time.monotonic() - started
            self.stats.captured = self.feed.captured
            self.feed.stop()
            self.analyst.stop()
            self.display.close()
            if self._estimator is None and estimator is not None:
                estimator.close()
        return SessionResult(self.recording, self.final, self.final_tally, self.stats)

    def _count_down_printed(self) -> None:
        for left in range(math.ceil(self.countdown_s), 0, -1):
            self.echo(f"recording in {left} s")
            if self.stop_event.wait(min(1.0, self.countdown_s - (math.ceil(self.countdown_s) - left))):
                return
        self.echo("recording")

    def _loop(self, estimator, started_s: float) -> None:
        processor = FrameProcessor(estimator, window=self.window, crops=self.crops, analyst=self.analyst,
                                   test=self.protocol.name, snapshot=self._snapshot, lines_found=self._lines_found,
                                   roll_deg=lambda: self.scene_roll_deg, min_visibility=self._min_visibility)
        try:
            self._take_loop(processor, started_s)
        finally:
            self.stats.processed = processor.processed

    def _take_loop(self, processor: FrameProcessor, started_s: float) -> None:
        seen_frame = False
        last_frame_s = time.monotonic()
        while not self.stop_event.is_set():
            frame = self.feed.slot.take(timeout_s=0.1)  # the newest frame: the others were dropped
            self.feed.raise_error()
            self.analyst.raise_error()
            if frame is None:
                if self.feed.ended:
                    if not seen_frame:
                        raise InputError("gave no frames", path=self.feed.name)
                    if not self.feed.is_file:  # a camera unplugged, a stream that closed
                        self.echo(f"{self.feed.name} stopped sending frames: the session ends here")
                    return
                if seen_frame and not self.feed.is_file and time.monotonic() - last_frame_s > STALL_END_S:
                    self.echo(f"no picture from {self.feed.name} for {STALL_END_S:.0f} s: the session ends here")
                    return
                if not seen_frame and time.monotonic() - started_s > FIRST_FRAME_TIMEOUT_S:
                    raise InputError(f"no frame arrived within {FIRST_FRAME_TIMEOUT_S:.0f} s (the stream does not "
                                     "answer)", path=self.feed.name)
                if self.display.poll(1) is Action.QUIT:
                    return
                continue
            seen_frame = True
            last_frame_s = time.monotonic()
            action = self._show(processor.process(frame))
            if action is Action.QUIT:
                return
            if action is Action.TOGGLE:
                self._toggle(time.monotonic())
            recorder = self.recorder
            if (self.duration_s is not None and recorder is not None and recorder.first_time_s is not None
                    and recorder.last_time_s - recorder.first_time_s >= self.duration_s):
                return

    def _show(self, item: Processed) -> Action | None:
        """Draw a processed frame's overlay on a copy of it and hand it to the display."""
        frame = item.frame
        state, countdown = self._state(time.monotonic())
        live = self.analyst.latest
        # between takes, the tally of the take kept (a retake cancelled in its countdown left it)
        tally = self.final_tally if self.recorder is None and self.recording is not None else self.analyst.tally_view()
        overlay = Overlay(self.protocol.name, state, countdown, live.numbers if live is not None else None, tally,
                          item.guidance)
        canvas = frame.image_bgr.copy()  # the raw frame may still wait in the recorder's queue
        draw_live(canvas, item.landmarks, overlay)
        line = text_line(frame.time_s, overlay)
        self.stats.latency_s.append(time.monotonic() - frame.captured_at_s)  # handed to the display
        return self.display.show(canvas, line)

    def _snapshot(self):
        recorder = self.recorder
        if recorder is not None and recorder.first_time_s is not None:
            return self.window.snapshot(since_s=recorder.first_time_s, take=self.take)
        return self.window.snapshot()

    def _lines_found(self, time_s: float, segments_px: np.ndarray) -> None:
        """Scene lines of the frame of ``time_s`` (on the analyst's thread): into the window,
        and the roll they give now."""
        from ..core.geometry import roll_from_lines

        self.window.add_lines(time_s, segments_px)
        self.scene_roll_deg = roll_from_lines(self.window.recent_lines(ROLL_LINES_S))[0]
