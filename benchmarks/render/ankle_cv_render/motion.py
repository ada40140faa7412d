"""Knee-to-wall motion: scenario -> per-frame angles -> posed skeleton, plus event timing.

Key instants (drive start, peak, lift onset, ...) fall exactly on frames, so the truth at a
peak frame is the commanded value. The profile of a trial: rest at a split-stance angle, knee
drive (eased), a short hold at the wall that settles back by a few tenths of a degree, return
to rest. The tested (front) foot stays flat unless a heel lift is asked for; the back foot is
flat, at the longest stance the back leg reaches in every frame (capped at 0.45 m).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .body import Anthropometry, apply, heel_lift_angle, place_foot, rot_z, sagittal_direction, two_link
from .figure import build_figure, front_x_m
from .room import Card
from .scenarios import KneeToWall
from .skeleton import SIDES, Pose, assemble, hip_offset, lumbar_point, shoulder_points


def ease(u: np.ndarray) -> np.ndarray:
    """Smooth 0 -> 1 ramp (half cosine) of ``u`` clipped to [0, 1]."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0))


def ramp(frames: np.ndarray, start: int, n: int) -> np.ndarray:
    """``ease`` over ``n`` frames starting at frame ``start``; ``ndarray of shape (T,)``."""
    return ease((frames - start) / max(n, 1))


@dataclass(frozen=True)
class Event:
    """A span of frames: start, peak and end (inclusive frame indices)."""

    leg: str
    start_frame: int
    peak_frame: int
    end_frame: int


@dataclass(frozen=True)
class Motion:
    """A posed clip and its events.

    Attributes
    ----------
    pose : Pose
    trials, squat_reps : list of Event
    wall_x_m : float or None
        The facing wall's plane (knee-to-wall only).
    kind : str
        What the motion is: ``knee_to_wall``, ``squat``, ``single_leg_hinge``, ``walking_lunge``.
    reps : list of Event
        Reps of a hinge (peak = deepest trunk pitch) or a walking lunge (peak = bottom; ``leg``
        is the front leg).
    card : Card or None
        The ArUco marker card.
    wall_measured : bool
        The wall stands at a commanded toe distance (per-frame wall truth, textured wall).
    """

    pose: Pose
    trials: list[Event]
    squat_reps: list[Event]
    wall_x_m: float | None
    kind: str = "knee_to_wall"
    reps: list[Event] = field(default_factory=list)
    card: Card | None = None
    wall_measured: bool = False


#: Parts whose skin makes the front of the knee (what touches the wall).
KNEE_FRONT_PARTS = ("knee", "patella", "tuberosity", "crest")


def _timeline(sc: KneeToWall, rng: np.random.Generator):
    """Per-trial key frames and the tibia-angle and heel-height curves."""
    fps = sc.fps

    def f(seconds: float) -> int:  # seconds -> whole frames (at least one)
        return max(int(round(seconds * fps)), 1)

    lead_in = f(rng.uniform(0.4, 0.6))
    plans, t0 = [], lead_in
    lift = sc.heel_lift
    for i, peak in enumerate(sc.peak_tibia_deg):
        drive, hold = f(rng.uniform(0.85, 1.15)), f(rng.uniform(0.45, 0.7))
        back, rest = f(rng.uniform(0.65, 0.9)), f(rng.uniform(0.35, 0.6))
        # rest in the split stance at 8-11 deg, but at least 8 deg below every drive's peak:
        # a severely restricted ankle (peak 10 deg) rests with a near-vertical shin
        base = min(float(rng.uniform(8.0, 11.0)), min(sc.peak_tibia_deg) - 8.0)
        dip = float(rng.uniform(0.3, 0.7))
        plan = dict(start=t0, peak_f=t0 + drive, hold_end=t0 + drive + hold,
                    end=t0 + drive + hold + back, base=base, peak=peak, dip=dip)
        if lift is not None and lift.trial == i + 1:
            on = t0 + int(round(lift.onset_s * fps))
            rise, hold_l, fall = f(lift.rise_s), int(round(lift.hold_s * fps)), f(lift.fall_s)
            plan["lift"] = (on, rise, hold_l, fall)
            rest = max(rest, on + rise + hold_l + fall + 3 - plan["end"])
        plans.append(plan)
        t0 = plan["end"] + rest
    n = t0 + f(rng.uniform(0.3, 0.5))
    frames = np.arange(n)
    tibia = np.full(n, plans[0]["base"])
    heel_cm = np.zeros(n)
    for i, p in enumerate(plans):
        nxt = plans[i + 1]["base"] if i + 1 < len(plans) else p["base"]
        up = p["base"] + (p["peak"] - p["base"]) * ramp(frames, p["start"], p["peak_f"] - p["start"])
        settle = p["peak"] - p["dip"] * np.sin(
            0.5 * np.pi * np.clip((frames - p["peak_f"]) / (p["hold_end"] - p["peak_f"]), 0, 1)) ** 2
        down = settle + (nxt - settle) * ramp(frames, p["hold_end"], p["end"] - p["hold_end"])
        seg = np.where(frames <= p["peak_f"], up, np.where(frames <= p["hold_end"], settle, down))
        sel = frames >= p["start"]
        tibia[sel] = seg[sel]
        if "lift" in p:
            on, rise, hold_l, fall = p["lift"]
            top = on + rise + hold_l
            h = ramp(frames, on, rise) * (1.0 - ramp(frames, top, fall))
            heel_cm += lift.peak_height_cm * h
    return plans, frames, tibia, heel_cm


