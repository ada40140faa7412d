"""The numerical core: pure numpy/scipy on whole arrays.

Nothing here imports OpenCV, MediaPipe, click or the file system; everything takes arrays
and keyword-only parameters and returns arrays or frozen dataclasses of arrays.
"""

from .kneewall import KneeToWallKinematics, knee_to_wall_kinematics

__all__ = ["KneeToWallKinematics", "knee_to_wall_kinematics"]
