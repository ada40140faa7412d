"""Pose stage: MediaPipe Pose over a video file -> :class:`LandmarkSeries` in pixels.

The clip is cut into chunks of :data:`CHUNK_FRAMES` frames, and every chunk starts with a
fresh person detection, so the landmarks are the same however the chunks are shared out.
The calling process always tracks chunks itself, from the start of the clip, with one pose
object it creates once; where the clip has more than one chunk and more than one core is
free, helper processes start beside it and, when ready (each imports MediaPipe and builds
its graph, a couple of seconds), take over the second half of the work still left (work
splitting). A short clip therefore never waits for a helper, and a long one uses every
core. Inside a daemonic process (a Dask worker, a ``multiprocessing.Pool`` worker), which
may not have children, everything runs in-process.

Each frame also feeds the scene-line stage (:class:`ankle_cv.vision.scene.SceneLineCollector`)
so that the camera roll costs no second decode.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import __version__
from ..errors import InputError, NoPersonError
from ..io.source import check_complete, check_no_holes, probe
from ..series import LandmarkSeries
from ..vision.motion import MOTION_VERSION
from ..vision.scene import LINES_EVERY, LINES_VERSION
from .chunks import Chunk, Claims, Helpers, track
from .estimator import PoseEstimator, PoseSettings
from .models import landmark_model_sha256

#: The pose tracker restarts (fresh detection) every CHUNK_FRAMES frames, in every run, so
#: that any number of processes gives identical landmarks.
CHUNK_FRAMES = 300
#: Bumped when what is recorded about damaged frames changes (cached landmarks go stale).
DECODE_CHECK_VERSION = 1
#: Memory a pose process needs (MediaPipe, its graph, a decoder), for capping the helpers.
PROCESS_MEMORY_BYTES = 400 * 2**20


def pose_meta(settings: PoseSettings, video_sha256: str, *, chunk_frames: int = CHUNK_FRAMES,
              model_sha256: str | None = None) -> dict:
    """Provenance of a landmark series: what must match for a cached series to be reused
    (``model_sha256``: the model's hash when known, else the installed model is verified)."""
    return {
        "chunk_frames": chunk_frames,
        "video_sha256": video_sha256,
        "model_sha256": model_sha256 or landmark_model_sha256(),
        "ankle_cv_version": __version__,
        "pose_settings": dataclasses.asdict(settings),
        "scene_lines": f"every {LINES_EVERY} frames, v{LINES_VERSION}",
        "camera_motion": f"v{MOTION_VERSION}",
        "decode_check": DECODE_CHECK_VERSION,
    }


def default_workers(n_frames: int, chunk_frames: int = CHUNK_FRAMES) -> int:
    """Pose processes for a clip: one per core, no more than it has chunks nor than the
    available memory holds (:data:`PROCESS_MEMORY_BYTES` each)."""
    return max_workers(n_frames, cores(), chunk_frames)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _available_memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def max_workers(n_frames: int, requested: int, chunk_frames: int = CHUNK_FRAMES) -> int:
    """``requested`` capped by the clip's chunks, the cores and the available memory."""
    n_chunks = max(1, -(-n_frames // chunk_frames))
    memory = _available_memory_bytes()
    by_memory = max(1, memory // PROCESS_MEMORY_BYTES) if memory else requested
    return max(1, min(requested, n_chunks, cores(), by_memory))


def _can_have_children() -> bool:
    """Whether helper processes can start: not inside a daemonic process, and the main script
    (re-imported by a spawned child) is a file or absent (``python -`` scripts are neither)."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return False
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def _increasing(time_s: np.ndarray, dt_s: float) -> np.ndarray:
    """Container times made strictly increasing across chunk joins (each reader repairs its
    own run; a broken time at a join would otherwise reach the LandmarkSeries). A repair
    carries forward: a lifted time may lift the next ones."""
    time_s = time_s.copy()
    bad = np.flatnonzero(np.diff(time_s) <= 0)
    for k in range(bad[0] + 1 if bad.size else time_s.size, time_s.size):  # from the first broken time only
        time_s[k] = max(time_s[k], time_s[k - 1] + dt_s)
    return time_s


def estimate_pose(
    path: str,
    *,
    settings: PoseSettings = PoseSettings(),
    video_sha256: str = "",
    workers: int | None = None,
    chunk_frames: int = CHUNK_FRAMES,
    progress: Callable[[int, int], None] | None = None,
    estimator: PoseEstimator | None = None,
) -> LandmarkSeries:
    """Run MediaPipe Pose on every frame of a video (see the module docstring).

    Parameters
    ----------
    path : str
        Video file.
    settings : PoseSettings
    video_sha256 : str
        Recorded in the series' provenance (computed by the caller, who owns caching).
    workers : int, optional
        Pose processes including this one; default :func:`default_workers`. Capped by the
        clip's chunks, the cores and the available memory.
    chunk_frames : int
        The tracker restarts every ``chunk_frames`` frames (part of the cache key).
    progress : callable, optional
        Called as ``progress(frames_done, frames_declared)`` while frames are processed.
    estimator : PoseEstimator, optional
        A MediaPipe instance to reuse (a batch worker keeps one for all its videos); the clip
        then runs in this process alone.

    Raises
    ------
    InputError
        Missing, unreadable, empty or truncated video.
    NoPersonError
        No person in any frame.
    """
    info = probe(path)
    landmark_model_sha256()  # fail here, not in a helper, when the model is wrong
    n_chunks = max(1, -(-info.n_frames_declared // chunk_frames))
    n_procs = 1 if estimator is not None else max_workers(info.n_frames_declared, workers or cores(), chunk_frames)
    helpers = None
    own_frames = 0

    def report() -> None:
        if progress is not None:
            progress(own_frames + (helpers.counter.value if helpers else 0), info.n_frames_declared)

    def on_frame() -> None:
        nonlocal own_frames
        own_frames += 1
        if own_frames % 5 == 0:
            report()

    chunks: list[Chunk] = []
    try:
        if n_procs > 1 and _can_have_children():
            helpers = Helpers(n_procs - 1, str(path), n_chunks, settings, chunk_frames)
        claims = helpers.claims if helpers else Claims.create(None, 1, n_chunks)
        own = contextlib.nullcontext(estimator) if estimator is not None else PoseEstimator(settings)
        with own as estimator, ThreadPoolExecutor(1, "ankle-cv-lines") as lines_pool:
            first = 0 if claims.take(0, 0) else None
            while first is not None:
                chunks += track(str(path), first, n_chunks, 0, claims, estimator, chunk_frames, on_frame,
                                 lines_pool)
                first = claims.split(0)
            if helpers:
                chunks += helpers.collect(report)
            missing = sorted(set(range(n_chunks)) - {c.number for c in chunks})
            for number in missing:  # a helper died: its chunks are redone here
                redo = Claims.create(None, 1, number + 1, first=number + 1)
                chunks += track(str(path), number, n_chunks, 0, redo, estimator, chunk_frames, on_frame)
    finally:
        if helpers:
            helpers.stop()
    return _assemble(path, info, sorted(chunks, key=lambda c: c.number), settings, video_sha256, chunk_frames,
                     n_procs=n_procs if helpers else 1, helper_errors=helpers.errors if helpers else [])


def _assemble(path, info, chunks: list[Chunk], settings: PoseSettings, video_sha256: str, chunk_frames: int, *,
              n_procs: int, helper_errors: list[str]) -> LandmarkSeries:
    chunks = [c for c in chunks if len(c.xyzv)]  # a declared count can overestimate the frames
    if not chunks:
        raise InputError("contains no decodable video frames", path=str(path))
    for chunk, following in zip(chunks[:-1], chunks[1:]):
        end = chunk.number * chunk_frames + len(chunk.xyzv)
        if end != following.number * chunk_frames:  # frames missing in the middle: a damaged file
            raise InputError(f"corrupt: frames {end} to {following.number * chunk_frames - 1} cannot be decoded",
                             path=str(path))
    xyzv = np.concatenate([c.xyzv for c in chunks])
    time_s = _increasing(np.concatenate([c.time_s for c in chunks]), 1.0 / info.fps)
    check_complete(info, len(xyzv), float(time_s[-1]))
    check_no_holes(info, time_s)
    if np.isnan(xyzv[:, :, 0]).all():
        raise NoPersonError("no person detected in any frame", path=str(path))
    meta = pose_meta(settings, video_sha256, chunk_frames=chunk_frames)
    meta.update(rotation_deg=info.rotation_deg, codec=info.codec, pose_workers=n_procs,
                damaged_frames=[f for c in chunks for f in c.damaged], pose_helper_errors=helper_errors)
    return LandmarkSeries(
        xyzv=xyzv,
        time_s=time_s,
        frame_size_px=chunks[0].size_px,
        fps=info.fps,
        source=os.path.basename(path),
        meta=meta,
        lines=np.concatenate([c.lines for c in chunks]),
        camera_step_px=np.concatenate([_steps(c) for c in chunks]),
    )


def _steps(chunk: Chunk) -> np.ndarray:
    """The chunk's camera steps (unknown where its tracker measured none)."""
    if chunk.camera_step_px is None:
        return np.full((len(chunk.xyzv), 2), np.nan, dtype=np.float32)
    return chunk.camera_step_px
