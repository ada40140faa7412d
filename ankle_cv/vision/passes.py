"""One decode for several image measurements: each measurement names the frames it wants
(``wanted``) and is handed each of them as it is decoded (``see(frame)``); the frames are
read once, over the span from the first wanted frame to the last, and none is kept.

The knee-to-wall test measures the shin's front edge and the toe-to-wall distance at the
same trials' peaks: one pass serves both (each once cost a decode of the whole span).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class FrameVisitor(Protocol):
    """What :func:`visit_frames` drives."""

    wanted: frozenset[int]

    def see(self, frame) -> None:
        """Measure one decoded frame (``index``, ``image_bgr``) of ``wanted``."""


def visit_frames(frames, visitors: Sequence[FrameVisitor]) -> int:
    """Hand each visitor the frames it wants, in one pass of ``frames(start, stop)`` (the
    protocols' frame reader) over the span they cover; the number of frames handed over.

    Raises whatever the reader raises (:class:`~ankle_cv.errors.InputError` for a file that
    stops decoding); the visitors keep what they saw until then."""
    wanted = frozenset().union(*(v.wanted for v in visitors))
    if not wanted:
        return 0
    seen = 0
    for frame in frames(start=min(wanted), stop=max(wanted) + 1):
        if frame.index not in wanted:
            continue
        seen += 1
        for visitor in visitors:
            if frame.index in visitor.wanted:
                visitor.see(frame)
    return seen
