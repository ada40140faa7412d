"""The figure's surface: shaded primitives hung on the skeleton's segment frames.

Dimensions are metres for a 1.75 m person (scaled with height) in each segment's local frame
(x anterior, y proximal/up, z the person's right; ``s`` mirrors lateral features per side).
The anatomy that matters for where a pose model puts the joints is modelled explicitly:

* knee centre at mid-depth of the knee (femoral condyles 4.6 cm in front, 5.4 cm behind),
  patella riding on the condyles with flexion, tibial tuberosity, thigh tapering into the knee;
* shank asymmetric about the knee-ankle line: skin over the tibial crest 2.8-3.4 cm in front,
  calf bulging to 8.4 cm behind (gastrocnemius heads at 30 % of the shank), Achilles 3.7 cm
  behind just above the ankle, malleoli (lateral lower and posterior) at the ankle centre;
* shoe: flat sole, heel counter 6.5 cm behind the ankle centre, toe box, separate rear-foot and
  toe parts so a heel lift bends the shoe at the ball of the foot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import apply, rot_z, unit
from .raster import Ellipsoid, RoundCone
from .room import Shadow
from .skeleton import SIDES, Pose, suffix

RGB = tuple[float, float, float]


@dataclass(frozen=True, kw_only=True)
class Appearance:
    """Colours (RGB in [0, 1], shaded as given) and clothing of the figure and the room.

    ``legwear_style`` is ``"shorts"`` (bare knees and shanks) or ``"leggings"`` (tight, shank
    shape unchanged, coloured like the shorts). ``model`` is ``"anatomical"`` (the default) or
    ``"capsules"``: legs of symmetric capsules centred on the joint lines and a capsule shoe
    from heel to toe, kept to reproduce the feasibility check's bias (see README.md).

    ``crest_top_cm`` and ``crest_bottom_cm`` place the skin over the anterior tibial crest in
    front of the knee-ankle centre line (in the shank's sagittal plane, for a 1.75 m person,
    scaled with height): at the tibial tuberosity (``CREST_TOP_BELOW_KNEE_M`` below the knee
    centre) and at the distal shin (``CREST_BOTTOM_ABOVE_ANKLE_M`` above the ankle centre). The
    crest is the straight line between them (see ``crest_line``).
    """

    skin: RGB = (0.80, 0.60, 0.47)
    hair: RGB = (0.16, 0.11, 0.07)
    shirt: RGB = (0.18, 0.33, 0.58)
    legwear: RGB = (0.14, 0.14, 0.17)
    legwear_style: str = "shorts"
    model: str = "anatomical"
    sock: RGB = (0.90, 0.90, 0.88)
    shoe: RGB = (0.30, 0.31, 0.34)
    sole: RGB = (0.88, 0.88, 0.86)
    floor: RGB = (0.52, 0.45, 0.38)
    wall: RGB = (0.84, 0.83, 0.79)
    side_wall: RGB = (0.78, 0.80, 0.83)
    crest_top_cm: float = 4.5
    crest_bottom_cm: float = 2.3

    def __post_init__(self) -> None:
        for name, lo, hi in (("crest_top_cm", 3.5, 6.0), ("crest_bottom_cm", 2.0, 3.5)):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and lo <= value <= hi):
                raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
        if self.model not in ("anatomical", "capsules"):
            raise ValueError(f"model must be 'anatomical' or 'capsules', not {self.model!r}")
        if self.legwear_style not in ("shorts", "leggings"):
            raise ValueError(f"legwear_style must be 'shorts' or 'leggings', not {self.legwear_style!r}")
        for name in ("skin", "hair", "shirt", "legwear", "sock", "shoe", "sole", "floor", "wall",
                     "side_wall"):
            value = getattr(self, name)
            if len(value) != 3 or not all(0.0 <= float(c) <= 1.0 for c in value):
                raise ValueError(f"{name} must be 3 values in [0, 1], got {value!r}")


_EYE_WHITE: RGB = (0.93, 0.93, 0.92)
_IRIS: RGB = (0.10, 0.07, 0.05)
_LIPS: RGB = (0.62, 0.33, 0.30)
_Y = np.array([0.0, 1.0, 0.0])


class _Builder:
    """Collects primitives placed in segment-local coordinates (metres for a 1.75 m person)."""

    def __init__(self, pose: Pose) -> None:
        self.pose = pose
        self.k = pose.anthro.scale
        self.prims: list = []
        self.part = ""
        self.leg = ""
        p = pose.points
        self.origins = {"pelvis": p["pelvis"], "trunk": p["lumbar"], "head": p["head"]}
        for leg in SIDES:
            s = suffix(leg)
            self.origins.update({"thigh" + s: p["hip" + s], "shank" + s: p["knee" + s],
                                 "foot" + s: p["ankle" + s], "toes" + s: p["ball" + s],
                                 "hand" + s: p["wrist" + s]})

    def at(self, seg: str, local) -> np.ndarray:
        """World position of a local point; ``local`` in reference metres (scaled here)."""
        return self.origins[seg] + apply(self.pose.frames[seg], np.asarray(local, float) * self.k)

    def cone(self, a: np.ndarray, ra: float, b: np.ndarray, rb: float, color: RGB,
             color2: RGB | None = None, split: float = 1.0) -> None:
        """Round cone between world points; radii in reference metres; ``color2`` beyond the
        fraction ``split`` of the way from a to b."""
        self.prims.append(RoundCone(a_m=a, b_m=b, ra_m=ra * self.k, rb_m=rb * self.k, color=color,
                                    color2=color2, split=split, part=self.part, leg=self.leg))

    def ell(self, seg: str, center, semi, color: RGB, *, clip=(), center_m=None,
            tilt_deg: float = 0.0, color2: RGB | None = None, split=None) -> None:
        """Ellipsoid in a segment frame, optionally tilted about the local z axis.

        ``clip`` is a list of slabs ``(n, lo, hi)`` keeping ``lo <= n . p <= hi``, ``split =
        (n, offset)`` colours ``n . p >= offset`` with ``color2``; both in segment coordinates
        (reference metres).
        """
        c = self.at(seg, center) if center_m is None else center_m
        tilt = rot_z(np.array([np.radians(tilt_deg)]))[0]
        axes = self.pose.frames[seg] @ tilt
        center = np.asarray(center, float)

        def local(n, *offsets):
            n = np.asarray(n, float) / np.linalg.norm(n)
            off = float(n @ center)
            return (tilt.T @ n,) + tuple((o - off) * self.k for o in offsets)

        self.prims.append(Ellipsoid(
            center_m=c, axes=axes, semi_m=tuple(float(v) * self.k for v in semi), color=color,
            clip=tuple(local(*slab) for slab in clip), color2=color2,
            split=None if split is None else local(*split), part=self.part, leg=self.leg))


def _leg(b: _Builder, leg: str, look: Appearance) -> None:
    b.leg = leg
    side, s = SIDES[leg], suffix(leg)
    a, k = b.pose.anthro, b.k
    lt, ls = a.thigh_m / k, a.shank_m / k
    shorts = look.legwear_style == "shorts"
    bare = look.skin if shorts else look.legwear
    th, sh = "thigh" + s, "shank" + s
    up = [0.0, 1.0, 0.0]
    hem_y = -lt + 0.15
    hem = dict(color2=look.legwear, split=(up, hem_y))
    # Thigh: cone tapering from the hip into the knee, quadriceps and hamstrings bulges, vastus
    # medialis above the knee; shorts down to 15 cm above the knee, a little loose at the hem.
    top, low = [0.0, -0.05, side * 0.02], [0.0, -lt + 0.10, 0.0]
    b.part = "thigh"
    b.cone(b.at(th, top), 0.085, b.at(th, low), 0.057, look.legwear, bare,
           (hem_y - top[1]) / (low[1] - top[1]))
    b.ell(th, [0.025, -0.42 * lt, side * 0.012], [0.056, 0.16, 0.066], bare, **hem)
    b.ell(th, [-0.028, -0.40 * lt, 0.0], [0.056, 0.16, 0.060], bare, **hem)
    b.ell(th, [0.016, -lt + 0.085, -side * 0.028], [0.036, 0.065, 0.036], bare)
    b.cone(b.at(th, [0.0, -lt + 0.13, 0.0]), 0.060, b.at(th, [-0.002, -lt + 0.02, 0.0]), 0.049, bare)
    b.part = "shorts"
    if shorts:
        b.cone(b.at(th, [0.0, -0.02, side * 0.015]), 0.096, b.at(th, [0.002, hem_y, 0.0]), 0.073,
               look.legwear)
    # Knee: condyles centred on the joint (mid-depth), patella riding on them with flexion.
    b.part = "knee"
    b.ell(th, [-0.004, -lt + 0.005, 0.0], [0.048, 0.044, 0.050], bare)
    flex = np.arccos(np.clip(np.sum(b.pose.frames[th][:, :, 1] * b.pose.frames[sh][:, :, 1], -1),
                             -1.0, 1.0))
    ang = np.radians(20.0) - 0.8 * flex
    fx, fy, fz = (b.pose.frames[th][:, :, i] for i in range(3))
    direction = fx * np.cos(ang)[:, None] + fy * np.sin(ang)[:, None]
    pat_c = b.pose.points["knee" + s] + direction * 0.039 * k
    pat_axes = np.stack([direction, unit(np.cross(fz, direction)), fz], -1)
    b.prims.append(Ellipsoid(center_m=pat_c, axes=pat_axes,
                             semi_m=(0.012 * k, 0.026 * k, 0.024 * k), color=bare, part="patella",
                             leg=leg))
    # Shank, asymmetric about the knee-ankle line: tibial tuberosity and crest in front, the
    # calf (both gastrocnemius heads) bulging behind, Achilles tendon down to the heel; an
    # ankle sock from 5 cm above the ankle centre.
    cuff_y = -ls + 0.05
    # (the main cone's distal end sits 1.2 cm behind the centre line so the crest stays in front)
    main_a, main_b = [-0.006, -0.03, 0.0], [-0.012, -ls + 0.035, 0.0]
    b.part = "shank"
    b.cone(b.at(sh, main_a), 0.046, b.at(sh, main_b), 0.028, bare, look.sock,
           (cuff_y - main_a[1]) / (main_b[1] - main_a[1]))
    b.part = "tuberosity"
    b.ell(sh, [0.026, -0.075, 0.0], [0.016, 0.03, 0.02], bare)
    # Anterior tibial crest: a capsule whose front surface is exactly the crest line.
    b.part = "crest"
    top, bottom = crest_local(b.pose.anthro, look)
    u = (bottom - top) / np.linalg.norm(bottom - top)
    n = np.array([-u[1], u[0], 0.0]) if -u[1] > 0 else np.array([u[1], -u[0], 0.0])
    b.cone(b.at(sh, top - _CREST_R * n), _CREST_R, b.at(sh, bottom - _CREST_R * n), _CREST_R, bare)
    b.part = "calf"
    b.ell(sh, [-0.036, -0.14, -side * 0.004], [0.048, 0.135, 0.046], bare)
    ach_a, ach_b = [-0.026, -0.20, 0.0], [-0.016, -ls + 0.055, 0.0]
    b.part = "achilles"
    b.cone(b.at(sh, ach_a), 0.032, b.at(sh, ach_b), 0.019, bare, look.sock,
           (cuff_y - ach_a[1]) / (ach_b[1] - ach_a[1]))
    b.part = "ankle"
    b.cone(b.at(sh, [-0.004, cuff_y - 0.005, 0.0]), 0.0325, b.at(sh, [-0.004, cuff_y, 0.0]), 0.0325,
           look.sock)
    b.ell(sh, [0.0, -ls, 0.0], [0.034, 0.030, 0.033], look.sock)
    b.part = "malleoli"
    b.ell(sh, [-0.010, -ls - 0.008, side * 0.029], [0.012, 0.014, 0.009], look.sock)
    b.ell(sh, [0.004, -ls + 0.006, -side * 0.027], [0.012, 0.014, 0.009], look.sock)
    _shoe(b, leg, look)


#: Tibial tuberosity level below the knee centre, and the distal end of the crest above the
#: ankle centre (reference metres for a 1.75 m person, scaled with height).
CREST_TOP_BELOW_KNEE_M = 0.075
CREST_BOTTOM_ABOVE_ANKLE_M = 0.07
#: Radius of the crest's capsule (the rounded front of the tibia under the skin).
_CREST_R = 0.018
#: Span an inclinometer sits on: from 15 cm below the tibial tuberosity, 12 cm long (Bennell
#: 1998 placed it 15 cm below the tuberosity).
INCLINOMETER_BELOW_TUBEROSITY_M = 0.15
INCLINOMETER_LENGTH_M = 0.12


def crest_local(anthro, look: Appearance) -> tuple[np.ndarray, np.ndarray]:
    """Ends of the crest line in the shank frame, reference metres (origin at the knee centre).

    Returns
    -------
    (ndarray of shape (3,), ndarray of shape (3,))
        Top (tuberosity level) and bottom (distal shin) skin points, x anterior, y up.
    """
    ls = anthro.shank_m / anthro.scale
    top = np.array([look.crest_top_cm / 100.0, -CREST_TOP_BELOW_KNEE_M, 0.0])
    bottom = np.array([look.crest_bottom_cm / 100.0, -ls + CREST_BOTTOM_ABOVE_ANKLE_M, 0.0])
    return top, bottom


def crest_line(pose: Pose, look: Appearance, leg: str) -> tuple[np.ndarray, np.ndarray]:
    """World points on the anterior crest line at the ends of the inclinometer span.

    The span runs from ``INCLINOMETER_BELOW_TUBEROSITY_M`` below the tuberosity level down
    ``INCLINOMETER_LENGTH_M``; the crest is straight, so its angle is the crest line's angle.

    Returns
    -------
    (ndarray of shape (T, 3), ndarray of shape (T, 3))
        Upper and lower points.
    """
    top, bottom = crest_local(pose.anthro, look)
    s = suffix(leg)
    k = pose.anthro.scale

    def on_line(below_knee: float) -> np.ndarray:
        f = (below_knee + top[1]) / (top[1] - bottom[1])
        local = top + f * (bottom - top)
        return pose.points["knee" + s] + apply(pose.frames["shank" + s], local * k)

    upper = CREST_TOP_BELOW_KNEE_M + INCLINOMETER_BELOW_TUBEROSITY_M
    return on_line(upper), on_line(upper + INCLINOMETER_LENGTH_M)


def front_x_m(prims: list, parts: tuple[str, ...], leg: str | None = None) -> np.ndarray:
    """Most anterior world x of the primitives of some parts, per frame; ``ndarray (T,)``.

    Exact for round cones and unclipped ellipsoids (the only kinds in the knee region).
    ``leg`` keeps the primitives of one leg (told apart by their ``leg`` tag).
    """
    best = None
    for p in prims:
        if p.part not in parts or (leg is not None and p.leg != leg):
            continue
        if isinstance(p, RoundCone):
            x = np.maximum(p.a_m[:, 0] + p.ra_m, p.b_m[:, 0] + p.rb_m)
        else:
            ext = np.sqrt(np.sum((p.axes[:, 0, :] * np.asarray(p.semi_m)[None, :]) ** 2, -1))
            x = p.center_m[:, 0] + ext
        best = x if best is None else np.maximum(best, x)
    if best is None:
        raise ValueError(f"no primitives of parts {parts}")
    return best


def _shoe(b: _Builder, leg: str, look: Appearance) -> None:
    side, s = SIDES[leg], suffix(leg)
    a, k = b.pose.anthro, b.k
    ha, sole = a.ankle_height_m / k, a.sole_m / k
    hb, bf, tf = a.heel_back_m / k, a.ball_fwd_m / k, a.toe_fwd_m / k
    foot, toes = "foot" + s, "toes" + s
    b.part = "shoe"
    up = [0.0, 1.0, 0.0]
    above_sole = (up, -ha + sole, np.inf)
    sole_slab = (up, -ha, -ha + sole)
    # Flat midsole: heel and midfoot pucks turn with the rear foot about the ball, the toe
    # puck stays on the floor.
    b.ell(foot, [-hb + 0.045, -ha, 0.0], [0.045, 0.3, 0.041], look.sole, clip=[sole_slab])
    b.ell(foot, [bf * 0.45, -ha, side * 0.004], [bf * 0.5 + 0.035, 0.3, 0.050], look.sole,
          clip=[sole_slab])
    front = tf - bf
    b.ell(toes, [(front - 0.035) / 2, 0.0, side * 0.004], [(front + 0.035) / 2, 0.3, 0.052],
          look.sole, clip=[(up, 0.0, sole)])
    # Upper: vertical heel counter whose collar rises from under the malleoli to a heel tab,
    # vamp and tongue rising in front of the ankle, toe box.
    collar = np.array([0.036, 0.085, 0.0])  # normal of the collar plane (rises backward)
    b.ell(foot, [-hb + 0.048, -ha + sole, 0.0], [0.048, 0.10, 0.041], look.shoe,
          clip=[above_sole, (collar, -np.inf, collar @ [-hb, -0.006, 0.0])])
    b.ell(foot, [-hb + 0.014, -0.03, 0.0], [0.012, 0.026, 0.02], look.shoe)
    b.ell(foot, [0.05, -ha + sole, side * 0.003], [0.11, 0.068, 0.047], look.shoe,
          clip=[above_sole], tilt_deg=-6.0)
    b.ell(foot, [0.035, -0.006, 0.0], [0.045, 0.02, 0.026],
          tuple(0.5 * c + 0.5 * w for c, w in zip(look.shoe, look.sole)), tilt_deg=-32.0)
    b.ell(toes, [front / 2 - 0.03, sole, 0.0], [front / 2 + 0.03, 0.045, 0.049], look.shoe,
          clip=[(up, sole, np.inf)])


def _capsule_leg(b: _Builder, leg: str, look: Appearance) -> None:
    """The simple figure of the feasibility check: symmetric capsules centred on the joints."""
    s = suffix(leg)
    p = b.pose.points
    bare = look.skin if look.legwear_style == "shorts" else look.legwear
    b.leg = leg
    b.part = "capsules"
    b.cone(p["hip" + s], 0.075, p["knee" + s], 0.055, look.legwear)
    b.part = "knee"
    b.ell("shank" + s, [0.0, 0.0, 0.0], [0.057, 0.057, 0.057], bare)
    b.part = "capsules"
    b.cone(p["knee" + s], 0.05, p["ankle" + s], 0.035, bare)
    b.ell("shank" + s, [0.0, -b.pose.anthro.shank_m / b.k, 0.0], [0.036, 0.036, 0.036], look.sock)
    b.cone(p["heel" + s], 0.035, p["toe" + s], 0.03, look.shoe)


def _torso_head(b: _Builder, look: Appearance) -> None:
    b.part = "torso"
    # Pelvis and buttocks in the legwear colour, waist and chest in the shirt colour.
    b.ell("pelvis", [0.0, 0.035, 0.0], [0.105, 0.115, 0.165], look.legwear)
    for side in (-1, 1):
        b.ell("pelvis", [-0.055, -0.02, side * 0.07], [0.085, 0.10, 0.085], look.legwear)
    b.ell("pelvis", [0.02, 0.13, 0.0], [0.10, 0.09, 0.145], look.legwear)
    b.ell("trunk", [0.0, 0.10, 0.0], [0.105, 0.14, 0.148], look.shirt)
    b.ell("trunk", [0.0, 0.28, 0.0], [0.115, 0.16, 0.165], look.shirt)
    for side in (-1, 1):
        b.cone(b.at("trunk", [-0.012, 0.41, 0.0]), 0.06, b.at("trunk", [-0.012, 0.40, side * 0.15]),
               0.05, look.shirt)
    b.cone(b.at("trunk", [-0.015, 0.40, 0.0]), 0.056, b.at("head", [-0.015, 0.03, 0.0]), 0.05,
           look.skin)
    b.part = "head"
    # Head: cranium and face, jaw, hair cut by an oblique hair line, ears, eyes, brows, nose, lips.
    b.ell("head", [0.015, 0.10, 0.0], [0.098, 0.115, 0.078], look.skin)
    b.ell("head", [0.038, 0.048, 0.0], [0.062, 0.042, 0.058], look.skin)
    b.ell("head", [0.0, 0.115, 0.0], [0.104, 0.108, 0.083], look.hair,
          clip=[([-0.55, 0.835, 0.0], 0.079, np.inf)])
    for side in (-1, 1):
        b.ell("head", [-0.005, 0.085, side * 0.078], [0.02, 0.03, 0.012], look.skin)
        b.ell("head", [0.097, 0.115, side * 0.032], [0.011, 0.011, 0.011], _EYE_WHITE)
        b.ell("head", [0.106, 0.115, side * 0.032], [0.0065, 0.0065, 0.0065], _IRIS)
        b.ell("head", [0.104, 0.134, side * 0.033], [0.008, 0.005, 0.018], look.hair)
    b.ell("head", [0.108, 0.088, 0.0], [0.016, 0.026, 0.011], look.skin, tilt_deg=25.0)
    b.ell("head", [0.104, 0.05, 0.0], [0.006, 0.005, 0.02], _LIPS)


def _arm(b: _Builder, leg: str, look: Appearance) -> None:
    s = suffix(leg)
    p = b.pose.points
    sh, el, wr = p["shoulder" + s], p["elbow" + s], p["wrist" + s]
    b.part = "arm"
    b.ell("trunk", [0.0, 0.0, 0.0], [0.055, 0.055, 0.05], look.shirt,
          center_m=sh + 0.01 * b.k * _Y)
    b.cone(sh, 0.050, sh + 0.5 * (el - sh), 0.046, look.shirt)
    b.cone(sh, 0.045, el, 0.037, look.skin)
    b.cone(el, 0.036, wr, 0.025, look.skin)
    b.ell("hand" + s, [0.0, -0.08, 0.0], [0.02, 0.08, 0.045], look.skin)


def build_figure(pose: Pose, look: Appearance) -> list:
    """All primitives of the figure, in draw order (order does not affect the result).

    Returns
    -------
    list of RoundCone and Ellipsoid
    """
    b = _Builder(pose)
    _torso_head(b, look)
    for leg in SIDES:
        (_leg if look.model == "anatomical" else _capsule_leg)(b, leg, look)
        b.leg = ""
        _arm(b, leg, look)
    return b.prims


def contact_shadows(pose: Pose) -> list[Shadow]:
    """Soft shadows on the floor under each foot and under the body."""
    k = pose.anthro.scale
    out = []
    for leg in SIDES:
        s = suffix(leg)
        heel, toe = pose.points["heel" + s], pose.points["toe" + s]
        mid = 0.5 * (heel + toe)[:, [0, 2]]
        d = (toe - heel)[:, [0, 2]]
        d = d / np.linalg.norm(d, axis=-1, keepdims=True)
        out.append(Shadow(center_m=mid, direction=d, semi_m=(0.17 * k, 0.065 * k), strength=0.5))
    pelvis = pose.points["pelvis"][:, [0, 2]]
    out.append(Shadow(center_m=pelvis, direction=np.tile([1.0, 0.0], (pose.n_frames, 1)),
                      semi_m=(0.35 * k, 0.28 * k), strength=0.18))
    return out
