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
#: Frames are shrunk so that their longer side is at most this many pixels first.
_MAX_SIDE_PX = 960
#: Shortest segment kept, as a share of the frame's diagonal.
MIN_LENGTH_SHARE = 0.04


def _detector():
    import cv2

    return cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD)


def person_box(landmarks_xy: np.ndarray, *, margin: float = 0.15) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, y0, x1, y1) of a frame's 33 landmarks widened by ``margin``."""
    pts = landmarks_xy[np.isfinite(landmarks_xy).all(axis=1)]
    if pts.size == 0:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    w, h = x1 - x0, y1 - y0
    return x0 - margin * w, y0 - margin * h, x1 + margin * w, y1 + margin * h


def scene_lines(image_bgr: np.ndarray, landmarks_xy: np.ndarray | None = None) -> np.ndarray:
    """Line segments of one frame that do not lie on the person.

    Parameters
    ----------
    image_bgr : ndarray of shape (H, W, 3)
    landmarks_xy : ndarray of shape (33, 2), optional
        The person's landmarks in pixels; segments whose midpoint falls in their widened
        bounding box are dropped (legs and trunk are not verticals of the room).

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
    seg = found[:, 0].astype(np.float32) / scale
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    seg = seg[length >= MIN_LENGTH_SHARE * np.hypot(*image_bgr.shape[:2])]
    box = person_box(landmarks_xy) if landmarks_xy is not None else None
    if box is not None:
        mx, my = (seg[:, 0] + seg[:, 2]) / 2, (seg[:, 1] + seg[:, 3]) / 2
        inside = (mx > box[0]) & (mx < box[2]) & (my > box[1]) & (my < box[3])
        seg = seg[~inside]
    return seg
