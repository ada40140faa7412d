"""The bundled sample videos (sample_videos/), regenerated bit-for-bit from these scenarios.

``python -m ankle_cv_render.cli samples sample_videos`` renders each one and writes
``SHA256SUMS`` over the videos and their truth files. Same numpy, OpenCV (and its FFmpeg)
versions give the same bytes; another platform may differ in the last bits of a few pixels.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .scenarios import HeelLift, KneeToWall, SquatFront, SquatSide

_SMALL = dict(width_px=640, height_px=360, fps=30.0, supersample=2)

#: File name -> scenario of each bundled sample.
SAMPLES = {
    "knee_to_wall_right.mp4": KneeToWall(
        tested_leg="right", facing="right", peak_tibia_deg=(34.0, 38.0, 41.0),
        heel_lift=HeelLift(trial=3, onset_s=0.75, peak_height_cm=2.0, rise_s=0.3, hold_s=0.4,
                           fall_s=0.35),
        seed=11, width_px=1280, height_px=720, fps=30.0, supersample=2),
    "knee_to_wall_left_portrait.mp4": KneeToWall(
        tested_leg="left", facing="left", peak_tibia_deg=(28.0, 33.0), roll_deg=6.0, seed=12,
        width_px=540, height_px=960, fps=30.0, supersample=2),
    "squat_front.mp4": SquatFront(
        n_reps=2, fppa_deg=(14.0, 4.0), turnout_deg=(10.0, 20.0), turnout_change_deg=(0.0, 8.0),
        seed=13, **_SMALL),
    "squat_side.mp4": SquatSide(
        n_reps=2, facing="left", heel_lift_cm=2.5, heel_lift_reps=(2,), seed=14, **_SMALL),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_samples(folder: str | os.PathLike, *, progress=None) -> list[Path]:
    """Render every sample into ``folder`` and write ``SHA256SUMS``.

    Parameters
    ----------
    folder : path-like
        Existing output folder.
    progress : callable, optional
        Called with each video's file name before it is rendered.

    Returns
    -------
    list of Path
        Every file written (videos, truth files, SHA256SUMS).
    """
    from .video import render_clip

    out = Path(folder)
    written = []
    for name, scenario in SAMPLES.items():
        if progress is not None:
            progress(name)
        video = out / name
        render_clip(scenario, video)
        stem = video.stem
        written += [video, out / f"{stem}.truth.json", out / f"{stem}.truth.csv"]
    sums = out / "SHA256SUMS"
    lines = [f"{sha256(p)}  {p.name}\n" for p in sorted(written, key=lambda p: p.name)]
    tmp = sums.with_name(f".{sums.name}.{os.getpid()}.partial")
    tmp.write_text("".join(lines), encoding="utf-8")
    os.replace(tmp, sums)
    return written + [sums]
