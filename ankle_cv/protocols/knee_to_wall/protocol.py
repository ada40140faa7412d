"""The knee-to-wall (weight-bearing lunge) test: composition of kinematics, heel tracking,
scoring and rules into a :class:`KneeToWallResult`."""

from __future__ import annotations

import numpy as np

from ...core import quality
from ...series import LandmarkSeries
from ...vocab import Classification, WarningCode
from ..base import ClipFacts, FrameReader, Protocol, QualityWarning, require_person
from . import present
from .kinematics import HeelEvents, LegKinematics, heel_anchors, heel_events, leg_kinematics
from .peaks import measure_at_peaks
from .posture import trial_postures
from .results import Camera, KneeToWallResult
from .rules import blocking_reasons, check_view, facing_of, quality_warnings
from .scoring import leg_result, lifts_of, round_or_none, trials_of
from .settings import KneeToWallSettings
from .toe_wall import best_distance, measure_toe_to_wall, no_video_distance


def kinematics_for(series: LandmarkSeries, settings: KneeToWallSettings) -> LegKinematics:
    """The heel-independent kinematics of a series with the protocol's settings."""
    return leg_kinematics(series.xyzv, series.time_s, settings, lines=series.lines[:, 1:],
                          camera_shift_px=series.camera_shift_px, frame_size_px=series.frame_size_px)


def clip_facts(series: LandmarkSeries) -> ClipFacts:
    return ClipFacts(
        source=series.source, n_frames=series.n_frames, duration_s=round_or_none(series.duration_s, 3),
        fps=round_or_none(series.fps, 3), frame_size_px=series.frame_size_px,
        detection_rate=round_or_none(quality.detection_rate(series.xyzv), 3),
    )


def analyze_knee_to_wall(series: LandmarkSeries, settings: KneeToWallSettings = KneeToWallSettings(), *,
                         frames: FrameReader | None = None,
                         heel_rise_foot: np.ndarray | None = None) -> KneeToWallResult:
    """Score a knee-to-wall clip.

    With ``frames`` (the clip's frames) the heel is tracked in the image; ``heel_rise_foot``
    (T,) gives that measurement directly. Without either, the heel height comes from the
    landmarks and the result warns that heel lifts may be false at steep shank angles.

    Raises
    ------
    NoPersonError
        No person in any frame.
    ViewError
        The camera faces the person (front view) and ``settings.allow_any_view`` is off.
    """
    require_person(series)
    kin = kinematics_for(series, settings)
    view, ratio = check_view(series, kin, settings)  # refuse a front view before decoding the clip again
    if heel_rise_foot is None and frames is not None:
        from ...vision.heel import track_heel_rise  # OpenCV: only with a video

        heel_rise_foot, _ = track_heel_rise(frames, heel_anchors(kin), n_frames=series.n_frames)
    heel = heel_events(kin, settings, heel_rise_foot=heel_rise_foot)
    return _score(series, kin, heel, settings, view=view, ratio=ratio, frames=frames)


def _score(series: LandmarkSeries, kin: LegKinematics, heel: HeelEvents, settings: KneeToWallSettings, *,
           view, ratio: float, frames: FrameReader | None = None) -> KneeToWallResult:
    clip = clip_facts(series)
    postures = trial_postures(series.xyzv, kin, max_foot_speed=settings.max_foot_speed)
    trials = trials_of(kin, heel, settings.min_prominence_deg, postures=postures)
    live_crops = getattr(frames, "memo", None) is frames  # live capture keeps only the feet (ankle_cv.live.heel)
    if frames is not None and not live_crops and getattr(frames, "video", True) is not None:  # a memo, no video
        trials, distance = measure_at_peaks(frames, kin, trials, settings, frame_size_px=series.frame_size_px,
                                            shift_px=series.camera_shift_px)
    elif live_crops:
        trials, distance = measure_toe_to_wall(frames, kin, trials, settings, frame_size_px=series.frame_size_px)
    else:
        distance = no_video_distance(trials)
    lifts = lifts_of(kin, heel, trials, settings.foot_length_cm)
    warns = quality_warnings(series, kin, heel, settings, trials=trials, view=view, ratio=ratio,
                             detection=quality.detection_rate(series.xyzv))
    clip_blocks = blocking_reasons({w.code for w in warns})
    legs = [
        best_distance(leg_result(leg, trials, lifts, settings.references, clip_blocks))
        for leg in sorted({leg for leg, _ in trials})
    ]
    bests = {r.leg: r.best_deg for r in legs if r.best_deg is not None}
    asym = round_or_none(bests["left"] - bests["right"]) if len(bests) == 2 else None
    if asym is not None and any(r.classification == Classification.NOT_INTERPRETABLE for r in legs):
        asym = None
        warns.append(QualityWarning(WarningCode.ASYMMETRY_WITHHELD, "both legs were tested, but at least one result "
                                    "is not interpretable (see the legs): no left-right comparison"))
    roll = kin.roll
    camera = Camera(
        view=view, body_width_ratio=round_or_none(ratio, 3), facing=facing_of(kin),
        roll_deg=round_or_none(roll.roll_deg), roll_sd_deg=round_or_none(roll.roll_sd_deg, 2),
        roll_source=roll.source, scene_roll_deg=round_or_none(roll.scene_roll_deg),
        sole_roll_deg=round_or_none(roll.sole_roll_deg), pitch_deg=round_or_none(roll.pitch_deg + 0.0),
        verticals=roll.verticals,
    )
    return KneeToWallResult(clip=clip, camera=camera, legs=tuple(legs), asymmetry_deg=asym, warnings=tuple(warns),
                            settings=settings, kinematics=kin, heel=heel, distance=distance)


class KneeToWall(Protocol):
    """The knee-to-wall (weight-bearing lunge) test, filmed side-on."""

    name = "knee-to-wall"
    schema = "ankle-cv/knee-to-wall-report"
    schema_version = 1
    settings_type = KneeToWallSettings
    classifications = Classification

    def analyze(self, series: LandmarkSeries, settings: KneeToWallSettings, *,
                frames: FrameReader | None = None) -> KneeToWallResult:
        return analyze_knee_to_wall(series, settings, frames=frames)

    def has_result(self, result: KneeToWallResult) -> bool:
        return any(leg.best_deg is not None for leg in result.legs)

    def report_body(self, result: KneeToWallResult) -> dict:
        return present.report_body(result)

    def frame_table(self, result: KneeToWallResult):
        return present.frame_table(result)

    def summary_lines(self, result: KneeToWallResult, *, hint=None) -> list[str]:
        return present.summary_lines(result, hint=hint)

    def track(self, result: KneeToWallResult):
        from .track import track

        return track(result)

    def plot(self, result: KneeToWallResult, path) -> None:
        from ...visual.plots import plot_knee_to_wall

        plot_knee_to_wall(result, path)
