"""Versions of ankle-cv and the libraries its numbers depend on (read without importing them)."""

from __future__ import annotations

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


def tool_versions() -> dict[str, str | None]:
    """{"ankle-cv": ..., "mediapipe": ..., "opencv": ..., "numpy": ..., "scipy": ...}."""
    out = {"ankle-cv": __version__}
    out.update({name: package_version(dist) for name, dist in _PACKAGES.items()})
    return out
