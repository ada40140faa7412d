"""Worker processes for a batch: each builds MediaPipe once (on its first video that needs
pose) and scores videos one after another. A worker that dies or overruns the per-video
timeout is killed and replaced, and its video gets a failed record; the batch goes on.
Workers end with the parent (Linux death signal), so an interrupted batch leaves no orphans.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable
from multiprocessing.connection import wait

from .jobs import Job, failed_record, run_job


class _LazyEstimator:
    """A PoseEstimator built on first use, so a worker that only finds finished videos never
    loads MediaPipe."""

    def __init__(self) -> None:
        self._real = None

    def __getattr__(self, name):
        if self._real is None:
            from ..pose import PoseEstimator, PoseSettings

            self._real = PoseEstimator(PoseSettings())
        return getattr(self._real, name)


def _worker(conn, parent_pid: int) -> None:
    import signal

    from ..pose.chunks import pdeathsig

    pdeathsig()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if os.getppid() != parent_pid:
        return
    estimator = _LazyEstimator()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        _injected_fault(job)
        conn.send(run_job(job, estimator))


def _injected_fault(job: Job) -> None:
    """Test hook: ``ANKLE_CV_BATCH_FAULT=crash:NAME`` or ``hang:NAME`` makes the worker die or
    hang on a video whose file name contains NAME (the fault suite's crash and timeout cases)."""
    fault = os.environ.get("ANKLE_CV_BATCH_FAULT", "")
    kind, _, name = fault.partition(":")
    if name and name in os.path.basename(job.video):
        if kind == "crash":
            os._exit(3)
        if kind == "hang":
            time.sleep(3600)


class _Slot:
    def __init__(self, ctx) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, os.getpid()), daemon=True, name="ankle-cv-batch")
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def run_pool(jobs: Iterable[Job], *, workers: int, timeout_s: float, on_record: Callable[[dict], None]) -> None:
    """Run ``jobs`` on ``workers`` processes, calling ``on_record`` with each video's record
    as it finishes. KeyboardInterrupt (and any error) kills the workers before it propagates."""
    ctx = mp.get_context("spawn")
    pending = collections.deque(jobs)
    slots = [_Slot(ctx) for _ in range(max(1, min(workers, len(pending))))]
    lost_idle = 0  # workers found dead before they took a job
    try:
        while pending or any(s.job for s in slots):
            for i, slot in enumerate(slots):
                if slot.job is None and pending:
                    slot.job, slot.started = pending.popleft(), time.monotonic()
                    try:
                        slot.conn.send(slot.job)
                    except OSError:  # died while idle (e.g. the OOM killer): the job goes back
                        pending.appendleft(slot.job)
                        slot.kill()
                        lost_idle += 1
                        if lost_idle > 3 * len(slots):
                            raise RuntimeError("batch workers keep dying before they start a video") from None
                        slots[i] = _Slot(ctx)
            busy = [s for s in slots if s.job is not None]
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=0.5)
            for i, slot in enumerate(slots):
                if slot.job is None:
                    continue
                if slot.conn in ready:
                    try:
                        record = slot.conn.recv()
                    except (EOFError, OSError):
                        record = None
                    if record is not None:
                        slot.job = None
                        on_record(record)
                        continue
                overran = time.monotonic() - slot.started > timeout_s
                if slot.process.sentinel in ready or not slot.process.is_alive() or overran:
                    job, code = slot.job, slot.process.exitcode
                    slot.kill()
                    reason = (f"timed out after {timeout_s:g} s (the worker was stopped and replaced)" if overran
                              else f"the worker process died (exit code {code}) and was replaced")
                    on_record(failed_record(job, os.path.basename(job.out_dir), reason) | {"resumed": False})
                    slots[i] = _Slot(ctx)
        for slot in slots:
            with contextlib.suppress(OSError):  # a worker that already died needs no goodbye
                slot.conn.send(None)
        for slot in slots:
            slot.process.join(10)
    finally:
        for slot in slots:
            slot.kill()
