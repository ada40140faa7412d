"""What the pictures show of a scored clip, frame by frame: one data type that the annotated
video, the plots, the report's frames and the live window all draw from.

Each protocol builds its :class:`Track` from its result (``Protocol.track``); nothing here
measures anything: the angles, heel states, trials and reps are the result's own.
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: Where an angle's arc is drawn: at the ankle between the true vertical and the shank
#: (tibia to vertical), or at the knee between the thigh's extension and the shank (FPPA,
#: knee flexion).
ARC_ANKLE_VERTICAL = "ankle-vertical"
ARC_KNEE = "knee"


@dataclasses.dataclass(frozen=True)
class Span:
    """A stretch of frames (inclusive) worth marking: a trial or a rep."""

    start_frame: int
    end_frame: int
    label: str
    leg: int | None = None


@dataclasses.dataclass(frozen=True)
class KeyFrame:
    """A frame the report shows as a picture: a leg's best angle, a rep's bottom.
    ``angles_deg`` (left, right; NaN none), when given, are drawn instead of the frame's own:
    the result's values where it summarises several frames (a rep's median FPPA)."""

    frame: int
    caption: str
    leg: int | None = None
    angles_deg: tuple[float, float] | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class Track:
    """Per-frame drawing data of one clip (legs anatomical: row 0 left, 1 right).

    Attributes
    ----------
    time_s : ndarray of shape (T,)
    angle_deg : ndarray of shape (2, T)
        The angle shown at each frame for each leg (NaN: none shown).
    angle_name : ndarray of shape (T,), str
        What ``angle_deg`` is at each frame ("tibia", "FPPA", "knee flexion"; "" none).
    arc : str
        :data:`ARC_ANKLE_VERTICAL` or :data:`ARC_KNEE`, per angle name (``arcs``).
    heel_lifted, heel_known : ndarray of shape (2, T), bool
    status : tuple of str, length T
        One line of running state per frame (trial, best so far, rep count, last flags),
        using only what happened up to that frame.
    spans, key_frames : trials or reps, and the frames worth a picture.
    roll_deg : float
        The horizon's roll in the picture (the vertical the tibia is measured against).
    vertical_vp : tuple of 3 floats, optional
        Where the scene's verticals meet (homogeneous pixels), when they levelled a pitched
        camera's picture: the vertical drawn at a joint is the plumb line through it.
    plot_label : str
        The y label of the running plot strip.
    swapped : ndarray of shape (T,), bool, optional
        Frames in which the result holds MediaPipe's left and right legs swapped (its labels
        wrong): the drawing swaps the landmarks back, so that each leg's value lands on it.
    """

    time_s: np.ndarray
    angle_deg: np.ndarray
    angle_name: np.ndarray
    arcs: dict
    heel_lifted: np.ndarray
    heel_known: np.ndarray
    status: tuple[str, ...]
    spans: tuple[Span, ...]
    key_frames: tuple[KeyFrame, ...]
    roll_deg: float
    plot_label: str
    swapped: np.ndarray | None = None
    vertical_vp: tuple[float, float, float] | None = None

    @property
    def n_frames(self) -> int:
        return int(self.time_s.shape[0])

    def arc_of(self, frame: int) -> str | None:
        return self.arcs.get(str(self.angle_name[frame]))

