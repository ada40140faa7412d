"""The squat analysis: reps, knee valgus, foot turn-out and heel lift, from the front or the side."""

from .protocol import Squat, analyze_squat
from .results import SquatFlag, SquatResult
from .settings import SquatReferences, SquatSettings

__all__ = ["Squat", "SquatFlag", "SquatReferences", "SquatResult", "SquatSettings", "analyze_squat"]
