"""Knee-to-wall (weight-bearing lunge) protocol: LandmarkSeries -> KneeToWallResult.

Pure: no files, no printing. The numbers come from :mod:`ankle_cv.core`; this module picks
the tested leg's trials, applies the heel-down rule, judges quality and attaches the
reference values.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ..core import knee_to_wall_kinematics, quality
from ..core.kneewall import MIN_TRACK_FOOT_PX, KneeToWallKinematics, gather_legs
from ..core.legs import pick, swap_legs
from ..errors import NoPersonError, ViewError
from ..landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ..series import LandmarkSeries
from .references import References

#: A trial in which MediaPipe had the tested leg in fewer of its frames is not trusted.
MIN_TRACKED_SHARE = 0.8
#: Body width / torso length above which the camera is taken to face the person.
FRONT_VIEW_RATIO = 0.42
#: ... and above which the view is oblique enough to warn.
OBLIQUE_VIEW_RATIO = 0.25


@dataclasses.dataclass(frozen=True)
class KneeToWallSettings:
    """Analysis options (defaults are the documented ones; see the README)."""

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    roll_source: str = "auto"
    roll_deg: float | None = None
    leg: str | None = None
    heel_on_foot: float = 0.035
    heel_off_foot: float = 0.0175
    heel_min_duration_s: float = 0.15
    min_prominence_deg: float = 5.0
    min_spacing_s: float = 1.0
    foot_length_cm: float | None = None
    allow_any_view: bool = False
    references: References = References()

    def core_kwargs(self) -> dict:
        names = ("min_visibility", "max_gap_s", "cutoff_hz", "roll_source", "roll_deg", "leg", "heel_on_foot",
                 "heel_off_foot", "heel_min_duration_s", "min_prominence_deg", "min_spacing_s")
        return {n: getattr(self, n) for n in names}


@dataclasses.dataclass(frozen=True)
class HeelLift:
    """One heel lift of the tested leg. Frames are inclusive; heights in foot lengths."""

    leg: str
    trial: int | None
    start_frame: int
    end_frame: int
    peak_frame: int
    start_s: float
    end_s: float
    peak_s: float
    peak_height_foot: float
    peak_height_cm: float | None


@dataclasses.dataclass(frozen=True)
class Trial:
    """One knee drive. ``peak_deg`` is the largest tibia angle with the heel down, before any
    lift in the trial (None if the heel was never down); ``peak_any_deg`` ignores the heel.
    ``heel_checked`` is whether the heel's height was known in at least 80% of the frames up
    to the peak (where it was not, the heel could not be seen or tracked). ``tracked_share``
    is the share of the trial's frames in which MediaPipe had the leg (angle known, ankle
    where the foot was planted); only those frames count for ``peak_deg``, and a trial under
    :data:`MIN_TRACKED_SHARE` is not trusted for the best result. ``peak_deg`` is None, with
    the reason in ``note``, when the frames that count do not rise at least the drive
    threshold above the trial's starting valley (the heel lifted, or the leg was lost, before
    the drive) or leave the range a shank can take in a lunge."""

    leg: str
    number: int
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    peak_deg: float | None
    peak_frame: int | None
    peak_s: float | None
    peak_any_deg: float
    peak_any_frame: int
    peak_any_s: float
    jitter_sd_deg: float
    heel_lifted: bool
    heel_checked: bool
    tracked_share: float
    note: str | None


@dataclasses.dataclass(frozen=True)
class LegResult:
    """Result of one tested leg: the best trial with the heel down (best of the trials).

    Trials whose heel was checked are preferred; ``heel_checked`` says whether the best one's
    was. ``classification`` is one of :data:`CLASSIFICATIONS`: against the restriction
    cut-off, "borderline" within the minimal detectable change of it, "not_interpretable"
    (with the reason) when the recording does not support a verdict, "no_result" without a
    valid trial."""

    leg: str
    best_deg: float | None
    best_trial: int | None
    best_s: float | None
    restricted: bool | None
    classification: str
    classification_reason: str | None
    heel_checked: bool
    trials: tuple[Trial, ...]
    heel_lifts: tuple[HeelLift, ...]


@dataclasses.dataclass(frozen=True)
class QualityWarning:
    code: str
    message: str


@dataclasses.dataclass(frozen=True)
class KneeToWallResult:
    """Everything the knee-to-wall report states about one clip."""

    source: str
    n_frames: int
    duration_s: float
    fps: float
    frame_size_px: tuple[int, int]
    detection_rate: float
    facing: str | None
    view: str
    body_width_ratio: float
    roll_deg: float
    roll_sd_deg: float | None
    roll_source: str
    sole_roll_deg: float | None
    scene_roll_deg: float | None
    legs: tuple[LegResult, ...]
    asymmetry_deg: float | None
    warnings: tuple[QualityWarning, ...]
    settings: KneeToWallSettings
    kinematics: KneeToWallKinematics = dataclasses.field(repr=False, compare=False)

    def leg(self, name: str) -> LegResult | None:
        return next((r for r in self.legs if r.leg == name), None)


def _median_int(values: np.ndarray) -> int | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmedian(values) if values.size else np.nan
    return None if np.isnan(m) else int(round(float(m)))


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


CLASSIFICATIONS = ("restricted", "borderline", "not_restricted", "not_interpretable", "no_result")

#: Where the peak of a knee drive can lie: the knee forward of the ankle (above 0 deg) and
#: short of what a shank reaches in a weight-bearing lunge; outside, not a knee-to-wall drive.
PLAUSIBLE_TIBIA_DEG = (0.0, 70.0)


def _trials(kin: KneeToWallKinematics, min_drive_deg: float) -> list[tuple[int, Trial]]:
    t = kin.time_s
    angle = kin.front(kin.tibia_deg)
    raw = kin.front(kin.tibia_raw_deg)
    down = kin.front(kin.heel_down.astype(np.float64)) == 1.0
    known = kin.front(kin.heel_known.astype(np.float64)) == 1.0
    reliable = kin.front(kin.reliable.astype(np.float64)) == 1.0
    out, counts = [], {0: 0, 1: 0}
    for start, _, stop in kin.trials:  # a loop over trials, not frames
        leg = _median_int(kin.front_side[start:stop])
        if leg is None:
            continue
        a = angle[start:stop]
        frames = np.arange(start, stop)
        own = kin.lifts[(kin.lifts[:, 0] == leg) & (kin.lifts[:, 1] >= start) & (kin.lifts[:, 1] < stop)]
        first_lift = int(own[:, 1].min()) if len(own) else stop
        # a frame counts while the heel is down, or not known to be up, before the first lift,
        # and while MediaPipe has the leg where it was planted
        ok = reliable[start:stop] & (down[start:stop] | ~known[start:stop]) & (frames < first_lift)
        any_idx = int(np.nanargmax(a))
        counts[leg] += 1
        peak_idx = int(np.flatnonzero(ok)[np.argmax(a[ok])]) if ok.any() else None
        tracked = float(reliable[start:stop].mean())
        note = None
        if peak_idx is None:
            note = "no frame with the heel down and the leg tracked"
        elif a[peak_idx] < a[0] + min_drive_deg:  # what counts is not a drive
            note = ("the heel lifted before the knee drove" if len(own) and first_lift <= start + any_idx
                    else "MediaPipe lost the leg before the peak")
            peak_idx = None
        elif not PLAUSIBLE_TIBIA_DEG[0] <= a[peak_idx] <= PLAUSIBLE_TIBIA_DEG[1]:
            note = (f"its highest heel-down, tracked angle ({a[peak_idx]:.0f} deg) is not a knee-to-wall "
                    "drive (landmark error, or another movement)")
            peak_idx = None
        checked = peak_idx is not None and known[start:start + peak_idx + 1].mean() >= 0.8
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            jitter = float(np.nanstd(raw[start:stop] - a))
        out.append((leg, Trial(
            leg=LEGS[leg],
            number=counts[leg],
            start_frame=int(start),
            end_frame=int(stop - 1),
            start_s=_round(t[start], 3),
            end_s=_round(t[stop - 1], 3),
            peak_deg=None if peak_idx is None else _round(a[peak_idx]),
            peak_frame=None if peak_idx is None else int(start + peak_idx),
            peak_s=None if peak_idx is None else _round(t[start + peak_idx], 3),
            peak_any_deg=_round(a[any_idx]),
            peak_any_frame=int(start + any_idx),
            peak_any_s=_round(t[start + any_idx], 3),
            jitter_sd_deg=_round(jitter, 2),
            heel_lifted=bool(len(own)),
            heel_checked=bool(checked),
            tracked_share=_round(tracked, 3),
            note=note,
        )))
    return out


def _lifts(kin: KneeToWallKinematics, trials: list[tuple[int, Trial]], foot_cm: float | None) -> list[tuple[int, HeelLift]]:
    t = kin.time_s
    out = []
    for leg, lo, hi, peak in kin.lifts:
        # only lifts of the leg while it is the front (tested) leg
        if _median_int(kin.front_side[lo:hi]) != leg:
            continue
        trial = next((tr.number for lg, tr in trials if lg == leg and tr.start_frame <= lo <= tr.end_frame), None)
        h = float(kin.heel_height_foot[peak, leg])
        out.append((int(leg), HeelLift(
            leg=LEGS[leg], trial=trial,
            start_frame=int(lo), end_frame=int(hi - 1), peak_frame=int(peak),
            start_s=_round(t[lo], 3), end_s=_round(t[hi - 1], 3), peak_s=_round(t[peak], 3),
            peak_height_foot=_round(h, 3),
            peak_height_cm=None if foot_cm is None else _round(h * foot_cm, 1),
        )))
    return out


def result_facing(kin: KneeToWallKinematics, leg: int | None = None) -> str | None:
    """The direction the feet point over the clip (or while ``leg`` is the front leg):
    "right", "left" or None."""
    frames = slice(None) if leg is None else kin.front_side == leg
    facing = _median_int(kin.facing[frames])
    return None if facing is None else ("right" if facing > 0 else "left")


def tested_far(kin: KneeToWallKinematics, leg: int) -> bool:
    """Whether ``leg`` was tested on the far side: a person facing image-right shows the
    camera their right side."""
    facing = result_facing(kin, leg)
    return facing is not None and LEGS[leg] != facing


def _view(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "unknown"
    return "front" if ratio > FRONT_VIEW_RATIO else "oblique" if ratio > OBLIQUE_VIEW_RATIO else "side"


def pick_feet(values: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(3 joints, 2 legs, T) -> the front leg's (T, 3) (NaN where the front is unknown)."""
    return np.stack([pick(v, side) for v in values], axis=1)


