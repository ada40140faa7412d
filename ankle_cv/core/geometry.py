"""Planar geometry in image pixels: camera roll, tibia-to-vertical and sole angles.

Conventions are those of :mod:`ankle_cv.landmarks`: image y points down; ``roll_deg`` is the
angle of the true horizontal in the image, counter-clockwise on screen; the tibia angle is
positive when the knee is forward of the ankle in the direction the foot points.
"""

from __future__ import annotations

import numpy as np

from .signal import evenly, shorth


def upright(dx_px: np.ndarray, dy_px: np.ndarray, *, roll_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Turn image vectors into world-upright ones, roll removed.

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Image vector components in pixels, y down (any shape, broadcast together).
    roll_deg : float
        Camera roll (see module docstring).

    Returns
    -------
    horizontal, vertical : ndarray
        Components in pixels in the level frame: x to the right of a level camera, y up.
    """
    r = np.deg2rad(roll_deg)
    c, s = float(np.cos(r)), float(np.sin(r))  # python floats keep float32 input float32
    # rotate (dx, -dy) by -roll: the horizon, seen at +roll, becomes horizontal
    return c * dx_px - s * dy_px, -s * dx_px - c * dy_px


def line_angle_deg(dx_px: np.ndarray, dy_px: np.ndarray) -> np.ndarray:
    """Screen angle of undirected image lines, counter-clockwise from +x, in (-90, 90].

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Line direction components, pixels, y down.
    """
    a = np.rad2deg(np.arctan2(-dy_px, dx_px))
    return np.where(a > 90.0, a - 180.0, np.where(a <= -90.0, a + 180.0, a))


def tibia_angle_deg(dx_px: np.ndarray, dy_px: np.ndarray, *, roll_deg: float, facing_sign: np.ndarray) -> np.ndarray:
    """Angle of the line ankle -> knee to the true vertical, signed by the foot's direction.

    Parameters
    ----------
    dx_px, dy_px : ndarray
        Image vector from the ankle to the knee, pixels (y down).
    roll_deg : float
        Camera roll used to recover the true vertical.
    facing_sign : ndarray
        +1 where the foot points to image right (in the level frame), -1 where it points
        left, NaN where unknown (broadcast against the vector).

    Returns
    -------
    ndarray
        Degrees in (-180, 180]; 0 is a vertical shank, positive is knee forward of ankle.
    """
    h, v = upright(dx_px, dy_px, roll_deg=roll_deg)
    return np.rad2deg(np.arctan2(facing_sign * h, v))


def robust_sd(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation (NaNs ignored;
    long series use evenly spaced samples)."""
    values = evenly(np.asarray(values).ravel())
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(v - np.median(v))))