def knee_to_wall(sc: KneeToWall) -> Motion:
    """Pose a knee-to-wall clip.

    Returns
    -------
    Motion
    """
    rng = np.random.default_rng(sc.seed)
    anthro = Anthropometry(height_m=sc.height_m)
    k = anthro.scale
    plans, frames, tibia, heel_cm = _timeline(sc, rng)
    n = frames.size
    front, back = sc.tested_leg, ("left" if sc.tested_leg == "right" else "right")
    zeros = np.zeros(n)
    # Front leg from the floor up: flat (or heel-lifted) foot, tibia angle, thigh angle.
    ball_f = np.tile([anthro.ball_fwd_m, 0.0, SIDES[front] * anthro.hip_half_width_m], (n, 1))
    foot_f = place_foot(anthro, ball_m=ball_f, yaw_rad=zeros,
                        lift_rad=heel_lift_angle(anthro, heel_cm / 100.0))
    th = np.radians(tibia)
    knee_f = foot_f.ankle + anthro.shank_m * sagittal_direction(zeros, th)
    thigh_deg = 30.0 + 0.75 * (tibia - 10.0)
    if sc.back_foot_cm is not None:
        # A long stagger: flex the front hip more (the hip sinks back about the knee; the knee,
        # hence the tibia angle, does not move) until the back foot is reachable with its heel
        # at most 25 deg up.
        thigh_deg = thigh_deg + _extra_hip_flexion_deg(
            anthro, knee_f, thigh_deg, front, back, -sc.back_foot_cm / 100.0, max_lift_deg=25.0)
    hip_f = knee_f + anthro.thigh_m * sagittal_direction(zeros, -np.radians(thigh_deg))
    # Pelvis, trunk and head: slight anterior pelvic tilt, trunk leaning with the drive, sway.
    phase = rng.uniform(0, 2 * np.pi, 3)
    t_s = frames / sc.fps
    sway = np.sin(2 * np.pi * 0.23 * t_s + phase[0])
    pelvis_rot = rot_z(np.radians(-6.0 + zeros))
    pelvis = hip_f - hip_offset(anthro, pelvis_rot, front)
    lean = 4.0 + 0.12 * (tibia - 10.0) + 1.0 * sway
    trunk_rot = rot_z(-np.radians(lean))
    head_rot = rot_z(np.radians(-3.0 + 2.0 * np.sin(2 * np.pi * 0.17 * t_s + phase[1])))
    # Back leg: flat foot as far back as the leg reaches in every frame (at most 0.45 m).
    hip_b = pelvis + hip_offset(anthro, pelvis_rot, back)
    reach = 0.975 * anthro.leg_m
    dy = hip_b[:, 1] - anthro.ankle_height_m
    if np.any(dy >= reach):
        raise ValueError("back leg cannot reach the floor")
    ankle_bx = max(float(np.max(hip_b[:, 0] - np.sqrt(reach**2 - dy**2))), -0.45 * k)
    if ankle_bx > -0.25 * k:
        raise ValueError("split stance too short for this motion")
    back_lift = zeros
    if sc.back_foot_cm is not None:
        ankle_bx = -sc.back_foot_cm / 100.0
    ball_b = np.tile([ankle_bx + anthro.ball_fwd_m, 0.0, SIDES[back] * anthro.hip_half_width_m], (n, 1))
    if sc.back_foot_cm is not None:
        back_lift = reach_lift(anthro, hip_b, ball_b, reach)
    foot_b = place_foot(anthro, ball_m=ball_b, yaw_rad=zeros, lift_rad=back_lift)
    fwd = np.tile([1.0, 0.0, 0.0], (n, 1))
    knee_b = two_link(hip_b, foot_b.ankle, anthro.thigh_m, anthro.shank_m, fwd)
    # The wall stands where the front of the knee is at the furthest drive; hands rest on it.
    wall_x = float(np.max(knee_f[:, 0])) + 0.05 * k
    if sc.toe_to_wall_cm is not None:
        wall_x = float(np.max(foot_f.toe_point[:, 0])) + sc.toe_to_wall_cm / 100.0
    lumbar = lumbar_point(anthro, pelvis, pelvis_rot)
    wrists, hands = {}, {}
    up, palm = np.tile([0.0, 1.0, 0.0], (n, 1)), np.tile([1.0, 0.0, 0.0], (n, 1))
    for leg, side in SIDES.items():
        sh = shoulder_points(anthro, lumbar, trunk_rot, leg)
        wrists[leg] = np.stack([np.full(n, wall_x - 0.02 * k), sh[:, 1] - 0.16 * k,
                                sh[:, 2] + side * 0.05 * k], -1)
        hands[leg] = (up, palm)
    feet = {front: foot_f, back: foot_b}
    knees = {front: knee_f, back: knee_b}
    pose = assemble(anthro, pelvis=pelvis, pelvis_rot=pelvis_rot, trunk_rot=trunk_rot,
                    head_rot=head_rot, feet=feet, foot_yaw_rad={"left": zeros, "right": zeros},
                    heel_rise_m={front: heel_cm / 100.0,
                                 back: foot_b.heel_point[:, 1] - anthro.heel_point_height_m},
                    knees=knees, wrists=_reachable(anthro, lumbar, trunk_rot, wrists), hands=hands)
    trials = [Event(front, p["start"], p["peak_f"], p["end"]) for p in plans]
    card = None
    if sc.toe_to_wall_cm is not None:
        knee_front = front_x_m(build_figure(pose, sc.appearance), KNEE_FRONT_PARTS, front)
        need_cm = (float(knee_front.max()) - float(np.max(foot_f.toe_point[:, 0]))) * 100.0
        if need_cm > sc.toe_to_wall_cm + 1e-6:
            raise ValueError(f"the knee would pass through the wall: toe_to_wall_cm must be at "
                             f"least {need_cm:.2f} for these peaks, got {sc.toe_to_wall_cm:g}")
        if sc.marker_cm is not None:
            card = marker_card(anthro, sc, wall_x)
    return Motion(pose=pose, trials=trials, squat_reps=[], wall_x_m=wall_x if sc.wall else None,
                  card=card, wall_measured=sc.toe_to_wall_cm is not None)


