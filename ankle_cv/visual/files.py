"""The picture outputs of a scored clip, staged with its other outputs: ``plot.png`` and
``report.html`` (the plot, the annotated key frames, the result against its references)."""

from __future__ import annotations

import os
from pathlib import Path

PLOT = "plot.png"
REPORT_HTML = "report.html"


def _jpeg(image) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return data.tobytes() if ok else b""


def write_visuals(analysis, stage, *, video: str | os.PathLike | None, blur_faces: bool = True,
                  decoded: dict | None = None) -> None:
    """Write plot.png and report.html through ``stage.path(name)``; ``decoded`` holds the key
    frames' pictures where the overlay's pass kept them. Without the video at hand (a rescore
    of a moved video) the report says so instead of showing frames."""
    from ..errors import AnkleCVError
    from .html import render_html
    from .overlay import key_frame_images

    plot_path = Path(stage.path(PLOT))
    analysis.protocol.plot(analysis.result, plot_path)
    frames, note = [], ""
    if video is None or not Path(video).is_file():
        note = "the video was not at hand when this report was written"
    else:
        try:
            frames = [(key, _jpeg(image)) for key, image in key_frame_images(analysis, video=video,
                                                                             blur_faces=blur_faces,
                                                                             decoded=decoded)]
        except AnkleCVError as exc:
            note = f"the frames could not be read: {exc.reason}"
    page = render_html(analysis, plot_png=plot_path.read_bytes(), frames=frames, frames_note=note,
                       blurred=blur_faces)
    Path(stage.path(REPORT_HTML)).write_text(page, encoding="utf-8")
