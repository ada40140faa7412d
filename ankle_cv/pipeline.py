"""One clip from file to result: landmarks (cached), core, heel tracked in the image, result.

The CLI (and anything else that scores videos) calls :func:`analyze_video`; the stages it
wires are independent and testable on their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from .cache import landmarks_for
from .core.kneewall import heel_anchors
from .heel_track import track_heel_rise
from .pose import PoseSettings
from .protocols.knee_to_wall import (
    KneeToWallResult, KneeToWallSettings, analyze_knee_to_wall, check_view, kinematics_for,
)
from .series import LandmarkSeries
from .source import probe


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """A scored clip: its landmarks, whether they came from the cache, and the result."""

    series: LandmarkSeries
    from_cache: bool
    result: KneeToWallResult


def score_series(series: LandmarkSeries, settings: KneeToWallSettings, *, video: str | None) -> KneeToWallResult:
    """Score landmarks; with the ``video`` at hand the heel is tracked in its pixels."""
    heel_rise = None
    if video is not None:  # the heel is measured in the image: unknown where it cannot be followed
        first = kinematics_for(series, settings)
        check_view(series, first, settings)  # refuse a front view before decoding the clip again
        heel_rise, _ = track_heel_rise(video, heel_anchors(first), n_frames=series.n_frames)
    return analyze_knee_to_wall(series, settings, heel_rise_foot=heel_rise)


def analyze_video(
    video: str | Path,
    settings: KneeToWallSettings = KneeToWallSettings(),
    *,
    pose_settings: PoseSettings = PoseSettings(),
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Analysis:
    """Score a knee-to-wall video end to end (see the README for every stage)."""
    video = str(video)
    probe(video)  # fail fast, before hashing a file that is not a video
    series, from_cache = landmarks_for(video, settings=pose_settings, cache_dir=cache_dir, workers=workers,
                                       progress=progress)
    return Analysis(series=series, from_cache=from_cache, result=score_series(series, settings, video=video))
