"""Small video files for tests, written on the fly (no real person in any of them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np


def write_noise_video(path: Path, *, n_frames: int = 30, size=(160, 120), fps: float = 30.0, seed: int = 0) -> Path:
    """An mp4 of grey noise: decodes fine, contains no person."""
    import cv2

    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(n_frames):
        writer.write(rng.integers(90, 160, size=(size[1], size[0], 3), dtype=np.uint8))
    writer.release()
    return path


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg(), "-loglevel", "error", "-y", *args], check=True)


def write_test_pattern(path: Path, *, seconds: float = 2.0, size: str = "320x180", extra=()) -> Path:
    """An H.264 test pattern (moov atom first, so a cut file still opens)."""
    run_ffmpeg("-f", "lavfi", "-i", f"testsrc=size={size}:rate=30", "-t", str(seconds), "-c:v", "libx264",
               "-pix_fmt", "yuv420p", "-movflags", "+faststart", *extra, str(path))
    return path
