"""Heel lift measured in the image: the heel's pixels tracked against the forefoot's.

MediaPipe's heel and foot-index landmarks drift up by up to a tenth of a foot length as the
shank tilts forward, even with the heel flat on the floor (measured on rendered clips with
known truth, and seen on real squats whose heels stay down): a landmark-only heel-lift test
would fail every deep trial. A real lift moves the heel's pixels; the drift does not. So,
for each stance of the tested foot, a patch around the heel and one around the forefoot
are taken from the frame with the knee furthest back (heel surely down) and found again in
every frame of the stance by normalised cross-correlation; the heel's rise over the
forefoot (which cancels camera shake) is the heel height.

:class:`HeelTracker` follows one stance a frame at a time (``update(frame)``), holding only
its two templates: memory does not grow with the clip, and live capture can feed it the
same way. The offline analysis (:func:`track_heel_rise`) first fetches each stance's
reference frame, then streams the stances' frames through their trackers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

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


@dataclasses.dataclass(frozen=True)
class HeelAnchor:
    """Where to track the heel in one stance (frames ``start`` to ``stop``, exclusive).

    ``ref`` is a frame of the stance with the heel surely down; heel and foot index are the
    landmark positions there, in pixels, and ``foot_px`` the foot's length in the picture.
    """

    start: int
    stop: int
    ref: int
    heel_xy_px: tuple[float, float]
    toe_xy_px: tuple[float, float]
    foot_px: float


def _boxes(anchor: HeelAnchor, size: tuple[int, int]):
    """[(template box, search box) for heel, forefoot], or None if a box falls outside the
    frame of ``size`` (width, height)."""
    direction = 1.0 if anchor.toe_xy_px[0] >= anchor.heel_xy_px[0] else -1.0
    parts = []
    for xy, spec in ((anchor.heel_xy_px, HEEL_BOX), (anchor.toe_xy_px, TOE_BOX)):
        parts.append((_box(xy, direction, anchor.foot_px, spec, 0.0, size),
                      _box(xy, direction, anchor.foot_px, spec, SEARCH_FOOT, size)))
    if all(x1 - x0 >= 4 and y1 - y0 >= 4 for pair in parts for (x0, y0, x1, y1) in pair):
        return parts
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


class HeelTracker:
    """The heel's rise over the forefoot in one stance, one frame at a time.

    Parameters
    ----------
    anchor : HeelAnchor
    reference_bgr : ndarray of shape (H, W, 3)
        The upright frame ``anchor.ref``: the heel and forefoot templates are cut from it.

    ``usable`` is False when a patch falls outside the picture; :meth:`update` then measures
    nothing.
    """

    def __init__(self, anchor: HeelAnchor, reference_bgr: np.ndarray) -> None:
        self.anchor = anchor
        self._parts = _boxes(anchor, (reference_bgr.shape[1], reference_bgr.shape[0]))
        self._templates = []
        if self._parts is not None:
            # each template is cut from its search window at the anchor frame: (top offset, pixels)
            for ((tx0, ty0, tx1, ty1), (wx0, wy0, _, _)), window in zip(self._parts, self._windows(reference_bgr)):
                self._templates.append((ty0 - wy0, window[ty0 - wy0:ty1 - wy0, tx0 - wx0:tx1 - wx0]))

    @property
    def usable(self) -> bool:
        return self._parts is not None

    def _windows(self, image_bgr: np.ndarray) -> list[np.ndarray]:
        import cv2

        return [cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
                for _, (x0, y0, x1, y1) in self._parts]

    def update(self, image_bgr: np.ndarray) -> tuple[float, float]:
        """(rise in foot lengths, match score) of one frame of the stance; the rise is NaN
        where either patch is not found with confidence (score below :data:`MIN_SCORE`) or
        the rise is impossible."""
        if self._parts is None:
            return float("nan"), 0.0
        (_, heel_y, heel_s), (_, toe_y, toe_s) = [
            _match(w, t) for w, (_, t) in zip(self._windows(image_bgr), self._templates)]
        score = min(heel_s, toe_s)
        value = -((heel_y - self._templates[0][0]) - (toe_y - self._templates[1][0])) / self.anchor.foot_px
        ok = score >= MIN_SCORE and MIN_RISE_FOOT <= value <= MAX_RISE_FOOT
        return (float(value) if ok else float("nan")), float(score)


def _reference_frames(frames, anchors: Sequence[HeelAnchor]) -> dict[int, np.ndarray]:
    """The frames the anchors refer to, decoded once up to the last of them."""
    wanted = {a.ref for a in anchors}
    found: dict[int, np.ndarray] = {}
    for frame in frames(stop=max(wanted) + 1):
        if frame.index in wanted:
            found[frame.index] = frame.image_bgr
    return found


def track_heel_rise(frames, anchors: Sequence[HeelAnchor], *, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Rise of the heel over the forefoot, per frame, in foot lengths.

    Parameters
    ----------
    frames : callable
        ``frames(start=0, stop=None)`` yields the clip's upright frames (objects with
        ``index`` and ``image_bgr``), e.g. ``functools.partial(read_frames, path)``.
    anchors : sequence of HeelAnchor
        From :func:`ankle_cv.protocols.knee_to_wall.kinematics.heel_anchors`.
    n_frames : int

    Returns
    -------
    rise_foot : ndarray of shape (T,)
        Heel rise relative to the anchor frame; NaN outside stances and where either patch
        is not found with confidence.
    score : ndarray of shape (T,)
        The lower of the two patches' match scores (0 where untracked).
    """
    rise = np.full(n_frames, np.nan)
    score = np.zeros(n_frames)
    if not anchors:
        return rise, score
    references = _reference_frames(frames, anchors)
    trackers = [HeelTracker(a, references[a.ref]) for a in anchors if a.ref in references]
    trackers = [t for t in trackers if t.usable]
    if not trackers:
        return rise, score
    start = min(t.anchor.start for t in trackers)
    for frame in frames(start=start, stop=max(t.anchor.stop for t in trackers)):
        for tracker in trackers:
            if tracker.anchor.start <= frame.index < tracker.anchor.stop and frame.index < n_frames:
                rise[frame.index], score[frame.index] = tracker.update(frame.image_bgr)
    return rise, score
