"""The posed skeleton: joint centres and segment frames of the whole body over a clip.

``assemble`` completes a pose from what the motion module decides (pelvis, trunk, head, planted
feet, knees and wrist targets): hips from the pelvis, shoulders from the trunk, elbows by a
two-link solve, and a right-handed frame for every segment (columns x anterior, y proximal/up,
z the person's right) that the figure's surface shapes hang on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import Anthropometry, Foot, apply, frame_from, two_link, unit

SIDES = {"left": -1, "right": 1}


@dataclass(frozen=True)
class Pose:
    """Joint centres and segment frames over T frames.

    Attributes
    ----------
    anthro : Anthropometry
    points : dict of str to ndarray of shape (T, 3)
        ``pelvis`` (hip centres' midpoint), ``lumbar``, ``neck``, ``head``, and per side
        (suffix ``_l`` / ``_r``) ``hip``, ``knee``, ``ankle``, ``ball``, ``heel``, ``toe``,
        ``shoulder``, ``elbow``, ``wrist``.
    frames : dict of str to ndarray of shape (T, 3, 3)
        ``pelvis``, ``trunk``, ``head`` and per side ``thigh``, ``shank``, ``foot`` (rear
        foot), ``toes``, ``hand``.
    foot_yaw_rad, heel_rise_m : dict of str to ndarray of shape (T,)
        Per leg ("left"/"right"): foot yaw and rise of the posterior heel point.
    """

    anthro: Anthropometry
    points: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]
    foot_yaw_rad: dict[str, np.ndarray]
    heel_rise_m: dict[str, np.ndarray]

    @property
    def n_frames(self) -> int:
        return int(self.points["pelvis"].shape[0])


def suffix(leg: str) -> str:
    """``"_l"`` or ``"_r"``."""
    return "_" + leg[0]


def hip_offset(anthro: Anthropometry, pelvis_rot: np.ndarray, leg: str) -> np.ndarray:
    """Vector from the pelvis centre to a hip joint centre; ``ndarray of shape (T, 3)``."""
    return apply(pelvis_rot, np.array([0.0, 0.0, SIDES[leg] * anthro.hip_half_width_m]))


def shoulder_points(anthro: Anthropometry, lumbar: np.ndarray, trunk_rot: np.ndarray,
                    leg: str) -> np.ndarray:
    """Shoulder joint centre of one side; ``ndarray of shape (T, 3)``."""
    k = anthro.scale
    up = anthro.trunk_m - 0.10 * k
    return lumbar + apply(trunk_rot, np.array([-0.01 * k, up, SIDES[leg] * anthro.shoulder_half_width_m]))


def lumbar_point(anthro: Anthropometry, pelvis: np.ndarray, pelvis_rot: np.ndarray) -> np.ndarray:
    """Origin of the trunk segment, 10 cm (scaled) above the hip centres' midpoint."""
    return pelvis + apply(pelvis_rot, np.array([0.0, 0.10 * anthro.scale, 0.0]))


def assemble(anthro: Anthropometry, *, pelvis: np.ndarray, pelvis_rot: np.ndarray,
             trunk_rot: np.ndarray, head_rot: np.ndarray, feet: dict[str, Foot],
             foot_yaw_rad: dict[str, np.ndarray], heel_rise_m: dict[str, np.ndarray],
             knees: dict[str, np.ndarray], wrists: dict[str, np.ndarray],
             hands: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> Pose:
    """Complete a pose.

    Parameters
    ----------
    pelvis : ndarray of shape (T, 3)
        Midpoint of the hip joint centres.
    pelvis_rot, trunk_rot, head_rot : ndarray of shape (T, 3, 3)
        Segment orientations (columns x forward, y up, z right).
    feet : dict of str to Foot
        Planted feet per leg (see ``body.place_foot``).
    knees, wrists : dict of str to ndarray of shape (T, 3)
        Knee centres and wrist centres per side.
    hands : dict of str to (ndarray of shape (T, 3), ndarray of shape (T, 3)), optional
        Per side, the direction from the wrist to the fingertips and the palm's normal; by
        default the hand continues the forearm, palm facing the midline.

    Returns
    -------
    Pose
    """
    k = anthro.scale
    pts: dict[str, np.ndarray] = {"pelvis": pelvis}
    frames: dict[str, np.ndarray] = {"pelvis": pelvis_rot, "trunk": trunk_rot, "head": head_rot}
    lumbar = lumbar_point(anthro, pelvis, pelvis_rot)
    pts["lumbar"] = lumbar
    pts["neck"] = lumbar + apply(trunk_rot, np.array([-0.015 * k, 0.42 * k, 0.0]))
    pts["head"] = lumbar + apply(trunk_rot, np.array([0.0, 0.50 * k, 0.0]))
    for leg, side in SIDES.items():
        s = suffix(leg)
        foot = feet[leg]
        hip = pelvis + hip_offset(anthro, pelvis_rot, leg)
        knee, ankle = knees[leg], foot.ankle
        pts.update({"hip" + s: hip, "knee" + s: knee, "ankle" + s: ankle, "ball" + s: foot.ball,
                    "heel" + s: foot.heel_point, "toe" + s: foot.toe_point})
        shank = frame_from(knee - ankle, foot.toes[:, :, 0])
        hinge = shank[:, :, 2]
        thigh_y = unit(hip - knee)
        thigh_x = unit(np.cross(thigh_y, hinge))
        frames["thigh" + s] = np.stack([thigh_x, thigh_y, np.cross(thigh_x, thigh_y)], -1)
        frames["shank" + s] = shank
        frames["foot" + s] = foot.rear
        frames["toes" + s] = foot.toes
        shoulder = shoulder_points(anthro, lumbar, trunk_rot, leg)
        pole = apply(trunk_rot, np.array([-0.35, -1.0, side * 0.45]))
        elbow = two_link(shoulder, wrists[leg], anthro.upper_arm_m, anthro.forearm_m, pole)
        pts.update({"shoulder" + s: shoulder, "elbow" + s: elbow, "wrist" + s: wrists[leg]})
        medial = apply(trunk_rot, np.array([0.0, 0.0, -side]))
        fingers, palm = (wrists[leg] - elbow, medial) if hands is None else hands[leg]
        frames["hand" + s] = frame_from(-fingers, palm)
    return Pose(anthro=anthro, points=pts, frames=frames, foot_yaw_rad=foot_yaw_rad,
                heel_rise_m=heel_rise_m)
