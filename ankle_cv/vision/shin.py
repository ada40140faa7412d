"""The anterior edge of the shin, measured in the image: an angle comparable to an inclinometer.

Clinicians read the knee-to-wall angle with an inclinometer resting on the skin over the
anterior tibial crest (Bennell et al. 1998: 15 cm below the tibial tuberosity); the cut-offs
(36.5 deg, Backman & Danielson 2011) are in that reading. The landmarks give the knee-centre
to ankle-centre line instead, which is not parallel to the crest (docs/method.md, "The shin's
front edge"). Where the front of the shin can be seen (bare leg, tight clothing), this module
finds its edge against the background and returns that line's angle to the vertical.

How, in one frame: profiles perpendicular to the knee->ankle line are sampled at
:data:`SPAN_FRACTIONS` of the way from knee to ankle (the part of the shin an inclinometer
covers), on the side the toes point to, from :data:`SEARCH_SHANK` of the shank length out.
Along each profile the colour step is measured; its strongest local maxima are the edge
candidates. A line through the candidates is chosen by exhaustive RANSAC (each pair of
candidates from different profiles proposes a line; the one with the largest summed contrast
of inliers, one per profile, wins) and refined by least squares on its inliers. The result is
accepted only when the edge is strong, straight and found along most profiles; otherwise it
is "not measured" with the reason (low contrast, not straight, occluded, outside the picture).

Everything here is numpy/scipy on image arrays; OpenCV only draws (:func:`draw_edge`). The
frames come from a ``FrameReader`` as for the heel tracker, read once over just the span that
holds the requested frames (:func:`measure_shin`), or in a pass shared with other
measurements (:class:`ShinPass`, :mod:`ankle_cv.vision.passes`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ..core.geometry import robust_sd, tibia_angle_deg

#: Where the profiles cross the shank, as fractions of the way from knee to ankle: the span an
#: inclinometer placed 15 cm below the tibial tuberosity rests on (tuberosity ~3 cm below the
#: joint line, device 10-15 cm long, shank ~40 cm).
SPAN_FRACTIONS = tuple(np.round(np.linspace(0.25, 0.65, 10), 4))
#: Search range along each profile (shank lengths from the knee-ankle line, towards the toes):
#: the skin over the crest is 0.05-0.1 shank lengths in front of the centre line, and
#: MediaPipe's line may sit up to ~0.06 behind or in front of the true one.
SEARCH_SHANK = (0.0, 0.22)
#: Edge candidates kept per profile (strongest local maxima of the colour step).
CANDIDATES = 3
#: Smallest colour step (Euclidean RGB, 0-255 levels) that counts as an edge.
MIN_CONTRAST = 20.0
#: Least share of profiles whose candidate lies on the fitted line.
MIN_INLIER_SHARE = 0.7
#: RANSAC inlier distance: the larger of this many pixels and INLIER_SHANK shank lengths.
INLIER_PX, INLIER_SHANK = 1.5, 0.008
#: Largest RMS residual of the edge about its line: the larger of these shank lengths and
#: pixels (a real shin's front is slightly convex, and a small, compressed picture adds about a
#: pixel); beyond it the edge is not straight (loose clothing, a fold, a hand in the way).
MAX_RESIDUAL_SHANK, MAX_RESIDUAL_PX = 0.006, 1.0
#: Largest angle between the edge and the knee-ankle line; the crest differs from it by a few
#: degrees (docs/method.md), so a larger one is some other edge.
MAX_TILT_DEG = 15.0
#: Frames a side around each trial's peak measured for the median and spread.
HALF_WINDOW = 2
#: Shortest shank (pixels) worth measuring.
MIN_SHANK_PX = 60.0
#: The other leg's knee-ankle line closer than this (shank lengths) behind this shank's line, or
#: anywhere in front of it up to the search range plus this, puts its outline where this
#: shin's edge is looked for (legs side by side in a squat; not the lunge's back leg).
OTHER_LEG_SHANK = 0.12


@dataclasses.dataclass(frozen=True)
class EdgeFit:
    """The shin's front edge in one frame.

    ``angle_deg`` is the edge line's angle to the true vertical with the tibia angle's sign
    convention (positive: upper end forward, towards the toes), roll removed; ``se_deg`` its
    standard error from the fit; ``centre_deg`` the knee-ankle line's angle the same way.
    ``points_px`` (N, 2) are the edge candidates on the line and ``line_px`` its two ends at
    the first and last profile. Not measured: ``angle_deg`` None and the reason in ``note``.
    """

    angle_deg: float | None
    se_deg: float | None
    centre_deg: float | None
    note: str | None
    inlier_share: float = 0.0
    residual_px: float | None = None
    contrast: float | None = None
    points_px: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False)
    line_px: tuple[tuple[float, float], tuple[float, float]] | None = None


def _not_measured(note: str, centre_deg: float | None = None, **kw) -> EdgeFit:
    return EdgeFit(angle_deg=None, se_deg=None, centre_deg=centre_deg, note=note, **kw)


def _sample(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear colour samples (..., C) of an (H, W, C) image at (x, y); NaN outside it."""
    from scipy.ndimage import map_coordinates

    h, w = image.shape[:2]
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    coords = np.stack([y.ravel(), x.ravel()])
    out = np.stack([map_coordinates(image[:, :, c], coords, order=1, mode="nearest")
                    for c in range(image.shape[2])], -1).reshape(*x.shape, image.shape[2])
    out[~inside] = np.nan
    return out


