"""When a knee-to-wall recording supports its numbers: the camera view and the quality
warnings (each documented on :class:`ankle_cv.vocab.WarningCode`)."""

from __future__ import annotations

import warnings

import numpy as np

from ...core import legs, quality
from ...errors import ViewError
from ...landmarks import ANKLE, HEEL, KNEE, LEGS, TOE
from ...series import LandmarkSeries
from ...vocab import BLOCKING, HeelSource, Posture, RollChoice, RollSource, View, WarningCode
from ..base import QualityWarning
from .kinematics import MIN_TRACK_FOOT_PX, HeelEvents, LegKinematics
from .posture import clip_posture, motion_name
from .results import MAX_JITTER_SD_DEG, MIN_TRACKED_SHARE, Trial
from .scoring import median_int
from .settings import KneeToWallSettings


def check_view(series: LandmarkSeries, kin: LegKinematics, settings: KneeToWallSettings) -> tuple[View, float]:
    """The camera view and the body-width ratio it is judged from; :class:`ViewError` for a
    front view unless ``allow_any_view``."""
    trusted = kin.roll.source in (RollSource.USER, RollSource.SCENE)
    ratio = quality.body_width_ratio(series.xyzv, roll_deg=kin.roll.roll_deg if trusted else 0.0)
    view = quality.view_of(ratio)
    if view == View.FRONT and not settings.allow_any_view:
        raise ViewError(f"the camera sees the person from the front (body width {ratio:.2f} x torso length); "
                        "film the knee-to-wall test side-on", path=series.source or None, hint="allow_any_view")
    return view, ratio


def facing_of(kin: LegKinematics, leg: int | None = None) -> str | None:
    """The direction the feet point over the clip (or while ``leg`` is the front leg):
    "right", "left" or None."""
    frames = slice(None) if leg is None else kin.front_side == leg
    facing = median_int(kin.facing[frames])
    return None if facing is None else ("right" if facing > 0 else "left")


def tested_far(kin: LegKinematics, leg: int) -> bool:
    """Whether ``leg`` was tested on the far side: a person facing image-right shows the
    camera their right side."""
    facing = facing_of(kin, leg)
    return facing is not None and LEGS[leg] != facing


def blocking_reasons(codes: set[WarningCode]) -> list[str]:
    """What a verdict names when clip-wide warnings withhold it."""
    return [code.blocks for code in BLOCKING if code in codes]


def quality_warnings(series: LandmarkSeries, kin: LegKinematics, heel: HeelEvents, settings: KneeToWallSettings, *,
                     trials: list[tuple[int, Trial]], view: View, ratio: float,
                     detection: float) -> list[QualityWarning]:
    """Everything about the recording that limits what its numbers mean."""
    warns: list[QualityWarning] = []

    def warn(code: WarningCode, message: str, setting: str | None = None) -> None:
        warns.append(QualityWarning(code, message, setting))

    if view == View.OBLIQUE:
        warn(WarningCode.NOT_SIDE_VIEW, f"the camera is not square to the side (body width {ratio:.2f} x torso "
             "length): angles are foreshortened; film side-on")
    if view == View.FRONT:
        warn(WarningCode.NOT_SIDE_VIEW, f"front view (body width {ratio:.2f} x torso length): angles are not "
             "meaningful")
    if detection < 0.8:
        warn(WarningCode.LOW_DETECTION, f"a person was found in only {100 * detection:.0f}% of frames")
    if int(series.detected.sum()) < 30 or series.duration_s < 2.0:
        warn(WarningCode.TOO_FEW_FRAMES, f"only {int(series.detected.sum())} frames with a person "
             f"({series.duration_s:.1f} s): record at least one full knee drive")
    _feet_warnings(series, kin, warn)
    tested = sorted({leg for leg, _ in trials})
    for leg in tested:
        _leg_warnings(kin, leg, trials, warn)
    if trials and heel.source == HeelSource.LANDMARKS:
        warn(WarningCode.HEEL_FROM_LANDMARKS, "heel lifts judged from MediaPipe landmarks only (no video to track "
             "the heel in): they rise by up to a tenth of a foot length at steep shank angles even with the heel "
             "down")
    _posture_warning(trials, warn)
    if not trials:
        warn(WarningCode.NO_KNEE_DRIVE, f"no knee drive of at least {settings.min_prominence_deg:g} deg found")
    front_known = np.isfinite(kin.front_side)
    still_share = float(kin.still.any(axis=0)[front_known].mean()) if front_known.any() else 0.0
    if still_share < 0.5:
        warn(WarningCode.FEET_MOVING, f"the front foot was still in only {100 * still_share:.0f}% of frames: this "
             "does not look like a knee-to-wall test (foot planted, knee driving); the numbers may not mean much")
    small = [kin.foot_length_px[leg] for leg in tested if kin.foot_length_px[leg] < MIN_TRACK_FOOT_PX]
    if small:
        warn(WarningCode.SMALL_IN_FRAME, f"the tested foot is only {min(small):.0f} px long in the picture: "
             "landmarks are coarse and the heel cannot be followed; film closer or at a higher resolution")
    _camera_warnings(kin, settings, warn)
    _damage_warning(series, trials, warn)
    return warns


