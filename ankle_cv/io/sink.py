"""Video sinks: frames out to a file that appears only when complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import OutputError

#: Codecs tried in order: H.264 plays everywhere but OpenCV's wheel may lack an encoder for
#: it; MPEG-4 part 2 ("mp4v") is always there.
CODECS = ("avc1", "mp4v")


class VideoSink:
    """Write BGR frames to an MP4; use as a context manager.

    Frames go to a hidden file beside ``path``, renamed into place when the sink closes
    without an error, so a half-written video never looks complete. ``codec`` is the
    FourCC that the installed OpenCV accepted.
    """

    def __init__(self, path: str | os.PathLike, *, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        self.fps, self.size = float(fps), (int(size[0]), int(size[1]))
        self.codec: str | None = None
        self.frames_written = 0
        self._tmp: Path | None = None
        self._writer = None

    def __enter__(self) -> VideoSink:
        from . import native_log
        from .source import _cv2

        cv2 = _cv2()
        native_log.start()  # FFmpeg's complaint about the H.264 encoder it lacks stays off the screen

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".partial.mp4", dir=self.path.parent)
        except OSError as exc:
            raise OutputError(f"cannot write the video: {exc.strerror or exc}", path=str(self.path)) from None
        os.close(fd)
        self._tmp = Path(name)
        from ..series import user_file_mode

        self._tmp.chmod(user_file_mode())
        for codec in CODECS:
            writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*codec), self.fps, self.size)
            if writer.isOpened():
                self._writer, self.codec = writer, codec
                break
            writer.release()
        if self._writer is None:
            self._tmp.unlink(missing_ok=True)
            raise OutputError("no video encoder available (tried " + ", ".join(CODECS) + ")", path=str(self.path))
        return self

    def write(self, image_bgr: np.ndarray) -> None:
        if (image_bgr.shape[1], image_bgr.shape[0]) != self.size:
            raise ValueError(f"frame of {image_bgr.shape[1]}x{image_bgr.shape[0]} px written to a "
                             f"{self.size[0]}x{self.size[1]} video")
        self._writer.write(image_bgr)
        self.frames_written += 1

    def __exit__(self, exc_type, *_) -> None:
        self._writer.release()
        try:
            if exc_type is None:
                # OpenCV's writer fails silently (a full disk): an empty file is not a video
                if self.frames_written == 0 or self._tmp.stat().st_size == 0:
                    raise OutputError("the video could not be written (no frames reached the file: is the disk "
                                      "full?)", path=str(self.path))
                self._tmp.replace(self.path)
        except OSError as exc:
            raise OutputError(f"cannot write the video: {exc.strerror or exc}", path=str(self.path)) from None
        finally:
            self._tmp.unlink(missing_ok=True)
