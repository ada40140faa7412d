"""Is this a knee-to-wall test? The posture of each knee drive, judged from the landmarks.

A knee-to-wall (weight-bearing lunge) trial has the tested foot planted and still, the other
foot behind it on the floor and still, the trunk roughly upright, and the knee travelling
forward over the still foot. Other motions produce knee drives too (the tibia tilts in a
squat, a lunge, a walk or a single-leg hinge); :func:`trial_postures` measures each of those
four conditions per trial and :func:`judge` names what a trial that fails them looks like
instead. Pure numpy on whole arrays; one small loop over trials.

Thresholds come from the test's definition and anatomy, each with its margin (in foot
lengths, ``_foot``, so they hold at any distance from the camera):

- feet still: the front foot is judged still by the kinematics (``max_foot_speed``); the back
  foot by the same speed limit. A trial needs each foot still in at least half its frames
  (:data:`MIN_STILL_SHARE`): a step takes 0.3–0.6 s of a 1.5–3 s drive. A foot counts as
  moving only if it also travelled :data:`MAX_FOOT_TRAVEL_FOOT` or more (a reverse lunge's
  step is ~5 foot lengths; a far or small foot's landmarks jittering or jumping between the
  feet look fast but go nowhere).
- back foot on the floor: its lower point (heel or toes; the back heel may rise in a lunge)
  within :data:`MAX_BACK_FOOT_HEIGHT_FOOT` of the front sole for most of the trial. Two feet a
  hip width apart in depth differ by up to ~0.2 foot lengths in a side view by perspective,
  and landmarks scatter ~0.1; a hinge or a swing lifts the foot 0.5-3 foot lengths.
- stagger: the back foot's middle :data:`MIN_STAGGER_FOOT` to :data:`MAX_STAGGER_FOOT` behind
  the front's (the test's short split stance: 1.5-1.8 on the renders); feet side by side
  (|stagger| under the minimum) are a squat stance, over the maximum (about 0.9 m) a lunge
  stride.
- trunk: shoulder-to-hip midpoints within :data:`MAX_TRUNK_PITCH_DEG` of the vertical at the
  drive's peak (upright, hands on the wall: 0–25 deg; a single-leg hinge 40–80 deg).
- squat: feet side by side, or the hips dropping more than :data:`SQUAT_HIP_DROP_LEG` leg
  lengths with the trunk pitched (a squat to parallel drops them 0.4-0.5 and leans the trunk
  40-50 deg to keep balance; an upright lunge at 45-50 deg over a planted foot also drops
  them ~0.4: 0.28 on the near-leg renders, 0.40-0.43 on a far-leg one at 44-50 deg, trunk 6-9 deg).
- walking: both feet moving and the hips travelling over :data:`MAX_HIP_TRAVEL_FOOT` in a trial.
- the knee travels toward the toes from the drive's start to its peak (more than
  :data:`MIN_KNEE_TRAVEL_FOOT`; the tibia's rise already says by how much): a far knee
  whose landmark jumps can make a 25 deg drive look like 0.1 foot lengths, so only a knee
  clearly moving away from the toes (a reverse lunge's front knee, -0.6; the limit, -0.3,
  leaves half of that for landmark jitter) counts against the test.
- walking lunge: the front foot lands :data:`MAX_FOOT_SHIFT_FOOT` or more from where it was in
  the previous trial (a new step each trial; repositioning for the test moves it ~1-2 cm).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ...core import geometry, signal
from ...landmarks import ANKLE, HEEL, HIP, KNEE, LEFT_SHOULDER, RIGHT_SHOULDER, TOE
from ...vocab import Posture
from .kinematics import LegKinematics

MIN_STILL_SHARE = 0.5
MAX_BACK_FOOT_HEIGHT_FOOT = 0.5
MIN_STAGGER_FOOT = 0.5
MAX_STAGGER_FOOT = 3.5
MAX_TRUNK_PITCH_DEG = 35.0
SQUAT_HIP_DROP_LEG = 0.4
MAX_HIP_TRAVEL_FOOT = 1.0
MAX_FOOT_TRAVEL_FOOT = 1.0
MIN_KNEE_TRAVEL_FOOT = -0.3
MAX_FOOT_SHIFT_FOOT = 1.0
#: Shoulders seen at least this much (MediaPipe visibility) count for the trunk.
MIN_TRUNK_VISIBILITY = 0.5


@dataclasses.dataclass(frozen=True)
class TrialPosture:
    """The posture evidence of one knee drive (NaN where not measurable) and its name.

    Attributes
    ----------
    front_still_share, back_still_share : float
        Share of the trial's frames in which each foot was still.
    back_foot_height_foot : float
        How high the back foot's lower point sat above the front sole over most of the trial
        (80th percentile), in foot lengths.
    stagger_foot : float
        How far the back foot's middle was behind the front's (median), in foot lengths.
    front_travel_foot, back_travel_foot : float
        How far each foot's middle moved over the trial (10th to 90th percentile), in foot
        lengths.
    trunk_pitch_deg : float
        Trunk (hip midpoint → shoulder midpoint) to the true vertical at the drive's peak,
        positive leaning toward the toes.
    knee_travel_foot, foot_travel_foot : float
        Forward travel of the front knee (medians of 3 frames), and how far the front foot
        moved, from the trial's start to its peak, in foot lengths.
    hip_drop_leg : float
        How far the hip midpoint dropped from start to peak, in leg lengths (hip to ankle).
    back_drive_share : float
        The back shank's tilt change over the drive as a share of the front shank's (for
        the record: MediaPipe's far shank is too often unseen to decide on).
    hip_travel_foot : float
        How far the hip midpoint travelled horizontally over the trial, in foot lengths.
    foot_shift_foot : float
        How far the front foot sits from where it was in the previous trial (NaN for the first).
    posture : Posture
    evidence : str
        The numbers that decided ``posture`` (empty for a knee-to-wall trial).
    """

    front_still_share: float
    back_still_share: float
    back_foot_height_foot: float
    stagger_foot: float
    front_travel_foot: float
    back_travel_foot: float
    trunk_pitch_deg: float
    knee_travel_foot: float
    foot_travel_foot: float
    hip_drop_leg: float
    back_drive_share: float
    hip_travel_foot: float
    foot_shift_foot: float
    posture: Posture
    evidence: str


def _nan_stat(fn, values: np.ndarray, *args) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(fn(values, *args)) if values.size and np.isfinite(values).any() else float("nan")


def _spread(values: np.ndarray) -> float:
    """How far a position moved: its 10th to 90th percentile (robust to single-frame jumps)."""
    return _nan_stat(np.nanpercentile, values, 90) - _nan_stat(np.nanpercentile, values, 10)


def judge(f: dict[str, float]) -> tuple[Posture, str]:
    """The motion a trial's posture evidence ``f`` (:class:`TrialPosture` fields) looks like,
    and the numbers that say so. Unknown evidence (NaN) never fails a condition."""
    front_moving = f["front_still_share"] < MIN_STILL_SHARE and not f["front_travel_foot"] < MAX_FOOT_TRAVEL_FOOT
    back_moving = f["back_still_share"] < MIN_STILL_SHARE and not f["back_travel_foot"] < MAX_FOOT_TRAVEL_FOOT
    back_up = f["back_foot_height_foot"] > MAX_BACK_FOOT_HEIGHT_FOOT
    pitched = f["trunk_pitch_deg"] > MAX_TRUNK_PITCH_DEG
    side_by_side = abs(f["stagger_foot"]) < MIN_STAGGER_FOOT
    shifted = f["foot_shift_foot"] >= MAX_FOOT_SHIFT_FOOT
    travelling = f["hip_travel_foot"] > MAX_HIP_TRAVEL_FOOT or shifted
    far_split = f["stagger_foot"] > MAX_STAGGER_FOOT
    squat_drop = f["hip_drop_leg"] > SQUAT_HIP_DROP_LEG
    still = (f"front foot still in {100 * f['front_still_share']:.0f}% and back foot in "
             f"{100 * f['back_still_share']:.0f}% of the trial (need {100 * MIN_STILL_SHARE:.0f}%)")
    if front_moving and back_moving and travelling:
        return Posture.WALKING, f"{still}; the hips travelled {f['hip_travel_foot']:.1f} foot lengths"
    if pitched and back_up:
        return Posture.SINGLE_LEG_HINGE, (
            f"trunk pitched {f['trunk_pitch_deg']:.0f} deg (upright: under {MAX_TRUNK_PITCH_DEG:g}), back foot "
            f"{f['back_foot_height_foot']:.1f} foot lengths off the floor (under {MAX_BACK_FOOT_HEIGHT_FOOT:g})")
    if side_by_side or (squat_drop and pitched):
        return Posture.SQUAT, (
            f"feet side by side (the back foot {f['stagger_foot']:+.1f} foot lengths behind; a lunge stance "
            f"needs {MIN_STAGGER_FOOT:g}), trunk pitched {f['trunk_pitch_deg']:.0f} deg" if side_by_side else
            f"the hips dropped {f['hip_drop_leg']:.2f} leg lengths (over {SQUAT_HIP_DROP_LEG:g}) with the trunk "
            f"pitched {f['trunk_pitch_deg']:.0f} deg (upright: under {MAX_TRUNK_PITCH_DEG:g})")
    if shifted:
        return Posture.WALKING_LUNGE, (
            f"the front foot landed {f['foot_shift_foot']:.1f} foot lengths from where it was in the previous "
            f"trial (over {MAX_FOOT_SHIFT_FOOT:g})")
    if back_moving or back_up or far_split:
        return Posture.STEPPING_LUNGE, (
            f"the back foot was still in {100 * f['back_still_share']:.0f}% of the trial (need "
            f"{100 * MIN_STILL_SHARE:.0f}%), up to {f['back_foot_height_foot']:.1f} foot lengths off the floor "
            f"(under {MAX_BACK_FOOT_HEIGHT_FOOT:g}), {f['stagger_foot']:.1f} foot lengths behind the front foot "
            f"(a knee-to-wall stance: {MIN_STAGGER_FOOT:g}-{MAX_STAGGER_FOOT:g})")
    if front_moving:
        return Posture.UNCLEAR, still
    if pitched:
        return Posture.UNCLEAR, f"trunk pitched {f['trunk_pitch_deg']:.0f} deg (upright: under " \
                                f"{MAX_TRUNK_PITCH_DEG:g})"
    if f["knee_travel_foot"] < MIN_KNEE_TRAVEL_FOOT:
        return Posture.UNCLEAR, (f"the knee moved {-f['knee_travel_foot']:.2f} foot lengths away from the toes "
                                 "while the shank tilted forward")
    return Posture.KNEE_TO_WALL, ""


def trial_postures(xyzv: np.ndarray, kin: LegKinematics, *, max_foot_speed: float) -> dict[int, TrialPosture]:
    """The posture evidence of each of ``kin.trials`` whose leg is known, by start frame.

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
        The clip's landmarks (for the shoulders; the legs come from ``kin``, anatomical).
    kin : LegKinematics
    max_foot_speed : float
        Foot lengths per second below which a foot is still (the front foot's limit).
    """
    roll = kin.roll.roll_deg
    lx, ly = geometry.upright(kin.x_px, kin.y_px, roll_deg=roll)  # (5, 2, T), level, y up
    sh = xyzv[:, [LEFT_SHOULDER, RIGHT_SHOULDER], :]  # (T, 2, 4)
    sh_xy = np.where((sh[..., 3] >= MIN_TRUNK_VISIBILITY)[..., None], sh[..., :2], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sx, sy = geometry.upright(*np.nanmean(sh_xy, axis=1).T, roll_deg=roll)
        hx, hy = np.nanmean(lx[HIP], axis=0), np.nanmean(ly[HIP], axis=0)
        foot_mx, foot_my = (lx[HEEL] + lx[TOE]) / 2, np.fmin(ly[HEEL], ly[TOE])  # (2, T): middle x, lower y
        foot_px = float(np.nanmean(kin.foot_length_px))
        leg_px = float(np.nanmedian(np.hypot(lx[HIP] - lx[ANKLE], ly[HIP] - ly[ANKLE])))
    speed = np.fmax(signal.speed(kin.x_px[HEEL], kin.y_px[HEEL], kin.dt_s),
                    signal.speed(kin.x_px[TOE], kin.y_px[TOE], kin.dt_s)) / foot_px
    foot_still = signal.smooth(speed, sigma_frames=kin.sigma_frames) < max_foot_speed
    out, last_foot = {}, np.nan
    for start, peak, stop in kin.trials:  # a loop over trials, not frames
        side = np.nanmedian(kin.front_side[start:stop]) if np.isfinite(kin.front_side[start:stop]).any() else np.nan
        if not np.isfinite(side):
            continue
        f_leg, b_leg = int(side), 1 - int(side)
        face = np.sign(_nan_stat(np.nanmedian, kin.facing[start:stop])) or 1.0
        sl = slice(start, stop)
        front_foot_x = face * foot_mx[f_leg, sl]
        sole = _nan_stat(np.nanmedian, foot_my[f_leg, sl])
        fx0, fx1 = face * lx[TOE, f_leg, start], face * lx[TOE, f_leg, peak]
        foot_pos = _nan_stat(np.nanmedian, front_foot_x)
        feats = dict(
            front_still_share=float(kin.still[f_leg, sl].mean()),
            back_still_share=float(foot_still[b_leg, sl].mean()) if np.isfinite(speed[b_leg, sl]).any() else np.nan,
            back_foot_height_foot=_nan_stat(np.nanpercentile, foot_my[b_leg, sl] - sole, 80) / foot_px,
            stagger_foot=_nan_stat(np.nanmedian, front_foot_x - face * foot_mx[b_leg, sl]) / foot_px,
            front_travel_foot=_spread(foot_mx[f_leg, sl]) / foot_px,
            back_travel_foot=_spread(foot_mx[b_leg, sl]) / foot_px,
            trunk_pitch_deg=float(np.rad2deg(np.arctan2(face * (sx[peak] - hx[peak]), sy[peak] - hy[peak]))),
            knee_travel_foot=face * (_nan_stat(np.nanmedian, lx[KNEE, f_leg, peak - 1:peak + 2])
                                     - _nan_stat(np.nanmedian, lx[KNEE, f_leg, start:start + 3])) / foot_px,
            foot_travel_foot=float(abs(fx1 - fx0)) / foot_px,
            hip_drop_leg=float(hy[start] - hy[peak]) / leg_px,
            back_drive_share=_back_share(kin.tibia_deg, f_leg, b_leg, start, peak),
            hip_travel_foot=_nan_stat(np.nanmax, hx[sl]) / foot_px - _nan_stat(np.nanmin, hx[sl]) / foot_px,
            foot_shift_foot=abs(foot_pos - last_foot) / foot_px,
        )
        last_foot = foot_pos if np.isfinite(foot_pos) else last_foot
        posture, evidence = judge(feats)
        out[int(start)] = TrialPosture(**feats, posture=posture, evidence=evidence)
    return out


def _back_share(tibia_deg: np.ndarray, f_leg: int, b_leg: int, start: int, peak: int) -> float:
    front = tibia_deg[f_leg, peak] - tibia_deg[f_leg, start]
    back = tibia_deg[b_leg, peak] - tibia_deg[b_leg, start]
    return float(back / front) if np.isfinite(front) and np.isfinite(back) and front > 0 else float("nan")


def motion_name(posture: Posture | str) -> str:
    """The motion in words, with its article: "a single-leg hinge", "a squat", "walking", ...,
    or "something else (unclear what)"."""
    posture = Posture(posture)
    if posture == Posture.UNCLEAR:
        return "something else (unclear what)"
    name = posture.value.replace("single_leg", "single-leg").replace("_", " ")
    return name if posture == Posture.WALKING else "a " + name


def clip_posture(postures: list[Posture]) -> Posture | None:
    """What the clip as a whole looks like: the test when at least half its trials do,
    otherwise the most common other name among its trials (None without trials)."""
    if not postures:
        return None
    if 2 * postures.count(Posture.KNEE_TO_WALL) >= len(postures):
        return Posture.KNEE_TO_WALL
    others = [p for p in postures if p != Posture.KNEE_TO_WALL]
    return max(dict.fromkeys(others), key=others.count)
