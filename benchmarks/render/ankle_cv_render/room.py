"""The room around the figure: floor, back wall, the wall the person faces, contact shadows.

The planes are ray cast once per camera pose (cached while the camera is still) into the colour
and depth buffers the figure is then drawn into; ``render`` puts one frame together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import Camera
from .raster import NEAR_M, Canvas, RoundCone, draw_ellipsoid, draw_round_cone


@dataclass(frozen=True)
class Room:
    """Floor (y = 0), a back wall and optionally the wall the person faces.

    Attributes
    ----------
    back_wall : tuple (normal (3,), offset_m)
        Plane ``normal . p = offset_m``; the normal points into the room.
    side_wall_x_m : float or None
        Plane x = side_wall_x_m (the knee-to-wall wall), seen from x < side_wall_x_m.
    side_wall_texture : bool
        Give that wall a faint plaster mottling (a measured wall; the original wall is flat).
    card : Card or None
        A marker card standing on the floor.
    casings_x_m : tuple of float
        World x of the left edge of each vertical door casing painted on the back wall
        (:data:`CASING_M` wide, from the floor to :data:`CASING_TOP_M`): true verticals of
        the scene, as door frames give in a clinic; none by default.
    light_dir : tuple of 3 floats
        Direction toward the (distant) key light, in the world.
    """

    back_wall: tuple[np.ndarray, float]
    side_wall_x_m: float | None
    floor_color: tuple[float, float, float]
    wall_color: tuple[float, float, float]
    side_wall_color: tuple[float, float, float]
    skirting_color: tuple[float, float, float] = (0.93, 0.93, 0.91)
    skirting_m: float = 0.08
    light_dir: tuple[float, float, float] = (0.0, 0.85, 0.5)
    side_wall_texture: bool = False
    card: Card | None = None
    casings_x_m: tuple[float, ...] = ()


#: Door casing: width, height and colour (stained wood).
CASING_M, CASING_TOP_M, CASING_COLOR = 0.08, 2.1, (0.42, 0.30, 0.20)


@dataclass(frozen=True)
class Card:
    """A printed ArUco marker (DICT_4X4_50, id 0) on an upright card: a textured quad.

    Attributes
    ----------
    center_m : ndarray of shape (3,)
        Centre of the (square) card.
    right, normal : ndarray of shape (3,)
        Horizontal direction that appears rightward from the camera, and the card's normal
        toward the camera; the card's up is world +y.
    marker_m : float
        Side of the black square (the marker with its 1-module black border).
    margin_m : float
        White quiet zone from each side of the marker to the card's edge (ankle_cv's printable
        card: 2.5 cm).
    lift_m : float
        Plain paper below the square part, down to the floor (``center_m`` is the square
        part's centre).
    """

    center_m: np.ndarray
    right: np.ndarray
    normal: np.ndarray
    marker_m: float
    margin_m: float
    lift_m: float = 0.0

    @property
    def card_m(self) -> float:
        """Side of the (square) card."""
        return self.marker_m + 2.0 * self.margin_m

    def marker_corners_m(self) -> np.ndarray:
        """Outer corners of the black square as seen from the camera: top-left, top-right,
        bottom-right, bottom-left (cv2.aruco's order); ``ndarray of shape (4, 3)``."""
        h = 0.5 * self.marker_m
        up = np.array([0.0, 1.0, 0.0])
        return np.stack([self.center_m + h * (-self.right + up), self.center_m + h * (self.right + up),
                         self.center_m + h * (self.right - up), self.center_m + h * (-self.right - up)])

    def texture(self) -> np.ndarray:
        """The marker's reflectance, ``ndarray of shape (N, N)`` in [0, 1] (row 0 at the top, as
        seen); the rest of the card is white paper."""
        import cv2

        modules = 6  # 4x4 bits + a 1-module black border
        marker = cv2.aruco.generateImageMarker(
            cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), 0, modules * 8)
        return self.INK + (self.PAPER - self.INK) * marker.astype(np.float32) / 255.0

    INK, PAPER = 0.06, 0.92  # matte black ink, white paper


@dataclass(frozen=True)
class Shadow:
    """A soft elliptical contact shadow on the floor.

    Attributes
    ----------
    center_m : ndarray of shape (T, 2)
        Floor position (world x, z).
    direction : ndarray of shape (T, 2)
        Unit vector of the long axis on the floor (x, z).
    semi_m : tuple of 2 floats
        Long and short semi-axes.
    strength : float
        Darkening at the centre, in [0, 1].
    """

    center_m: np.ndarray
    direction: np.ndarray
    semi_m: tuple[float, float]
    strength: float


class RoomLayer:
    """The room's colour and depth for one camera pose, reusable while the camera is still.

    Parameters
    ----------
    camera : Camera
    frame : int
    room : Room
    """

    def __init__(self, camera: Camera, frame: int, room: Room) -> None:
        canvas = Canvas(camera, frame)
        x = canvas.dx[None, :]
        y = canvas.dy[:, None]
        rx, ry, rz = np.broadcast_arrays(x, y, np.ones_like(x * y))
        world = np.stack([rx, ry, rz], -1) @ canvas.rot  # camera ray -> world direction
        world /= np.linalg.norm(world, axis=-1, keepdims=True)
        origin = camera.position_m
        planes = [("floor", np.array([0.0, 1.0, 0.0]), 0.0),
                  ("back", np.asarray(room.back_wall[0], float), float(room.back_wall[1]))]
        if room.side_wall_x_m is not None:
            planes.append(("side", np.array([-1.0, 0.0, 0.0]), -float(room.side_wall_x_m)))
        best = np.full(rx.shape, np.inf)
        which = np.full(rx.shape, -1)
        for i, (_, n, off) in enumerate(planes):
            denom = world @ n
            with np.errstate(divide="ignore", invalid="ignore"):
                t = (off - origin @ n) / denom
            ok = (denom < 0) & (t > 0) & (t < best)
            best = np.where(ok, t, best)
            which = np.where(ok, i, which)
        point = origin + world * np.where(np.isfinite(best), best, 0.0)[..., None]
        light = np.asarray(room.light_dir, float) / np.linalg.norm(room.light_dir)
        rgb = np.zeros(rx.shape + (3,))
        for i, (name, n, _) in enumerate(planes):
            sel = which == i
            pt, dist = point[sel], best[sel]
            base = {"floor": room.floor_color, "back": room.wall_color,
                    "side": room.side_wall_color}[name]
            col = np.broadcast_to(np.asarray(base, float), pt.shape).copy()
            if name == "floor":
                # Floor boards 0.14 m wide along x, mirror-symmetric about the person's midline.
                board = np.floor(np.abs(pt[:, 2]) / 0.14)
                col = col * (1.0 + 0.05 * np.sin(board * 2.3))[:, None]
            else:
                if name == "side" and room.side_wall_texture:
                    # Plain painted plaster: faint low-frequency mottling, fixed in the world.
                    y, z = pt[:, 1], pt[:, 2]
                    mottle = (np.sin(23.0 * y + 3.0 * np.sin(17.0 * z)) * np.sin(19.0 * z + 1.3)
                              + 0.5 * np.sin(41.0 * y - 37.0 * z))
                    col = col * (1.0 + 0.025 * mottle)[:, None]
                col[pt[:, 1] < room.skirting_m] = room.skirting_color
                if name == "back":
                    for x0 in room.casings_x_m:
                        col[(pt[:, 0] >= x0) & (pt[:, 0] < x0 + CASING_M) & (pt[:, 1] < CASING_TOP_M)] = CASING_COLOR
            k = 0.55 + 0.45 * max(float(n @ light), 0.0)
            falloff = 1.0 / (1.0 + 0.015 * dist**2)
            rgb[sel] = col * (k * (0.8 + 0.2 * falloff))[:, None]
        if room.card is not None:
            self._card(room.card, camera, frame, origin, world, best, rgb, light, which)
        self.rgb = rgb.astype(np.float32)
        self.dist = best.astype(np.float32)
        self.floor = which == 0
        self.floor_xz = point[..., [0, 2]]

    @staticmethod
    def _card(card: Card, camera: Camera, frame: int, origin, world, best, rgb, light,
              which) -> None:
        """Ray cast the marker card (exact perspective, nearest texel; supersampling smooths
        the edges) into the buffers, within the card's projected box."""
        h = 0.5 * card.card_m
        up = np.array([0.0, 1.0, 0.0])
        corners = card.center_m + np.array([a * card.right + b * up for a in (-h, h) for b in (-h - card.lift_m, h)])
        if np.any((corners - camera.position_m) @ camera.rotation[frame][2] < NEAR_M):
            return
        uv = camera.project(corners, frame)
        u0, v0 = np.maximum(np.floor(uv.min(axis=0)).astype(int) - 2, 0)
        u1 = min(int(np.ceil(uv[:, 0].max())) + 2, world.shape[1])
        v1 = min(int(np.ceil(uv[:, 1].max())) + 2, world.shape[0])
        if u0 >= u1 or v0 >= v1:
            return
        ray = world[v0:v1, u0:u1]
        denom = ray @ card.normal
        with np.errstate(divide="ignore", invalid="ignore"):
            t = ((card.center_m - origin) @ card.normal) / denom
        p = origin + ray * np.where(np.isfinite(t), t, 0.0)[..., None] - card.center_m
        u = p @ card.right / card.card_m + 0.5
        v = 0.5 - p[..., 1] / card.card_m
        sub = best[v0:v1, u0:u1]
        below = 1.0 + card.lift_m / card.card_m  # the paper goes on under the square, to the floor
        hit = (denom < 0) & (t > 0) & (t < sub) & (u >= 0) & (u < 1) & (v >= 0) & (v < below)
        tex = card.texture()
        n = tex.shape[0]
        # marker-square coordinates (0..1 inside the black square), white paper outside it
        mu = (u[hit] - 0.5) * card.card_m / card.marker_m + 0.5
        mv = (v[hit] - 0.5) * card.card_m / card.marker_m + 0.5
        inside = (mu >= 0) & (mu < 1) & (mv >= 0) & (mv < 1)
        refl = np.full(mu.shape, card.PAPER, np.float32)
        refl[inside] = tex[np.clip((mv[inside] * n).astype(int), 0, n - 1),
                           np.clip((mu[inside] * n).astype(int), 0, n - 1)]
        k = 0.55 + 0.45 * max(float(card.normal @ light), 0.0)
        rgb[v0:v1, u0:u1][hit] = (refl * k)[:, None]
        which[v0:v1, u0:u1][hit] = -2
        sub[hit] = t[hit]

    def canvas(self, camera: Camera, frame: int, shadows: list[Shadow]) -> Canvas:
        """A fresh canvas holding the room, with this frame's contact shadows applied."""
        canvas = Canvas(camera, frame)
        canvas.rgb = self.rgb.copy()
        canvas.dist = self.dist.copy()
        for sh in shadows:
            cx, cz = sh.center_m[frame]
            ux, uz = sh.direction[frame]
            ext = 2.5 * max(sh.semi_m)
            corners = np.array([[cx + dx, 0.0, cz + dz] for dx in (-ext, ext) for dz in (-ext, ext)])
            depth = (corners - camera.position_m) @ canvas.rot[2]
            if np.any(depth < NEAR_M):
                continue
            uv = camera.project(corners, frame)
            u0, v0 = np.maximum(np.floor(uv.min(axis=0)).astype(int), 0)
            u1 = min(int(np.ceil(uv[:, 0].max())) + 1, camera.width)
            v1 = min(int(np.ceil(uv[:, 1].max())) + 1, camera.height)
            if u0 >= u1 or v0 >= v1:
                continue
            fx = self.floor_xz[v0:v1, u0:u1, 0] - cx
            fz = self.floor_xz[v0:v1, u0:u1, 1] - cz
            a = (fx * ux + fz * uz) / sh.semi_m[0]
            b = (-fx * uz + fz * ux) / sh.semi_m[1]
            dark = 1.0 - sh.strength * np.exp(-(a * a + b * b))
            dark = np.where(self.floor[v0:v1, u0:u1], dark, 1.0).astype(canvas.rgb.dtype)
            canvas.rgb[v0:v1, u0:u1] *= dark[..., None]
        return canvas


def render(prims: list, *, frame: int, camera: Camera, layer: RoomLayer,
           shadows: list[Shadow], light_dir: tuple[float, float, float]) -> np.ndarray:
    """Render one frame.

    Returns
    -------
    ndarray of shape (H, W, 3)
        RGB in [0, 1] (float32).
    """
    canvas = layer.canvas(camera, frame, shadows)
    light = np.asarray(light_dir, float) / np.linalg.norm(light_dir)
    light_c = canvas.rot @ light
    up_c = canvas.rot @ np.array([0.0, 1.0, 0.0])
    for prim in prims:
        if isinstance(prim, RoundCone):
            draw_round_cone(canvas, prim, frame, light_c, up_c)
        else:
            draw_ellipsoid(canvas, prim, frame, light_c, up_c)
    return np.clip(canvas.rgb, 0.0, 1.0)
