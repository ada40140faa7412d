"""How the camera moved between frames: hand-held shake, measured on the background.

A phone held by hand pans and tilts by a fraction of a degree, which moves the whole
picture by several pixels, at speeds a planted foot never has. Judged in image
coordinates, a planted foot then looks as if it moved (a false "feet moving") and its
ankle as if it left where it was planted (a false "leg lost"). So the pose stage also
measures, frame to frame, how the background moved: corners found away from the person in
the previous frame are followed into the current one by pyramidal Lucas-Kanade optical flow
(each checked by tracking it back), and the median of their displacements is the camera's
step. The analyses subtract the accumulated steps before judging whether a foot is still.

A pan or tilt of a fraction of a degree moves every background point by nearly the same
amount, so a translation describes it; a person walking through the background, or a
background without texture, leaves too few agreeing corners and the step is unknown (NaN,
counted as no motion).
"""

from __future__ import annotations

import numpy as np

from .scene import person_mask

#: Bumped whenever the steps measured would change: cached landmarks then go stale.
MOTION_VERSION = 2
#: Frames are shrunk so that their longer side is at most this many pixels first.
_MAX_SIDE_PX = 320
#: Corners followed per frame, their least spacing (px of the shrunk frame) and quality (a
#: low share of the strongest: a plain wall has few corners, and the best may be a poster's).
_MAX_CORNERS = 100
_MIN_DISTANCE_PX = 6
_QUALITY = 0.001
#: A corner tracked back to more than this (shrunk px) from where it started is dropped.
_MAX_BACK_ERROR_PX = 0.5
#: Fewer agreeing corners than this, or more spread than _MAX_SPREAD_PX among them: unknown.
#: Three suffice where they agree: on the rendered room's plain walls the steps of 3-9 corners
#: matched the truth within 0.2 px (SD), known in 93% of frames.
_MIN_CORNERS = 3
_MAX_SPREAD_PX = 1.0
#: The person's rough silhouette is widened by this share of the shrunk frame's longer side.
_MASK_MARGIN = 0.02


def _shrink(image_bgr: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)  # grey first: resizing one channel is cheaper
    scale = min(1.0, _MAX_SIDE_PX / max(gray.shape))
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return gray, scale


def background_mask(landmarks_xy: np.ndarray | None, shape: tuple[int, int], scale: float) -> np.ndarray:
    """255 where corners may be taken (away from the person and the frame's edge), else 0."""
    import cv2

    mask = np.full(shape, 255, dtype=np.uint8)
    edge = max(int(round(_MASK_MARGIN * max(shape))), 2)
    mask[:edge], mask[-edge:], mask[:, :edge], mask[:, -edge:] = 0, 0, 0, 0
    person = person_mask(landmarks_xy, shape, scale) if landmarks_xy is not None else None
    if person is not None:
        grown = cv2.dilate(person, np.ones((2 * edge + 1, 2 * edge + 1), np.uint8))
        mask[grown > 0] = 0
    return mask


def camera_step_px(prev_gray: np.ndarray, gray: np.ndarray, mask: np.ndarray, scale: float) -> tuple[float, float]:
    """The background's displacement from ``prev_gray`` to ``gray`` (shrunk frames), in
    pixels of the full frame; (NaN, NaN) when too few corners agree."""
    import cv2

    corners = cv2.goodFeaturesToTrack(prev_gray, _MAX_CORNERS, _QUALITY, _MIN_DISTANCE_PX, mask=mask)
    if corners is None or len(corners) < _MIN_CORNERS:
        return float("nan"), float("nan")
    lk = {"winSize": (11, 11), "maxLevel": 2}
    ahead, ok_a, _ = cv2.calcOpticalFlowPyrLK(prev_gray, gray, corners, None, **lk)
    back, ok_b, _ = cv2.calcOpticalFlowPyrLK(gray, prev_gray, ahead, None, **lk)
    good = (ok_a[:, 0] == 1) & (ok_b[:, 0] == 1) & (np.linalg.norm((back - corners)[:, 0], axis=1) < _MAX_BACK_ERROR_PX)
    if good.sum() < _MIN_CORNERS:
        return float("nan"), float("nan")
    moved = (ahead - corners)[good, 0].astype(np.float64)
    step = np.median(moved, axis=0)
    near = np.linalg.norm(moved - step, axis=1) <= _MAX_SPREAD_PX
    if near.sum() < max(_MIN_CORNERS, 0.5 * len(moved)):  # no consensus: the person, or clutter moving
        return float("nan"), float("nan")
    step = np.median(moved[near], axis=0) / scale
    return float(step[0]), float(step[1])


def _step(prev, current) -> tuple[float, float]:
    (prev_gray, mask, scale), (gray, _, _) = prev, current
    return camera_step_px(prev_gray, gray, mask, scale)


class CameraMotionCollector:
    """A per-frame stage: the camera's step into each frame from the one before.

    ``update`` takes consecutive frames with the person's landmarks (to keep corners off
    the person); ``steps_px`` is (N, 2) float32, one row per frame given, NaN for the first
    frame and wherever the step is unknown. With an ``executor`` (a thread pool) the
    measuring runs beside the caller (OpenCV releases the interpreter).
    """

    def __init__(self, *, executor=None) -> None:
        self._executor = executor
        self._prev = None
        self._steps: list = []

    def update(self, image_bgr: np.ndarray, landmarks_px: np.ndarray | None) -> None:
        gray, scale = _shrink(image_bgr)
        xy = None if landmarks_px is None else landmarks_px[:, :2]
        current = (gray, background_mask(xy, gray.shape, scale), scale)
        if self._prev is None:
            self._steps.append((float("nan"), float("nan")))
        elif self._executor is None:
            self._steps.append(_step(self._prev, current))
        else:
            self._steps.append(self._executor.submit(_step, self._prev, current))
        self._prev = current

    @property
    def steps_px(self) -> np.ndarray:
        steps = [s if isinstance(s, tuple) else s.result() for s in self._steps]
        return np.asarray(steps, dtype=np.float32).reshape(-1, 2)


def camera_shift_px(steps_px: np.ndarray) -> np.ndarray:
    """Where the camera's view has moved to in each frame since the first, (T, 2) px: the
    accumulated steps, an unknown step counted as none."""
    steps = np.nan_to_num(np.asarray(steps_px, dtype=np.float64).reshape(-1, 2))
    return np.cumsum(steps, axis=0)
