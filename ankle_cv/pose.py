"""Pose stage: MediaPipe Pose over a video -> :class:`LandmarkSeries` in pixels.

MediaPipe is imported here only, lazily, with its native start-up chatter silenced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterator

import numpy as np

from . import __version__
from .errors import InputError, NoPersonError
from .landmarks import N_LANDMARKS
from .models import landmark_model_sha256
from .scene import LINES_EVERY, LINES_VERSION, scene_lines
from .series import LandmarkSeries
from .source import check_complete, check_no_holes, probe, read_frames


#: The pose tracker restarts (fresh detection) every CHUNK_FRAMES frames, in every run, so
#: that any number of workers gives identical landmarks.
CHUNK_FRAMES = 300


@dataclasses.dataclass(frozen=True)
class PoseSettings:
    """MediaPipe Pose options. Complexity 1 is the only model shipped in the wheel.

    ``smooth_landmarks`` is off by default: MediaPipe's causal filter lags, and the core
    smooths with a zero-phase filter instead, which keeps event timing honest.
    """

    model_complexity: int = 1
    smooth_landmarks: bool = False
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5

    def __post_init__(self) -> None:
        if self.model_complexity != 1:
            raise ValueError(
                "only model_complexity=1 is supported: complexities 0 and 2 download their "
                "model at run time, and ankle-cv never downloads anything"
            )
        for name in ("min_detection_confidence", "min_tracking_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")


def _flush_c_stdio() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library handle on this platform
        pass


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Send the process's native stderr (TFLite/absl start-up logs) to /dev/null."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (some embedded hosts): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        _flush_c_stdio()  # C stderr may hold buffered log lines: drop them with the rest
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class PoseEstimator:
    """MediaPipe Pose in tracking mode, one frame at a time. Use as a context manager.

    ``process`` takes an upright BGR frame and returns an ndarray of shape (33, 4):
    x_px, y_px, z (scaled like x) and visibility; all NaN when no person is found.
    """

    def __init__(self, settings: PoseSettings = PoseSettings()) -> None:
        landmark_model_sha256()  # refuse to run with an unverified model
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with _quiet_native_stderr():
            import cv2
            import mediapipe as mp

            self._pose = mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=settings.model_complexity,
                smooth_landmarks=settings.smooth_landmarks,
                enable_segmentation=False,
                min_detection_confidence=settings.min_detection_confidence,
                min_tracking_confidence=settings.min_tracking_confidence,
            )
        self._cvt = cv2.cvtColor
        self._rgb = cv2.COLOR_BGR2RGB
        self._first = True

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pose.close()

    def reset(self) -> None:
        """Forget the tracked person: the next frame starts with a fresh detection."""
        self._pose.reset()

    def process(self, image_bgr: np.ndarray) -> np.ndarray:
        height, width = image_bgr.shape[:2]
        rgb = self._cvt(image_bgr, self._rgb)
        if self._first:  # the graph logs a warning on its first frame
            with _quiet_native_stderr():
                result = self._pose.process(rgb)
            self._first = False
        else:
            result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return np.full((N_LANDMARKS, 4), np.nan, dtype=np.float32)
        out = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32
        )
        out[:, 0] *= width
        out[:, 1] *= height
        out[:, 2] *= width
        return out


def pose_meta(settings: PoseSettings, video_sha256: str, *, chunk_frames: int = CHUNK_FRAMES) -> dict:
    """Provenance of a landmark series: what must match for a cached series to be reused."""
    return {
        "chunk_frames": chunk_frames,
        "video_sha256": video_sha256,
        "model_sha256": landmark_model_sha256(),
        "ankle_cv_version": __version__,
        "pose_settings": dataclasses.asdict(settings),
        "scene_lines": f"every {LINES_EVERY} frames, v{LINES_VERSION}",
    }


def _silence_worker(counter) -> None:
    """Pool initializer: a pose worker's native logs go nowhere; share the frame counter."""
    global _FRAMES_DONE
    _FRAMES_DONE = counter
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


_FRAMES_DONE = None


def _pose_span(path: str, start: int, stop: int | None, settings: PoseSettings, chunk_frames: int):
    """Pose of frames ``start`` <= i < ``stop`` (run in a worker process); the tracker is
    reset at every multiple of ``chunk_frames``, so results do not depend on how the clip
    was shared among workers.

    Every :data:`~ankle_cv.scene.LINES_EVERY`-th frame also gives its scene lines.

    Returns (start, xyzv (N, 33, 4), time_s (N,), (width, height), lines (K, 5)).
    """
    rows, times, size, lines = [], [], (0, 0), []
    with PoseEstimator(settings) as estimator:
        for frame in read_frames(path, start=start, stop=stop):
            if frame.index != start and frame.index % chunk_frames == 0:
                estimator.reset()
            size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
            rows.append(estimator.process(frame.image_bgr))
            times.append(frame.time_s)
            if frame.index % LINES_EVERY == 0:
                seg = scene_lines(frame.image_bgr, rows[-1][:, :2])
                lines.append(np.column_stack((np.full(len(seg), frame.index, np.float32), seg)))
            if _FRAMES_DONE is not None:
                with _FRAMES_DONE.get_lock():
                    _FRAMES_DONE.value += 1
    xyzv = np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4), dtype=np.float32)
    lines = np.concatenate(lines) if lines else np.zeros((0, 5), dtype=np.float32)
    return start, xyzv, np.asarray(times, dtype=np.float64), size, lines


