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

import dataclasses
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import __version__
from ..errors import InputError, NoPersonError
from ..io.source import check_complete, check_no_holes, probe, read_frames
from ..landmarks import N_LANDMARKS
from ..series import LandmarkSeries
from ..vision.scene import LINES_EVERY, LINES_VERSION, SceneLineCollector
from .estimator import PoseEstimator, PoseSettings
from .models import landmark_model_sha256

#: The pose tracker restarts (fresh detection) every CHUNK_FRAMES frames, in every run, so
#: that any number of processes gives identical landmarks.
CHUNK_FRAMES = 300
#: Bumped when what is recorded about damaged frames changes (cached landmarks go stale).
DECODE_CHECK_VERSION = 1
#: Memory a pose process needs (MediaPipe, its graph, a decoder), for capping the helpers.
PROCESS_MEMORY_BYTES = 400 * 2**20


def pose_meta(settings: PoseSettings, video_sha256: str, *, chunk_frames: int = CHUNK_FRAMES) -> dict:
    """Provenance of a landmark series: what must match for a cached series to be reused."""
    return {
        "chunk_frames": chunk_frames,
        "video_sha256": video_sha256,
        "model_sha256": landmark_model_sha256(),
        "ankle_cv_version": __version__,
        "pose_settings": dataclasses.asdict(settings),
        "scene_lines": f"every {LINES_EVERY} frames, v{LINES_VERSION}",
        "decode_check": DECODE_CHECK_VERSION,
    }


@dataclasses.dataclass(frozen=True, eq=False)
class _Chunk:
    """Landmarks of one chunk: rows (N, 33, 4), times (N,), frame size, scene lines (K, 5),
    and the frames FFmpeg reported damage in."""

    number: int
    xyzv: np.ndarray
    time_s: np.ndarray
    size_px: tuple[int, int]
    lines: np.ndarray
    damaged: tuple[int, ...] = ()


class _Claims:
    """Which process tracks which chunks: per process slot a range [next, end) of chunks not
    yet started, and how many ranges it has taken, in shared memory (slot 0 is the caller).

    A process takes chunk ``next`` of its range before tracking it; a process with nothing
    left (or a helper that has just started) splits the largest range still open and takes
    its upper half, so work moves to whoever is free without a coordinator.
    """

    def __init__(self, state) -> None:
        self._state = state  # [closed, then (next chunk, end chunk, spare) per slot]

    @classmethod
    def create(cls, ctx, n_slots: int, n_chunks: int, *, first: int = 0) -> _Claims:
        state = ctx.Array("q", 1 + 3 * n_slots) if ctx is not None else _LocalArray(1 + 3 * n_slots)
        state[1], state[2] = first, n_chunks  # slot 0 owns everything at first
        return cls(state)

    def take(self, slot: int, chunk: int) -> bool:
        """Start ``chunk`` if it is the next of ``slot``'s range."""
        s = self._state
        with s.get_lock():
            i = 1 + 3 * slot
            if s[i] == chunk and s[i] < s[i + 1]:
                s[i] += 1
                return True
            return False

    def split(self, slot: int) -> int | None:
        """Give ``slot`` the upper half of the largest open range of at least two chunks (a
        steal costs a seek, decoding from the start of the clip) and start its first chunk;
        that chunk, or None when nothing is worth taking or the run is closed."""
        s = self._state
        with s.get_lock():
            if s[0]:
                return None
            n_slots = (len(s) - 1) // 3
            remaining, owner = max(((s[2 + 3 * k] - s[1 + 3 * k], k) for k in range(n_slots) if k != slot),
                                   default=(0, slot))
            if remaining < 2:
                return None
            o, i = 1 + 3 * owner, 1 + 3 * slot
            end = s[o + 1]
            mid = end - remaining // 2
            s[o + 1] = mid
            s[i], s[i + 1], s[i + 2] = mid + 1, end, 1
            return mid

    def close(self) -> None:
        """No more splitting (helpers still starting will find nothing to take)."""
        s = self._state
        with s.get_lock():
            s[0] = 1


class _LocalArray(list):
    """A list with a no-op lock, standing in for a shared array in a single process."""

    def __init__(self, n: int) -> None:
        super().__init__([0] * n)

    def get_lock(self):
        import contextlib

        return contextlib.nullcontext()


def _track(path: str, first: int, n_chunks: int, slot: int, claims: _Claims, estimator: PoseEstimator,
           chunk_frames: int, on_frame: Callable[[], None] | None, lines_pool=None) -> list[_Chunk]:
    """Track chunk ``first`` (already taken) and the following ones while the claims grant
    them; each starts afresh."""
    done: list[_Chunk] = []
    rows: list[np.ndarray] = []
    times: list[float] = []
    damaged: list[int] = []
    size = (0, 0)
    scene = SceneLineCollector(executor=lines_pool)
    number = first

    def flush() -> None:
        nonlocal rows, times, scene, damaged
        xyzv = np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4), dtype=np.float32)
        done.append(_Chunk(number, xyzv, np.asarray(times, dtype=np.float64), size, scene.lines, tuple(damaged)))
        rows, times, scene, damaged = [], [], SceneLineCollector(executor=lines_pool), []

    estimator.reset()
    for frame in read_frames(path, start=first * chunk_frames):
        chunk = frame.index // chunk_frames
        if chunk != number and chunk < n_chunks:  # a chunk boundary (the last chunk runs to the end)
            flush()
            number = chunk
            if not claims.take(slot, chunk):
                break
            estimator.reset()
        size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
        landmarks = estimator.process(frame.image_bgr)
        rows.append(landmarks)
        times.append(frame.time_s)
        if frame.decode_errors:
            damaged.append(frame.index)
        scene.update(frame.index, frame.image_bgr, landmarks)
        if on_frame is not None:
            on_frame()
    else:  # the end of the clip: chunks left in this range hold no frames
        flush()
        while claims.take(slot, number + 1):
            number += 1
            flush()
    return done


