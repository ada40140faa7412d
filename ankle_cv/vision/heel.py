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

import contextlib
import dataclasses
from collections.abc import Sequence

import numpy as np

#: Template boxes in foot lengths: along the foot from the landmark (towards the toes
#: positive), then vertical (image down positive). The heel's box holds the back of the heel
#: and the sole's line on the floor (with the floor and background around them, which stay
#: still), not the ankle above it, which turns with the shank as the knee drives (a box
#: reaching 0.25 foot lengths up over the ankle read up to 0.018 foot lengths of "rise" with
#: the heel down on 19 near-leg renders; this one reads at most 0.006). Its bottom must reach
#: the floor: cut at 0.15 below the landmark, the same box drifted 0.024.
HEEL_BOX = (-0.45, 0.20, -0.15, 0.20)
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


def reach_foot() -> float:
    """How far (foot lengths) from its heel or foot-index landmark the tracker ever looks."""
    return SEARCH_FOOT + max(abs(v) for v in HEEL_BOX + TOE_BOX)


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
    size_px : (int, int)
        Width and height of the upright frames.

    The templates come from the frame ``anchor.ref``: :meth:`set_reference` with its
    :meth:`crop`. Live capture, where the reference is a frame already seen, calls
    :meth:`update` on each frame after that; the offline analysis, which knows the reference
    only for the whole stance, keeps the crops of the frames before it (small grey windows,
    within a memory budget) and measures them with :meth:`measure` once it arrives.
    ``usable`` is False when a patch falls outside the picture: nothing is measured.
    """

    def __init__(self, anchor: HeelAnchor, size_px: tuple[int, int]) -> None:
        self.anchor = anchor
        self._parts = _boxes(anchor, size_px)
        self._templates: list[tuple[int, np.ndarray]] = []

    @property
    def usable(self) -> bool:
        return self._parts is not None

    @property
    def ready(self) -> bool:
        return bool(self._templates)

    def crop(self, image_bgr: np.ndarray) -> list[np.ndarray]:
        """The heel's and the forefoot's search windows of a frame, grey (uint8)."""
        import cv2

        return [cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY) for _, (x0, y0, x1, y1) in self._parts]

    def set_reference(self, windows: list[np.ndarray]) -> None:
        """Cut the templates from the reference frame's windows (:meth:`crop`)."""
        self._templates = []
        # each template is cut from its search window at the anchor frame: (top offset, pixels)
        for ((tx0, ty0, tx1, ty1), (wx0, wy0, _, _)), window in zip(self._parts, windows):
            template = window[ty0 - wy0:ty1 - wy0, tx0 - wx0:tx1 - wx0].astype(np.float32)
            self._templates.append((ty0 - wy0, template))

    def measure(self, windows: list[np.ndarray]) -> tuple[float, float]:
        """(rise in foot lengths, match score) from a frame's windows; the rise is NaN where
        either patch is not found with confidence (score below :data:`MIN_SCORE`) or the
        rise is impossible."""
        (_, heel_y, heel_s), (_, toe_y, toe_s) = [
            _match(w.astype(np.float32), t) for w, (_, t) in zip(windows, self._templates)]
        score = min(heel_s, toe_s)
        value = -((heel_y - self._templates[0][0]) - (toe_y - self._templates[1][0])) / self.anchor.foot_px
        ok = score >= MIN_SCORE and MIN_RISE_FOOT <= value <= MAX_RISE_FOOT
        return (float(value) if ok else float("nan")), float(score)

    def update(self, image_bgr: np.ndarray) -> tuple[float, float]:
        """:meth:`measure` of one frame (NaN, 0 before the reference or when unusable)."""
        if not (self.usable and self.ready):
            return float("nan"), 0.0
        return self.measure(self.crop(image_bgr))


#: Memory for the windows of frames seen before their stance's reference frame; past it, those
#: frames are decoded a second time instead (so memory does not grow with the clip).
PENDING_BUDGET_BYTES = 64 * 2**20