def _candidates(steps: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (sub-sample) and heights of the ``k`` largest local maxima of each row of
    ``steps`` (P, D); NaN where a row has fewer."""
    p, d = steps.shape
    s = np.nan_to_num(steps, nan=-np.inf)
    peak = np.zeros_like(s, dtype=bool)
    peak[:, 1:-1] = (s[:, 1:-1] > s[:, :-2]) & (s[:, 1:-1] >= s[:, 2:]) & np.isfinite(s[:, 1:-1])
    height = np.where(peak, s, -np.inf)
    order = np.argsort(-height, axis=1)[:, :k]
    top = np.take_along_axis(height, order, 1)
    rows = np.arange(p)[:, None]
    a = s[rows, np.clip(order - 1, 0, d - 1)]
    b = top
    c = s[rows, np.clip(order + 1, 0, d - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        den = a - 2.0 * b + c
        off = np.where(np.isfinite(den) & (den < 0), np.clip(0.5 * (a - c) / den, -0.5, 0.5), 0.0)
    ok = np.isfinite(top)
    return np.where(ok, order + off, np.nan), np.where(ok, top, np.nan)


def _ransac(s: np.ndarray, d: np.ndarray, w: np.ndarray, tol: float, max_slope: float):
    """Best line d = a + b s through candidates (P profiles, K each; NaN where none): each pair
    from different profiles proposes one; its score is the summed weight of the nearest
    candidate of each profile within ``tol``. Returns (inlier mask (P, K), a, b) or None."""
    p, k = d.shape
    flat = np.flatnonzero(np.isfinite(d.ravel()))
    if flat.size < 2:
        return None
    i, j = np.triu_indices(flat.size, 1)
    i, j = flat[i], flat[j]
    keep = (i // k) != (j // k)
    i, j = i[keep], j[keep]
    sv, dv = s.ravel(), d.ravel()
    b = (dv[j] - dv[i]) / (sv[j] - sv[i])
    keep = np.abs(b) <= max_slope
    i, b = i[keep], b[keep]
    if b.size == 0:
        return None
    a = dv[i] - b * sv[i]
    resid = np.abs(d[None] - (a[:, None, None] + b[:, None, None] * s[None]))  # (H, P, K)
    resid = np.where(np.isfinite(resid), resid, np.inf)
    nearest = resid.argmin(2)
    near_r = np.take_along_axis(resid, nearest[..., None], 2)[..., 0]
    near_w = np.take_along_axis(np.broadcast_to(w, resid.shape), nearest[..., None], 2)[..., 0]
    score = np.where(near_r <= tol, near_w, 0.0).sum(1)
    best = int(np.argmax(score))
    mask = np.zeros((p, k), dtype=bool)
    hit = near_r[best] <= tol
    mask[np.flatnonzero(hit), nearest[best][hit]] = True
    return mask, float(a[best]), float(b[best])


def _other_leg_in_front(knee, u, n, length, s_pos, other) -> bool:
    """Whether the other leg's knee-ankle segment ``other`` ((2, 2) px) passes through the
    band searched in front of this shank over its span."""
    pts = other[0] + np.linspace(0.0, 1.0, 41)[:, None] * (other[1] - other[0])
    rel = pts - knee
    s, d = rel @ u, rel @ n
    over = (s >= s_pos[0]) & (s <= s_pos[-1])
    near = (d > -OTHER_LEG_SHANK * length) & (d < (SEARCH_SHANK[1] + OTHER_LEG_SHANK) * length)
    return bool(np.any(over & near))


def _up_angle_deg(low_xy, high_xy, *, roll_deg: float, facing: float, level) -> float:
    """The angle to the vertical of the line from ``low_xy`` up to ``high_xy`` (as
    :func:`tibia_angle_deg`), in the levelled picture where ``level`` maps points there."""
    if level is not None:
        x, y = level(np.array([low_xy[0], high_xy[0]]), np.array([low_xy[1], high_xy[1]]))
        return float(tibia_angle_deg(x[1] - x[0], y[1] - y[0], roll_deg=0.0, facing_sign=facing))
    return float(tibia_angle_deg(high_xy[0] - low_xy[0], high_xy[1] - low_xy[1], roll_deg=roll_deg,
                                 facing_sign=facing))


def fit_shin_edge(image: np.ndarray, knee_xy, ankle_xy, toe_dir_xy, *, roll_deg: float = 0.0,
                  other_leg_px=None, level=None) -> EdgeFit:
    """Find the front edge of the shin in one frame (see the module docstring).

    Parameters
    ----------
    image : ndarray of shape (H, W, 3) or (H, W)
        The upright frame (any channel order; uint8 levels).
    knee_xy, ankle_xy : (float, float)
        Knee and ankle centre in pixels (the landmarks).
    toe_dir_xy : (float, float)
        Image direction the toes point to (e.g. heel -> foot index); the front of the shin is
        on that side of the knee-ankle line.
    roll_deg : float
        Camera roll (as :func:`ankle_cv.core.geometry.upright`).
    other_leg_px : array_like of shape (2, 2), optional
        The other leg's knee and ankle (px): where that shank lies across the band searched
        in front of this one, its outline could be taken for this shin's: not measured.
    level : callable, optional
        ``level(x_px, y_px)`` -> the points as a level camera sees them
        (:class:`ankle_cv.core.geometry.Leveller`, a pitched camera): the angles are measured
        there, and ``roll_deg`` is not used.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {np.shape(image)}")
    knee, ankle, toe = (np.asarray(v, dtype=np.float64).reshape(2) for v in (knee_xy, ankle_xy, toe_dir_xy))
    if not (np.all(np.isfinite(knee)) and np.all(np.isfinite(ankle)) and np.all(np.isfinite(toe))):
        return _not_measured("the knee, ankle or foot direction is not known in this frame")
    v = ankle - knee
    length = float(np.hypot(*v))
    facing = 1.0 if toe[0] >= 0 else -1.0
    centre = _up_angle_deg(ankle, knee, roll_deg=roll_deg, facing=facing, level=level)
    if length < MIN_SHANK_PX:
        return _not_measured(f"the shank is only {length:.0f} px long in the picture", centre)
    u = v / length
    n = np.array([-u[1], u[0]])
    if float(n @ toe) < 0:
        n = -n
    if abs(float(n @ toe)) < 1e-9:
        return _not_measured("the foot points along the shank: its front side is not known", centre)
    s_pos = np.asarray(SPAN_FRACTIONS) * length
    if other_leg_px is not None:
        other = np.asarray(other_leg_px, dtype=np.float64).reshape(2, 2)
        if np.all(np.isfinite(other)) and _other_leg_in_front(knee, u, n, length, s_pos, other):
            return _not_measured("the other leg is beside this shin in the picture: its outline may be taken "
                                 "for this shin's", centre)
    # profile geometry: P positions along the shank, 3 lanes, D samples outwards (1 px apart)
    d_pos = np.arange(SEARCH_SHANK[0] * length, SEARCH_SHANK[1] * length, 1.0)
    lane = max(1.0, 0.01 * length)
    lanes = np.array([-lane, 0.0, lane])
    along = s_pos[:, None, None] + lanes[None, :, None]
    pts = knee + along[..., None] * u + d_pos[None, None, :, None] * n  # (P, 3, D, 2)
    colour = _sample(img, pts[..., 0], pts[..., 1]).mean(axis=1)  # (P, D, C); NaN where a lane leaves the frame
    outside = np.isnan(colour).any(-1).mean(1) > 0.2
    if outside.mean() > 1.0 - MIN_INLIER_SHARE:
        return _not_measured("the front of the shin is outside the picture", centre)
    from scipy.ndimage import gaussian_filter1d

    sigma = max(1.0, 0.004 * length)
    colour = gaussian_filter1d(np.nan_to_num(colour, nan=0.0), sigma, axis=1)
    half = max(2, int(round(2.0 * sigma)))  # the step is measured across +-half samples
    steps = np.full(colour.shape[:2], np.nan)
    steps[:, half:-half] = np.linalg.norm(colour[:, 2 * half:] - colour[:, :-2 * half], axis=-1)
    steps[outside] = np.nan
    steps[steps < MIN_CONTRAST] = np.nan
    pos, height = _candidates(steps, CANDIDATES)
    if not np.isfinite(height).any():
        return _not_measured("low contrast: no edge between the shin and the background", centre)
    d_cand = SEARCH_SHANK[0] * length + pos  # samples are 1 px apart
    s_cand = np.broadcast_to(s_pos[:, None], d_cand.shape)
    tol = max(INLIER_PX, INLIER_SHANK * length)
    found = _ransac(s_cand, d_cand, np.nan_to_num(height), tol, np.tan(np.radians(MAX_TILT_DEG)))
    if found is None:
        return _not_measured("no straight edge near the shank's direction", centre)
    mask, _, _ = found
    share = float(mask.any(1).mean())
    ss, dd, hh = s_cand[mask], d_cand[mask], height[mask]
    contrast = float(np.median(hh))
    points = knee + ss[:, None] * u + dd[:, None] * n
    common = dict(inlier_share=round(share, 3), contrast=round(contrast, 1), points_px=points)
    if share < MIN_INLIER_SHARE:
        return _not_measured(f"no straight edge along most of the shin (found along only {mask.any(1).sum()} of "
                             f"{len(s_pos)} profiles): low contrast against the background, something in front "
                             "of the shin, or loose clothing", centre, **common)
    b, a = np.polyfit(ss, dd, 1)
    resid = dd - (a + b * ss)
    rms = float(np.sqrt(np.mean(resid ** 2)))
    common["residual_px"] = round(rms, 2)
    if rms > max(MAX_RESIDUAL_SHANK * length, MAX_RESIDUAL_PX):
        return _not_measured(f"the edge is not straight (RMS {rms:.1f} px off its line): loose clothing or "
                             "something in front of the shin", centre, **common)
    dof = max(len(ss) - 2, 1)
    se_b = float(np.sqrt(np.sum(resid ** 2) / dof / np.sum((ss - ss.mean()) ** 2)))
    ends = [knee + s0 * u + (a + b * s0) * n for s0 in (s_pos[0], s_pos[-1])]
    if level is None:
        direction = u + b * n  # d(point)/ds along the edge, knee -> ankle
        angle = float(tibia_angle_deg(-direction[0], -direction[1], roll_deg=roll_deg, facing_sign=facing))
    else:
        angle = _up_angle_deg(ends[1], ends[0], roll_deg=roll_deg, facing=facing, level=level)
    return EdgeFit(angle_deg=angle, se_deg=float(np.degrees(se_b / (1.0 + b * b))), centre_deg=centre, note=None,
                   line_px=(tuple(map(float, ends[0])), tuple(map(float, ends[1]))), **common)


@dataclasses.dataclass(frozen=True)
class ShinRequest:
    """Frames of one trial to measure: ``frames`` (F,) with the landmarks there (pixels):
    ``knee_xy``, ``ankle_xy`` (F, 2), ``toe_dir_xy`` (F, 2) the heel -> foot index vector;
    ``roll_deg`` the clip's camera roll; ``other_leg_px`` (F, 2, 2) the other leg's knee and
    ankle (NaN: not known); ``level`` the clip's :class:`~ankle_cv.core.geometry.Leveller`
    where the scene's verticals converge."""

    key: int
    frames: tuple[int, ...]
    knee_xy: np.ndarray
    ankle_xy: np.ndarray
    toe_dir_xy: np.ndarray
    roll_deg: float
    other_leg_px: np.ndarray | None = None
    level: object = None  # a Leveller where the camera is pitched (see fit_shin_edge)


@dataclasses.dataclass(frozen=True)
class ShinAngle:
    """The shin's front edge over a trial's frames: median angle (None: not measured, reason
    in ``note``), its SD (spread over frames and fit error together), the frames measured and
    the per-frame fits (for drawing)."""

    angle_deg: float | None
    sd_deg: float | None
    note: str | None
    n_frames: int
    fits: tuple[tuple[int, EdgeFit], ...] = dataclasses.field(repr=False, compare=False)


def combine(fits: Sequence[EdgeFit]) -> tuple[float | None, float | None, str | None, int]:
    """Median angle, SD, note and count of the measured frames of a trial: measured when at
    least half its frames (and one) were; the SD adds the spread over frames (robust, 0 for a
    single frame) and the median fit error in quadrature."""
    ok = [f for f in fits if f.angle_deg is not None]
    if not fits:
        return None, None, "no frame of the trial could be read", 0
    if len(ok) * 2 < len(fits) or not ok:
        notes = [f.note for f in fits if f.note]
        note = max(set(notes), key=notes.count) if notes else "not measured"
        return None, None, f"{note} (in {len(fits) - len(ok)} of {len(fits)} frames)", len(ok)
    angles = np.array([f.angle_deg for f in ok])
    spread = robust_sd(angles) if len(ok) >= 3 else (float(np.std(angles, ddof=1)) if len(ok) == 2 else 0.0)
    se = float(np.median([f.se_deg for f in ok]))
    return float(np.median(angles)), float(np.hypot(spread, se)), None, len(ok)


class ShinPass:
    """:func:`fit_shin_edge` on each request's frames as they are decoded (a
    :class:`~ankle_cv.vision.passes.FrameVisitor`), then :meth:`result`. A frame that is not
    a whole picture (live capture keeps only the feet's crops) gives "not measured"."""

    def __init__(self, requests: Sequence[ShinRequest]) -> None:
        self.requests = tuple(requests)
        self._at: dict[int, list[tuple[ShinRequest, int]]] = {}
        for r in self.requests:
            for j, i in enumerate(r.frames):
                self._at.setdefault(int(i), []).append((r, j))
        self.wanted = frozenset(self._at)
        self._fits: dict[int, list[tuple[int, EdgeFit]]] = {r.key: [] for r in self.requests}

    def see(self, frame) -> None:
        for r, j in self._at.get(frame.index, ()):
            if not isinstance(frame.image_bgr, np.ndarray):
                fit = _not_measured("only part of the frame is kept here (live view): the shin is not in it")
            else:
                fit = fit_shin_edge(frame.image_bgr, r.knee_xy[j], r.ankle_xy[j], r.toe_dir_xy[j],
                                    roll_deg=r.roll_deg, level=r.level,
                                    other_leg_px=None if r.other_leg_px is None else r.other_leg_px[j])
            self._fits[r.key].append((frame.index, fit))

    def result(self) -> dict[int, ShinAngle]:
        """``{key: ShinAngle}`` over the frames seen."""
        out = {}
        for r in self.requests:
            angle, sd, note, n = combine([f for _, f in self._fits[r.key]])
            out[r.key] = ShinAngle(angle_deg=angle, sd_deg=sd, note=note, n_frames=n, fits=tuple(self._fits[r.key]))
        return out


def measure_shin(frames, requests: Sequence[ShinRequest]) -> dict[int, ShinAngle]:
    """:class:`ShinPass` over ``frames(start, stop)`` (as for the heel tracker), read in one
    pass over the span that holds the requested frames; ``{key: ShinAngle}``."""
    from .passes import visit_frames

    shin = ShinPass(requests)
    visit_frames(frames, [shin])
    return shin.result()


def draw_edge(image_bgr: np.ndarray, fit: EdgeFit, knee_xy=None, ankle_xy=None) -> np.ndarray:
    """A copy of the frame with the knee-ankle line (blue), the edge candidates on the line
    (yellow) and the fitted edge (green; red note when not measured), for inspection."""
    import cv2

    out = image_bgr.copy()
    if knee_xy is not None and ankle_xy is not None:
        cv2.line(out, tuple(int(round(v)) for v in knee_xy), tuple(int(round(v)) for v in ankle_xy), (255, 0, 0), 2)
    for x, y in fit.points_px:
        cv2.circle(out, (int(round(x)), int(round(y))), 3, (0, 255, 255), -1)
    if fit.line_px is not None:
        (x0, y0), (x1, y1) = fit.line_px
        cv2.line(out, (int(round(x0)), int(round(y0))), (int(round(x1)), int(round(y1))), (0, 200, 0), 2)
        text = f"edge {fit.angle_deg:.1f} deg, centre {fit.centre_deg:.1f} deg"
    else:
        text = f"not measured: {fit.note}"[:90]
    cv2.putText(out, text, (10, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2)
    return out
