"""Clinical tests behind one interface (:class:`ankle_cv.protocols.base.Protocol`).

Each test registers here under its command-line name; the pipeline, outputs, CLI, batch and
live code look protocols up by name and never import a test's modules directly.
"""

from __future__ import annotations

from .base import Protocol


def _knee_to_wall() -> Protocol:
    from .knee_to_wall import KneeToWall

    return KneeToWall()


def _squat() -> Protocol:
    from .squat import Squat

    return Squat()


#: Test name -> factory of its protocol (imported only when used).
PROTOCOLS = {"knee-to-wall": _knee_to_wall, "squat": _squat}


def get_protocol(name: str | Protocol) -> Protocol:
    """The protocol registered as ``name`` (a Protocol is returned as it is)."""
    if isinstance(name, Protocol):
        return name
    try:
        return PROTOCOLS[name]()
    except KeyError:
        raise ValueError(f"unknown test {name!r}; known: {', '.join(PROTOCOLS)}") from None