def track_heel_rise(frames, anchors: Sequence[HeelAnchor], *, n_frames: int,
                    budget_bytes: int = PENDING_BUDGET_BYTES) -> tuple[np.ndarray, np.ndarray]:
    """Rise of the heel over the forefoot, per frame, in foot lengths, in one pass over the
    stances' frames (a second only for what did not fit in ``budget_bytes``).

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
    memo = getattr(frames, "memo", None)
    if memo is not None and (known := memo.get(anchors, n_frames)) is not None:
        return known
    rise, score = _track(frames, anchors, n_frames, budget_bytes)
    if memo is not None:
        memo.put(anchors, n_frames, rise, score)
    return rise, score


def _track(frames, anchors: Sequence[HeelAnchor], n_frames: int, budget_bytes: int) -> tuple[np.ndarray, np.ndarray]:
    rise = np.full(n_frames, np.nan)
    score = np.zeros(n_frames)
    if not anchors:
        return rise, score
    trackers: list[HeelTracker] = []
    pending: dict[int, list] = {}  # tracker -> [(frame index, windows)] seen before its reference
    held = 0
    redo: list[HeelTracker] = []  # trackers whose early frames did not fit: decoded again
    for frame in frames(start=min(a.start for a in anchors), stop=max(a.stop for a in anchors)):
        if not trackers:  # boxes are clipped to the frames as decoded
            size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
            trackers = [HeelTracker(a, size) for a in anchors]
            trackers = [t for t in trackers if t.usable]
        i = frame.index
        for k, tracker in enumerate(trackers):
            a = tracker.anchor
            if not a.start <= i < a.stop or i >= n_frames:
                continue
            windows = tracker.crop(frame.image_bgr)
            if i == a.ref:
                tracker.set_reference(windows)
                for j, early in pending.pop(k, []):
                    rise[j], score[j] = tracker.measure(early)
            if tracker.ready:
                rise[i], score[i] = tracker.measure(windows)
            elif tracker not in redo:
                size_bytes = sum(w.nbytes for w in windows)
                if held + size_bytes > budget_bytes:  # measure these frames in a second pass instead
                    held -= sum(w.nbytes for _, ws in pending.pop(k, []) for w in ws)
                    redo.append(tracker)
                else:
                    held += size_bytes
                    pending.setdefault(k, []).append((i, windows))
    for tracker in redo:
        a = tracker.anchor
        for frame in frames(start=a.start, stop=a.ref):
            rise[frame.index], score[frame.index] = tracker.update(frame.image_bgr)
    return rise, score


class HeelMemo:
    """Heel rises measured before, kept in a file beside a clip's outputs and keyed by the
    anchors they were measured from (and the clip's frame count): re-scoring with settings
    that leave the anchors as they were reuses them without decoding the video again; any
    other anchors are measured afresh (and remembered). A damaged or stale file is ignored.
    """

    VERSION = 1

    def __init__(self, path, identity: str = "") -> None:
        from pathlib import Path

        from .. import __version__

        self.path = Path(path)
        # what else the measurements depend on: the video, the tool and the tracker's constants
        self.identity = repr((identity, __version__, self.VERSION, HEEL_BOX, TOE_BOX, SEARCH_FOOT, MIN_SCORE,
                              MAX_RISE_FOOT, MIN_RISE_FOOT))

    @staticmethod
    def _key(anchors: Sequence[HeelAnchor], n_frames: int) -> np.ndarray:
        return np.array([[a.start, a.stop, a.ref, *a.heel_xy_px, *a.toe_xy_px, a.foot_px] for a in anchors]
                        + [[n_frames, 0, 0, 0, 0, 0, 0, 0]], dtype=np.float64)

    def get(self, anchors: Sequence[HeelAnchor], n_frames: int) -> tuple[np.ndarray, np.ndarray] | None:
        with contextlib.suppress(OSError, ValueError, KeyError):  # missing or damaged: measured again
            with np.load(self.path) as data:
                if str(data["identity"]) == self.identity and np.array_equal(data["key"], self._key(anchors, n_frames)):
                    return data["rise"].copy(), data["score"].copy()
        return None

    def put(self, anchors: Sequence[HeelAnchor], n_frames: int, rise: np.ndarray, score: np.ndarray) -> None:
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, key=self._key(anchors, n_frames), identity=np.array(self.identity), rise=rise, score=score)
        os.replace(tmp, self.path)


class MemoFrames:
    """``frames(start, stop)`` of a video (None: not at hand) with a :class:`HeelMemo`: what
    the protocols take as ``frames`` when heel measurements are remembered."""

    def __init__(self, video, memo: HeelMemo) -> None:
        self.video = video
        self.memo = memo

    def __call__(self, start: int = 0, stop: int | None = None):
        from ..errors import InputError
        from ..io.source import read_frames

        if self.video is None:
            raise InputError("the heel must be measured again for these settings, and the video is not at hand")
        return read_frames(str(self.video), start=start, stop=stop)