def marker_card(anthro: Anthropometry, sc: KneeToWall, wall_x_m: float) -> Card:
    """The upright marker card: on the floor, wall-side edge against the wall, in a sagittal
    plane ``marker_offset_cm`` nearer the camera than the tested foot's midline (negative:
    behind it), its marker part ``marker_lift_cm`` above the floor."""
    marker = sc.marker_cm / 100.0
    size = marker + 2.0 * sc.marker_margin_cm / 100.0
    lift = sc.marker_lift_cm / 100.0
    toward_camera = 1.0 if sc.facing == "right" else -1.0  # side views look along -z / +z
    z = SIDES[sc.tested_leg] * anthro.hip_half_width_m + toward_camera * sc.marker_offset_cm / 100.0
    right = np.array([1.0 if sc.facing == "right" else -1.0, 0.0, 0.0])
    return Card(center_m=np.array([wall_x_m - size / 2.0, lift + size / 2.0, z]), right=right,
                normal=np.array([0.0, 0.0, toward_camera]), marker_m=marker,
                margin_m=sc.marker_margin_cm / 100.0, lift_m=lift)


def touch_toe_to_wall_cm(sc: KneeToWall) -> float:
    """Toe-to-wall distance at which the front of the knee just touches the wall at the clip's
    highest peak (independent of where the wall is: the motion does not depend on it)."""
    motion = knee_to_wall(replace(sc, toe_to_wall_cm=None, marker_cm=None))
    s = "_" + sc.tested_leg[0]
    front = front_x_m(build_figure(motion.pose, sc.appearance), KNEE_FRONT_PARTS, sc.tested_leg)
    return (float(front.max()) - float(motion.pose.points["toe" + s][:, 0].max())) * 100.0


