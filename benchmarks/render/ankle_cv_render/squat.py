"""Bodyweight squat motion (front or side view): depth curve -> posed skeleton.

Each rep descends and rises along a half-cosine depth curve whose bottom falls exactly on a
frame, so the commanded values (FPPA, turn-out, heel lift) hold exactly at the bottom frame.
The feet are planted; a turn-out change (from standing to the bottom) pivots each foot about
its heel. The pelvis follows a
sagittal squat model (tibia 36 % and thigh 64 % of the knee flexion, trunk leaning forward),
each knee is placed on its hip-ankle circle at the swivel that gives the commanded FPPA.
"""

from __future__ import annotations

import numpy as np

from .body import Anthropometry, apply, heel_lift_angle, place_foot, rot_y, rot_z, two_link
from .measures import fppa_deg
from .motion import Event, Motion, ease, ramp
from .scenarios import SquatFront, SquatSide
from .skeleton import SIDES, assemble, hip_offset, lumbar_point, shoulder_points


def _depth_curve(sc, rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Depth fraction per frame (0 standing, 1 at the bottom) and (start, bottom, end) frames."""

    def f(seconds: float) -> int:  # seconds -> whole frames (at least one)
        return max(int(round(seconds * sc.fps)), 1)

    t0 = f(rng.uniform(0.5, 0.7))
    reps = []
    for _ in range(sc.n_reps):
        down, up, stand = f(rng.uniform(1.0, 1.3)), f(rng.uniform(0.9, 1.2)), f(rng.uniform(0.4, 0.7))
        reps.append((t0, t0 + down, t0 + down + up))
        t0 += down + up + stand
    frames = np.arange(t0)
    depth = np.zeros(t0)
    for start, bottom, end in reps:
        seg = np.where(frames <= bottom, ramp(frames, start, bottom - start),
                       1.0 - ramp(frames, bottom, end - bottom))
        sel = (frames >= start) & (frames <= end)
        depth[sel] = seg[sel]
    return depth, reps


def _solve_swivel(hip, ankle, fwd, anthro, target_deg, side):
    """Knee positions whose FPPA equals ``target_deg`` (vectorised bisection over the swivel)."""
    def knee_at(sw):
        return two_link(hip, ankle, anthro.thigh_m, anthro.shank_m, fwd, sw)

    lo = np.full(target_deg.shape, -np.radians(75.0))
    hi = -lo
    sign = np.sign(fppa_deg(hip, knee_at(hi), ankle, side) - fppa_deg(hip, knee_at(lo), ankle, side))
    sign = np.where(sign == 0, 1.0, sign)
    for _ in range(48):
        mid = 0.5 * (lo + hi)
        above = sign * (fppa_deg(hip, knee_at(mid), ankle, side) - target_deg) > 0
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return knee_at(0.5 * (lo + hi))


def squat(sc: SquatFront | SquatSide) -> Motion:
    """Pose a squat clip (front or side scenario).

    Returns
    -------
    Motion
    """
    rng = np.random.default_rng(sc.seed)
    anthro = Anthropometry(height_m=sc.height_m)
    depth, reps = _depth_curve(sc, rng)
    n = depth.size
    kf_deg = 4.0 + depth * (sc.depth_knee_flexion_deg - 4.0)
    tib = np.radians(0.36 * kf_deg)
    thi = np.radians(0.64 * kf_deg)
    front = isinstance(sc, SquatFront)
    lift_reps = set(range(1, sc.n_reps + 1))
    if not front and sc.heel_lift_reps is not None:
        lift_reps = set(sc.heel_lift_reps)
    in_lift = np.zeros(n, bool)
    for i, (start, _, end) in enumerate(reps):
        if i + 1 in lift_reps:
            in_lift[start:end + 1] = True
    heel_cm = np.zeros(n) if front else sc.heel_lift_cm * ease((depth - 0.5) / 0.5) * in_lift
    half = 0.5 * sc.stance_width_cm / 100.0
    feet, yaw, turn = {}, {}, {}
    for i, (leg, side) in enumerate(SIDES.items()):
        change = sc.turnout_change_deg[i] if front else 0.0
        standing = sc.turnout_deg[i] - change  # turnout_deg is the value at the bottom
        turn[leg] = standing + depth * change
        yaw[leg] = -side * np.radians(turn[leg])
        y0 = -side * np.radians(standing)
        ankle0 = np.array([0.0, 0.0, side * half])
        heel0 = ankle0 - rot_y(np.array([y0]))[0] @ np.array([anthro.heel_back_m, 0.0, 0.0])
        ball = heel0 + apply(rot_y(yaw[leg]), np.array([anthro.heel_back_m + anthro.ball_fwd_m, 0, 0]))
        feet[leg] = place_foot(anthro, ball_m=ball, yaw_rad=yaw[leg],
                               lift_rad=heel_lift_angle(anthro, heel_cm / 100.0))
    # Pelvis: fore-aft from the sagittal model, height so each leg spans its knee flexion.
    pelvis_rot = rot_z(np.radians(-5.0 - 12.0 * depth))
    reach = np.sqrt(anthro.thigh_m**2 + anthro.shank_m**2
                    + 2 * anthro.thigh_m * anthro.shank_m * np.cos(np.radians(kf_deg)))
    ankle_mid = 0.5 * (feet["left"].ankle + feet["right"].ankle)
    px = ankle_mid[:, 0] + anthro.shank_m * np.sin(tib) - anthro.thigh_m * np.sin(thi)
    heights = []
    for leg in SIDES:
        off = hip_offset(anthro, pelvis_rot, leg)
        dx = px + off[:, 0] - feet[leg].ankle[:, 0]
        dz = ankle_mid[:, 2] + off[:, 2] - feet[leg].ankle[:, 2]
        heights.append(feet[leg].ankle[:, 1] + np.sqrt(reach**2 - dx**2 - dz**2) - off[:, 1])
    pelvis = np.stack([px, np.mean(heights, axis=0), ankle_mid[:, 2]], -1)
    knees = {}
    for i, (leg, side) in enumerate(SIDES.items()):
        hip = pelvis + hip_offset(anthro, pelvis_rot, leg)
        fwd = feet[leg].toes[:, :, 0]
        target = depth * (sc.fppa_deg[i] if front else 0.0)
        knees[leg] = _solve_swivel(hip, feet[leg].ankle, fwd, anthro, target, side)
    t_s = np.arange(n) / sc.fps
    sway = np.sin(2 * np.pi * 0.21 * t_s + rng.uniform(0, 2 * np.pi))
    lean = 6.0 + depth * 0.45 * sc.depth_knee_flexion_deg + 0.8 * sway
    trunk_rot = rot_z(-np.radians(lean))
    head_rot = rot_z(-np.radians(0.5 * lean))
    lumbar = lumbar_point(anthro, pelvis, pelvis_rot)
    raise_rad = np.radians(12.0 + 72.0 * depth)
    wrists = {}
    for leg, side in SIDES.items():
        sh = shoulder_points(anthro, lumbar, trunk_rot, leg)
        arm = 0.93 * (anthro.upper_arm_m + anthro.forearm_m)
        d = np.stack([np.sin(raise_rad), -np.cos(raise_rad), np.full(n, -side * 0.12)], -1)
        wrists[leg] = sh + arm * d / np.linalg.norm(d, axis=-1, keepdims=True)
    pose = assemble(anthro, pelvis=pelvis, pelvis_rot=pelvis_rot, trunk_rot=trunk_rot,
                    head_rot=head_rot, feet=feet, foot_yaw_rad=yaw,
                    heel_rise_m={leg: heel_cm / 100.0 for leg in SIDES}, knees=knees, wrists=wrists)
    events = [Event("both", s, b, e) for s, b, e in reps]
    return Motion(pose=pose, trials=[], squat_reps=events, wall_x_m=None)
