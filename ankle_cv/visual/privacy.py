"""Faces out of every exported picture: the face region comes from the pose landmarks (nose,
eyes, ears, mouth), is widened to the whole head, and is pixelated beyond recognition.

Frames where MediaPipe lost the person borrow the nearest frame's face within a second;
beyond that there is no face position to blur (a person MediaPipe never found is not
blurred: said in docs/privacy.md).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..landmarks import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER

FACE = slice(0, 11)  # nose, eyes (inner, centre, outer), ears, mouth corners
#: Blocks across the head's width the face is reduced to (a face is unrecognisable at about
#: 8 x 8 pixels; 6 across the whole head leaves ~4 on the face), whatever the resolution.
BLOCKS_ACROSS = 6
#: Head radius against the shoulder-to-hip distance (a head ~23 cm tall on a ~50 cm torso,
#: with a margin for hair and a turned head).
HEAD_PER_TORSO = 0.3


def face_ellipses(xyzv: np.ndarray, *, max_gap_frames: int = 30) -> np.ndarray:
    """Head ellipse of each frame: centre x, y, radius x, radius y (px); NaN where unknown.

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
    max_gap_frames : int
        A frame without a face takes the nearest frame's within this many frames.
    """
    xyzv = np.asarray(xyzv, dtype=np.float64)
    face = xyzv[:, FACE, :2]
    with warnings.catch_warnings():  # frames without a face are NaN, said by the result
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(face, axis=1)
        extent = np.nanmax(np.linalg.norm(face - centre[:, None, :], axis=2), axis=1)
    shoulders = 0.5 * (xyzv[:, LEFT_SHOULDER, :2] + xyzv[:, RIGHT_SHOULDER, :2])
    hips = 0.5 * (xyzv[:, LEFT_HIP, :2] + xyzv[:, RIGHT_HIP, :2])
    torso = np.linalg.norm(shoulders - hips, axis=1)
    radius = np.fmax(1.6 * extent, HEAD_PER_TORSO * torso)
    out = np.stack([centre[:, 0], centre[:, 1] - 0.15 * radius, radius, 1.3 * radius], axis=1)
    known = np.isfinite(out).all(axis=1)
    if known.any() and not known.all():
        idx = np.flatnonzero(known)
        frames = np.arange(len(out))
        pos = np.searchsorted(idx, frames)
        left, right = idx[np.clip(pos - 1, 0, len(idx) - 1)], idx[np.clip(pos, 0, len(idx) - 1)]
        nearest = np.where(np.abs(frames - left) <= np.abs(right - frames), left, right)
        fill = ~known & (np.abs(nearest - frames) <= max_gap_frames)
        out[fill] = out[nearest[fill]]
    return out


def blur_face(image: np.ndarray, ellipse) -> None:
    """Pixelate the head ellipse ``(cx, cy, rx, ry)`` of ``image`` in place (no-op if NaN)."""
    import cv2

    cx, cy, rx, ry = (float(v) for v in ellipse)
    if not np.isfinite([cx, cy, rx, ry]).all() or rx < 1 or ry < 1:
        return
    h, w = image.shape[:2]
    x0, x1 = max(0, int(cx - rx)), min(w, int(cx + rx) + 1)
    y0, y1 = max(0, int(cy - ry)), min(h, int(cy + ry) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    # as many blocks across the head at any resolution, then smoothed over a block
    blocks_x = max(1, round(BLOCKS_ACROSS * (x1 - x0) / (2 * rx)))
    blocks_y = max(1, round(BLOCKS_ACROSS * (y1 - y0) / (2 * rx)))
    small = cv2.resize(roi, (blocks_x, blocks_y), interpolation=cv2.INTER_AREA)
    block_px = (x1 - x0) / blocks_x
    coarse = cv2.GaussianBlur(cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST), (0, 0),
                              max(1.0, 0.5 * block_px))
    mask = np.zeros(roi.shape[:2], dtype=np.uint8)
    cv2.ellipse(mask, (int(cx) - x0, int(cy) - y0), (int(rx), int(ry)), 0, 0, 360, 255, -1)
    roi[mask > 0] = coarse[mask > 0]
