"""``--test auto``: which test a clip shows, from the landmarks alone.

A front view can only be a squat (the knee-to-wall test is filmed side-on). From the side,
the knee-to-wall lunge has one foot well in front of the other, while in a squat the feet
stand side by side and overlap in the picture."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core import legs, measures, quality
from ..landmarks import ANKLE, HEEL, TOE
from ..series import LandmarkSeries
from ..vocab import View

#: Feet further apart along the picture than this many foot lengths stand in a lunge.
LUNGE_STAGGER_FOOT = 0.8


@dataclasses.dataclass(frozen=True)
class TestChoice:
    """The test chosen for a clip, and why (one phrase)."""

    name: str
    reason: str


def choose_test(series: LandmarkSeries, *, min_visibility: float = 0.5) -> TestChoice:
    """The test a clip most likely shows: ``knee-to-wall`` or ``squat``."""
    ratio = quality.body_width_ratio(series.xyzv)
    view = quality.view_of(ratio)
    if view == View.FRONT:
        return TestChoice("squat", f"front view (body width {ratio:.2f} x torso length): a squat; the knee-to-wall "
                                   "test is filmed side-on")
    x, y, vis = legs.gather_joints(series.xyzv)
    unseen = ~(vis >= min_visibility)
    x[unseen] = np.nan
    y[unseen] = np.nan
    foot_px = legs.typical(measures.compute_segment_length_px(x, y, TOE, HEEL))
    stagger = legs.typical(np.abs(x[ANKLE, 0] - x[ANKLE, 1])) / foot_px
    if not np.isfinite(stagger):
        return TestChoice("knee-to-wall", "the feet were not seen well enough to tell; the default test")
    if stagger >= LUNGE_STAGGER_FOOT:
        return TestChoice("knee-to-wall", f"{view.value} view, one foot {stagger:.1f} foot lengths in front of the "
                                          "other: a lunge")
    return TestChoice("squat", f"{view.value} view, feet side by side ({stagger:.1f} foot lengths apart): a squat")
