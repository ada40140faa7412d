"""The interface every clinical test implements, and what all their results share.

A protocol turns a :class:`~ankle_cv.series.LandmarkSeries` (plus, where it measures in the
image, the clip's frames) into a frozen result, and presents that result to the generic
outputs: the protocol-specific part of the report JSON, the per-frame table of the CSV and
the text summary. The pipeline, the outputs, the CLI, batch and live code only ever talk to
this interface, so a new test plugs in by implementing it and registering in
:mod:`ankle_cv.protocols`.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np

from ..series import LandmarkSeries
from ..vocab import StrEnum, WarningCode

#: Re-opens the clip's frames: ``frames(start=0, stop=None)`` yields upright frames
#: (objects with ``index``, ``time_s`` and ``image_bgr``), as :func:`ankle_cv.io.source.read_frames`.
FrameReader = Callable[..., Iterator[Any]]


@dataclasses.dataclass(frozen=True)
class QualityWarning:
    """Something about the recording that limits what its numbers mean; ``setting`` names
    the analysis setting a user can give to address it (the CLI shows its flag)."""

    code: WarningCode
    message: str
    setting: str | None = None


@dataclasses.dataclass(frozen=True)
class ClipFacts:
    """What every result states about the clip it came from."""

    source: str
    n_frames: int
    duration_s: float
    fps: float
    frame_size_px: tuple[int, int]
    detection_rate: float


#: Fewer frames with a person than this, and in under half the clip, is no person: MediaPipe
#: "finds" one now and then in noise or clutter.
MIN_PERSON_FRAMES = 10


def require_person(series: LandmarkSeries) -> None:
    """:class:`~ankle_cv.errors.NoPersonError` unless enough frames show a person."""
    from ..errors import NoPersonError

    found = int(series.detected.sum())
    if found == 0:
        raise NoPersonError("no person detected in any frame", path=series.source or None)
    if found < MIN_PERSON_FRAMES and found < 0.5 * series.n_frames:
        raise NoPersonError(f"a person was found in only {found} of {series.n_frames} frames: too few to analyse "
                            "(is anyone in the picture?)", path=series.source or None)


class Protocol(abc.ABC):
    """One clinical test: its settings, its analysis and how its result reads.

    Attributes
    ----------
    name : str
        The test's name on the command line and in reports (``knee-to-wall``).
    schema, schema_version : str, int
        The report document type and version (fields are only added within a version).
    settings_type : type
        Frozen dataclass of the test's options; its defaults are the documented ones.
    classifications : type of StrEnum
        The verdict vocabulary of the test.
    """

    name: ClassVar[str]
    schema: ClassVar[str]
    schema_version: ClassVar[int]
    settings_type: ClassVar[type]
    classifications: ClassVar[type[StrEnum]]
    #: Output file of the per-frame table.
    table_name: ClassVar[str] = "angles.csv"

    def default_settings(self):
        return self.settings_type()

    @abc.abstractmethod
    def analyze(self, series: LandmarkSeries, settings, *, frames: FrameReader | None = None):
        """Score a landmark series; ``frames`` (None: no video at hand) for image measures."""

    @abc.abstractmethod
    def has_result(self, result) -> bool:
        """Whether the result holds a measurement (the CLI's exit code 8 when it does not)."""

    @abc.abstractmethod
    def report_body(self, result) -> dict:
        """The protocol's part of the report JSON (after ``schema``, ``tool`` and ``input``)."""

    @abc.abstractmethod
    def frame_table(self, result) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
        """Column names and, per column, an array of strings (one per row) of the CSV."""

    @abc.abstractmethod
    def summary_lines(self, result, *, hint: Callable[[str], str] | None = None) -> list[str]:
        """The test's lines of the text summary (after the clip header); ``hint(setting)`` names
        how the caller's user gives a setting a warning points to (e.g. a command-line flag)."""

    @abc.abstractmethod
    def track(self, result):
        """What the pictures draw of the result, frame by frame (:class:`ankle_cv.visual.track.Track`)."""

    @abc.abstractmethod
    def plot(self, result, path) -> None:
        """Write the test's plot of the result as a PNG at ``path`` (matplotlib, imported lazily)."""

    def summary_text(self, result, *, hint: Callable[[str], str] | None = None) -> str:
        """The plain-text summary for the terminal and for handing on: the clip header every
        test shares, then :meth:`summary_lines`."""
        from ..outputs.text import clip_header

        return "\n".join(clip_header(self.name, result.clip) + self.summary_lines(result, hint=hint))