def _pdeathsig() -> None:
    """Ask Linux to end this process when its parent dies (no orphans after a SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no C library handle: orphans remain possible
        pass


def _helper(path: str, slot: int, n_chunks: int, state, conn, counter, settings: PoseSettings,
            chunk_frames: int, parent_pid: int) -> None:
    """A helper process: build the pose object once, then split work off until none is left,
    sending each chunk down its own pipe (a helper that dies harms no other)."""
    _pdeathsig()
    if os.getppid() != parent_pid:  # the caller died before the death signal was armed
        return
    claims = _Claims(state)

    def on_frame() -> None:
        with counter.get_lock():
            counter.value += 1

    try:
        with PoseEstimator(settings) as estimator, ThreadPoolExecutor(1, "ankle-cv-lines") as lines_pool:
            while (first := claims.split(slot)) is not None:
                for chunk in _track(path, first, n_chunks, slot, claims, estimator, chunk_frames, on_frame,
                                    lines_pool):
                    conn.send(("chunk", chunk))
    except BaseException as exc:  # noqa: BLE001 - the caller redoes this helper's unfinished chunks
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


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


class _Helpers:
    """Helper processes beside the caller, and a thread that receives their chunks as they
    come (each helper has its own pipe, so one killed mid-message harms no other)."""

    def __init__(self, n: int, path: str, n_chunks: int, settings: PoseSettings, chunk_frames: int) -> None:
        import multiprocessing as mp
        import threading

        self.ctx = mp.get_context("spawn")
        self.claims = _Claims.create(self.ctx, n + 1, n_chunks)
        self.counter = self.ctx.Value("q", 0)
        self.chunks: list[_Chunk] = []
        self.errors: list[str] = []
        self.procs, self._conns = [], []
        try:
            for k in range(1, n + 1):
                receive, send = self.ctx.Pipe(duplex=False)
                proc = self.ctx.Process(
                    target=_helper, name=f"ankle-cv-pose-{k}", daemon=True,
                    args=(path, k, n_chunks, self.claims._state, send, self.counter, settings, chunk_frames,
                          os.getpid()))
                proc.start()
                send.close()  # the helper holds the only sending end: its death closes the pipe
                self.procs.append(proc)
                self._conns.append(receive)
        except BaseException:
            self.stop()
            raise
        self._receiver = threading.Thread(target=self._receive, name="ankle-cv-pose-results", daemon=True)
        self._receiver.start()

    def _receive(self) -> None:
        from multiprocessing.connection import wait

        open_conns = list(self._conns)
        while open_conns:
            for conn in wait(open_conns):
                try:
                    kind, value = conn.recv()
                except (EOFError, OSError):  # the helper finished, or died
                    open_conns.remove(conn)
                    continue
                (self.chunks if kind == "chunk" else self.errors).append(value)

    def collect(self, progress: Callable[[], None] | None = None) -> list[_Chunk]:
        """Close the claims and wait until every helper has finished or died; the chunks they
        sent (a dead helper's unfinished ones are missing, and the caller redoes them)."""
        self.claims.close()
        while self._receiver.is_alive():
            self._receiver.join(timeout=0.2)
            if progress is not None:
                progress()
        return self.chunks

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout=5)
        for conn in self._conns:
            conn.close()


def estimate_pose(
    path: str,
    *,
    settings: PoseSettings = PoseSettings(),
    video_sha256: str = "",
    workers: int | None = None,
    chunk_frames: int = CHUNK_FRAMES,
    progress: Callable[[int, int], None] | None = None,
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
    n_procs = max_workers(info.n_frames_declared, workers or cores(), chunk_frames)
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

    chunks: list[_Chunk] = []
    try:
        if n_procs > 1 and _can_have_children():
            helpers = _Helpers(n_procs - 1, str(path), n_chunks, settings, chunk_frames)
        claims = helpers.claims if helpers else _Claims.create(None, 1, n_chunks)
        with PoseEstimator(settings) as estimator, ThreadPoolExecutor(1, "ankle-cv-lines") as lines_pool:
            first = 0 if claims.take(0, 0) else None
            while first is not None:
                chunks += _track(str(path), first, n_chunks, 0, claims, estimator, chunk_frames, on_frame,
                                 lines_pool)
                first = claims.split(0)
            if helpers:
                chunks += helpers.collect(report)
            missing = sorted(set(range(n_chunks)) - {c.number for c in chunks})
            for number in missing:  # a helper died: its chunks are redone here
                redo = _Claims.create(None, 1, number + 1, first=number + 1)
                chunks += _track(str(path), number, n_chunks, 0, redo, estimator, chunk_frames, on_frame)
    finally:
        if helpers:
            helpers.stop()
    return _assemble(path, info, sorted(chunks, key=lambda c: c.number), settings, video_sha256, chunk_frames,
                     n_procs=n_procs if helpers else 1, helper_errors=helpers.errors if helpers else [])


def _assemble(path, info, chunks: list[_Chunk], settings: PoseSettings, video_sha256: str, chunk_frames: int, *,
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
    )
