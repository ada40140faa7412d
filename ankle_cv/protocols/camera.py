"""What the protocols share about the camera: the roll used to level the picture."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..vocab import RollChoice, RollSource


@dataclasses.dataclass(frozen=True)
class RollEstimate:
    """The camera roll used, where it came from, and what each cue said (NaN: unavailable);
    ``pitch_deg`` where the scene's verticals converged and the shank's angle was measured in
    the picture levelled by them (:func:`ankle_cv.core.geometry.level_points`; negative:
    looking down), and how many distinct vertical lines agreed on where they meet."""

    roll_deg: float
    roll_sd_deg: float
    source: RollSource
    sole_roll_deg: float
    scene_roll_deg: float
    pitch_deg: float = float("nan")
    verticals: int = 0


def choose_roll(user: float | None, choice: RollChoice, *, sole, scene) -> tuple[float, float, RollSource]:
    """(roll, spread, source) from the user's value or the chosen estimate."""
    if user is not None:
        return float(user), float("nan"), RollSource.USER
    if choice == RollChoice.AUTO:
        choice = RollChoice.SCENE if np.isfinite(scene[0]) else RollChoice.LEVEL
    if choice == RollChoice.LEVEL:
        return 0.0, float("nan"), RollSource.LEVEL
    roll, spread = scene if choice == RollChoice.SCENE else sole
    if not np.isfinite(roll):  # the asked-for evidence is missing: assume level
        return 0.0, float("nan"), RollSource.LEVEL
    return float(roll), float(spread), RollSource(choice.value)
