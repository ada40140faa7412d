"""The heel tracked in the image, live: what the protocols' heel tracking reads of each frame,
kept from the processed frames, and measured once per frame.

Offline, a protocol given the clip's frames tracks the heel's pixels
(:func:`ankle_cv.vision.heel.track_heel_rise`): MediaPipe's heel landmark drifts up as the
shank tilts, so a heel judged from landmarks alone "lifts" in every deep trial. Live, there is
no clip to read again, and keeping whole frames for a window of seconds would take gigabytes.
The tracker only ever looks at small windows around the heel and the forefoot, so
:class:`FootCrops` keeps, of each processed frame, the grey picture around the feet, and
:meth:`FootCrops.reader` hands the protocol a frame reader over them (the protocols take it as
``frames``). Its ``memo`` is the hook :func:`~ankle_cv.vision.heel.track_heel_rise` asks
first: it measures each frame once per heel reference with the library's
:class:`~ankle_cv.vision.heel.HeelTracker` and remembers it, so scoring the window a few
times a second costs only its new frames.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence

import numpy as np

from ..landmarks import LEFT_FOOT_INDEX, LEFT_HEEL, RIGHT_FOOT_INDEX, RIGHT_HEEL
from ..vision.heel import reach_foot
from .window import Snapshot

#: How much of a frame is kept around the feet (heel and foot-index landmarks of both feet),
#: in foot lengths: as far as the heel tracker's search windows reach from those landmarks
#: (template box plus search margin, :mod:`ankle_cv.vision.heel`: 0.85 foot lengths), and a
#: quarter foot more for a planted foot that shifts a little within its stance.
KEEP_MARGIN_FOOT = reach_foot() + 0.25

_FEET = (LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)


@dataclasses.dataclass(frozen=True, eq=False)
class _Crop:
    x0_px: int
    y0_px: int
    grey: np.ndarray


class _Patch:
    """A frame of which only a crop is kept: ``patch[y0:y1, x0:x1]`` is that part of the
    frame (BGR; black where nothing was kept), all :meth:`HeelTracker.crop` asks of a frame."""

    def __init__(self, crop: _Crop, size_px: tuple[int, int]) -> None:
        self._crop = crop
        self.shape = (size_px[1], size_px[0], 3)

    def __getitem__(self, key) -> np.ndarray:
        import cv2

        rows, cols = key
        ya, yb, _ = rows.indices(self.shape[0])
        xa, xb, _ = cols.indices(self.shape[1])
        out = np.zeros((max(yb - ya, 0), max(xb - xa, 0)), dtype=np.uint8)
        c = self._crop
        h, w = c.grey.shape
        top, bottom = max(ya, c.y0_px), min(yb, c.y0_px + h)
        left, right = max(xa, c.x0_px), min(xb, c.x0_px + w)
        if top < bottom and left < right:
            out[top - ya:bottom - ya, left - xa:right - xa] = c.grey[top - c.y0_px:bottom - c.y0_px,
                                                                    left - c.x0_px:right - c.x0_px]
        return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)


@dataclasses.dataclass(frozen=True, eq=False)
class _Frame:
    index: int
    time_s: float
    image_bgr: _Patch


def foot_box_px(landmarks: np.ndarray, size_px: tuple[int, int], *,
                margin_foot: float = KEEP_MARGIN_FOOT) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the picture kept around the feet of one frame's landmarks (33, 4),
    or None when no foot is seen."""
    pts = np.asarray(landmarks, dtype=np.float64)[list(_FEET), :2]
    foot_px = np.hypot(*(pts[:2] - pts[2:]).T)
    if not np.isfinite(foot_px).any() or not np.isfinite(pts).all(axis=1).any():
        return None
    m = margin_foot * float(np.nanmax(foot_px))
    seen = pts[np.isfinite(pts).all(axis=1)]
    width, height = size_px
    x0, y0 = (int(max(math.floor(v - m), 0)) for v in seen.min(axis=0))
    x1, y1 = int(min(math.ceil(seen[:, 0].max() + m), width)), int(min(math.ceil(seen[:, 1].max() + m), height))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


