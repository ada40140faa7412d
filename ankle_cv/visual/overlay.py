"""Pictures of a scored clip from its video: the annotated MP4 (``analyze --overlay``) and the
key frames of the report, faces blurred unless asked otherwise.

The MP4 is the picture with the skeleton, the angle and its arc, the heel's state and the
running status drawn on it, above a plot strip of the angle over the whole clip with a
cursor. OpenCV's wheel has no H.264 encoder, so the video is MPEG-4 part 2 ("mp4v"), which
desktop players (VLC, QuickTime, Windows' Films & TV, mpv) play; browsers may not.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from .draw import PlotStrip, annotate
from .privacy import blur_face, face_ellipses


@dataclasses.dataclass(frozen=True)
class OverlayInfo:
    path: str
    codec: str
    frames: int


def _strip_height(width: int, height: int) -> int:
    return int(max(90, min(0.25 * height, 0.35 * width))) // 2 * 2


def _faces(series, blur_faces: bool) -> np.ndarray | None:
    return face_ellipses(series.xyzv, max_gap_frames=int(round(series.fps))) if blur_faces else None


def draw_frame(image: np.ndarray, series, track, frame: int, faces: np.ndarray | None) -> None:
    """Blur the face (if ``faces``) and draw the track's annotations on one picture, in place."""
    if frame >= series.n_frames:
        return
    if faces is not None:
        blur_face(image, faces[frame])
    annotate(image, series.xyzv[frame], track, frame)


def write_overlay(analysis, path: str | os.PathLike, *, video: str | os.PathLike, blur_faces: bool = True,
                  progress=None) -> OverlayInfo:
    """Write the annotated MP4 of ``analysis`` from its ``video`` (atomically: a hidden file
    renamed into place when complete). ``progress(n)`` is called per frame written."""
    from ..io.sink import VideoSink
    from ..io.source import probe, read_frames

    series, track = analysis.series, analysis.protocol.track(analysis.result)
    info = probe(video)
    faces = _faces(series, blur_faces)
    strip_h = None
    sink = None
    frames = 0
    try:
        for fr in read_frames(video):
            image = fr.image_bgr
            if sink is None:
                h, w = image.shape[:2]
                strip_h = _strip_height(w, h)
                strip = PlotStrip(track, w, strip_h)
                sink = VideoSink(path, fps=info.fps, size=(w, h + strip_h)).__enter__()
            draw_frame(image, series, track, fr.index, faces)
            sink.write(np.vstack([image, strip.render(fr.index)]))
            frames += 1
            if progress is not None:
                progress(frames)
    except BaseException as exc:
        if sink is not None:
            sink.__exit__(type(exc), exc, None)
        raise
    if sink is None:
        from ..errors import InputError

        raise InputError("contains no decodable video frames", path=str(video))
    sink.__exit__(None, None, None)
    return OverlayInfo(str(path), sink.codec or "", frames)


def key_frame_images(analysis, *, video: str | os.PathLike, blur_faces: bool = True) -> list[tuple[object, np.ndarray]]:
    """The annotated picture of each key frame of the result (best angle, rep bottom), in one
    pass over the video: [(KeyFrame, BGR image)]."""
    from ..io.source import read_frames

    series, track = analysis.series, analysis.protocol.track(analysis.result)
    wanted = sorted({k.frame for k in track.key_frames})
    if not wanted:
        return []
    faces = _faces(series, blur_faces)
    pictures = {}
    for fr in read_frames(video, start=wanted[0], stop=wanted[-1] + 1):
        if fr.index in wanted:
            image = fr.image_bgr.copy()
            draw_frame(image, series, track, fr.index, faces)
            pictures[fr.index] = image
    return [(k, pictures[k.frame]) for k in track.key_frames if k.frame in pictures]
