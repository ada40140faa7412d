"""MediaPipe Pose on one frame at a time, in pixels.

MediaPipe is imported here only, lazily, with its native start-up chatter silenced.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ..io import native_log
from ..landmarks import N_LANDMARKS
from .models import landmark_model_sha256

# MediaPipe's and TensorFlow Lite's own logging: set once, before any thread may import them
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@dataclasses.dataclass(frozen=True)
class PoseSettings:
    """MediaPipe Pose options. Complexity 1 is the only model shipped in the wheel.

    ``smooth_landmarks`` is off by default: MediaPipe's causal filter lags, and the core
    smooths with a zero-phase filter instead, which keeps event timing honest.
    """

    model_complexity: int = 1
    smooth_landmarks: bool = False
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5

    def __post_init__(self) -> None:
        if self.model_complexity != 1:
            raise ValueError(
                "only model_complexity=1 is supported: complexities 0 and 2 download their "
                "model at run time, and ankle-cv never downloads anything"
            )
        for name in ("min_detection_confidence", "min_tracking_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")


class PoseEstimator:
    """MediaPipe Pose in tracking mode, one frame at a time. Use as a context manager.

    ``process`` takes an upright BGR frame and returns an ndarray of shape (33, 4):
    x_px, y_px, z (scaled like x) and visibility; all NaN when no person is found.
    """

    def __init__(self, settings: PoseSettings = PoseSettings()) -> None:
        landmark_model_sha256()  # refuse to run with an unverified model
        native_log.start()  # MediaPipe's start-up chatter goes to the native log, not the screen
        import cv2
        import mediapipe as mp

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=settings.model_complexity,
            smooth_landmarks=settings.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=settings.min_detection_confidence,
            min_tracking_confidence=settings.min_tracking_confidence,
        )
        self._cvt = cv2.cvtColor
        self._rgb = cv2.COLOR_BGR2RGB
        self._fresh = True

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pose.close()

    def reset(self) -> None:
        """Forget the tracked person: the next frame starts with a fresh detection (a no-op
        before the first frame, when there is nothing to forget)."""
        if not self._fresh:
            self._pose.reset()
            self._fresh = True

    def process(self, image_bgr: np.ndarray) -> np.ndarray:
        height, width = image_bgr.shape[:2]
        result = self._pose.process(self._cvt(image_bgr, self._rgb))
        self._fresh = False
        if result.pose_landmarks is None:
            return np.full((N_LANDMARKS, 4), np.nan, dtype=np.float32)
        out = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32
        )
        out[:, 0] *= width
        out[:, 1] *= height
        out[:, 2] *= width
        return out