def default_workers(n_frames: int, chunk_frames: int = CHUNK_FRAMES) -> int:
    """Pose workers for a clip: one per core, but no more than it has chunks."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, -(-n_frames // chunk_frames)))


def worker_spans(n_frames: int, workers: int, chunk_frames: int = CHUNK_FRAMES) -> list[tuple[int, int | None]]:
    """Contiguous frame ranges, one per worker, split at chunk boundaries; the last is
    open-ended so that frames beyond the container's declared count are not lost."""
    n_chunks = max(1, -(-n_frames // chunk_frames))
    workers = max(1, min(workers, n_chunks))
    edges = (np.linspace(0, n_chunks, workers + 1).round().astype(int) * chunk_frames).tolist()
    spans = [(a, b) for a, b in zip(edges[:-1], edges[1:])]
    spans[-1] = (spans[-1][0], None)
    return spans


def _increasing(time_s: np.ndarray, dt_s: float) -> np.ndarray:
    """Container times made strictly increasing across chunk joins (each worker repairs its
    own chunk; a broken time at a join would otherwise reach the LandmarkSeries)."""
    time_s = time_s.copy()
    for k in np.flatnonzero(np.diff(time_s) <= 0) + 1:  # a loop over broken times only
        time_s[k] = max(time_s[k], time_s[k - 1] + dt_s)
    return time_s


def _can_spawn() -> bool:
    """Whether spawned workers can start: they re-import the main script, so it must be a
    file (``python -`` scripts are not; ``python -c`` and interactive sessions have none)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def _in_workers(path: str, bounds, settings: PoseSettings, chunk_frames: int, n_declared: int, progress) -> list:
    """Run :func:`_pose_span` over ``bounds`` in spawned worker processes, in order."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")
    counter = ctx.Value("q", 0)
    with ProcessPoolExecutor(len(bounds), mp_context=ctx, initializer=_silence_worker, initargs=(counter,)) as pool:
        futures = [pool.submit(_pose_span, path, a, b, settings, chunk_frames) for a, b in bounds]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            if progress is not None:
                progress(counter.value, n_declared)
            for fut in done:
                if fut.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise fut.exception()
    return sorted((f.result() for f in futures), key=lambda c: c[0])


def estimate_pose(
    path: str,
    *,
    settings: PoseSettings = PoseSettings(),
    video_sha256: str = "",
    workers: int | None = None,
    chunk_frames: int = CHUNK_FRAMES,
    progress: Callable[[int, int], None] | None = None,
) -> LandmarkSeries:
    """Run MediaPipe Pose on every frame of a video.

    The clip is split into contiguous spans of whole chunks, each tracked by its own worker
    process (MediaPipe Pose keeps about one core busy), and joined in order. Every chunk of
    :data:`CHUNK_FRAMES` frames starts with a fresh person detection, whatever the number of
    workers, so the landmarks are the same on any machine.

    Parameters
    ----------
    path : str
        Video file.
    settings : PoseSettings
    video_sha256 : str
        Recorded in the series' provenance (computed by the caller, who owns caching).
    workers : int, optional
        Worker processes; default :func:`default_workers`.
    chunk_frames : int
        The tracker restarts every ``chunk_frames`` frames (part of the cache key).
    progress : callable, optional
        Called as ``progress(frames_done, frames_declared)`` while frames are processed.

    Raises
    ------
    InputError
        Missing, unreadable, empty or truncated video.
    NoPersonError
        No person in any frame.
    """
    info = probe(path)
    landmark_model_sha256()  # fail here, not in a worker, when the model is wrong
    n_workers = workers or default_workers(info.n_frames_declared, chunk_frames)
    bounds = worker_spans(info.n_frames_declared, n_workers, chunk_frames)
    if _can_spawn():
        chunks = _in_workers(str(path), bounds, settings, chunk_frames, info.n_frames_declared, progress)
    else:  # a script read from stdin cannot be re-imported by a spawned worker
        chunks = [_pose_span(str(path), a, b, settings, chunk_frames) for a, b in bounds]
    chunks = [c for c in chunks if len(c[1])]  # a declared count can overestimate the frames
    if not chunks:
        raise InputError("contains no decodable video frames", path=str(path))
    for (start, xyzv, *_), (next_start, *_) in zip(chunks[:-1], chunks[1:]):
        if start + len(xyzv) != next_start:  # frames missing in the middle: a damaged file
            raise InputError(f"corrupt: frames {start + len(xyzv)} to {next_start - 1} cannot be decoded",
                             path=str(path))
    xyzv = np.concatenate([c[1] for c in chunks])
    time_s = _increasing(np.concatenate([c[2] for c in chunks]), 1.0 / info.fps)
    check_complete(info, len(xyzv), float(time_s[-1]))
    check_no_holes(info, time_s)
    if np.isnan(xyzv[:, :, 0]).all():
        raise NoPersonError("no person detected in any frame", path=str(path))
    meta = pose_meta(settings, video_sha256, chunk_frames=chunk_frames)
    meta.update(rotation_deg=info.rotation_deg, codec=info.codec, pose_workers=len(bounds))
    return LandmarkSeries(
        xyzv=xyzv,
        time_s=time_s,
        frame_size_px=chunks[0][3],
        fps=info.fps,
        source=os.path.basename(path),
        meta=meta,
        lines=np.concatenate([c[4] for c in chunks]),
    )