def _extra_hip_flexion_deg(anthro: Anthropometry, knee_f: np.ndarray, thigh_deg: np.ndarray,
                           front: str, back: str, ankle_bx_m: float, *,
                           max_lift_deg: float) -> np.ndarray:
    """Smallest extra front-thigh angle (deg, per frame) that brings the back hip within the
    back leg's reach (97.5 %) of a back foot at ``ankle_bx_m`` with its heel ``max_lift_deg`` up."""
    n = knee_f.shape[0]
    zeros = np.zeros(n)
    pelvis_rot = rot_z(np.radians(-6.0 + zeros))
    shift = hip_offset(anthro, pelvis_rot, back) - hip_offset(anthro, pelvis_rot, front)
    ball = np.array([ankle_bx_m + anthro.ball_fwd_m, 0.0, SIDES[back] * anthro.hip_half_width_m])
    lifted = ball + rot_z(np.array([-np.radians(max_lift_deg)]))[0] @ np.array(
        [-anthro.ball_fwd_m, anthro.ankle_height_m, 0.0])
    reach = 0.975 * anthro.leg_m

    def gap(extra):
        hip = knee_f + anthro.thigh_m * sagittal_direction(zeros, -np.radians(thigh_deg + extra))
        return np.linalg.norm(hip + shift - lifted, axis=-1) - reach

    return _smallest_reaching(gap, np.full(n, 70.0),
                              "back foot too far behind: the back leg cannot reach it even in a deep lunge")


def _smallest_reaching(gap, hi: np.ndarray, too_far: str) -> np.ndarray:
    """Per frame, the smallest value in [0, ``hi``] at which ``gap`` (vectorised, decreasing)
    is no longer positive, by 40 bisections; 0 where it is not positive at 0. ``too_far``:
    the error when even ``hi`` leaves a gap."""
    if np.any(gap(hi) > 0):
        raise ValueError(too_far)
    lo = np.zeros_like(hi)
    need = gap(lo) > 0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        over = gap(mid) > 0
        lo = np.where(over, mid, lo)
        hi = np.where(over, hi, mid)
    return np.where(need, hi, 0.0)


def reach_lift(anthro: Anthropometry, hip: np.ndarray, ball: np.ndarray, reach_m: float) -> np.ndarray:
    """Smallest rear-foot rotation about the ball that brings the ankle within ``reach_m`` of the
    hip, per frame (0 where the flat foot is reachable); bisection, exact to 1e-9 rad.

    Parameters
    ----------
    hip, ball : ndarray of shape (T, 3)

    Returns
    -------
    ndarray of shape (T,)
    """
    local = np.array([-anthro.ball_fwd_m, anthro.ankle_height_m, 0.0])

    def gap(theta):
        return np.linalg.norm(hip - ball - apply(rot_z(-theta), local), axis=-1) - reach_m

    return _smallest_reaching(gap, np.full(hip.shape[0], np.radians(70.0)),
                              "back foot too far behind: the back leg cannot reach it even on the ball of the foot")


def _reachable(anthro: Anthropometry, lumbar: np.ndarray, trunk_rot: np.ndarray,
               wrists: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pull wrist targets in to 97 % of the arm's reach (the hand slides, the arm never locks)."""
    out = {}
    reach = 0.97 * (anthro.upper_arm_m + anthro.forearm_m)
    for leg, target in wrists.items():
        sh = shoulder_points(anthro, lumbar, trunk_rot, leg)
        v = target - sh
        d = np.linalg.norm(v, axis=-1, keepdims=True)
        out[leg] = sh + v * np.minimum(1.0, reach / d)
    return out