def kinematics_for(series: LandmarkSeries, settings: KneeToWallSettings, *,
                   heel_rise_foot: np.ndarray | None = None) -> KneeToWallKinematics:
    """Run the core on a series with the protocol's settings."""
    return knee_to_wall_kinematics(series.xyzv, series.time_s, lines=series.lines[:, 1:],
                                   heel_rise_foot=heel_rise_foot, **settings.core_kwargs())


def check_view(series: LandmarkSeries, kin: KneeToWallKinematics, settings: KneeToWallSettings) -> tuple[str, float]:
    """The camera view ("side", "oblique", "front", "unknown") and the body-width ratio it
    is judged from; :class:`ViewError` for a front view unless ``allow_any_view``."""
    ratio = quality.body_width_ratio(series.xyzv, roll_deg=kin.roll_deg if kin.roll_source in ("user", "scene") else 0.0)
    view = _view(ratio)
    if view == "front" and not settings.allow_any_view:
        raise ViewError(
            f"the camera sees the person from the front (body width {ratio:.2f} x torso length); "
            "film the knee-to-wall test side-on, or pass --allow-any-view",
            path=series.source or None,
        )
    return view, ratio


def analyze_knee_to_wall(series: LandmarkSeries, settings: KneeToWallSettings = KneeToWallSettings(), *,
                         heel_rise_foot: np.ndarray | None = None) -> KneeToWallResult:
    """Score a knee-to-wall clip.

    ``heel_rise_foot`` (T,) is the front heel's rise measured in the image (see
    :mod:`ankle_cv.heel_track`); without it the heel height comes from the landmarks and
    the result warns that heel lifts may be false at steep shank angles.

    Raises
    ------
    NoPersonError
        No person in any frame.
    ViewError
        The camera faces the person (front view) and ``settings.allow_any_view`` is off.
    """
    if not series.detected.any():
        raise NoPersonError("no person detected in any frame", path=series.source or None)
    kin = kinematics_for(series, settings, heel_rise_foot=heel_rise_foot)
    view, ratio = check_view(series, kin, settings)
    trials = _trials(kin, settings.min_prominence_deg)
    lifts = _lifts(kin, trials, settings.foot_length_cm)
    det = quality.detection_rate(series.xyzv)
    tested = sorted({leg for leg, _ in trials})
    warns = _quality_warnings(series, kin, settings, trials=trials, view=view, ratio=ratio, detection=det)

    codes = {w.code for w in warns}
    clip_blocks = [reason for code, reason in _BLOCKING.items() if code in codes]
    leg_results = [
        _leg_result(leg, trials, lifts, settings.references,
                    clip_blocks + (["the leg was on the far side from the camera"] if tested_far(kin, leg) else []))
        for leg in tested
    ]
    bests = {r.leg: r.best_deg for r in leg_results if r.best_deg is not None}
    asym = _round(bests["left"] - bests["right"]) if len(bests) == 2 else None
    if asym is not None and any(r.classification == "not_interpretable" for r in leg_results):
        asym = None
        warns.append(QualityWarning("asymmetry_withheld", "both legs were tested, but at least one result is not "
                                    "interpretable (see the legs): no left-right comparison"))
    return KneeToWallResult(
        source=series.source,
        n_frames=series.n_frames,
        duration_s=_round(series.duration_s, 3),
        fps=_round(series.fps, 3),
        frame_size_px=series.frame_size_px,
        detection_rate=_round(det, 3),
        facing=result_facing(kin),
        view=view,
        body_width_ratio=_round(ratio, 3),
        roll_deg=_round(kin.roll_deg),
        roll_sd_deg=_round(kin.roll_sd_deg, 2),
        roll_source=kin.roll_source,
        sole_roll_deg=_round(kin.sole_roll_deg),
        scene_roll_deg=_round(kin.scene_roll_deg),
        legs=tuple(leg_results),
        asymmetry_deg=asym,
        warnings=tuple(warns),
        settings=settings,
        kinematics=kin,
    )


