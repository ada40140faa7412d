"""Straight lines of the scene (walls, floor edges, door frames), for levelling the camera.

A knee-to-wall test happens in front of a wall: its edges, the floor line and door frames
are true verticals and horizontals, which tell the camera's roll far better than the
person's feet (MediaPipe's heel and foot-index landmarks are not at sole level, so the
"sole line" of a real shoe is tilted by several degrees). The pose stage collects line
segments from a few frames, away from the person; the core turns them into a roll.
"""

from __future__ import annotations

import numpy as np

#: Segments are looked for in every LINES_EVERY-th frame (by frame index).
LINES_EVERY = 30
#: Bumped whenever the segments found would change: cached landmarks then go stale.
LINES_VERSION = 2
#: Frames are shrunk so that their longer side is at most this many pixels first.
_MAX_SIDE_PX = 960
#: Shortest segment kept, as a share of the frame's diagonal.
MIN_LENGTH_SHARE = 0.04


def _detector():
    import cv2

    return cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD)


#: Bones drawn (as thick lines) to mask the person out of the line search.
_BONES = ((11, 12), (23, 24), (11, 23), (12, 24), (11, 13), (13, 15), (12, 14), (14, 16), (23, 25), (25, 27),
          (24, 26), (26, 28), (27, 29), (29, 31), (27, 31), (28, 30), (30, 32), (28, 32), (0, 11), (0, 12))
#: A segment with more than this share of its length on the person is the person's edge.
_MAX_ON_PERSON = 0.5


def person_mask(landmarks_xy: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray | None:
    """A rough silhouette of the person: the skeleton drawn with limbs a fifth of the torso
    length thick, the trunk filled, the head a disc. ``shape`` and ``scale`` describe the
    (possibly shrunk) image the mask is for. None without landmarks."""
    import cv2

    pts = landmarks_xy * scale
    if not np.isfinite(pts[[11, 12, 23, 24]]).all():
        return None
    torso = float(np.linalg.norm(pts[[11, 12]].mean(axis=0) - pts[[23, 24]].mean(axis=0)))
    width = max(int(round(0.2 * torso)), 2)
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillConvexPoly(mask, np.round(pts[[11, 12, 24, 23]]).astype(np.int32), 1)
    for a, b in _BONES:
        if np.isfinite(pts[[a, b]]).all():
            cv2.line(mask, tuple(np.round(pts[a]).astype(int)), tuple(np.round(pts[b]).astype(int)), 1, width)
    if np.isfinite(pts[0]).all():
        cv2.circle(mask, tuple(np.round(pts[0]).astype(int)), int(round(0.35 * torso)), 1, -1)
    return mask


def _share_on_mask(seg: np.ndarray, mask: np.ndarray, *, samples: int = 16) -> np.ndarray:
    """Share of each segment's length (K, 4) lying on the mask (sampled at ``samples`` points)."""
    w = np.linspace(0.0, 1.0, samples)
    x = np.clip(np.round(seg[:, [0]] + w * (seg[:, [2]] - seg[:, [0]])).astype(int), 0, mask.shape[1] - 1)
    y = np.clip(np.round(seg[:, [1]] + w * (seg[:, [3]] - seg[:, [1]])).astype(int), 0, mask.shape[0] - 1)
    return mask[y, x].mean(axis=1)


def scene_lines(image_bgr: np.ndarray, landmarks_xy: np.ndarray | None = None) -> np.ndarray:
    """Line segments of one frame that do not lie on the person.

    Parameters
    ----------
    image_bgr : ndarray of shape (H, W, 3)
    landmarks_xy : ndarray of shape (33, 2), optional
        The person's landmarks in pixels; segments lying mostly on the rough silhouette
        they describe are dropped (legs and trunk are not verticals of the room), while a
        wall edge passing close to the person is kept.

    Returns
    -------
    ndarray of shape (K, 4), float32
        x0, y0, x1, y1 of each segment in pixels of the full frame.
    """
    import cv2

    gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, _MAX_SIDE_PX / max(gray.shape))
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = _detector().detect(gray)[0]
    if found is None:
        return np.zeros((0, 4), dtype=np.float32)
    seg = found[:, 0].astype(np.float32)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    seg = seg[length >= MIN_LENGTH_SHARE * np.hypot(*gray.shape)]
    mask = person_mask(landmarks_xy, gray.shape, scale) if landmarks_xy is not None else None
    if mask is not None and len(seg):
        seg = seg[_share_on_mask(seg, mask) <= _MAX_ON_PERSON]
    return seg / scale


class SceneLineCollector:
    """A per-frame stage: the scene segments of every ``every``-th frame (by frame index).

    ``update`` takes each frame with the person's landmarks (to mask the person out);
    ``lines`` is what was collected, shape (K, 5): frame index, x0, y0, x1, y1 in pixels. With
    an ``executor`` (a thread pool) the line search runs beside the caller, which meanwhile
    goes on with pose estimation (OpenCV releases the interpreter while it searches).
    """

    def __init__(self, every: int = LINES_EVERY, *, executor=None) -> None:
        self.every = every
        self._executor = executor
        self._found: list = []

    def update(self, index: int, image_bgr: np.ndarray, landmarks_px: np.ndarray | None) -> None:
        if index % self.every:
            return
        xy = None if landmarks_px is None else landmarks_px[:, :2]
        if self._executor is None:
            self._found.append(_tagged(index, image_bgr, xy))
        else:
            self._found.append(self._executor.submit(_tagged, index, image_bgr, xy))

    @property
    def lines(self) -> np.ndarray:
        found = [f if isinstance(f, np.ndarray) else f.result() for f in self._found]
        return np.concatenate(found) if found else np.zeros((0, 5), dtype=np.float32)


def _tagged(index: int, image_bgr: np.ndarray, landmarks_xy: np.ndarray | None) -> np.ndarray:
    seg = scene_lines(image_bgr, landmarks_xy)
    return np.column_stack((np.full(len(seg), index, np.float32), seg))
