"""Synthetic MediaPipe-like landmark series with known geometry, for the core's tests.

The figure is a 2-D stick person in a side view, in a level world frame (x forward, y up,
pixels): the front (tested) foot is flat on the floor with the heel 30 px behind the ankle
and the foot index 90 px ahead of it (foot length 120 px); the shank is 200 px long and
leans forward by a scripted tibia angle; the back foot stands 260 px behind. The world is
then mirrored for a figure facing image-left, rotated counter-clockwise on screen by the
camera roll, and placed in a 1280x720 image. MediaPipe's labels are "left"/"right"
anatomically unless ``swap_frames`` exchanges them.
"""

from __future__ import annotations

import numpy as np

from ankle_cv import landmarks as lm
from ankle_cv.series import LandmarkSeries

SHANK_PX = 200.0
THIGH_PX = 210.0
ANKLE_HEIGHT_PX = 25.0
HEEL_BACK_PX = 30.0
FOOT_PX = 120.0
BACK_FOOT_PX = 260.0
SIZE = (1280, 720)


def raised_cosine(t: np.ndarray, start: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """0 -> 1 -> 0 bump: cosine ramps of ``rise`` and ``fall`` seconds around a hold."""
    up = np.clip((t - start) / rise, 0, 1)
    down = np.clip((t - start - rise - hold) / fall, 0, 1)
    return 0.5 * (1 - np.cos(np.pi * up)) - 0.5 * (1 - np.cos(np.pi * down))


def tibia_script(t: np.ndarray, peaks_deg, *, base_deg: float = 5.0, period_s: float = 3.0):
    """Tibia angle over time: one drive per peak, each ``period_s`` long (1 s up, 0.6 s hold,
    1 s down), starting 0.5 s into the clip. Returns the angle and the peak frame times."""
    angle = np.full(t.shape, base_deg)
    peak_times = []
    for i, peak in enumerate(peaks_deg):
        start = 0.5 + i * period_s
        angle = angle + (peak - base_deg) * raised_cosine(t, start, 1.0, 0.6, 1.0)
        peak_times.append(start + 1.3)
    return angle, peak_times


def knee_to_wall(
    *,
    peaks_deg=(30.0, 35.0, 40.0),
    fps: float = 30.0,
    tested: str = "left",
    facing: str = "right",
    roll_deg: float = 0.0,
    lift: tuple[float, float, float] | None = None,
    swap_frames: slice | None = None,
    noise_px: float = 0.0,
    seed: int = 0,
) -> tuple[LandmarkSeries, dict]:
    """A knee-to-wall clip as a LandmarkSeries plus its truth.

    Parameters
    ----------
    lift : (start_s, duration_s, height_px), optional
        A heel lift of the front foot: rotation about the foot index, raised-cosine rise and
        fall of a quarter of the duration each.
    swap_frames : slice, optional
        Frames in which MediaPipe's left/right labels are exchanged.
    """
    n = int(round((0.5 + 3.0 * len(peaks_deg) + 0.5) * fps))
    t = np.arange(n) / fps
    tibia, peak_times = tibia_script(t, peaks_deg)
    th = np.deg2rad(tibia)

    heel_rise = np.zeros(n)
    if lift is not None:
        start, dur, height = lift
        heel_rise = height * raised_cosine(t, start, dur / 4, dur / 2, dur / 4)
    # the front foot pitches about the foot index by the lift angle
    pitch = np.arcsin(heel_rise / FOOT_PX)
    toe = np.stack([np.full(n, FOOT_PX - HEEL_BACK_PX), np.zeros(n)], axis=1)
    back = np.stack([-np.cos(pitch), np.sin(pitch)], axis=1)  # toe -> heel direction
    heel = toe + FOOT_PX * back
    # the ankle sits HEEL_BACK_PX ahead of the heel along the foot and ANKLE_HEIGHT_PX above it
    ankle = heel - HEEL_BACK_PX * back + ANKLE_HEIGHT_PX * np.stack([np.sin(pitch), np.cos(pitch)], axis=1)
    knee = ankle + SHANK_PX * np.stack([np.sin(th), np.cos(th)], axis=1)
    hip = knee + THIGH_PX * np.stack([-np.full(n, 0.5), np.full(n, np.sqrt(0.75))], axis=1)

    b_heel = np.tile([-BACK_FOOT_PX - HEEL_BACK_PX, 10.0], (n, 1))
    b_toe = b_heel + [FOOT_PX, -10.0]
    b_ankle = b_heel + [HEEL_BACK_PX, ANKLE_HEIGHT_PX + 5.0]
    b_knee = b_ankle + SHANK_PX * np.array([np.sin(np.deg2rad(-20)), np.cos(np.deg2rad(-20))])
    b_hip = hip.copy()

    front = np.stack([hip, knee, ankle, heel, toe], axis=1)  # (n, 5, 2) world px, y up
    rear = np.stack([b_hip, b_knee, b_ankle, b_heel, b_toe], axis=1)
    shoulder = hip + [0.0, 330.0]
    nose = shoulder + [40.0, 120.0]

    def to_image(p):
        p = np.asarray(p, dtype=np.float64).copy()
        if facing == "left":
            p[..., 0] = -p[..., 0]
        r = np.deg2rad(roll_deg)
        x, y = p[..., 0], p[..., 1] - 250.0
        xr, yr = np.cos(r) * x - np.sin(r) * y, np.sin(r) * x + np.cos(r) * y
        return np.stack([SIZE[0] / 2 + xr, SIZE[1] / 2 - yr], axis=-1)

    front_i, rear_i = to_image(front), to_image(rear)
    near_is_right = facing == "right"
    tested_idx = lm.LEGS.index(tested)
    xyzv = np.full((n, lm.N_LANDMARKS, 4), np.nan, dtype=np.float64)
    hips = lm.LEG_LANDMARKS  # hip, knee, ankle, heel, foot index per leg
    for leg_idx, chain in ((tested_idx, front_i), (1 - tested_idx, rear_i)):
        is_near = (leg_idx == 1) == near_is_right
        for j, lmk in enumerate(hips[leg_idx]):
            xyzv[:, lmk, :2] = chain[:, j]
            xyzv[:, lmk, 2] = -20.0 if is_near else 20.0
            xyzv[:, lmk, 3] = 0.95 if is_near else 0.8
    for lmk, off in ((lm.LEFT_SHOULDER, 0.0), (lm.RIGHT_SHOULDER, 8.0)):
        xyzv[:, lmk, :2] = to_image(shoulder + [off, 0.0])
        xyzv[:, lmk, 2:] = (0.0, 0.9)
    xyzv[:, lm.NOSE, :2] = to_image(nose)
    xyzv[:, lm.NOSE, 2:] = (0.0, 0.9)
    if noise_px:
        rng = np.random.default_rng(seed)
        xyzv[..., :2] += rng.normal(0.0, noise_px, size=xyzv[..., :2].shape)
    if swap_frames is not None:
        pairs = list(zip(*hips))
        for a, b in pairs:
            xyzv[swap_frames, [a, b]] = xyzv[swap_frames, [b, a]]

    truth = {
        "tibia_deg": tibia,
        "peak_deg": list(peaks_deg),
        "peak_frames": [int(round(pt * fps)) for pt in peak_times],
        "heel_rise_px": heel_rise,
        "lift_start_frame": int(np.flatnonzero(heel_rise > 0)[0]) if lift else None,
        "lift_stop_frame": int(np.flatnonzero(heel_rise > 0)[-1]) + 1 if lift else None,
    }
    series = LandmarkSeries(xyzv=xyzv, time_s=t, frame_size_px=SIZE, fps=fps, source="synthetic")
    return series, truth