def _leg_result(leg: int, trials: list[tuple[int, Trial]], lifts: list[tuple[int, HeelLift]],
                refs: References, blocking: list[str]) -> LegResult:
    """The best trial of a leg (among trials MediaPipe tracked, preferring a checked heel) and
    what it means against the cut-off; ``blocking`` are the reasons no verdict is given."""
    own = tuple(tr for lg, tr in trials if lg == leg)
    counted = [tr for tr in own if tr.peak_deg is not None]
    trusted = [tr for tr in counted if tr.tracked_share >= MIN_TRACKED_SHARE] or counted
    checked = [tr for tr in trusted if tr.heel_checked]
    best = max(checked or trusted, key=lambda tr: tr.peak_deg) if counted else None
    reasons = list(blocking)
    if best is not None and best.tracked_share < MIN_TRACKED_SHARE:
        reasons.append("MediaPipe lost the leg in every trial")
    if best is None:
        classification = "no_result"
    elif reasons:
        classification = "not_interpretable"
    elif abs(best.peak_deg - refs.restriction_deg) < refs.mdc_deg:
        classification = "borderline"
    else:
        classification = "restricted" if best.peak_deg < refs.restriction_deg else "not_restricted"
    return LegResult(
        leg=LEGS[leg],
        best_deg=None if best is None else best.peak_deg,
        best_trial=None if best is None else best.number,
        best_s=None if best is None else best.peak_s,
        restricted=None if best is None else bool(best.peak_deg < refs.restriction_deg),
        classification=classification,
        classification_reason="; ".join(reasons) if classification == "not_interpretable" else None,
        heel_checked=best is not None and best.heel_checked,
        trials=own,
        heel_lifts=tuple(h for lg, h in lifts if lg == leg),
    )


