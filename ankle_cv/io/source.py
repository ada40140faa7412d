"""Video files -> upright frames with their container timestamps.

OpenCV's FFmpeg backend decodes; phone rotation metadata is applied (portrait clips come
out upright) and each frame's time is the container's presentation time, so variable
frame-rate phone clips keep their true timing. Decoding runs on its own thread so it
overlaps with pose estimation.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import native_log

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".m4v")
#: Codecs of still pictures: a file holding one such frame is a photo renamed, not a clip.
IMAGE_CODECS = ("MPNG", "PNG", "MJPG", "BMP", "TIFF", "WEBP", "GIF")

#: A clip that decodes to fewer than this share of its declared frames is truncated.
_MIN_DECODED_SHARE = 0.95


def _cv2():
    """OpenCV, with native stderr captured: FFmpeg reports decoding errors there (at its
    default level, errors only), and :mod:`ankle_cv.io.native_log` reads them. Where nothing
    can be captured, FFmpeg is silenced instead."""
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    if native_log.start():
        # OpenCV routes FFmpeg's log to stdout, without the lines' prefix, when these are set
        os.environ.pop("OPENCV_FFMPEG_LOGLEVEL", None)
        os.environ.pop("OPENCV_FFMPEG_DEBUG", None)
    else:
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    import cv2

    return cv2


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video, for upright frames."""

    path: str
    width_px: int
    height_px: int
    fps: float
    n_frames_declared: int
    rotation_deg: int
    codec: str


@dataclasses.dataclass(frozen=True, eq=False)
class Frame:
    """One decoded, upright frame; ``decode_errors`` counts what FFmpeg reported while
    decoding it (damage it concealed: the picture may be wrong)."""

    index: int
    time_s: float
    image_bgr: np.ndarray
    decode_errors: int = 0


def check_video_path(path: str | os.PathLike) -> Path:
    """Raise :class:`InputError` unless ``path`` is an existing file with a video suffix."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(path))
    if p.is_dir():
        raise InputError("is a folder, not a video file", path=str(path))
    if p.suffix.lower() not in VIDEO_SUFFIXES:
        raise InputError(
            f"not a video file (expected one of {', '.join(VIDEO_SUFFIXES)}, any case)",
            path=str(path),
        )
    if p.stat().st_size == 0:
        raise InputError("is empty (0 bytes)", path=str(path))
    if not os.access(p, os.R_OK):
        raise InputError("cannot be read (permission denied)", path=str(path))
    return p


def _open(path: Path):
    cv2 = _cv2()
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise InputError("cannot be opened as a video (corrupt, truncated or not a video)", path=str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def _fourcc(value: float) -> str:
    code = int(value)
    chars = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return chars if chars.isprintable() else "?"


def probe(path: str | os.PathLike) -> VideoInfo:
    """Open a video and read its header; :class:`InputError` if it is not a usable video."""
    p = check_video_path(path)
    cv2 = _cv2()
    cap = _open(p)
    try:
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        codec = _fourcc(cap.get(cv2.CAP_PROP_FOURCC))
    finally:
        cap.release()
    if width <= 0 or height <= 0:
        raise InputError("has no video stream", path=str(path))
    if n <= 1 and codec.strip().upper() in IMAGE_CODECS:
        raise InputError(f"is a still image ({codec.strip()}), not a video", path=str(path))
    if not np.isfinite(fps) or fps <= 0 or fps > 1000:
        fps = 30.0
    return VideoInfo(str(p), width, height, fps, max(n, 0), rotation, codec)


def _decoded(path: Path, start: int, stop: int | None) -> Iterator[tuple[int, float, np.ndarray, int]]:
    """(index, container time in s, upright BGR image, decoding errors reported while reading
    it) of frames ``start`` <= i < ``stop``."""
    cv2 = _cv2()
    cap = _open(path)
    try:
        index = 0
        # seek by decoding: container seeks are not frame-exact for variable frame rates
        while index < start and cap.grab():
            index += 1
        checked = native_log.size()  # the decoder's threads may log between two reads: scan without gaps
        while stop is None or index < stop:
            ok, image = cap.read()
            if not ok or image is None:
                break
            logged = native_log.size()
            errors = native_log.decode_errors(checked, logged)
            checked = logged
            yield index, cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, image, errors
            index += 1
    finally:
        cap.release()


def _prefetched(items: Iterator, prefetch: int) -> Iterator:
    """Run an iterator on a background thread, ``prefetch`` items ahead of the consumer."""
    q: queue.Queue = queue.Queue(maxsize=prefetch)
    stop_event = threading.Event()
    done = object()

    def put(item) -> bool:
        """Hand an item over unless the consumer has gone; False if it has."""
        while not stop_event.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            put(exc)
        finally:
            if hasattr(items, "close"):
                items.close()  # release the decoder now, not at garbage collection
            put(done)  # the consumer, if still reading, must get the end mark

    worker = threading.Thread(target=produce, name="ankle-cv-decode", daemon=True)
    worker.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop_event.set()
        worker.join(timeout=5)


def read_frames(path: str | os.PathLike, *, start: int = 0, stop: int | None = None,
                prefetch: int = 8) -> Iterator[Frame]:
    """Yield upright frames ``start`` <= index < ``stop`` with container timestamps.

    Frames before ``start`` are decoded and dropped (``grab``), which is exact where
    container seeking is not. Decoding runs on a background thread, ``prefetch`` frames
    ahead (0: decode on the caller's thread). Timestamps that fail to increase (broken
    containers) are replaced by the previous one plus the nominal frame interval.

    Raises
    ------
    InputError
        If the file cannot be opened, or (from ``start`` = 0) no frame can be decoded.
    """
    info = probe(path)
    items = _decoded(Path(info.path), start, stop)
    if prefetch > 0:
        items = _prefetched(items, prefetch)
    last_t = -np.inf
    dt = 1.0 / info.fps
    count = 0
    for index, t_s, image, errors in items:
        if not np.isfinite(t_s) or t_s <= last_t:
            t_s = (last_t + dt) if np.isfinite(last_t) else index * dt
        last_t = t_s
        count += 1
        yield Frame(index, float(t_s), image, errors)
    if count == 0 and start == 0:
        raise InputError("contains no decodable video frames", path=str(path))


def check_complete(info: VideoInfo, n_decoded: int, last_time_s: float) -> None:
    """Raise :class:`InputError` if the frames decoded stop well short of the clip's end.

    Both the frame count and the time covered must fall short: some containers (Matroska)
    only estimate their frame count from the duration at the highest frame rate, which a
    variable-rate phone clip never reaches, so the count alone would cry wolf.
    """
    if info.n_frames_declared <= 0 or n_decoded >= info.n_frames_declared:
        return
    dt = 1.0 / info.fps
    declared_s = info.n_frames_declared * dt
    if last_time_s + dt < _MIN_DECODED_SHARE * declared_s - dt:
        raise InputError(
            f"truncated or corrupt: decoded {n_decoded} of {info.n_frames_declared} frames, "
            f"{last_time_s + dt:.1f} of {declared_s:.1f} s", path=info.path
        )


#: A stretch without decodable frames longer than this (and than 5 frame intervals) means
#: a damaged file, not a phone's occasional dropped frame.
MAX_HOLE_S = 0.1


def check_no_holes(info: VideoInfo, time_s: np.ndarray) -> None:
    """Raise :class:`InputError` if the decoded frames' times jump over a missing stretch."""
    if time_s.size < 2:
        return
    gaps = np.diff(time_s)
    limit = max(MAX_HOLE_S, 5.0 / info.fps)
    holes = np.flatnonzero(gaps > limit)
    if holes.size:
        k = int(holes[0])
        missing = int(round(gaps[k] * info.fps)) - 1
        raise InputError(
            f"corrupt: about {missing} frames cannot be decoded between {time_s[k]:.2f} and {time_s[k + 1]:.2f} s",
            path=info.path,
        )


