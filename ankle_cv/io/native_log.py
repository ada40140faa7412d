"""Native stderr captured: FFmpeg's decoding errors read, native chatter kept off the screen.

FFmpeg reports a damaged stretch of a video (and then conceals it, decoding on) only as
log lines on the process's stderr file descriptor; MediaPipe and TensorFlow Lite print
start-up chatter there too. :func:`start` points descriptor 2 at a temporary file for the
rest of the process, once, and, where Python's ``sys.stderr`` is that descriptor, gives it a
descriptor of its own on the original destination: the user still sees every message
ankle-cv itself writes (errors, progress) and none of the native noise. Decoders then ask
:func:`decode_errors` whether anything was reported while they read a frame.

POSIX only (elsewhere, and with ``ANKLE_CV_DEBUG`` set, nothing is captured and damage goes
unreported); a child made by ``fork`` starts a capture of its own.
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
_python_stderr_moved = False

#: An FFmpeg log line: "[h264 @ 0x55d9...] error while decoding MB 23 12" (demuxer names may
#: hold commas: "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x...]").
_FFMPEG_LINE = re.compile(rb"^\[[^\]@\n]+ @ 0x[0-9a-f]+\] ", re.M)


def _forget_after_fork() -> None:
    global _log
    _log = None  # the parent's log is shared after fork: this process needs its own


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def start() -> bool:
    """Capture descriptor 2 from now on (idempotent); False where nothing is captured."""
    global _log, _python_stderr_moved
    with _lock:
        if _log is not None:
            return True
        if os.name != "posix" or os.environ.get("ANKLE_CV_DEBUG"):
            return False
        saved = log = None
        try:
            sys.stderr.flush()
            saved = os.dup(2)
            log = tempfile.TemporaryFile(prefix="ankle-cv-native-", suffix=".log")
            os.dup2(log.fileno(), 2)
        except (OSError, AttributeError, ValueError):  # no usable descriptor 2 (embedded hosts)
            for fd in (saved,):
                if fd is not None:
                    os.close(fd)
            if log is not None:
                log.close()
            return False
        if not _python_stderr_moved and _is_descriptor_2(sys.stderr):
            sys.stderr = io.TextIOWrapper(os.fdopen(saved, "wb", buffering=0),
                                          encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
                                          errors="backslashreplace", line_buffering=True, write_through=True)
            _python_stderr_moved = True
        else:  # Python's stderr goes elsewhere already (a test runner, a notebook, a forked child)
            os.close(saved)
        _log = log
        return True


def _is_descriptor_2(stream) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):
        return False


def size() -> int:
    """Bytes logged so far (0 without a capture)."""
    return os.fstat(_log.fileno()).st_size if _log is not None else 0


def decode_errors(start: int, end: int) -> int:
    """FFmpeg error lines logged between byte offsets ``start`` and ``end`` (other native
    chatter is not counted)."""
    if _log is None or end <= start:
        return 0
    data = os.pread(_log.fileno(), end - start, start)  # leaves the writers' file position alone
    return len(_FFMPEG_LINE.findall(data))
