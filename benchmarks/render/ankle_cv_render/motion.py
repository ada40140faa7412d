"""Knee-to-wall motion: scenario -> per-frame angles -> posed skeleton, plus event timing.

Key instants (drive start, peak, lift onset, ...) fall exactly on frames, so the truth at a
peak frame is the commanded value. The profile of a trial: rest at a split-stance angle, knee
drive (eased), a short hold at the wall that settles back by a few tenths of a degree, return
to rest. The tested (front) foot stays flat unless a heel lift is asked for; the back foot is
flat, at the longest stance the back leg reaches in every frame (capped at 0.45 m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import Anthropometry, heel_lift_angle, place_foot, rot_z, sagittal_direction, two_link
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
    """

    pose: Pose
    trials: list[Event]
    squat_reps: list[Event]
    wall_x_m: float | None


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
    ball_b = np.tile([ankle_bx + anthro.ball_fwd_m, 0.0, SIDES[back] * anthro.hip_half_width_m], (n, 1))
    foot_b = place_foot(anthro, ball_m=ball_b, yaw_rad=zeros, lift_rad=zeros)
    fwd = np.tile([1.0, 0.0, 0.0], (n, 1))
    knee_b = two_link(hip_b, foot_b.ankle, anthro.thigh_m, anthro.shank_m, fwd)
    # The wall stands where the front of the knee is at the furthest drive; hands rest on it.
    wall_x = float(np.max(knee_f[:, 0])) + 0.05 * k
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
                    heel_rise_m={front: heel_cm / 100.0, back: zeros}, knees=knees,
                    wrists=_reachable(anthro, lumbar, trunk_rot, wrists), hands=hands)
    trials = [Event(front, p["start"], p["peak_f"], p["end"]) for p in plans]
    return Motion(pose=pose, trials=trials, squat_reps=[], wall_x_m=wall_x if sc.wall else None)


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