class FileSource:
    """Frames of a video file: ``frames(start=0, stop=None)`` can be read again and again.

    ``info`` is what the container says (probed, and refused with :class:`InputError` when
    the file is not a usable video, at construction).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.info = probe(path)
        self.name = os.path.basename(self.info.path)

    def frames(self, *, start: int = 0, stop: int | None = None, prefetch: int = 8) -> Iterator[Frame]:
        return read_frames(self.info.path, start=start, stop=stop, prefetch=prefetch)


class CaptureSource:
    """Frames of a camera (an index) or a stream (a URL), newest first: one pass only.

    The capture's own buffer is set to one frame, so that a slow consumer gets the newest
    frame rather than a queue of old ones; frame times are seconds on the monotonic clock
    since the source opened (a camera has no container times).
    """

    def __init__(self, spec: int | str) -> None:
        cv2 = _cv2()
        self.name = f"camera {spec}" if isinstance(spec, int) else str(spec)
        self._cap = cv2.VideoCapture(spec) if isinstance(spec, int) else cv2.VideoCapture(spec, cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            raise InputError("cannot be opened (no such camera, or the stream does not answer)", path=self.name)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.fps = fps if np.isfinite(fps) and 0 < fps <= 1000 else 30.0

    def frames(self, *, start: int = 0, stop: int | None = None) -> Iterator[Frame]:
        """Frames as they arrive, until the source ends or ``stop`` frames were read."""
        import time

        t0 = time.monotonic()
        index = 0
        try:
            while stop is None or index < stop:
                ok, image = self._cap.read()
                if not ok or image is None:
                    break
                if index >= start:
                    yield Frame(index, time.monotonic() - t0, image)
                index += 1
        finally:
            self.close()

    def close(self) -> None:
        self._cap.release()


def open_source(spec: int | str | os.PathLike) -> FileSource | CaptureSource:
    """A frame source for a video file path, a camera index (an int, or digits) or a stream
    URL (``scheme://...``)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CaptureSource(int(spec))
    if isinstance(spec, str) and "://" in spec:
        return CaptureSource(spec)
    return FileSource(spec)
