"""Versions of ankle-cv and the libraries its numbers depend on (read without importing them)."""

from __future__ import annotations

import functools
from importlib import metadata

from . import __version__

_PACKAGES = {
    "mediapipe": "mediapipe",
    "opencv": "opencv-contrib-python",
    "numpy": "numpy",
    "scipy": "scipy",
}


def package_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def _installed() -> tuple[tuple[str, str | None], ...]:
    """Read once per process: reading package metadata takes milliseconds, and a batch
    writes it into every report."""
    return tuple((name, package_version(dist)) for name, dist in _PACKAGES.items())


def tool_versions() -> dict[str, str | None]:
    """{"ankle-cv": ..., "mediapipe": ..., "opencv": ..., "numpy": ..., "scipy": ...}."""
    return {"ankle-cv": __version__, **dict(_installed())}
