"""Two side-view motions that are not a knee-to-wall test: a single-leg hinge and a walking lunge.

They exist so that the tool can be checked to refuse them. Same figure, anthropometry and
camera as the knee-to-wall clips; key instants (deepest hinge, bottom of a lunge) fall on frames.
"""

from __future__ import annotations

import numpy as np

from .body import Anthropometry, Foot, apply, place_foot, rot_z, sagittal_direction, two_link
from .motion import Event, Motion, _reachable, ramp
from .scenarios import SingleLegHinge, WalkingLunge
from .skeleton import SIDES, assemble, hip_offset, lumbar_point, shoulder_points


def _frames(fps: float):
    def f(seconds: float) -> int:  # seconds -> whole frames (at least one)
        return max(int(round(seconds * fps)), 1)
    return f


def foot_at_ankle(anthro: Anthropometry, ankle: np.ndarray, rear: np.ndarray) -> Foot:
    """A foot off the floor: rear-foot (and toe) frame ``rear`` (T, 3, 3) about ``ankle`` (T, 3)."""
    a = anthro
    ball = ankle - apply(rear, np.array([-a.ball_fwd_m, a.ankle_height_m, 0.0]))
    heel = ball + apply(rear, np.array([-a.ball_fwd_m - a.heel_back_m, a.heel_point_height_m, 0.0]))
    toe = ball + apply(rear, np.array([a.toe_fwd_m - a.ball_fwd_m, a.toe_point_height_m, 0.0]))
    return Foot(rear=rear, toes=rear, ankle=ankle, ball=ball, heel_point=heel, toe_point=toe)


def _hanging_wrists(anthro, lumbar, trunk_rot, n, forward_m=0.03):
    """Arms hanging straight down from the shoulders (a little forward)."""
    arm = 0.95 * (anthro.upper_arm_m + anthro.forearm_m)
    wrists = {}
    for leg, side in SIDES.items():
        sh = shoulder_points(anthro, lumbar, trunk_rot, leg)
        wrists[leg] = sh + np.stack([np.full(n, forward_m), np.full(n, -arm),
                                     np.full(n, -side * 0.03)], -1)
    return _reachable(anthro, lumbar, trunk_rot, wrists)


def single_leg_hinge(sc: SingleLegHinge) -> Motion:
    """Pose a single-leg hinge: stance foot flat, stance knee slightly bent, pelvis and trunk
    pitching forward to the commanded angle, the free leg rising behind in line with the trunk.

    Per rep: lower 1.1-1.3 s (eased), hold 0.25-0.4 s, rise 1.0-1.2 s, stand 0.5-0.7 s. The
    free foot stays off the floor throughout (it hovers behind between reps).
    """
    rng = np.random.default_rng(sc.seed)
    anthro = Anthropometry(height_m=sc.height_m)
    f = _frames(sc.fps)
    t0 = f(rng.uniform(0.5, 0.7))
    keys = []
    for _ in range(sc.n_reps):
        down, hold = f(rng.uniform(1.1, 1.3)), f(rng.uniform(0.25, 0.4))
        up, rest = f(rng.uniform(1.0, 1.2)), f(rng.uniform(0.5, 0.7))
        keys.append((t0, t0 + down, t0 + down + hold, t0 + down + hold + up))
        t0 += down + hold + up + rest
    n = t0
    frames = np.arange(n)
    depth = np.zeros(n)
    peak = np.full(n, sc.peak_trunk_deg[0])
    for (start, bottom, hold_end, end), p in zip(keys, sc.peak_trunk_deg):
        seg = np.where(frames <= bottom, ramp(frames, start, bottom - start),
                       np.where(frames <= hold_end, 1.0, 1.0 - ramp(frames, hold_end, end - hold_end)))
        sel = (frames >= start) & (frames <= end)
        depth[sel] = seg[sel]
        peak[frames >= start] = p
    stance, free = sc.stance_leg, ("left" if sc.stance_leg == "right" else "right")
    zeros = np.zeros(n)
    # Stance leg from the floor up: flat foot, tibia 4 -> 10 deg, knee half -> full flexion.
    ball_s = np.tile([anthro.ball_fwd_m, 0.0, SIDES[stance] * anthro.hip_half_width_m], (n, 1))
    foot_s = place_foot(anthro, ball_m=ball_s, yaw_rad=zeros, lift_rad=zeros)
    tib = 4.0 + 6.0 * depth
    flex = sc.stance_knee_flexion_deg * (0.5 + 0.5 * depth)
    knee_s = foot_s.ankle + anthro.shank_m * sagittal_direction(zeros, np.radians(tib))
    hip_s = knee_s + anthro.thigh_m * sagittal_direction(zeros, -np.radians(flex - tib))
    t_s = frames / sc.fps
    sway = np.sin(2 * np.pi * 0.2 * t_s + rng.uniform(0, 2 * np.pi))
    trunk = 6.0 + depth * (peak - 6.0) + 0.8 * sway * (1.0 - depth)
    trunk_rot = rot_z(-np.radians(trunk))
    pelvis_rot = rot_z(-np.radians(0.85 * trunk))
    pelvis = hip_s - hip_offset(anthro, pelvis_rot, stance)
    head_rot = rot_z(-np.radians(0.8 * trunk))
    # Free leg: thigh pointing down and back, in line with the trunk at depth; knee bent
    # 40 deg hovering, 15 deg at depth; foot at 90 deg to the shank plus 20 deg plantarflexion.
    hip_f = pelvis + hip_offset(anthro, pelvis_rot, free)
    phi = 15.0 + depth * (0.95 * peak - 15.0)
    kappa = 40.0 - 25.0 * depth
    knee_f = hip_f - anthro.thigh_m * sagittal_direction(zeros, np.radians(phi))
    ankle_f = knee_f - anthro.shank_m * sagittal_direction(zeros, np.radians(phi + kappa))
    rear = rot_z(-np.radians(phi + kappa - 20.0))
    foot_f = foot_at_ankle(anthro, ankle_f, rear)
    lumbar = lumbar_point(anthro, pelvis, pelvis_rot)
    wrists = _hanging_wrists(anthro, lumbar, trunk_rot, n)
    pose = assemble(anthro, pelvis=pelvis, pelvis_rot=pelvis_rot, trunk_rot=trunk_rot,
                    head_rot=head_rot, feet={stance: foot_s, free: foot_f},
                    foot_yaw_rad={"left": zeros, "right": zeros},
                    heel_rise_m={stance: zeros,
                                 free: foot_f.heel_point[:, 1] - anthro.heel_point_height_m},
                    knees={stance: knee_s, free: knee_f}, wrists=wrists)
    lowest = np.minimum.reduce([foot_f.heel_point[:, 1], foot_f.toe_point[:, 1], foot_f.ball[:, 1]])
    if lowest.min() < 0.02 * anthro.scale:
        raise ValueError("hinge pose puts the free foot on the floor")  # guards the geometry
    reps = [Event(stance, s, b, e) for s, b, _, e in keys]
    return Motion(pose=pose, trials=[], squat_reps=[], wall_x_m=None, kind="single_leg_hinge",
                  reps=reps)


