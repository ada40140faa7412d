"""Anthropometry and kinematics of the rendered figure.

World frame (metres): x is the person's forward direction, y is up, z is the person's right
(right-handed: x cross y = z); the floor is the plane y = 0. Every function works on whole
time series: positions are ``ndarray of shape (T, 3)``, rotations ``(T, 3, 3)`` whose columns
are a segment's local axes expressed in the world (x anterior, y proximal/up, z right).

Segment lengths follow Winter's ratios of body height (Winter, *Biomechanics and Motor Control
of Human Movement*, 4th ed., fig. 4.1). Legs are closed chains in every scenario (the feet are
planted), so the leg kinematics run from the floor up: foot placement and foot pitch give the
ankle centre, the tibia angle gives the knee centre, the thigh angle (or a two-link solve to the
hip) gives the hip centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Reference height the figure's shape dimensions are drawn for; they scale with height_m.
REFERENCE_HEIGHT_M = 1.75


@dataclass(frozen=True)
class Anthropometry:
    """Segment lengths and foot/shoe landmarks of a person of a given height.

    Parameters
    ----------
    height_m : float
        Standing height (barefoot) in metres.
    """

    height_m: float = 1.75

    @property
    def scale(self) -> float:
        """Factor applied to the shape dimensions drawn for a 1.75 m person."""
        return self.height_m / REFERENCE_HEIGHT_M

    @property
    def thigh_m(self) -> float:
        """Hip joint centre to knee joint centre (Winter 0.245 H)."""
        return 0.245 * self.height_m

    @property
    def shank_m(self) -> float:
        """Knee joint centre to ankle joint centre (Winter 0.246 H)."""
        return 0.246 * self.height_m

    @property
    def upper_arm_m(self) -> float:
        """Shoulder to elbow joint centre (Winter 0.186 H)."""
        return 0.186 * self.height_m

    @property
    def forearm_m(self) -> float:
        """Elbow to wrist joint centre (Winter 0.146 H)."""
        return 0.146 * self.height_m

    @property
    def hip_half_width_m(self) -> float:
        """Half the distance between the hip joint centres (about 0.1 H apart)."""
        return 0.05 * self.height_m

    @property
    def shoulder_half_width_m(self) -> float:
        """Half the distance between the shoulder joint centres."""
        return 0.105 * self.height_m

    @property
    def trunk_m(self) -> float:
        """Hip joint centres' midpoint to the shoulder joint centres' midpoint (0.818 H - 0.530 H)."""
        return 0.288 * self.height_m

    @property
    def foot_m(self) -> float:
        """Barefoot foot length, heel to tip of the longest toe (Winter 0.152 H)."""
        return 0.152 * self.height_m

    @property
    def sole_m(self) -> float:
        """Shoe sole thickness."""
        return 0.03 * self.scale

    @property
    def ankle_height_m(self) -> float:
        """Ankle joint centre above the floor with the shoe flat (0.039 H + sole)."""
        return 0.039 * self.height_m + self.sole_m

    @property
    def heel_back_m(self) -> float:
        """Ankle centre to the back of the shoe's heel counter, along the foot.

        The posterior calcaneus is 0.20 foot lengths behind the ankle centre (about 5.3 cm for a
        1.75 m person); the heel counter adds 1.2 cm.
        """
        return 0.20 * self.foot_m + 0.012 * self.scale

    @property
    def ball_fwd_m(self) -> float:
        """Ankle centre to the first metatarsal head (ball of the foot), along the foot."""
        return 0.52 * self.foot_m

    @property
    def toe_fwd_m(self) -> float:
        """Ankle centre to the shoe's tip (toes at 0.80 foot lengths plus 1.5 cm of toe box)."""
        return 0.80 * self.foot_m + 0.015 * self.scale

    @property
    def heel_point_height_m(self) -> float:
        """Height above the floor of the posterior heel point (MediaPipe's heel) with the foot flat."""
        return self.sole_m + 0.012 * self.scale

    @property
    def toe_point_height_m(self) -> float:
        """Height above the floor of the toe point (MediaPipe's foot index) with the foot flat."""
        return self.sole_m

    @property
    def shoe_length_m(self) -> float:
        """Posterior heel point to toe point with the foot flat (the heel-lift normaliser)."""
        return float(np.hypot(self.heel_back_m + self.toe_fwd_m,
                              self.heel_point_height_m - self.toe_point_height_m))

    @property
    def leg_m(self) -> float:
        """Thigh plus shank."""
        return self.thigh_m + self.shank_m


def unit(v: np.ndarray) -> np.ndarray:
    """Normalise vectors along the last axis; ``ndarray of shape (..., 3)``."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def rot_y(angle_rad: np.ndarray) -> np.ndarray:
    """Rotation about world y (CCW seen from above); ``angle_rad`` (T,) -> ``(T, 3, 3)``."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    o, z = np.ones_like(c), np.zeros_like(c)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1),
                     np.stack([-s, z, c], -1)], -2)


def rot_z(angle_rad: np.ndarray) -> np.ndarray:
    """Rotation about z (x toward y for a positive angle); ``(T,)`` -> ``(T, 3, 3)``."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    o, z = np.ones_like(c), np.zeros_like(c)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1),
                     np.stack([z, z, o], -1)], -2)


def rot_x(angle_rad: np.ndarray) -> np.ndarray:
    """Rotation about x (y toward z for a positive angle); ``(T,)`` -> ``(T, 3, 3)``."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    o, z = np.ones_like(c), np.zeros_like(c)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1),
                     np.stack([z, s, c], -1)], -2)