def _posture_warning(trials: list[tuple[int, Trial]], warn) -> None:
    """NOT_KNEE_TO_WALL when fewer than half the knee drives look like the test."""
    judged = [tr for _, tr in trials if tr.posture is not None]
    motion = clip_posture([Posture(tr.posture) for tr in judged])
    if motion is None or motion == Posture.KNEE_TO_WALL:
        return
    like = [tr for tr in judged if tr.posture == motion]
    warn(WarningCode.NOT_KNEE_TO_WALL, f"this does not look like a knee-to-wall test but like {motion_name(motion)} "
         f"({len(like)} of {len(trials)} knee drives; e.g. {like[0].leg} trial {like[0].number}: "
         f"{like[0].posture_evidence}): the angles are kept, but no verdict")


def _damage_warning(series: LandmarkSeries, trials: list[tuple[int, Trial]], warn) -> None:
    damaged = series.meta.get("damaged_frames") or []
    if not damaged:
        return
    t = series.time_s
    hit = sorted({f"{LEGS[leg]} {tr.number}" for leg, tr in trials for f in damaged
                  if tr.start_frame <= f <= tr.end_frame})
    where = f"; in trial(s) {', '.join(hit)}, whose numbers may be off" if hit else " (outside every trial)"
    first, last = damaged[0], damaged[-1]
    span = f"frame {first} ({t[first]:.2f} s)" if first == last else \
        f"frames {first}–{last} ({t[first]:.2f}–{t[last]:.2f} s)"
    frames = "1 frame" if len(damaged) == 1 else f"{len(damaged)} frames"
    warn(WarningCode.DAMAGED_FRAMES, f"the video is damaged around {span}: the decoder reported corrupt data in "
         f"{frames} and concealed it; the picture from there to the next key frame may be wrong{where}")


def _feet_warnings(series: LandmarkSeries, kin: LegKinematics, warn) -> None:
    detected = series.detected
    front_seen = np.isfinite(kin.front(kin.x_px[TOE])) & np.isfinite(kin.front(kin.x_px[ANKLE]))
    seen_share = float(front_seen[detected].mean()) if detected.any() else 0.0
    if seen_share < 0.5:
        warn(WarningCode.FEET_NOT_VISIBLE, f"the tested foot was seen in only {100 * seen_share:.0f}% of the "
             "frames with a person: keep the feet in view, lit and uncovered")
    x, y, _ = legs.gather_joints(series.xyzv)  # ungated: MediaPipe extrapolates outside the picture
    feet = slice(ANKLE, TOE + 1)  # ankle, heel, foot index
    x, y = legs.swap_legs(x[feet], kin.swapped), legs.swap_legs(y[feet], kin.swapped)  # (3, 2, T)
    front_feet = np.stack((kin.front(x).T, kin.front(y).T), axis=-1)  # (T, 3, 2)
    out_share = quality.out_of_frame_share(front_feet, series.frame_size_px)
    if out_share > 0.05:
        warn(WarningCode.FEET_OUT_OF_FRAME, f"the tested foot is outside the picture in {100 * out_share:.0f}% of "
             "frames: keep both feet in view")
    vis_front = kin.front(kin.visibility[[KNEE, ANKLE, HEEL, TOE]])  # (4, T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med_vis = float(np.nanmedian(vis_front)) if vis_front.size else float("nan")
    if not np.isfinite(med_vis) or med_vis < 0.7:
        warn(WarningCode.LOW_VISIBILITY, f"low landmark visibility on the tested leg (median {med_vis:.2f}): "
             "light the leg, avoid loose clothing and clutter")