def estimate_roll_deg(sole_deg: np.ndarray, planted: np.ndarray) -> tuple[float, float, int]:
    """Camera roll from the sole line of a planted foot.

    A flat foot's sole (heel -> foot index) lies on the floor, so its screen angle is the
    angle of the true horizontal: the camera roll. The shorth (median of the densest half)
    over planted frames resists frames where the heel or the toes are up.

    Parameters
    ----------
    sole_deg : ndarray of shape (T,)
        Screen line angle of heel -> foot index, from :func:`line_angle_deg`.
    planted : ndarray of shape (T,), bool
        Frames in which the foot is flat on the floor.

    Returns
    -------
    roll_deg : float
        NaN when no planted frame has a sole angle.
    spread_deg : float
        Robust SD of the per-frame sole angles: the frame-to-frame scatter of the estimate.
    n_frames : int
        Planted frames used.
    """
    v = sole_deg[planted & np.isfinite(sole_deg)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    return shorth(v), robust_sd(v), int(v.size)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def roll_from_lines(
    segments_px: np.ndarray,
    *,
    max_tilt_deg: float = 15.0,
    band_deg: float = 3.0,
    min_segments: int = 6,
    min_support: float = 0.4,
) -> tuple[float, float, int]:
    """Camera roll from straight lines of the scene (true verticals and horizontals).

    Each segment within ``max_tilt_deg`` of the image horizontal or vertical votes, with
    its length as weight, for the tilt it shows; the roll is the weighted median, refined
    over the votes within ``band_deg`` of it. Lines receding in depth or on clutter scatter
    and are outvoted; lines parallel to the image plane (a back wall's floor line, door
    frames, the wall being faced) agree.

    Parameters
    ----------
    segments_px : ndarray of shape (K, 4)
        x0, y0, x1, y1 of each segment, image pixels (y down).

    Returns
    -------
    roll_deg : float
        NaN when fewer than ``min_segments`` agree or they hold less than ``min_support`` of
        the voting length (no man-made structure to trust).
    spread_deg : float
        Length-weighted robust SD of the agreeing segments' tilts.
    n_segments : int
        Segments that agreed.
    """
    seg = np.asarray(segments_px, dtype=np.float64).reshape(-1, 4)
    angle = line_angle_deg(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    tilt = _tilt_deg(angle)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    vote = np.abs(tilt) <= max_tilt_deg
    if vote.sum() < min_segments:
        return float("nan"), float("nan"), int(vote.sum())
    tilt, length = tilt[vote], length[vote]
    first = _weighted_median(tilt, length)
    near = np.abs(tilt - first) <= band_deg
    if near.sum() < min_segments or length[near].sum() < min_support * length.sum():
        return float("nan"), float("nan"), int(near.sum())
    roll = _weighted_median(tilt[near], length[near])
    spread = 1.4826 * _weighted_median(np.abs(tilt[near] - roll), length[near])
    return roll, spread, int(near.sum())


def _tilt_deg(angle_deg: np.ndarray) -> np.ndarray:
    """A line's tilt from the nearest of the image's horizontal and vertical (degrees)."""
    return np.where(angle_deg > 45.0, angle_deg - 90.0, np.where(angle_deg <= -45.0, angle_deg + 90.0, angle_deg))


def vertical_vanishing_point(
    segments_px: np.ndarray,
    *,
    frame_size_px: tuple[int, int],
    max_tilt_deg: float = 15.0,
    inlier_deg: float = 0.5,
    inlier_px: float = 1.5,
    min_segments: int = 4,
    min_lines: int = 3,
    min_spread_share: float = 0.08,
    min_long_share: float = 0.2,
) -> tuple[np.ndarray | None, int]:
    """Where the scene's vertical lines meet: the vertical vanishing point.

    A camera pitched up or down makes true verticals converge (down: to a point below the
    picture); then the true vertical at a point of the image is the direction to that point,
    not one direction for the whole picture. Segments within ``max_tilt_deg`` of the image
    vertical vote with their length; the point is the weighted least-squares meeting point
    of their lines (homogeneous, so parallel verticals, a level camera, put it at infinity),
    refined on the segments that point at it within 4, 2 and 1 deg and finally within
    ``inlier_deg``, or, for a short segment, within what moving its ends by ``inlier_px``
    turns it by.

    Parameters
    ----------
    segments_px : ndarray of shape (K, 4)
        x0, y0, x1, y1 of each segment, image pixels (y down).
    frame_size_px : (width, height)

    Returns
    -------
    vp : ndarray of shape (3,) or None
        Homogeneous image point (x, y, w) in pixels, unit norm; None when fewer than
        ``min_segments`` agree, or the agreeing segments at least ``min_long_share`` of the
        picture's height long (a door frame, a wall corner; short bits of clutter agree by
        chance) lie on fewer than ``min_lines`` distinct lines (one edge seen in many frames
        is one line; two lines always meet somewhere, so it takes three to check that they
        meet at one point) or do not spread over at least ``min_spread_share`` of its width.
    n_lines : int
        Distinct long lines that agreed.
    """
    seg = np.asarray(segments_px, dtype=np.float64).reshape(-1, 4)
    angle = line_angle_deg(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    seg = seg[np.abs(np.abs(angle) - 90.0) <= max_tilt_deg]
    if len(seg) < min_segments:
        return None, int(len(seg))
    width, height = frame_size_px
    centre, scale = np.array([width / 2.0, height / 2.0]), float(max(width, height))
    a, b = (seg[:, :2] - centre) / scale, (seg[:, 2:] - centre) / scale
    lines = np.cross(np.column_stack([a, np.ones(len(a))]), np.column_stack([b, np.ones(len(b))]))
    lines /= np.hypot(lines[:, 0], lines[:, 1])[:, None]
    weight = np.hypot(*(b - a).T)
    mid, direction = 0.5 * (a + b), (b - a) / weight[:, None]
    tolerance_deg = np.maximum(inlier_deg, np.rad2deg(np.arctan(inlier_px / (0.5 * weight * scale))))

    def fit(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The least-squares point of the selected lines, and each segment's angle off it."""
        v = np.linalg.eigh((lines[sel] * weight[sel, None]).T @ lines[sel])[1][:, 0]
        to_vp = v[:2] - mid * v[2]  # from each segment's middle towards the point
        to_vp /= np.maximum(np.hypot(*to_vp.T), 1e-12)[:, None]
        return v, np.rad2deg(np.arcsin(np.clip(np.abs(np.cross(direction, to_vp)), 0.0, 1.0)))

    keep = np.ones(len(seg), dtype=bool)
    for wide_deg in (4.0, 2.0, 1.0, 0.0):  # outliers (a leg, a slanted edge) go first, then the fit tightens
        if keep.sum() < min_segments:
            break
        v, off_deg = fit(keep)
        keep = off_deg <= np.maximum(tolerance_deg, wide_deg)
    if keep.sum() >= min_segments:
        v, _ = fit(keep)
    long = seg[keep & (weight * scale >= min_long_share * height)]
    # where each long line crosses the picture's middle row: the same edge in several frames
    # crosses at the same place
    x_mid = np.sort(long[:, 0] + (height / 2.0 - long[:, 1]) * (long[:, 2] - long[:, 0]) / (long[:, 3] - long[:, 1]))
    distinct = x_mid[np.r_[True, np.diff(x_mid) > max(3.0, 0.005 * width)]] if len(x_mid) else x_mid
    spread = float(np.ptp(distinct)) if len(distinct) else 0.0
    if keep.sum() < min_segments or len(distinct) < min_lines or spread < min_spread_share * width:
        return None, int(len(distinct))
    vp = np.array([v[0] * scale + centre[0] * v[2], v[1] * scale + centre[1] * v[2], v[2]])
    return vp / np.linalg.norm(vp), int(len(distinct))


#: Horizontal field of view of a typical phone main camera (26 mm equivalent lens), on the
#: image's long side: the focal length assumed where one is needed.
PHONE_FOV_DEG = 65.0


def phone_focal_px(frame_size_px) -> float:
    """Focal length in pixels of a typical phone camera (:data:`PHONE_FOV_DEG`)."""
    return 0.5 * max(frame_size_px) / float(np.tan(np.deg2rad(PHONE_FOV_DEG / 2)))


def _up_ray(vp: np.ndarray, *, focal_px: float, centre_px) -> np.ndarray:
    """The world's up direction in camera coordinates (x right, y down, z forward), unit:
    the ray through the vertical vanishing point, turned to point up the picture."""
    u = np.array([(vp[0] - centre_px[0] * vp[2]) / focal_px, (vp[1] - centre_px[1] * vp[2]) / focal_px, vp[2]])
    u /= np.linalg.norm(u)
    return -u if u[1] > 0 else u


def up_in_picture(x_px: float, y_px: float, vp: np.ndarray) -> np.ndarray:
    """Unit image direction (dx, dy; y down) of the world's up at the point (x, y): towards
    or away from the vertical vanishing point ``vp`` (homogeneous), whichever points up the
    picture. A plumb line through that point runs along it; where the camera is pitched it is
    not the roll's vertical away from the picture's middle."""
    d = np.array([vp[0] - x_px * vp[2], vp[1] - y_px * vp[2]], dtype=np.float64)
    d /= max(float(np.hypot(*d)), 1e-12)
    return -d if d[1] > 0 else d


def vertical_roll_deg(vp: np.ndarray, *, centre_px) -> float:
    """The roll (module convention) of the line from the principal point ``centre_px`` to the
    vertical vanishing point ``vp``: the camera's roll, which pitch does not change there."""
    dx, dy = vp[0] - centre_px[0] * vp[2], vp[1] - centre_px[1] * vp[2]
    return float(_tilt_deg(line_angle_deg(dx, dy)))


def camera_pitch_deg(vp: np.ndarray, *, focal_px: float, centre_px) -> float:
    """The optical axis's angle above the horizontal (negative: looking down) that puts the
    vertical vanishing point ``vp`` where it is, for a camera of focal length ``focal_px``
    whose principal point is ``centre_px``."""
    return float(np.rad2deg(np.arcsin(np.clip(_up_ray(vp, focal_px=focal_px, centre_px=centre_px)[2], -1.0, 1.0))))


def level_points(x_px: np.ndarray, y_px: np.ndarray, vp: np.ndarray, *, focal_px: float,
                 centre_px) -> tuple[np.ndarray, np.ndarray]:
    """Image points as a level camera at the same place would see them: the camera is turned
    (the smallest rotation) until the scene's verticals, which meet at ``vp``, are parallel
    and upright in the picture. Camera pitch and roll are both taken out, so a plane
    parallel to the level picture (the person's, filmed side-on) keeps its angles exactly;
    ``focal_px`` (an assumed field of view) matters little: at 8 deg of pitch, 15% off in it
    moves a shank's angle by under 0.1 deg.

    Returns
    -------
    x_px, y_px : ndarray
        Same shape as the input; NaN stays NaN.
    """
    u = _up_ray(vp, focal_px=focal_px, centre_px=centre_px)
    e = np.array([0.0, -1.0, 0.0])
    axis = np.cross(u, e)
    s, c = float(np.linalg.norm(axis)), float(u @ e)
    rot = np.eye(3)
    if s > 1e-12:
        k = axis / s
        cross = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
        rot = rot + s * cross + (1.0 - c) * cross @ cross  # Rodrigues: turns u onto e
    x = (np.asarray(x_px, dtype=np.float64) - centre_px[0]) / focal_px
    y = (np.asarray(y_px, dtype=np.float64) - centre_px[1]) / focal_px
    ray = np.stack([x, y, np.ones_like(x)], axis=-1) @ rot.T
    return centre_px[0] + focal_px * ray[..., 0] / ray[..., 2], centre_px[1] + focal_px * ray[..., 1] / ray[..., 2]


class Leveller:
    """:func:`level_points` for one clip's camera: ``leveller(x_px, y_px)`` gives the points
    as a level camera would see them (vertical vanishing point ``vp``, focal length and
    principal point as there)."""

    def __init__(self, vp: np.ndarray, *, focal_px: float, centre_px) -> None:
        self.vp, self.focal_px, self.centre_px = np.asarray(vp, dtype=np.float64), float(focal_px), tuple(centre_px)

    def __call__(self, x_px, y_px) -> tuple[np.ndarray, np.ndarray]:
        return level_points(x_px, y_px, self.vp, focal_px=self.focal_px, centre_px=self.centre_px)