def apply(rot: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors: ``rot`` (T, 3, 3) times ``v`` (3,) or (T, 3) -> (T, 3)."""
    if v.ndim == 1:
        return rot @ v
    return np.einsum("tij,tj->ti", rot, v)


def frame_from(y_axis: np.ndarray, x_hint: np.ndarray) -> np.ndarray:
    """Right-handed frame with the given y axis and x as close as possible to ``x_hint``.

    Parameters
    ----------
    y_axis, x_hint : ndarray of shape (T, 3)

    Returns
    -------
    ndarray of shape (T, 3, 3)
        Columns x, y, z (z = x cross y).
    """
    y = unit(y_axis)
    x = unit(x_hint - np.sum(x_hint * y, -1, keepdims=True) * y)
    return np.stack([x, y, np.cross(x, y)], -1)


@dataclass(frozen=True)
class Foot:
    """A planted foot: rear-foot frame, toe frame and the points the truth needs.

    Attributes are ``ndarray of shape (T, 3)`` positions or ``(T, 3, 3)`` frames.
    """

    rear: np.ndarray
    toes: np.ndarray
    ankle: np.ndarray
    ball: np.ndarray
    heel_point: np.ndarray
    toe_point: np.ndarray


def place_foot(anthro: Anthropometry, *, ball_m: np.ndarray, yaw_rad: np.ndarray,
               lift_rad: np.ndarray) -> Foot:
    """Pose a shod foot from its ball contact point, its yaw and its heel-lift rotation.

    A heel lift is a rotation of the rear foot about the ball of the foot (the metatarsal heads
    stay on the floor); the toes stay flat.

    Parameters
    ----------
    ball_m : ndarray of shape (T, 3)
        Floor point under the metatarsal heads (y = 0).
    yaw_rad : ndarray of shape (T,)
        Rotation of the foot about the vertical, CCW seen from above (toward the person's left).
    lift_rad : ndarray of shape (T,)
        Rear-foot rotation about the ball, >= 0 lifts the heel.
    """
    yaw = rot_y(yaw_rad)
    rear = yaw @ rot_z(-lift_rad)
    a = anthro
    ankle = ball_m + apply(rear, np.array([-a.ball_fwd_m, a.ankle_height_m, 0.0]))
    heel = ball_m + apply(rear, np.array([-a.ball_fwd_m - a.heel_back_m,
                                          a.heel_point_height_m, 0.0]))
    toe = ball_m + apply(yaw, np.array([a.toe_fwd_m - a.ball_fwd_m, a.toe_point_height_m, 0.0]))
    return Foot(rear=rear, toes=yaw, ankle=ankle, ball=ball_m, heel_point=heel, toe_point=toe)


def heel_lift_angle(anthro: Anthropometry, height_m: np.ndarray) -> np.ndarray:
    """Rear-foot rotation about the ball that raises the posterior heel point by ``height_m``.

    Parameters
    ----------
    height_m : ndarray of shape (T,)
        Rise of the heel point above its flat-foot height, >= 0.

    Returns
    -------
    ndarray of shape (T,)
        Rotation in radians (monotonic, exact to 1e-9 m).
    """
    back = anthro.ball_fwd_m + anthro.heel_back_m
    up = anthro.heel_point_height_m
    angles = np.linspace(0.0, np.radians(60.0), 6001)
    rise = back * np.sin(angles) + up * (np.cos(angles) - 1.0)
    coarse = np.interp(height_m, rise, angles)
    # Two Newton steps on the exact relation polish the table's interpolation.
    for _ in range(2):
        f = back * np.sin(coarse) + up * (np.cos(coarse) - 1.0) - height_m
        coarse = coarse - f / (back * np.cos(coarse) - up * np.sin(coarse))
    return np.where(height_m > 0, coarse, 0.0)


def two_link(root: np.ndarray, end: np.ndarray, len1_m: float, len2_m: float,
             pole: np.ndarray, swivel_rad: np.ndarray | float = 0.0) -> np.ndarray:
    """Middle joint of a two-segment chain (knee between hip and ankle, elbow between shoulder
    and wrist).

    Parameters
    ----------
    root, end : ndarray of shape (T, 3)
        End points of the chain; the distance is clipped to the reachable range.
    len1_m, len2_m : float
        Root-to-middle and middle-to-end lengths.
    pole : ndarray of shape (T, 3)
        Direction the middle joint bulges toward (knee: the foot's forward direction).
    swivel_rad : float or ndarray of shape (T,)
        Rotation of the bulge about the root-end axis, right-handed about root -> end.

    Returns
    -------
    ndarray of shape (T, 3)
    """
    axis = end - root
    dist = np.linalg.norm(axis, axis=-1)
    u = axis / dist[:, None]
    d = np.clip(dist, abs(len1_m - len2_m) + 1e-6, len1_m + len2_m - 1e-6)
    along = (len1_m**2 - len2_m**2 + d**2) / (2 * d)
    across = np.sqrt(np.maximum(len1_m**2 - along**2, 0.0))
    w = unit(pole - np.sum(pole * u, -1, keepdims=True) * u)
    sw = np.broadcast_to(np.asarray(swivel_rad, float), dist.shape)[:, None]
    w = w * np.cos(sw) + np.cross(u, w) * np.sin(sw)
    return root + along[:, None] * u + across[:, None] * w


def sagittal_direction(yaw_rad: np.ndarray, incline_rad: np.ndarray) -> np.ndarray:
    """Unit vector inclined ``incline_rad`` from vertical toward a foot's forward direction.

    Returns
    -------
    ndarray of shape (T, 3)
    """
    local = np.stack([np.sin(incline_rad), np.cos(incline_rad), np.zeros_like(incline_rad)], -1)
    return apply(rot_y(yaw_rad), local)
