"""How a clip's chunks are tracked and shared out among pose processes.

A chunk is :data:`ankle_cv.pose.runner.CHUNK_FRAMES` frames that start with a fresh person
detection. :func:`track` follows consecutive chunks in one process; :class:`Claims` says who
tracks which (per process a range of chunks not yet started, in shared memory, split by
whoever is free); :class:`Helpers` starts helper processes (:func:`helper`) and receives the
chunks they send, each down its own pipe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..io.source import read_frames
from ..landmarks import N_LANDMARKS
from ..vision.motion import CameraMotionCollector
from ..vision.scene import SceneLineCollector
from .estimator import PoseEstimator, PoseSettings


@dataclasses.dataclass(frozen=True, eq=False)
class Chunk:
    """Landmarks of one chunk: rows (N, 33, 4), times (N,), frame size, scene lines (K, 5),
    the frames FFmpeg reported damage in, and the camera's step into each frame (N, 2)."""

    number: int
    xyzv: np.ndarray
    time_s: np.ndarray
    size_px: tuple[int, int]
    lines: np.ndarray
    damaged: tuple[int, ...] = ()
    camera_step_px: np.ndarray | None = None


class Claims:
    """Which process tracks which chunks: per process slot a range [next, end) of chunks not
    yet started, and how many ranges it has taken, in shared memory (slot 0 is the caller).

    A process takes chunk ``next`` of its range before tracking it; a process with nothing
    left (or a helper that has just started) splits the largest range still open and takes
    its upper half, so work moves to whoever is free without a coordinator.
    """

    def __init__(self, state) -> None:
        self._state = state  # [closed, then (next chunk, end chunk, spare) per slot]

    @classmethod
    def create(cls, ctx, n_slots: int, n_chunks: int, *, first: int = 0) -> Claims:
        state = ctx.Array("q", 1 + 3 * n_slots) if ctx is not None else LocalArray(1 + 3 * n_slots)
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


class LocalArray(list):
    """A list with a no-op lock, standing in for a shared array in a single process."""

    def __init__(self, n: int) -> None:
        super().__init__([0] * n)

    def get_lock(self):
        import contextlib

        return contextlib.nullcontext()


def track(path: str, first: int, n_chunks: int, slot: int, claims: Claims, estimator: PoseEstimator,
           chunk_frames: int, on_frame: Callable[[], None] | None, lines_pool=None) -> list[Chunk]:
    """Track chunk ``first`` (already taken) and the following ones while the claims grant
    them; each starts afresh."""
    done: list[Chunk] = []
    rows: list[np.ndarray] = []
    times: list[float] = []
    damaged: list[int] = []
    size = (0, 0)
    scene = SceneLineCollector(executor=lines_pool)
    motion = CameraMotionCollector(executor=lines_pool)
    number = first

    def flush() -> None:
        nonlocal rows, times, scene, damaged, motion
        xyzv = np.stack(rows) if rows else np.zeros((0, N_LANDMARKS, 4), dtype=np.float32)
        done.append(Chunk(number, xyzv, np.asarray(times, dtype=np.float64), size, scene.lines, tuple(damaged),
                          motion.steps_px))
        rows, times, scene, damaged = [], [], SceneLineCollector(executor=lines_pool), []
        motion = CameraMotionCollector(executor=lines_pool)

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
        motion.update(frame.image_bgr, landmarks)
        if on_frame is not None:
            on_frame()
    else:  # the end of the clip: chunks left in this range hold no frames
        flush()
        while claims.take(slot, number + 1):
            number += 1
            flush()
    return done


def pdeathsig() -> None:
    """Ask Linux to end this process when its parent dies (no orphans after a SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # no C library handle: orphans remain possible
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def helper(path: str, slot: int, n_chunks: int, state, conn, counter, settings: PoseSettings,
            chunk_frames: int, parent_pid: int) -> None:
    """A helper process: build the pose object once, then split work off until none is left,
    sending each chunk down its own pipe (a helper that dies harms no other)."""
    pdeathsig()
    if os.getppid() != parent_pid:  # the caller died before the death signal was armed
        return
    claims = Claims(state)

    def on_frame() -> None:
        with counter.get_lock():
            counter.value += 1

    try:
        with PoseEstimator(settings) as estimator, ThreadPoolExecutor(1, "ankle-cv-lines") as lines_pool:
            while (first := claims.split(slot)) is not None:
                for chunk in track(path, first, n_chunks, slot, claims, estimator, chunk_frames, on_frame,
                                    lines_pool):
                    conn.send(("chunk", chunk))
    except BaseException as exc:  # noqa: BLE001 - the caller redoes this helper's unfinished chunks
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class Helpers:
    """Helper processes beside the caller, and a thread that receives their chunks as they
    come (each helper has its own pipe, so one killed mid-message harms no other)."""

    def __init__(self, n: int, path: str, n_chunks: int, settings: PoseSettings, chunk_frames: int) -> None:
        import multiprocessing as mp
        import threading

        self.ctx = mp.get_context("spawn")
        self.claims = Claims.create(self.ctx, n + 1, n_chunks)
        self.counter = self.ctx.Value("q", 0)
        self.chunks: list[Chunk] = []
        self.errors: list[str] = []
        self.procs, self._conns = [], []
        try:
            for k in range(1, n + 1):
                receive, send = self.ctx.Pipe(duplex=False)
                proc = self.ctx.Process(
                    target=helper, name=f"ankle-cv-pose-{k}", daemon=True,
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

    def collect(self, progress: Callable[[], None] | None = None) -> list[Chunk]:
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
