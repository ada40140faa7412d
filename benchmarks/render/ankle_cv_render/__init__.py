"""Synthetic test videos with exact ground truth.

A figure that MediaPipe Pose takes for a person, posed by known joint angles (3-D forward
kinematics with Winter's anthropometry), projected through a pinhole phone camera and ray cast
with numpy, gives exact truth for every number ankle-cv reports. See ../README.md.

>>> from ankle_cv_render import KneeToWall, render_clip
>>> truth = render_clip(KneeToWall(peak_tibia_deg=(35.0, 40.0)), "ktw.mp4")  # doctest: +SKIP

Importing this package loads numpy only; OpenCV loads when frames are written.
"""

from .figure import Appearance
from .scenarios import HeelLift, KneeToWall, SingleLegHinge, SquatFront, SquatSide, WalkingLunge
from .truth import Truth
from .video import render_clip

__all__ = ["Appearance", "HeelLift", "KneeToWall", "SingleLegHinge", "SquatFront", "SquatSide",
           "Truth", "WalkingLunge", "render_clip"]