#: Warnings after which no leg gets a verdict, and how the verdict names them.
_BLOCKING = {"not_side_view": "the camera was not side-on", "feet_moving": "the front foot was not planted",
             "too_few_frames": "the clip is too short"}


def _quality_warnings(series: LandmarkSeries, kin: KneeToWallKinematics, settings: KneeToWallSettings, *,
                      trials: list[tuple[int, Trial]], view: str, ratio: float, detection: float) -> list[QualityWarning]:
    """Everything about the recording that limits what its numbers mean (README table)."""
    warns: list[QualityWarning] = []

    def warn(code: str, message: str) -> None:
        warns.append(QualityWarning(code, message))

    vis_front = kin.front(kin.visibility)  # (T, 4): knee, ankle, heel, foot index

    if view == "oblique":
        warn("not_side_view", f"the camera is not square to the side (body width {ratio:.2f} x torso length): "
             "angles are foreshortened; film side-on")
    if view == "front":
        warn("not_side_view", f"front view (body width {ratio:.2f} x torso length): angles are not meaningful")
    if detection < 0.8:
        warn("low_detection", f"a person was found in only {100 * detection:.0f}% of frames")
    if int(series.detected.sum()) < 30 or series.duration_s < 2.0:
        warn("too_few_frames", f"only {int(series.detected.sum())} frames with a person ({series.duration_s:.1f} s): "
             "record at least one full knee drive")
    detected = series.detected
    front_seen = np.isfinite(kin.front(kin.x_px[:, :, TOE])) & np.isfinite(kin.front(kin.x_px[:, :, ANKLE]))
    seen_share = float(front_seen[detected].mean()) if detected.any() else 0.0
    if seen_share < 0.5:
        warn("feet_not_visible", f"the tested foot was seen in only {100 * seen_share:.0f}% of the frames with a "
             "person: keep the feet in view, lit and uncovered")
    x, y, _ = gather_legs(series.xyzv)  # ungated: MediaPipe extrapolates outside the picture
    x, y = swap_legs(x[ANKLE:], kin.swapped), swap_legs(y[ANKLE:], kin.swapped)  # (3, 2, T): ankle, heel, toe
    front_feet = np.stack((pick_feet(x, kin.front_side), pick_feet(y, kin.front_side)), axis=-1)  # (T, 3, 2)
    out_share = quality.out_of_frame_share(front_feet, series.frame_size_px)
    if out_share > 0.05:
        warn("feet_out_of_frame", f"the tested foot is outside the picture in {100 * out_share:.0f}% of frames: "
             "keep both feet in view")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med_vis = float(np.nanmedian(vis_front[:, [KNEE, ANKLE, HEEL, TOE]])) if vis_front.size else float("nan")
    if not np.isfinite(med_vis) or med_vis < 0.7:
        warn("low_visibility", f"low landmark visibility on the tested leg (median {med_vis:.2f}): "
             "light the leg, avoid loose clothing and clutter")
    tested = sorted({leg for leg, _ in trials})
    for leg in tested:
        lost = [tr.number for lg, tr in trials if lg == leg and tr.tracked_share < MIN_TRACKED_SHARE]
        if lost:
            listed = ", ".join(str(n) for n in lost)
            warn("leg_lost", f"MediaPipe lost the {LEGS[leg]} leg for part of trial(s) {listed} (its ankle left the "
                 "planted foot): those peaks are unreliable")
        if tested_far(kin, leg):
            warn("tested_leg_far", f"the {LEGS[leg]} leg was tested on the far side from the camera, behind the other "
                 f"leg, where MediaPipe loses it at depth: film from the {LEGS[leg]} side")
        if all(tr.peak_deg is None for lg, tr in trials if lg == leg):
            warn("no_heel_down_peak", f"no {LEGS[leg]} trial has a valid heel-down peak (the heel lifted, or the leg "
                 "was lost, before the knee drove): no result")
        unchecked = [tr.number for lg, tr in trials if lg == leg and tr.peak_deg is not None and not tr.heel_checked]
        if unchecked:
            listed = ", ".join(str(n) for n in unchecked)
            warn("heel_not_checked", f"the {LEGS[leg]} heel could not be seen or tracked in trial(s) {listed}: "
                 "their peaks may include a heel lift")
    if trials and kin.heel_source == "landmarks":
        warn("heel_from_landmarks", "heel lifts judged from MediaPipe landmarks only (no video to track the heel "
             "in): they rise by up to a tenth of a foot length at steep shank angles even with the heel down")
    if not trials:
        warn("no_knee_drive", f"no knee drive of at least {settings.min_prominence_deg:g} deg found")
    front_known = np.isfinite(kin.front_side)
    still_share = float(kin.still.any(axis=1)[front_known].mean()) if front_known.any() else 0.0
    if still_share < 0.5:
        warn("feet_moving", f"the front foot was still in only {100 * still_share:.0f}% of frames: this does not "
             "look like a knee-to-wall test (foot planted, knee driving); the numbers may not mean much")
    small = [kin.foot_length_px[leg] for leg in tested if kin.foot_length_px[leg] < MIN_TRACK_FOOT_PX]
    if small:
        warn("small_in_frame", f"the tested foot is only {min(small):.0f} px long in the picture: landmarks are "
             "coarse and the heel cannot be followed; film closer or at a higher resolution")
    if kin.roll_source == "level" and settings.roll_source != "level":
        sole = "" if not np.isfinite(kin.sole_roll_deg) else f" (the sole line suggests {kin.sole_roll_deg:+.1f} deg)"
        missing = ("the planted sole could not be measured" if settings.roll_source == "sole" else
                   "no straight lines within 15 deg of level in the background")
        warn("roll_assumed_level", f"{missing} to level the camera: assumed the phone was level{sole}; every "
             "degree of tilt is a degree on the angle, give --roll-deg if it was not")
    if kin.roll_source == "sole" and abs(kin.roll_deg) > 15.0:
        warn("large_roll", f"the camera looks tilted by {kin.roll_deg:+.1f} deg ({kin.roll_source}): "
             "check the phone was level, or give --roll-deg")
    if settings.leg is None and np.isfinite(kin.front_label).any():
        known = np.isfinite(kin.front_label) & np.isfinite(kin.front_side)
        agree = float(np.mean(kin.front_label[known] == kin.front_side[known])) if known.any() else 0.0
        if agree < 0.8:
            warn("leg_side_uncertain", f"MediaPipe's left/right labels agree in only {100 * agree:.0f}% of frames: "
                 "check which leg was tested, or give --leg")
    return warns
