"""Pinhole camera: placement, roll, projection and per-pixel rays.

Image coordinates are continuous pixels with the image spanning [0, width] x [0, height], x to
the right and y down, so pixel (i, j) has its centre at (i + 0.5, j + 0.5) and a point's
coordinates compare directly with MediaPipe's normalised landmarks times the frame size. The
principal point is the image centre; there is no lens distortion.

``roll_deg`` follows ankle_cv.landmarks: the angle of the true horizontal as it appears in the
image, counter-clockwise on screen positive (the phone turned clockwise by its user).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A pinhole camera that may move a little from frame to frame (shake).

    Attributes
    ----------
    position_m : ndarray of shape (3,)
        Optical centre in world coordinates.
    rotation : ndarray of shape (T, 3, 3)
        World -> camera rotation per frame; rows are the camera's x (image right), y (image
        down) and z (optical axis) directions in the world.
    focal_px : float
        Focal length in pixels of the output frame.
    width, height : int
        Output frame size in pixels.
    """

    position_m: np.ndarray
    rotation: np.ndarray
    focal_px: float
    width: int
    height: int

    @property
    def n_frames(self) -> int:
        return int(self.rotation.shape[0])

    def scaled(self, factor: int) -> Camera:
        """The same camera sampling ``factor`` times more pixels per axis (supersampling)."""
        return replace(self, focal_px=self.focal_px * factor, width=self.width * factor,
                       height=self.height * factor)

    def to_camera(self, points_m: np.ndarray, frame: int | None = None) -> np.ndarray:
        """World points to camera coordinates.

        Parameters
        ----------
        points_m : ndarray of shape (T, 3) or (T, N, 3) when ``frame`` is None, else (..., 3)
        frame : int, optional
            Use this frame's rotation for all points.
        """
        rel = points_m - self.position_m
        if frame is not None:
            return rel @ self.rotation[frame].T
        if rel.ndim == 2:
            return np.einsum("tij,tj->ti", self.rotation, rel)
        return np.einsum("tij,tnj->tni", self.rotation, rel)

    def project(self, points_m: np.ndarray, frame: int | None = None) -> np.ndarray:
        """Project world points to pixels (see ``to_camera`` for shapes); returns (..., 2)."""
        pc = self.to_camera(points_m, frame)
        uv = pc[..., :2] / pc[..., 2:3] * self.focal_px
        return uv + np.array([self.width / 2.0, self.height / 2.0])


def focal_from_fov(*, fov_deg: float, width: int, height: int) -> float:
    """Focal length in pixels for a field of view measured along the frame's long side."""
    return max(width, height) / 2.0 / np.tan(np.radians(fov_deg) / 2.0)


def look_rotation(*, forward: np.ndarray, roll_deg: float, pitch_deg: float = 0.0) -> np.ndarray:
    """World -> camera rotation for a camera looking along a horizontal direction.

    Parameters
    ----------
    forward : ndarray of shape (3,)
        Horizontal viewing direction (y component ignored).
    roll_deg : float
        Apparent angle of the true horizontal in the image, CCW on screen positive.
    pitch_deg : float
        Tilt of the optical axis above the horizontal (negative looks down).

    Returns
    -------
    ndarray of shape (3, 3)
    """
    f = np.array([forward[0], 0.0, forward[2]], float)
    f /= np.linalg.norm(f)
    p = np.radians(pitch_deg)
    z = f * np.cos(p) + np.array([0.0, 1.0, 0.0]) * np.sin(p)
    x = np.cross(z, [0.0, 1.0, 0.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    a = np.radians(roll_deg)
    xr = np.cos(a) * x + np.sin(a) * y
    yr = -np.sin(a) * x + np.cos(a) * y
    return np.stack([xr, yr, z])


def shake_rotations(base: np.ndarray, *, n_frames: int, amplitude_deg: float, fps: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Per-frame rotations with small smooth pan/tilt jitter (hand-held phone); roll unchanged.

    Parameters
    ----------
    base : ndarray of shape (3, 3)
    amplitude_deg : float
        Standard deviation of the pan and tilt angles.

    Returns
    -------
    ndarray of shape (n_frames, 3, 3)
    """
    out = np.repeat(base[None], n_frames, axis=0)
    if amplitude_deg <= 0:
        return out
    from scipy.signal import lfilter

    # Low-pass filtered white noise (corner ~1.5 Hz, 60 frames of warm-up), rescaled to the
    # requested deviation.
    noise = rng.standard_normal((n_frames + 60, 2))
    alpha = 1.0 - np.exp(-2 * np.pi * 1.5 / fps)
    smooth = lfilter([alpha], [1.0, alpha - 1.0], noise, axis=0)[60:]
    smooth = smooth / max(float(smooth.std()), 1e-9) * np.radians(amplitude_deg)
    pan, tilt = smooth[:, 0], smooth[:, 1]
    # Small rotations about the camera's own y (pan) and x (tilt) axes.
    cp, sp, ct, st = np.cos(pan), np.sin(pan), np.cos(tilt), np.sin(tilt)
    one, zero = np.ones(n_frames), np.zeros(n_frames)
    r_pan = np.stack([np.stack([cp, zero, -sp], -1), np.stack([zero, one, zero], -1),
                      np.stack([sp, zero, cp], -1)], -2)
    r_tilt = np.stack([np.stack([one, zero, zero], -1), np.stack([zero, ct, st], -1),
                       np.stack([zero, -st, ct], -1)], -2)
    return r_tilt @ r_pan @ out


def fit_distance(points_m: np.ndarray, *, rotation: np.ndarray, target_m: np.ndarray,
                 focal_px: float, width: int, height: int, margin_frac: float = 0.06) -> float:
    """Distance back from ``target_m`` along the optical axis that keeps all points in frame.

    Parameters
    ----------
    points_m : ndarray of shape (N, 3)
        Points that must stay inside the frame (joints over the whole clip, padded).
    rotation : ndarray of shape (3, 3)
        World -> camera rotation.
    target_m : ndarray of shape (3,)
        Point the optical axis passes through.

    Returns
    -------
    float
        Distance in metres.
    """
    rel = (points_m - target_m) @ rotation.T
    half_w = width / 2.0 * (1 - 2 * margin_frac) / focal_px
    half_h = height / 2.0 * (1 - 2 * margin_frac) / focal_px
    need = np.maximum(np.abs(rel[:, 0]) / half_w, np.abs(rel[:, 1]) / half_h) - rel[:, 2]
    return float(need.max())
