"""The same batch on an existing Dask distributed cluster (``--scheduler tcp://HOST:PORT``).

Each Dask worker process keeps one MediaPipe instance per thread for all the videos it
scores (:func:`score`), exactly as a local worker does; the records are the same, so the
summary is identical to a local run. The videos, the output folder and the cache must be at
the same paths on every worker (a shared file system). Needs ``pip install
'ankle-cv[distributed]'``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

from ..errors import AnkleCVError
from .jobs import Job, failed_record, run_job

_local = threading.local()
_malloc_tuned = False

#: glibc mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _restore_malloc_reuse() -> None:
    """Let this process reuse freed memory for video frames again. Dask's nanny starts
    workers with MALLOC_TRIM_THRESHOLD_=65536, which also stops glibc from raising its mmap
    threshold: every decoded frame (megabytes) is then mapped, zeroed and unmapped, and
    scoring ran 1.3-1.6x slower than in a local worker (measured on the bundled clips).
    Setting the thresholds above a frame's size restores the heap reuse (glibc only)."""
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to undo
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 128 << 20)


def score(job: Job) -> dict:
    """Score one video on a Dask worker, reusing this thread's MediaPipe instance."""
    from .pool import _LazyEstimator

    _restore_malloc_reuse()
    if not hasattr(_local, "estimator"):
        _local.estimator = _LazyEstimator()
    return run_job(job, _local.estimator)


def connect(scheduler: str):
    """A Dask client of the scheduler, or a one-line error (before any video is touched)."""
    try:
        from distributed import Client
    except ImportError:
        raise AnkleCVError("--scheduler needs Dask distributed: pip install 'ankle-cv[distributed]'") from None
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise AnkleCVError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def run_dask(jobs: list[Job], *, client, on_record: Callable[[dict], None]) -> None:
    """Submit every job to the cluster and hand each record to ``on_record`` as it completes;
    a video whose worker died (Dask gives up on it) gets a failed record. Tasks of an
    interrupted batch that already run on the cluster finish there (their outputs are
    atomic); the rest are cancelled."""
    import uuid

    from distributed import as_completed

    run = uuid.uuid4().hex[:8]  # two batches over the same videos must not share task keys
    with client:
        futures = {client.submit(score, job, pure=False,
                                 key=f"ankle-cv-{run}-{i}-{os.path.basename(job.out_dir)}"): job
                   for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            job = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its video, not the batch
                record = failed_record(job, os.path.basename(job.out_dir),
                                       f"the Dask worker failed ({type(exc).__name__}: {exc})") | {"resumed": False}
            on_record(record)
