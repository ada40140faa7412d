"""Pictures of a scored clip from its video: the annotated MP4 (``analyze --overlay``) and the
key frames of the report, faces blurred unless asked otherwise.

The MP4 is the picture with the skeleton, the angle and its arc, the heel's state and the
running status drawn on it, above a plot strip of the angle over the whole clip with a
cursor. OpenCV's wheel has no H.264 encoder, so the video is MPEG-4 part 2 ("mp4v"), which
desktop players (VLC, QuickTime, Windows' Films & TV, mpv) play; browsers may not.
"""

from __future__ import annotations

import dataclasses
import itertools
import os

import numpy as np

from .draw import PlotStrip, annotate
from .privacy import blur_face, face_ellipses


@dataclasses.dataclass(frozen=True)
class OverlayInfo:
    """What was written: the codec, the frames, and how many frames had no head position to
    blur (MediaPipe found no one within a second of them)."""

    path: str
    codec: str
    frames: int
    faceless_frames: int
    #: The decoded pictures of the frames asked to be kept (``keep``), before any drawing.
    kept: dict = dataclasses.field(default_factory=dict, repr=False)


#: Key frames in the report are scaled down to this width at most (px).
KEY_FRAME_MAX_WIDTH_PX = 1280


def _strip_height(width: int, height: int) -> int:
    return int(max(90, min(0.25 * height, 0.35 * width))) // 2 * 2


def _faces(series, blur_faces: bool) -> np.ndarray | None:
    return face_ellipses(series.xyzv, max_gap_frames=int(round(series.fps))) if blur_faces else None


def draw_frame(image: np.ndarray, series, track, frame: int, faces: np.ndarray | None, *,
               angles_deg=None) -> bool:
    """Blur the face (if ``faces``) and draw the track's annotations on one picture, in place.
    Returns False when a face was to be blurred and there was no head position for it."""
    known = frame < series.n_frames
    blurred = True
    if faces is not None:
        blurred = known and bool(np.isfinite(faces[frame]).all())
        if blurred:
            blur_face(image, faces[frame])
    if known:
        annotate(image, series.xyzv[frame], track, frame, angles_deg=angles_deg)
    return blurred


def write_overlay(analysis, path: str | os.PathLike, *, video: str | os.PathLike, blur_faces: bool = True,
                  progress=None, keep=()) -> OverlayInfo:
    """Write the annotated MP4 of ``analysis`` from its ``video`` (atomically: a hidden file
    renamed into place when complete). ``progress(n)`` is called per frame written; the
    frames numbered in ``keep`` are returned undrawn (the report's key frames: one decode)."""
    from ..errors import InputError
    from ..io.sink import VideoSink
    from ..io.source import probe, read_frames

    series, track = analysis.series, analysis.protocol.track(analysis.result)
    info = probe(video)
    faces = _faces(series, blur_faces)
    frames = faceless = 0
    keep, kept = set(keep), {}
    frames_iter = read_frames(video)
    first = next(frames_iter, None)
    if first is None:
        raise InputError("contains no decodable video frames", path=str(video))
    h, w = first.image_bgr.shape[:2]
    strip = PlotStrip(track, w, _strip_height(w, h))
    with VideoSink(path, fps=info.fps, size=(w, h + strip.height)) as sink:
        for fr in itertools.chain([first], frames_iter):
            image = fr.image_bgr
            if fr.index in keep:
                kept[fr.index] = image.copy()
            faceless += not draw_frame(image, series, track, fr.index, faces)
            sink.write(np.vstack([image, strip.render(fr.index)]))
            frames += 1
            if progress is not None:
                progress(frames)
    return OverlayInfo(str(path), sink.codec or "", frames, faceless, kept)


def key_frame_numbers(analysis) -> set[int]:
    """The frames the report shows (for :func:`write_overlay`'s ``keep``)."""
    return {k.frame for k in analysis.protocol.track(analysis.result).key_frames}


def key_frame_images(analysis, *, video: str | os.PathLike, blur_faces: bool = True,
                     decoded: dict | None = None) -> list[tuple[object, np.ndarray]]:
    """The annotated picture of each key frame of the result (best angle, rep bottom), in one
    pass over the video (none where ``decoded`` holds them already), at most
    :data:`KEY_FRAME_MAX_WIDTH_PX` wide: [(KeyFrame, BGR image)]. A key frame whose face
    cannot be blurred is left out (not shown unblurred)."""
    import cv2

    from ..io.source import read_frames

    series, track = analysis.series, analysis.protocol.track(analysis.result)
    wanted = sorted({k.frame for k in track.key_frames})
    if not wanted:
        return []
    faces = _faces(series, blur_faces)
    if decoded is None or not set(wanted) <= set(decoded):
        decoded = {fr.index: fr.image_bgr for fr in read_frames(video, start=wanted[0], stop=wanted[-1] + 1)
                   if fr.index in wanted}
    out = []
    for key in track.key_frames:
        if key.frame not in decoded:
            continue
        image = decoded[key.frame].copy()
        if not draw_frame(image, series, track, key.frame, faces, angles_deg=key.angles_deg):
            continue
        if image.shape[1] > KEY_FRAME_MAX_WIDTH_PX:
            scale = KEY_FRAME_MAX_WIDTH_PX / image.shape[1]
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        out.append((key, image))
    return out
