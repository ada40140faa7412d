"""Errors a user can cause and fix: they become one-line messages, never tracebacks.

Each error carries its exit code (:class:`ankle_cv.vocab.ExitCode`). Messages say what is
wrong in the library's terms; ``hint`` names the setting that would address it, and the
command line turns that into its own flag (the library never writes flag names).
"""

from __future__ import annotations

from .vocab import ExitCode


class AnkleCVError(Exception):
    """Base class of every error ankle-cv reports to the user as one line.

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, what to do about it.
    path : str, optional
        The file the message is about; prefixed to the message.
    hint : str, optional
        Name of the setting (a field of the protocol's settings) that overrides the check.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        self.path = path
        self.reason = message
        self.hint = hint
        super().__init__(f"{path}: {message}" if path else message)


class InputError(AnkleCVError):
    """The input file is missing, not a video, truncated or corrupt."""

    exit_code = ExitCode.INPUT


class NoPersonError(AnkleCVError):
    """MediaPipe found no person in the clip."""

    exit_code = ExitCode.NO_PERSON


class ViewError(AnkleCVError):
    """The camera view does not fit the protocol (e.g. a front view for knee-to-wall)."""

    exit_code = ExitCode.VIEW


class ModelError(AnkleCVError):
    """The bundled pose model is missing or does not match its pinned hash."""

    exit_code = ExitCode.MODEL


class OutputError(AnkleCVError):
    """The output folder cannot be written (no space, no permission, not a folder)."""

    exit_code = ExitCode.OUTPUT
