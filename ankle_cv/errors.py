"""Errors a user can cause and fix: they become one-line messages, never tracebacks."""

from __future__ import annotations


class AnkleCVError(Exception):
    """Base class of every error ankle-cv reports to the user as one line.

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, what to do about it.
    path : str, optional
        The file the message is about; prefixed to the message.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)


class InputError(AnkleCVError):
    """The input file is missing, not a video, truncated or corrupt."""

    exit_code = 3


class NoPersonError(AnkleCVError):
    """MediaPipe found no person in the clip."""

    exit_code = 4


class ViewError(AnkleCVError):
    """The camera view does not fit the protocol (e.g. a front view for knee-to-wall)."""

    exit_code = 5


class ModelError(AnkleCVError):
    """The bundled pose model is missing or does not match its pinned hash."""

    exit_code = 6


class OutputError(AnkleCVError):
    """The output folder cannot be written (no space, no permission, not a folder)."""

    exit_code = 7
