"""Pose stage: MediaPipe Pose (``estimator``), run over a clip in one or more processes
(``runner``), its landmarks cached (``cache``), its model verified (``models``)."""

from .estimator import PoseEstimator, PoseSettings

__all__ = ["PoseEstimator", "PoseSettings"]