def walking_lunge(sc: WalkingLunge) -> Motion:
    """Pose a walking lunge: from standing, the first leg steps ``step_cm`` ahead, the person
    lunges down (front knee to the commanded flexion, back heel up on the ball of the foot) and
    up; then the back foot lifts, comes through and lands ``step_cm`` ahead of the other, and
    so on; after the last rep the back foot comes through to stand beside the front one.

    Per rep: swing 0.7-0.8 s (ball of the foot on a 10 cm arc), lower 0.85-1.0 s, hold
    0.15-0.25 s, rise 0.8-0.9 s. The pelvis is as high as both legs reach (97.5 % of the leg)
    except at the bottom, where the front shank leans 8 deg and the front knee has the commanded
    flexion.
    """
    rng = np.random.default_rng(sc.seed)
    a = Anthropometry(height_m=sc.height_m)
    k = a.scale
    f = _frames(sc.fps)
    step = sc.step_cm / 100.0
    legs = [sc.first_leg, "left" if sc.first_leg == "right" else "right"]
    lead = f(rng.uniform(0.5, 0.7))
    # Per rep: (swing leg, swing start, landing, bottom, hold end, rise end)
    plan, t0 = [], lead
    for i in range(sc.n_reps):
        swing, down = f(rng.uniform(0.7, 0.8)), f(rng.uniform(0.85, 1.0))
        hold, up = f(rng.uniform(0.15, 0.25)), f(rng.uniform(0.8, 0.9))
        plan.append((legs[i % 2], t0, t0 + swing, t0 + swing + down, t0 + swing + down + hold,
                     t0 + swing + down + hold + up))
        t0 += swing + down + hold + up
    recover = f(0.75)
    n = t0 + recover + f(rng.uniform(0.5, 0.7))
    frames = np.arange(n)
    # Ball-of-foot x, lift (heel up) and swing height per leg, built rep by rep.
    bx = {leg: np.full(n, a.ball_fwd_m) for leg in SIDES}
    lift = {leg: np.zeros(n) for leg in SIDES}
    by = {leg: np.zeros(n) for leg in SIDES}
    back_lift = np.radians(35.0)
    depth = np.zeros(n)
    bottoms = []
    for i, (w, s0, land, bottom, hold_end, end) in enumerate(plan):
        st = legs[(i + 1) % 2]
        x0, x1 = bx[w][s0], bx[st][s0] + step
        u = ramp(frames, s0, land - s0)
        sel = frames >= s0
        bx[w][sel] = (x0 + (x1 - x0) * u)[sel]
        by[w][sel] = (0.10 * k * np.sin(np.pi * np.clip((frames - s0) / (land - s0), 0, 1)))[sel]
        lift[w][sel] = (lift[w][s0] * (1.0 - u))[sel]
        # the stance foot (now behind) rolls onto its ball as the person lowers
        lift[st][frames >= land] = (back_lift * ramp(frames, land, bottom - land))[frames >= land]
        seg = np.where(frames <= bottom, ramp(frames, land, bottom - land),
                       np.where(frames <= hold_end, 1.0, 1.0 - ramp(frames, hold_end, end - hold_end)))
        span = (frames >= land) & (frames <= end)
        depth[span] = seg[span]
        bottoms.append((w, st, bottom))
    # Recovery: the back foot comes through to stand beside the front one.
    w = legs[sc.n_reps % 2]
    st = legs[(sc.n_reps + 1) % 2]
    s0 = plan[-1][-1]
    u = ramp(frames, s0, recover)
    sel = frames >= s0
    x0 = bx[w][s0]
    bx[w][sel] = (x0 + (bx[st][s0] - x0) * u)[sel]
    by[w][sel] = (0.10 * k * np.sin(np.pi * np.clip((frames - s0) / recover, 0, 1)))[sel]
    lift[w][sel] = (lift[w][s0] * (1.0 - u))[sel]
    zeros = np.zeros(n)
    feet = {}
    for leg, side in SIDES.items():
        ball = np.stack([bx[leg], by[leg], np.full(n, side * a.hip_half_width_m)], -1)
        feet[leg] = place_foot(a, ball_m=ball, yaw_rad=zeros, lift_rad=lift[leg])
    pelvis_rot = rot_z(np.radians(np.full(n, -5.0)))
    # Pelvis x: over the feet's middle, shifted toward the front foot at the bottom.
    ankles_x = np.stack([feet[leg].ankle[:, 0] for leg in SIDES])
    px = 0.5 * (ankles_x.min(0) + ankles_x.max(0))
    # Bottom pose of each rep: front shank 8 deg forward, the commanded knee flexion.
    target_x = np.array(px)
    target_y = np.full(n, np.inf)
    for (w, _s0, land, _bottom, _hold_end, end), (_, _, b) in zip(plan, bottoms):
        span = (frames >= land) & (frames <= end)
        off = hip_offset(a, pelvis_rot, w)[b]
        knee = feet[w].ankle[b] + a.shank_m * np.array([np.sin(np.radians(8.0)), np.cos(np.radians(8.0)), 0])
        back = np.radians(sc.front_knee_flexion_deg - 8.0)
        hip = knee + a.thigh_m * np.array([-np.sin(back), np.cos(back), 0.0])
        pel_b = hip - off
        target_x[span] = (px + depth * (pel_b[0] - px))[span]
        target_y[span] = pel_b[1]
    # Height: as high as every leg reaches, lowered toward the bottom pose by the depth.
    reach = 0.975 * a.leg_m
    top = np.full(n, np.inf)
    for leg in SIDES:
        off = hip_offset(a, pelvis_rot, leg)
        dx = target_x + off[:, 0] - feet[leg].ankle[:, 0]
        dz = off[:, 2] + 0.0 - feet[leg].ankle[:, 2]
        room = reach**2 - dx**2 - dz**2
        if np.any(room <= 0):
            raise ValueError("walking lunge step too long for this person's legs")
        top = np.minimum(top, feet[leg].ankle[:, 1] + np.sqrt(room) - off[:, 1])
    bottom_y = np.where(np.isfinite(target_y), target_y, top)
    y = top + depth * (bottom_y - top)
    y = np.minimum(y, top)
    pelvis = np.stack([target_x, y, zeros], -1)
    knees = {leg: two_link(pelvis + hip_offset(a, pelvis_rot, leg), feet[leg].ankle, a.thigh_m,
                           a.shank_m, np.tile([1.0, 0.0, 0.0], (n, 1))) for leg in SIDES}
    t_s = frames / sc.fps
    lean = 5.0 + 4.0 * depth + 0.8 * np.sin(2 * np.pi * 0.22 * t_s + rng.uniform(0, 2 * np.pi))
    trunk_rot = rot_z(-np.radians(lean))
    head_rot = rot_z(np.radians(-3.0 + zeros))
    lumbar = lumbar_point(a, pelvis, pelvis_rot)
    wrists = _hanging_wrists(a, lumbar, trunk_rot, n, forward_m=0.05)
    pose = assemble(a, pelvis=pelvis, pelvis_rot=pelvis_rot, trunk_rot=trunk_rot, head_rot=head_rot,
                    feet=feet, foot_yaw_rad={"left": zeros, "right": zeros},
                    heel_rise_m={leg: feet[leg].heel_point[:, 1] - a.heel_point_height_m
                                 for leg in SIDES},
                    knees=knees, wrists=wrists)
    reps = [Event(w, s0, bottom, end) for w, s0, land, bottom, hold_end, end in plan]
    return Motion(pose=pose, trials=[], squat_reps=[], wall_x_m=None, kind="walking_lunge",
                  reps=reps)
