"""Plain-text summaries: the lines every protocol's summary starts with."""

from __future__ import annotations

from ..versions import tool_versions


def clip_header(test: str, clip) -> list[str]:
    """Tool, test and file, then what the clip is (a :class:`ankle_cv.protocols.base.ClipFacts`)."""
    w, h = clip.frame_size_px
    return [
        f"ankle-cv {tool_versions()['ankle-cv']} · {test} · {clip.source}",
        f"  {clip.n_frames} frames, {clip.duration_s:.1f} s at {clip.fps:g} fps, {w}x{h} · "
        f"person found in {100 * clip.detection_rate:.0f}% of frames",
    ]
