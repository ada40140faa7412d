"""Heel lift measured in the image: the heel's pixels tracked against the forefoot's.

MediaPipe's heel and foot-index landmarks drift up by up to a tenth of a foot length as the
shank tilts forward, even with the heel flat on the floor (measured on rendered clips with
known truth, and seen on real squats whose heels stay down): a landmark-only heel-lift test
would fail every deep trial. A real lift moves the heel's pixels; the drift does not. So,
for each stance of the tested foot, a patch around the heel and one around the forefoot
are taken from the frame with the knee furthest back (heel surely down) and found again in
every frame of the stance by normalised cross-correlation; the heel's rise over the
forefoot (which cancels camera shake) is the heel height.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core.kneewall import HeelAnchor
from .source import read_frames

#: Template boxes in foot lengths: along the foot from the landmark (towards the toes
#: positive), then vertical (image down positive).
HEEL_BOX = (-0.15, 0.35, -0.25, 0.12)
TOE_BOX = (-0.35, 0.10, -0.25, 0.12)
#: How far (foot lengths) around its box a patch is looked for.
SEARCH_FOOT = 0.4
#: Matches scoring less than this (normalised cross-correlation) are not trusted.
MIN_SCORE = 0.7
#: A heel cannot rise further than this (foot lengths) over its forefoot, nor sink more than
#: MIN_RISE_FOOT into the floor: such a "rise" is a wrong match.
MAX_RISE_FOOT = 0.5
MIN_RISE_FOOT = -0.05


def _box(anchor_xy, direction: float, foot_px: float, spec, margin: float, size) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) of a template spec around a landmark, widened by ``margin``
    foot lengths and clipped to the frame of ``size`` (width, height)."""
    along = sorted((anchor_xy[0] + direction * spec[0] * foot_px, anchor_xy[0] + direction * spec[1] * foot_px))
    m = margin * foot_px
    x0, x1 = int(np.floor(along[0] - m)), int(np.ceil(along[1] + m))
    y0, y1 = int(np.floor(anchor_xy[1] + spec[2] * foot_px - m)), int(np.ceil(anchor_xy[1] + spec[3] * foot_px + m))
    width, height = size
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def _plan(anchor: HeelAnchor, size: tuple[int, int]):
    """(anchor, [(template box, search box) for heel, forefoot], {}) or None if a box
    falls outside the frame."""
    direction = 1.0 if anchor.toe_xy_px[0] >= anchor.heel_xy_px[0] else -1.0
    parts = []
    for xy, spec in ((anchor.heel_xy_px, HEEL_BOX), (anchor.toe_xy_px, TOE_BOX)):
        parts.append((_box(xy, direction, anchor.foot_px, spec, 0.0, size),
                      _box(xy, direction, anchor.foot_px, spec, SEARCH_FOOT, size)))
    if all(x1 - x0 >= 4 and y1 - y0 >= 4 for pair in parts for (x0, y0, x1, y1) in pair):
        return anchor, parts, {}
    return None


def _subpixel(a: float, b: float, c: float) -> float:
    """Vertex offset of a parabola through three samples around a maximum."""
    den = a - 2.0 * b + c
    return 0.0 if den == 0 else float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))


def _match(window: np.ndarray, template: np.ndarray) -> tuple[float, float, float]:
    """(x, y, score) of the best sub-pixel match of ``template`` inside ``window``."""
    import cv2

    if window.shape[0] < template.shape[0] or window.shape[1] < template.shape[1]:
        return np.nan, np.nan, 0.0
    r = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (px, py) = cv2.minMaxLoc(r)
    ox = _subpixel(r[py, px - 1], r[py, px], r[py, px + 1]) if 0 < px < r.shape[1] - 1 else 0.0
    oy = _subpixel(r[py - 1, px], r[py, px], r[py + 1, px]) if 0 < py < r.shape[0] - 1 else 0.0
    return px + ox, py + oy, float(score)


def track_heel_rise(video: str, anchors: Sequence[HeelAnchor], *, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Rise of the heel over the forefoot, per frame, in foot lengths.

    Parameters
    ----------
    video : str
        The clip the landmarks came from.
    anchors : sequence of HeelAnchor
        From :func:`ankle_cv.core.kneewall.heel_anchors`.
    n_frames : int

    Returns
    -------
    rise_foot : ndarray of shape (T,)
        Heel rise relative to the anchor frame; NaN outside stances and where either patch
        is not found with confidence.
    score : ndarray of shape (T,)
        The lower of the two patches' match scores (0 where untracked).
    """
    import cv2

    rise = np.full(n_frames, np.nan)
    score = np.zeros(n_frames)
    if not anchors:
        return rise, score
    plans = None
    last = max(a.stop for a in anchors)
    for frame in read_frames(video, stop=last):
        if plans is None:  # boxes are clipped to the frames as decoded
            size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
            plans = [p for p in (_plan(a, size) for a in anchors) if p is not None]
        for a, parts, crops in plans:
            if a.start <= frame.index < a.stop:
                crops[frame.index] = [
                    cv2.cvtColor(frame.image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
                    for _, (x0, y0, x1, y1) in parts
                ]
    for a, parts, crops in plans or []:
        if a.ref not in crops:
            continue
        # each template is cut from its search window at the anchor frame: (top-left, pixels)
        templates = [(ty0 - wy0, crop[ty0 - wy0:ty1 - wy0, tx0 - wx0:tx1 - wx0])
                     for ((tx0, ty0, tx1, ty1), (wx0, wy0, _, _)), crop in zip(parts, crops[a.ref])]
        for index, windows in crops.items():  # frames of one stance
            (_, heel_y, heel_s), (_, toe_y, toe_s) = [_match(w, t) for w, (_, t) in zip(windows, templates)]
            score[index] = min(heel_s, toe_s)
            heel_dy, toe_dy = heel_y - templates[0][0], toe_y - templates[1][0]
            value = -(heel_dy - toe_dy) / a.foot_px
            if score[index] >= MIN_SCORE and MIN_RISE_FOOT <= value <= MAX_RISE_FOOT:
                rise[index] = value
    return rise, score
