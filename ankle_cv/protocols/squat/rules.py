"""When a squat recording supports its numbers: the quality warnings (each documented on
:class:`ankle_cv.vocab.WarningCode`)."""

from __future__ import annotations

from ...core import quality
from ...series import LandmarkSeries
from ...vocab import HeelSource, View, WarningCode
from ..base import QualityWarning
from .kinematics import MIN_TRACK_FOOT_PX, SquatHeel, SquatKinematics
from .results import NotRep, Rep
from .settings import SquatSettings


def quality_warnings(series: LandmarkSeries, kin: SquatKinematics, heel: SquatHeel | None, settings: SquatSettings, *,
                     reps: list[Rep], not_counted: list[NotRep], detection: float) -> list[QualityWarning]:
    """Everything about the recording that limits what its numbers mean."""
    warns: list[QualityWarning] = []

    def warn(code: WarningCode, message: str, setting: str | None = None) -> None:
        warns.append(QualityWarning(code, message, setting))

    if detection < 0.8:
        warn(WarningCode.LOW_DETECTION, f"a person was found in only {100 * detection:.0f}% of frames")
    if not reps:
        warn(WarningCode.NO_REPS, "no complete squat rep was found: a rep starts standing, goes down at least "
             f"{settings.rep_depth_leg:g} leg lengths and comes back up, with the feet planted")
    if not_counted:
        listed = "; ".join(f"{n.start_s:.1f}–{n.end_s:.1f} s: {n.reason}" for n in not_counted)
        warn(WarningCode.REPS_NOT_COUNTED, f"{len(not_counted)} dip(s) of the hips not counted as reps ({listed})")
    views = {r.view for r in reps}
    oblique = [r.number for r in reps if r.view in (View.OBLIQUE, View.UNKNOWN)]
    if oblique:
        warn(WarningCode.OBLIQUE_VIEW, f"rep(s) {', '.join(map(str, oblique))} were filmed at an angle (neither "
             "square to the front nor to the side): valgus, turn-out, knee flexion and heel lift were not measured "
             "there; film from the front or the side", "view")
    if len(views) > 1:
        warn(WarningCode.VIEW_CHANGED, "the reps were filmed from different views ("
             + ", ".join(f"rep {r.number} {r.view.value}" for r in reps) + "): each reports what its view supports")
    if settings.view is not None:
        other = [f"rep {r.number} looks {quality.view_of(r.body_width_ratio).value} (body width "
                 f"{r.body_width_ratio:.2f} x torso length)" for r in reps
                 if r.body_width_ratio is not None and quality.view_of(r.body_width_ratio) != settings.view]
        if other:
            warn(WarningCode.VIEW_OVERRIDDEN, f"the view was given as {settings.view.value}, but {'; '.join(other)}: "
                 "the measures of those reps may be meaningless", "view")
    side = [r for r in reps if r.view == View.SIDE]
    if side and heel is not None and heel.source == HeelSource.LANDMARKS:
        warn(WarningCode.HEEL_FROM_LANDMARKS, "heel lifts judged from MediaPipe landmarks only (no video to track "
             "the heel in): they drift as the knee bends")
    if side and heel is None:
        small = float(max(kin.foot_length_px[0], kin.foot_length_px[1]))
        warn(WarningCode.SMALL_IN_FRAME, f"the foot is only {small:.0f} px long in the picture (under "
             f"{MIN_TRACK_FOOT_PX:.0f}): the heel was not tracked; film closer or at a higher resolution")
    damaged = series.meta.get("damaged_frames") or []
    if damaged:
        hit = [r.number for r in reps if any(r.start_frame <= f <= r.end_frame for f in damaged)]
        where = f", in rep(s) {', '.join(map(str, hit))}" if hit else ""
        warn(WarningCode.DAMAGED_FRAMES, f"the decoder reported corrupt data in {len(damaged)} frame(s){where}: "
             "landmarks there may be wrong")
    return warns
