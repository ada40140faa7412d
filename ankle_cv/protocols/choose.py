"""``--test auto``: which test a clip shows, from the landmarks alone.

From the side, the knee-to-wall lunge has one foot well in front of the other, while in a
squat the feet stand side by side and overlap in the picture. From the front, a squat's feet
stand level in the picture; a lunge's front foot stands lower (nearer the camera). A lunge
filmed from the front goes to the knee-to-wall test, which refuses the view and says why."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core import legs, measures, quality
from ..landmarks import ANKLE, HEEL, HIP, KNEE, TOE
from ..series import LandmarkSeries
from ..vocab import View

#: Feet further apart along the picture than this many foot lengths stand in a lunge.
LUNGE_STAGGER_FOOT = 0.8
#: From the front, feet further apart up and down the picture than this many leg lengths
#: stand one in front of the other (squats on renders and real clips: under 0.06; a lunge 0.36).
FRONT_LUNGE_STEP_LEG = 0.15
#: With both ankles seen together in fewer frames than this, their usual positions are compared.
MIN_BOTH_FEET_FRAMES = 10


@dataclasses.dataclass(frozen=True)
class TestChoice:
    """The test chosen for a clip, and why (one phrase)."""

    name: str
    reason: str


def choose_test(series: LandmarkSeries, *, min_visibility: float = 0.5) -> TestChoice:
    """The test a clip most likely shows: ``knee-to-wall`` or ``squat``."""
    ratio = quality.body_width_ratio(series.xyzv)
    view = quality.view_of(ratio)
    x, y, vis = legs.gather_joints(series.xyzv)
    unseen = ~(vis >= min_visibility)
    x[unseen] = np.nan
    y[unseen] = np.nan
    if view == View.FRONT:
        leg_px = legs.typical(measures.compute_segment_length_px(x, y, HIP, KNEE)
                              + measures.compute_segment_length_px(x, y, KNEE, ANKLE))
        step = legs.typical(np.abs(y[ANKLE, 0] - y[ANKLE, 1])) / leg_px
        if step > FRONT_LUNGE_STEP_LEG:
            return TestChoice("knee-to-wall", f"front view, one foot {step:.2f} leg lengths lower in the picture than "
                                              "the other (one in front of the other): a lunge")
        return TestChoice("squat", f"front view (body width {ratio:.2f} x torso length), feet level: a squat")
    foot_px = legs.typical(measures.compute_segment_length_px(x, y, TOE, HEEL))
    apart = np.abs(x[ANKLE, 0] - x[ANKLE, 1])
    if np.isfinite(apart).sum() >= MIN_BOTH_FEET_FRAMES:
        stagger = legs.typical(apart) / foot_px
    else:  # the far ankle is hidden in most frames: where each ankle usually is
        stagger = abs(legs.typical(x[ANKLE, 0]) - legs.typical(x[ANKLE, 1])) / foot_px
    if not np.isfinite(stagger):
        return TestChoice("knee-to-wall", "the feet were not seen well enough to tell; the default test")
    if stagger >= LUNGE_STAGGER_FOOT:
        return TestChoice("knee-to-wall", f"{view.value} view, one foot {stagger:.1f} foot lengths in front of the "
                                          "other: a lunge")
    return TestChoice("squat", f"{view.value} view, feet side by side ({stagger:.1f} foot lengths apart): a squat")