class FootCrops:
    """Grey crops around the feet of the processed frames, by capture index, and the heel
    measured in them. Crops are added and forgotten by the session's thread; the reader runs
    on the analyst's."""

    def __init__(self) -> None:
        self._crops: dict[int, _Crop] = {}
        self.size_px: tuple[int, int] | None = None
        # heel reference -> (tracker, {capture index: (rise, score)})
        self._tracked: dict[tuple, tuple[object, dict[int, tuple[float, float]]]] = {}

    def add(self, index: int, image_bgr: np.ndarray, landmarks: np.ndarray) -> None:
        import cv2

        self.size_px = (image_bgr.shape[1], image_bgr.shape[0])
        box = foot_box_px(landmarks, self.size_px)
        if box is None:
            return
        x0, y0, x1, y1 = box
        self._crops[int(index)] = _Crop(x0, y0, cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY))

    def forget_before(self, index: int) -> None:
        for old in [i for i in list(self._crops) if i < index]:
            self._crops.pop(old, None)

    @property
    def nbytes(self) -> int:
        return sum(c.grey.nbytes for c in list(self._crops.values()))

    def reader(self, snapshot: Snapshot) -> _WindowFrames:
        """The frames of ``snapshot``'s rows as the protocols' heel tracking reads them."""
        return _WindowFrames(self, snapshot)

    def _patch(self, index: int) -> _Patch | None:
        crop = self._crops.get(int(index))
        return None if crop is None or self.size_px is None else _Patch(crop, self.size_px)

    def measure(self, anchors: Sequence, snapshot: Snapshot, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
        """Heel rise and match score per row, as :func:`~ankle_cv.vision.heel.track_heel_rise`
        returns them, measuring only frames not measured before against the same reference."""
        from ..vision.heel import HeelTracker

        rise, score = np.full(n_frames, np.nan), np.zeros(n_frames)
        used = {}
        oldest = int(snapshot.index[0]) if snapshot.n_rows else 0
        for anchor in anchors:
            ref_index = int(snapshot.index[anchor.ref])
            key = (ref_index, *np.round([*anchor.heel_xy_px, *anchor.toe_xy_px, anchor.foot_px], 3))
            entry = used.get(key) or self._tracked.get(key)
            if entry is None:
                ref = self._patch(ref_index)
                tracker = HeelTracker(anchor, self.size_px) if ref is not None else None
                if tracker is None or not tracker.usable:
                    continue
                tracker.set_reference(tracker.crop(ref))
                entry = (tracker, {})
            tracker, measured = entry
            for old in [i for i in measured if i < oldest]:
                del measured[old]
            used[key] = entry
            for row in range(anchor.start, min(anchor.stop, n_frames)):
                index = int(snapshot.index[row])
                if index not in measured:
                    patch = self._patch(index)
                    measured[index] = (float("nan"), 0.0) if patch is None else tracker.measure(tracker.crop(patch))
                rise[row], score[row] = measured[index]
        self._tracked = used
        return rise, score


class _WindowFrames:
    """``frames(start, stop)`` of a snapshot's rows, with the memo the heel tracking asks
    first (see the module docstring)."""

    def __init__(self, crops: FootCrops, snapshot: Snapshot) -> None:
        self._crops, self._snapshot = crops, snapshot
        self.memo = self

    def get(self, anchors: Sequence, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
        return self._crops.measure(anchors, self._snapshot, n_frames)

    def put(self, anchors: Sequence, n_frames: int, rise: np.ndarray, score: np.ndarray) -> None:
        """Nothing to store: :meth:`get` has remembered its measurements already."""

    def __call__(self, start: int = 0, stop: int | None = None) -> Iterator[_Frame]:
        snap = self._snapshot
        for row in range(start, snap.n_rows if stop is None else min(stop, snap.n_rows)):
            patch = self._crops._patch(int(snap.index[row]))
            if patch is not None:
                yield _Frame(row, float(snap.time_s[row]), patch)
