"""The knee-to-wall (weight-bearing lunge) test.

``settings`` (options), ``kinematics`` (the core composed for this test), ``scoring``
(trials, lifts, verdicts), ``crest``, ``toe_wall`` and ``peaks`` (the shin's front edge and
the toe-to-wall distance, measured in one pass over the peaks' frames), ``rules`` (view and
quality warnings), ``results`` (frozen result types), ``present`` (report, CSV table,
summary) and ``protocol`` (the whole analysis).
"""

from .protocol import KneeToWall, analyze_knee_to_wall, kinematics_for
from .results import HeelLift, KneeToWallResult, LegResult, Trial
from .settings import KneeToWallSettings

__all__ = ["HeelLift", "KneeToWall", "KneeToWallResult", "KneeToWallSettings", "LegResult", "Trial",
           "analyze_knee_to_wall", "kinematics_for"]
