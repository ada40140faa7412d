"""After the session: the recording analysed as ``ankle-cv analyze --out`` would, by the
library's own calls, so the results are exactly what ``analyze`` gives on recording.mp4."""

from __future__ import annotations

import os
from pathlib import Path

from .recorder import Recording

RECORDING_NAME = "recording.mp4"


def analyze_recording(recording: Recording, test: str, settings, out_dir: str | os.PathLike, *,
                      cache_dir: Path | None = None, progress=None):
    """Score ``recording`` with ``test`` and write the outputs of ``ankle-cv analyze --out``
    (report.json, the table, summary.txt, landmarks.npz, plot.png, report.html) beside it in
    ``out_dir``. Returns (analysis, names written). The key frames of report.html have their
    faces blurred, as analyze's do by default; recording.mp4 itself is not blurred.

    Raises
    ------
    AnkleCVError
        What ``analyze`` would raise for the recording (no person, wrong view, ...).
    """
    from ..pipeline import analyze_video, write_outputs

    # an earlier session's report must not stand beside this recording, even if analysing it fails
    (Path(out_dir) / "report.json").unlink(missing_ok=True)
    analysis = analyze_video(recording.path, test, settings, cache_dir=cache_dir, progress=progress)
    written = write_outputs(analysis, out_dir, visuals=True, video=recording.path)
    return analysis, written
