"""Which videos a batch scores: folders (recursive), globs and list files, in a fixed order,
a deterministic shard of them, and each one's output folder name."""

from __future__ import annotations

import glob
import hashlib
import os
from pathlib import Path

from ..errors import InputError
from ..io.source import VIDEO_SUFFIXES


def _is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def _from_list(path: Path) -> list[Path]:
    """Paths listed one per line (blank lines and ``#`` comments skipped), relative to the
    list file's folder."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            item = Path(line).expanduser()
            out.append(item if item.is_absolute() else path.parent / item)
    return out


def collect_inputs(items: list[str]) -> list[Path]:
    """The videos named by ``items``: folders are searched recursively for video files (any
    case of .mp4 .mov .avi .mkv .m4v), globs are expanded, a ``.txt`` file lists paths (which
    need not exist: a rescore of videos moved away), a file is taken as it is (a non-video
    among them fails later, in its own row). Absolute and normalised, without duplicates,
    sorted.

    Raises
    ------
    InputError
        An item names nothing, or no video is found at all.
    """
    found: list[Path] = []
    for item in items:
        path = Path(item).expanduser()
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and _is_video(p)]
        elif path.is_file() and path.suffix.lower() == ".txt":
            found += _from_list(path)
        elif path.exists():
            found.append(path)
        elif glob.has_magic(item):
            matches = [Path(p) for p in glob.glob(os.path.expanduser(item), recursive=True)]
            videos = [p for p in matches if p.is_file() and _is_video(p)]
            if not videos:
                raise InputError(f"no video files match {item}")
            found += videos
        else:
            raise InputError(f"no such file, folder or glob match: {item}")
    videos = sorted({Path(os.path.normpath(p.absolute())) for p in found})
    if not videos:
        raise InputError(f"no video files (.mp4 .mov .avi .mkv .m4v) in {' '.join(items)}")
    return videos


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` -> (K, N) with 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"shard must be K/N (e.g. 2/8), got {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"shard K/N needs 1 <= K <= N, got {text!r}")
    return k, n


def shard(videos: list[Path], k: int, n: int) -> list[Path]:
    """The K-th of N shards (1-based): the videos whose path hashes to K-1 modulo N. Every
    machine that sees the videos at the same paths computes the same split, with no
    coordinator, and adding or removing a video moves no other between shards."""
    return [v for v in videos if _path_hash(v) % n == k - 1]


def _path_hash(video: Path) -> int:
    return int(hashlib.sha1(str(Path(video).absolute()).encode("utf-8")).hexdigest()[:12], 16)


def output_name(video: Path) -> str:
    """The video's output folder name: its stem and a short hash of its absolute path, so that
    clinic_a/p1.mp4 and clinic_b/p1.mp4 do not collide."""
    return f"{Path(video).stem}-{_path_hash(video):012x}"[:len(Path(video).stem) + 9]