def _leg_warnings(kin: LegKinematics, leg: int, trials: list[tuple[int, Trial]], warn) -> None:
    own = [tr for lg, tr in trials if lg == leg]
    lost = [tr.number for tr in own if tr.tracked_share < MIN_TRACKED_SHARE]
    if lost:
        warn(WarningCode.LEG_LOST, f"MediaPipe lost the {LEGS[leg]} leg for part of trial(s) "
             f"{', '.join(str(n) for n in lost)} (its ankle left the planted foot): a trial counts only where it "
             "was held around its peak")
    noisy = [tr for tr in own if tr.jitter_sd_deg is not None and tr.jitter_sd_deg > MAX_JITTER_SD_DEG]
    if noisy:
        warn(WarningCode.NOISY_TRIAL, f"the {LEGS[leg]} angle scattered from frame to frame in trial(s) "
             + ", ".join(f"{tr.number} (noise SD {tr.jitter_sd_deg:.1f} deg)" for tr in noisy)
             + f", over the {MAX_JITTER_SD_DEG:g} deg limit: not trusted for the best result")
    if tested_far(kin, leg):
        trusted = [str(tr.number) for tr in own if tr.trusted]
        held = (f"trial(s) {', '.join(trusted)} kept the tracking evidence (leg held, knee visible, segment "
                "lengths kept) and carry the result" if trusted else
                "no trial kept the tracking evidence (see each trial's reasons)")
        warn(WarningCode.TESTED_LEG_FAR, f"the {LEGS[leg]} leg was tested on the far side from the camera, behind "
             f"the other leg, where MediaPipe can lose it: {held}; film from the {LEGS[leg]} side when you can")
    if all(tr.peak_deg is None for tr in own):
        warn(WarningCode.NO_HEEL_DOWN_PEAK, f"no {LEGS[leg]} trial has a valid heel-down peak (the heel lifted, or "
             "the leg was lost, before the knee drove): no result")
    unchecked = [tr.number for tr in own if tr.peak_deg is not None and not tr.heel_checked]
    if unchecked:
        warn(WarningCode.HEEL_NOT_CHECKED, f"the {LEGS[leg]} heel could not be seen or tracked in trial(s) "
             f"{', '.join(str(n) for n in unchecked)}: their peaks may include a heel lift")


def _camera_warnings(kin: LegKinematics, settings: KneeToWallSettings, warn) -> None:
    roll = kin.roll
    if roll.source == RollSource.LEVEL and settings.roll_source != RollChoice.LEVEL:
        sole = "" if not np.isfinite(roll.sole_roll_deg) else f" (the sole line suggests {roll.sole_roll_deg:+.1f} deg)"
        missing = ("the planted sole could not be measured" if settings.roll_source == RollChoice.SOLE else
                   "no straight lines within 15 deg of level in the background")
        warn(WarningCode.ROLL_ASSUMED_LEVEL, f"{missing} to level the camera: assumed the phone was level{sole}; "
             "every degree of tilt is a degree on the angle: give the camera roll if it was not", "roll_deg")
    if roll.source == RollSource.SOLE and abs(roll.roll_deg) > 15.0:
        warn(WarningCode.LARGE_ROLL, f"the camera looks tilted by {roll.roll_deg:+.1f} deg ({roll.source}): "
             "check the phone was level, or give the camera roll", "roll_deg")
    if settings.leg is None and np.isfinite(kin.front_label).any():
        known = np.isfinite(kin.front_label) & np.isfinite(kin.front_side)
        agree = float(np.mean(kin.front_label[known] == kin.front_side[known])) if known.any() else 0.0
        if agree < 0.8:
            warn(WarningCode.LEG_SIDE_UNCERTAIN, f"MediaPipe's left/right labels agree in only {100 * agree:.0f}% "
                 "of frames: check which leg was tested, or name it", "leg")
