"""Native stderr captured: FFmpeg's decoding errors read, native chatter kept off the screen.

FFmpeg reports a damaged stretch of a video (and then conceals it, decoding on) only as
log lines on the process's stderr file descriptor; MediaPipe and TensorFlow Lite print
start-up chatter there too. :func:`start` points descriptor 2 at a temporary file for the
rest of the process, once, and gives Python's ``sys.stderr`` a descriptor of its own on the
original destination, so the user still sees every message ankle-cv itself writes (errors,
progress) and none of the native noise. Decoders then ask :func:`decode_errors_since` whether
anything new was reported while they read a frame.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import threading

_lock = threading.Lock()
_log = None  # the temporary file behind descriptor 2, once started

#: An FFmpeg log line: "[h264 @ 0x55d9...] error while decoding MB 23 12".
_FFMPEG_LINE = re.compile(rb"^\[[\w-]+ @ 0x[0-9a-f]+\] ", re.M)


def start() -> bool:
    """Capture descriptor 2 from now on (idempotent); False where it cannot be redirected."""
    global _log
    with _lock:
        if _log is not None:
            return True
        try:
            sys.stderr.flush()
            saved = os.dup(2)
            log = tempfile.TemporaryFile(prefix="ankle-cv-native-", suffix=".log")
            os.dup2(log.fileno(), 2)
        except (OSError, AttributeError, ValueError):  # no usable descriptor 2 (embedded hosts)
            return False
        sys.stderr = io.TextIOWrapper(os.fdopen(saved, "wb", buffering=0), encoding=sys.stderr.encoding or "utf-8",
                                      errors="backslashreplace", line_buffering=True, write_through=True)
        _log = log
        return True


def size() -> int:
    """Bytes logged so far (0 before :func:`start`)."""
    return os.fstat(2).st_size if _log is not None else 0


def decode_errors_since(offset: int) -> int:
    """FFmpeg error lines logged after byte ``offset`` (other native chatter is not counted)."""
    end = size()
    if end <= offset:
        return 0
    data = os.pread(_log.fileno(), end - offset, offset)  # leaves the writers' file position alone
    return len(_FFMPEG_LINE.findall(data))
