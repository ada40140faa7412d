"""The squat: composition of kinematics, heel tracking, per-rep scoring and rules into a
:class:`SquatResult`."""

from __future__ import annotations

import numpy as np

from ...core import quality
from ...series import LandmarkSeries
from ...vocab import View
from ..base import ClipFacts, FrameReader, Protocol, require_person
from . import present, scoring
from .kinematics import SquatKinematics, heel_anchor, squat_heel, squat_kinematics
from .results import SquatCamera, SquatFlag, SquatResult
from .rules import quality_warnings
from .settings import SquatSettings


def _clip_facts(series: LandmarkSeries) -> ClipFacts:
    return ClipFacts(source=series.source, n_frames=series.n_frames, duration_s=scoring.rounded(series.duration_s, 3),
                     fps=scoring.rounded(series.fps, 3), frame_size_px=series.frame_size_px,
                     detection_rate=scoring.rounded(quality.detection_rate(series.xyzv), 3))


def _side_heel(kin: SquatKinematics, settings: SquatSettings, frames: FrameReader | None,
               heel_rise_foot: np.ndarray | None):
    """Heel lifts of the near foot over the side-view reps (None when there are none, or the
    foot is too small to track)."""
    side = [row for row in kin.reps if scoring.rep_view(kin, row[0], row[2], settings)[0] == View.SIDE]
    if not side:
        return None
    if heel_rise_foot is None and frames is not None:
        from ...vision.heel import track_heel_rise  # OpenCV: only with a video

        span = np.arange(max(0, side[0][0] - int(round(1.0 / kin.dt_s))), side[-1][2] + 1)
        anchor = heel_anchor(kin, span)
        if anchor is None:
            return None
        heel_rise_foot, _ = track_heel_rise(frames, [anchor], n_frames=kin.time_s.size)
        foot_px = anchor.foot_px
    else:
        near = int(np.bincount(kin.near, minlength=2).argmax())
        foot_px = kin.foot_length_px[near]
    return squat_heel(kin, settings, heel_rise_foot=heel_rise_foot, foot_px=foot_px)


def analyze_squat(series: LandmarkSeries, settings: SquatSettings = SquatSettings(), *,
                  frames: FrameReader | None = None, heel_rise_foot: np.ndarray | None = None) -> SquatResult:
    """Score a squat clip: reps, and per rep what its view supports.

    With ``frames`` the near heel is tracked in the image in side-view reps;
    ``heel_rise_foot`` (T,) gives that measurement directly; without either the heel comes
    from the landmarks (and the result says so).

    Raises
    ------
    NoPersonError
        No person (or too few frames with one).
    """
    require_person(series)
    kin = squat_kinematics(series.xyzv, series.time_s, settings, lines=series.lines[:, 1:],
                           camera_shift_px=series.camera_shift_px)
    heel = _side_heel(kin, settings, frames, heel_rise_foot)
    reps = [scoring.score_rep(kin, heel, row, i + 1, settings) for i, row in enumerate(kin.reps)]
    dropped = scoring.not_counted(kin)
    legs = [scoring.leg_summary(reps, leg) for leg in ("left", "right")]
    asym = scoring.asymmetry(reps, settings)
    views = tuple(r.view for r in reps)
    ratio = quality.body_width_ratio(series.xyzv, roll_deg=kin.roll.roll_deg)
    if settings.view is not None:
        view = settings.view
    elif len(set(views)) == 1:
        view = views[0]
    else:
        view = quality.view_of(ratio) if not views else View.MIXED
    camera = SquatCamera(view=view, rep_views=views, body_width_ratio=scoring.rounded(ratio, 2),
                         roll_deg=scoring.rounded(kin.roll.roll_deg), roll_source=kin.roll.source,
                         scene_roll_deg=scoring.rounded(kin.roll.scene_roll_deg))
    warns = quality_warnings(series, kin, heel, settings, reps=reps, not_counted=dropped,
                             detection=quality.detection_rate(series.xyzv))
    depth = [r.hip_drop_leg for r in reps if r.hip_drop_leg is not None]
    knee = [r.knee_flexion_deg for r in reps if r.knee_flexion_deg is not None]
    return SquatResult(
        clip=_clip_facts(series), camera=camera, reps=tuple(reps), not_counted=tuple(dropped),
        depth_median_leg=scoring.rounded(np.median(depth), 2) if depth else None,
        knee_flexion_median_deg=scoring.rounded(np.median(knee)) if knee else None,
        legs=tuple(legs), asymmetry=asym, flags=tuple(scoring.flags(reps, legs, asym, settings)),
        warnings=tuple(warns), settings=settings, kinematics=kin, heel=heel,
    )


class Squat(Protocol):
    """Bodyweight squat, filmed from the front (valgus, turn-out) or the side (depth, heel lift)."""

    name = "squat"
    schema = "ankle-cv/squat-report"
    schema_version = 1
    settings_type = SquatSettings
    classifications = SquatFlag

    def analyze(self, series: LandmarkSeries, settings: SquatSettings, *,
                frames: FrameReader | None = None) -> SquatResult:
        return analyze_squat(series, settings, frames=frames)

    def has_result(self, result: SquatResult) -> bool:
        return bool(result.reps)

    def report_body(self, result: SquatResult) -> dict:
        return present.report_body(result)

    def frame_table(self, result: SquatResult):
        return present.frame_table(result)

    def summary_lines(self, result: SquatResult, *, hint=None) -> list[str]:
        return present.summary_lines(result, hint=hint)

    def track(self, result: SquatResult):
        from .track import track

        return track(result)

    def plot(self, result: SquatResult, path) -> None:
        from ...visual.plots import plot_squat

        plot_squat(result, path)
