"""Landmark cache: pose estimation runs once per video, model, version and pose settings.

A cached series is reused only if its recorded provenance (video sha256, model sha256,
ankle-cv version, pose settings) equals what a fresh run would record; anything else is
stale and recomputed. Re-analysing with other core settings (thresholds, roll, leg) reuses
the landmarks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..series import LandmarkSeries
from .estimator import PoseSettings
from .models import sha256_file
from .runner import estimate_pose, pose_meta

_KEYS = ("video_sha256", "model_sha256", "ankle_cv_version", "pose_settings", "scene_lines", "camera_motion",
         "chunk_frames", "decode_check")


def default_cache_dir() -> Path:
    """``$ANKLE_CV_CACHE_DIR``, else ``$XDG_CACHE_HOME/ankle-cv``, else ``~/.cache/ankle-cv``."""
    if os.environ.get("ANKLE_CV_CACHE_DIR"):
        return Path(os.environ["ANKLE_CV_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ankle-cv"


def cache_path(cache_dir: Path, meta: dict) -> Path:
    """File for a provenance record: video hash plus a hash of everything else."""
    rest = {k: meta[k] for k in _KEYS if k != "video_sha256"}
    digest = hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{meta['video_sha256'][:24]}-{digest}.npz"


def _readable_file(path: Path) -> bool:
    """Whether ``path`` is a file this process may read; a cache it cannot reach is no cache."""
    try:
        return path.is_file() and os.access(path, os.R_OK)
    except OSError:
        return False


def _load_fresh(path: Path, meta: dict) -> LandmarkSeries | None:
    try:
        series = LandmarkSeries.load(path)
    except Exception:  # noqa: BLE001 - a damaged cache file of any kind only costs a recomputation
        return None
    if any(series.meta.get(k) != meta[k] for k in _KEYS):
        return None
    return series


def landmarks_for(
    video: str,
    *,
    settings: PoseSettings = PoseSettings(),
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    estimator=None,
    video_sha256: str | None = None,
) -> tuple[LandmarkSeries, bool]:
    """Landmarks of a video, from the cache when fresh, else from MediaPipe (then cached).

    Parameters
    ----------
    cache_dir : Path, optional
        ``None`` disables the cache.
    workers : int, optional
        Pose worker processes (see :func:`ankle_cv.pose.estimate_pose`).
    estimator : PoseEstimator, optional
        A MediaPipe instance to reuse (see :func:`ankle_cv.pose.estimate_pose`).
    video_sha256 : str, optional
        The video's sha256 when the caller has it already.

    Returns
    -------
    series : LandmarkSeries
    from_cache : bool
    """
    video_sha = video_sha256 or sha256_file(video)
    meta = pose_meta(settings, video_sha)
    path = cache_path(cache_dir, meta) if cache_dir is not None else None
    if path is not None and _readable_file(path):
        series = _load_fresh(path, meta)
        if series is not None:  # the same content may have been cached under another name
            return dataclasses.replace(series, source=os.path.basename(video)), True
    series = estimate_pose(video, settings=settings, video_sha256=video_sha, workers=workers, progress=progress,
                           estimator=estimator)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            series.save(path)
        except OSError:
            pass  # a read-only cache must not stop an analysis; it only costs time
    return series, False
