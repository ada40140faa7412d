"""Z-buffered ray casting of round cones and (optionally clipped) ellipsoids.

Each primitive is intersected analytically with the camera rays of the pixels inside its
projected bounding box only (vectorised numpy, no per-pixel Python loop); the nearest hit along
each ray wins. Shading is Lambert with a little wrap-around, an ambient term and a sky term.
Ray distances (metres along the unit ray) are the depth buffer; the room (room.py) fills it first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import Camera

NEAR_M = 0.05


@dataclass(frozen=True)
class RoundCone:
    """Two spheres joined by their tangent cone (a tapered capsule).

    Attributes
    ----------
    a_m, b_m : ndarray of shape (T, 3)
        Sphere centres per frame.
    ra_m, rb_m : float
        Sphere radii; ``|ra_m - rb_m|`` must be smaller than the centre distance.
    color : tuple of 3 floats
        RGB albedo in [0, 1].
    color2 : tuple of 3 floats or None
        Albedo beyond ``split`` (fraction of the way from a to b along the axis): a hem.
    part : str
        Anatomical part the primitive belongs to (for ablation studies and debugging).
    leg : str
        ``"left"`` / ``"right"`` for a leg's primitives, else empty.
    """

    a_m: np.ndarray
    b_m: np.ndarray
    ra_m: float
    rb_m: float
    color: tuple[float, float, float]
    color2: tuple[float, float, float] | None = None
    split: float = 1.0
    part: str = ""
    leg: str = ""


@dataclass(frozen=True)
class Ellipsoid:
    """An ellipsoid, optionally cut to the slab ``lo <= n . p_local <= hi``.

    Attributes
    ----------
    center_m : ndarray of shape (T, 3)
    axes : ndarray of shape (T, 3, 3)
        Columns are the local axes in the world.
    semi_m : tuple of 3 floats
        Semi-axis lengths along the local axes.
    color : tuple of 3 floats
    clip : tuple of (normal (3,), lo_m, hi_m)
        Slabs in local (unscaled) coordinates, centre-relative; use +-inf for a half-space.
        The ellipsoid is cut to their intersection; a cut face is flat (shoe soles, collars).
    color2 : tuple of 3 floats or None
        Albedo where ``n . p_local >= offset`` for ``split = (n, offset)`` (local, unscaled).
    part : str
        Anatomical part the primitive belongs to.
    leg : str
        ``"left"`` / ``"right"`` for a leg's primitives, else empty.
    """

    center_m: np.ndarray
    axes: np.ndarray
    semi_m: tuple[float, float, float]
    color: tuple[float, float, float]
    clip: tuple[tuple[np.ndarray, float, float], ...] = ()
    color2: tuple[float, float, float] | None = None
    split: tuple[np.ndarray, float] | None = None
    part: str = ""
    leg: str = ""


class Canvas:
    """Colour and depth buffers of one frame, with the camera rays they belong to.

    Parameters
    ----------
    camera : Camera
    frame : int
        Index of the camera rotation to use.
    """

    def __init__(self, camera: Camera, frame: int) -> None:
        self.camera = camera
        self.rot = camera.rotation[frame]
        w, h, f = camera.width, camera.height, camera.focal_px
        self.dx = (np.arange(w) + 0.5 - w / 2.0) / f
        self.dy = (np.arange(h) + 0.5 - h / 2.0) / f
        self.rgb = np.zeros((h, w, 3), np.float32)
        self.dist = np.full((h, w), np.inf, np.float32)

    def rays(self, v0: int, v1: int, u0: int, u1: int) -> tuple[np.ndarray, ...]:
        """Unit ray directions (camera frame) of the pixels in rows v0:v1, columns u0:u1."""
        x = self.dx[None, u0:u1]
        y = self.dy[v0:v1, None]
        inv = 1.0 / np.sqrt(x * x + y * y + 1.0)
        return x * inv, y * inv, inv

    def bbox(self, lo_c: np.ndarray, hi_c: np.ndarray) -> tuple[int, int, int, int] | None:
        """Pixel rows/columns covering a camera-frame box, or None when off screen or behind."""
        if hi_c[2] < NEAR_M:
            return None
        z0 = max(lo_c[2], NEAR_M)
        z1 = hi_c[2]
        f, w, h = self.camera.focal_px, self.camera.width, self.camera.height
        us = np.array([lo_c[0] / z0, lo_c[0] / z1, hi_c[0] / z0, hi_c[0] / z1]) * f + w / 2.0
        vs = np.array([lo_c[1] / z0, lo_c[1] / z1, hi_c[1] / z0, hi_c[1] / z1]) * f + h / 2.0
        u0 = max(int(np.floor(us.min() - 1.5)), 0)
        u1 = min(int(np.ceil(us.max() + 1.5)), w)
        v0 = max(int(np.floor(vs.min() - 1.5)), 0)
        v1 = min(int(np.ceil(vs.max() + 1.5)), h)
        if u0 >= u1 or v0 >= v1:
            return None
        return v0, v1, u0, u1


def _shade(albedo: np.ndarray, nx: np.ndarray, ny: np.ndarray, nz: np.ndarray,
           light_c: np.ndarray, up_c: np.ndarray) -> np.ndarray:
    """Lambert (wrapped) + ambient + sky shading; albedo (1 or n, 3), normals (n,) -> (n, 3)."""
    lam = (nx * light_c[0] + ny * light_c[1] + nz * light_c[2] + 0.25) / 1.25
    sky = nx * up_c[0] + ny * up_c[1] + nz * up_c[2]
    k = 0.30 + 0.62 * np.clip(lam, 0.0, 1.0) + 0.08 * sky
    return albedo * k[:, None]


def _commit(canvas: Canvas, box, t: np.ndarray, hit: np.ndarray, normal, color, light_c, up_c,
            alt: np.ndarray | None = None, color2=None) -> None:
    """Depth-test hits against the canvas and shade the winners (``alt`` pixels get color2)."""
    v0, v1, u0, u1 = box
    dist = canvas.dist[v0:v1, u0:u1]
    win = hit & (t < dist)
    if not win.any():
        return
    nx, ny, nz = (np.broadcast_to(c, t.shape)[win] for c in normal)
    norm = np.sqrt(nx * nx + ny * ny + nz * nz)
    dist[win] = t[win]
    albedo = np.asarray(color, float)[None, :]
    if alt is not None and color2 is not None:
        albedo = np.where(alt[win][:, None], np.asarray(color2, float)[None, :], albedo)
    canvas.rgb[v0:v1, u0:u1][win] = _shade(albedo, nx / norm, ny / norm, nz / norm, light_c, up_c)


def draw_round_cone(canvas: Canvas, prim: RoundCone, frame: int, light_c, up_c) -> None:
    """Intersect a round cone with the rays of its bounding box and keep the nearer hits."""
    pa = canvas.camera.to_camera(prim.a_m[frame], frame)
    pb = canvas.camera.to_camera(prim.b_m[frame], frame)
    ra, rb = prim.ra_m, prim.rb_m
    lo = np.minimum(pa - ra, pb - rb)
    hi = np.maximum(pa + ra, pb + rb)
    box = canvas.bbox(lo, hi)
    if box is None:
        return
    rx, ry, rz = canvas.rays(*box)
    ba, oa, ob = pb - pa, -pa, -pb
    rr = ra - rb
    m0, m1, m5, m7 = ba @ ba, ba @ oa, oa @ oa, ob @ ob
    m2 = ba[0] * rx + ba[1] * ry + ba[2] * rz
    m3 = oa[0] * rx + oa[1] * ry + oa[2] * rz
    m6 = ob[0] * rx + ob[1] * ry + ob[2] * rz
    d2 = m0 - rr * rr
    k2 = d2 - m2 * m2
    k1 = d2 * m3 - m1 * m2 + m2 * rr * ra
    k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra
    h = k1 * k1 - k0 * k2
    with np.errstate(invalid="ignore", divide="ignore"):
        t_body = (-np.sqrt(h) - k1) / k2
        y = m1 - ra * rr + t_body * m2
        body = (h >= 0) & (y > 0) & (y < d2)
        h1 = m3 * m3 - m5 + ra * ra
        h2 = m6 * m6 - m7 + rb * rb
        t1 = np.where(h1 > 0, -m3 - np.sqrt(h1), np.inf)
        t2 = np.where(h2 > 0, -m6 - np.sqrt(h2), np.inf)
    use2 = t2 < t1
    t_cap = np.where(use2, t2, t1)
    t = np.where(body, t_body, t_cap)
    hit = np.isfinite(t) & (t > 0)
    t_hit = np.where(hit, t, 0.0)
    px, py, pz = t_hit * rx, t_hit * ry, t_hit * rz
    # Body normal: d2 * (p - pa) - ba * y; cap normal: p - (centre of the cap's sphere).
    cx = np.where(use2, pb[0], pa[0])
    cy = np.where(use2, pb[1], pa[1])
    cz = np.where(use2, pb[2], pa[2])
    nx = np.where(body, d2 * (px - pa[0]) - ba[0] * y, px - cx)
    ny = np.where(body, d2 * (py - pa[1]) - ba[1] * y, py - cy)
    nz = np.where(body, d2 * (pz - pa[2]) - ba[2] * y, pz - cz)
    alt = None
    if prim.color2 is not None:
        alt = ((px - pa[0]) * ba[0] + (py - pa[1]) * ba[1] + (pz - pa[2]) * ba[2]) > prim.split * m0
    _commit(canvas, box, t, hit, (nx, ny, nz), prim.color, light_c, up_c, alt, prim.color2)


def draw_ellipsoid(canvas: Canvas, prim: Ellipsoid, frame: int, light_c, up_c) -> None:
    """Intersect an (optionally slab-clipped) ellipsoid with the rays of its bounding box."""
    c = canvas.camera.to_camera(prim.center_m[frame], frame)
    axes = canvas.rot @ prim.axes[frame]
    semi = np.asarray(prim.semi_m, float)
    half = np.sqrt(((axes * semi[None, :]) ** 2).sum(axis=1))
    box = canvas.bbox(c - half, c + half)
    if box is None:
        return
    rx, ry, rz = canvas.rays(*box)
    m = axes.T / semi[:, None]
    o = -(m @ c)
    d = [m[i, 0] * rx + m[i, 1] * ry + m[i, 2] * rz for i in range(3)]
    qa = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    qb = o[0] * d[0] + o[1] * d[1] + o[2] * d[2]
    qc = o @ o - 1.0
    disc = qb * qb - qa * qc
    with np.errstate(invalid="ignore"):
        root = np.sqrt(disc)
    t0 = (-qb - root) / qa
    t1 = (-qb + root) / qa
    hit = disc >= 0
    cut = []  # (pixels whose entry is on a cut face, that face's normal)
    for n_local, lo, hi in prim.clip:
        n_c = axes @ np.asarray(n_local, float)
        q = n_c[0] * rx + n_c[1] * ry + n_c[2] * rz
        w = n_c @ c
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = (lo + w) / q
            tb = (hi + w) / q
        s_lo = np.where(q > 0, ta, tb)
        s_hi = np.where(q > 0, tb, ta)
        flat = np.abs(q) < 1e-12
        inside = (lo <= -w) & (-w <= hi)
        s_lo = np.where(flat, -np.inf if inside else np.inf, s_lo)
        s_hi = np.where(flat, np.inf if inside else -np.inf, s_hi)
        entry = s_lo > t0
        cut = [(m & ~entry, nrm) for m, nrm in cut] + [(entry, (-np.sign(q), n_c))]
        t0 = np.maximum(t0, s_lo)
        t1 = np.minimum(t1, s_hi)
        hit &= t0 < t1
    hit &= t0 > 0
    t = np.where(hit, t0, np.inf)
    p = [o[i] + t0 * d[i] for i in range(3)]
    nl = [p[i] / semi[i] for i in range(3)]
    nx = axes[0, 0] * nl[0] + axes[0, 1] * nl[1] + axes[0, 2] * nl[2]
    ny = axes[1, 0] * nl[0] + axes[1, 1] * nl[1] + axes[1, 2] * nl[2]
    nz = axes[2, 0] * nl[0] + axes[2, 1] * nl[1] + axes[2, 2] * nl[2]
    for mask, (sign, n_c) in cut:
        nx = np.where(mask, sign * n_c[0], nx)
        ny = np.where(mask, sign * n_c[1], ny)
        nz = np.where(mask, sign * n_c[2], nz)
    alt = None
    if prim.split is not None:
        m_c = axes @ np.asarray(prim.split[0], float)
        alt = t0 * (m_c[0] * rx + m_c[1] * ry + m_c[2] * rz) - m_c @ c >= prim.split[1]
    _commit(canvas, box, t, hit, (nx, ny, nz), prim.color, light_c, up_c, alt, prim.color2)
