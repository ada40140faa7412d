"""The image measurements at the trials' peaks, in one decode of the clip's frames: the shin's
front edge (:mod:`.crest`) and the toe-to-wall distance (:mod:`.toe_wall`) want the same
stretch of frames (each trial's heel-down peak and its neighbours, its furthest drive, frames
spread over the trials for the marker), so one pass (:mod:`ankle_cv.vision.passes`) serves
both, after the heel tracker's (whose events decide which frames are the peaks)."""

from __future__ import annotations

import numpy as np

from .crest import shin_requests, with_crest
from .results import Distance, Trial
from .toe_wall import ToeWallPass


def measure_at_peaks(frames, kin, trials: list[tuple[int, Trial]], settings, *, frame_size_px: tuple[int, int],
                     shift_px: np.ndarray | None = None) -> tuple[list[tuple[int, Trial]], Distance]:
    """The trials with their crest angle and toe-to-wall distance filled in where measured,
    and the :class:`Distance` facts. A file that stops decoding leaves what was not seen "not
    measured", with the reason."""
    from ...errors import InputError
    from ...vision.passes import visit_frames
    from ...vision.shin import ShinPass

    shin = ShinPass(shin_requests(kin, trials))
    toe = ToeWallPass(kin, trials, shift_px=shift_px)
    try:
        visit_frames(frames, [shin, toe])
    except InputError as exc:
        toe.failed = exc.reason
    measured, distance = toe.finish(settings, frame_size_px=frame_size_px)
    return with_crest(measured, shin.result()), distance
