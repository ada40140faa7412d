"""Options of the knee-to-wall analysis: every default is stated here, once."""

from __future__ import annotations

import dataclasses

from ...landmarks import LEGS
from ...vocab import RollChoice
from ..references import References


@dataclasses.dataclass(frozen=True)
class KneeToWallSettings:
    """Analysis options (the documented defaults).

    Attributes
    ----------
    min_visibility : float
        Landmarks seen with less MediaPipe visibility count as missing.
    max_gap_s : float
        Longest gap of missing shank landmarks, or of an unknown heel height, bridged by
        interpolation (a heel lost for a moment while up stays one lift).
    cutoff_hz : float
        -3 dB frequency of the zero-phase Gaussian smoothing of angles and heel heights.
    roll_source : RollChoice
        Which estimate of the camera roll to use: scene lines, the planted sole, or none (a
        level camera); ``auto`` takes the scene lines when they agree, else assumes level.
    roll_deg : float, optional
        Camera roll given by the user; overrides ``roll_source``.
    leg : {"left", "right"}, optional
        The tested (front) leg, overriding the side read from MediaPipe's labels.
    heel_on_foot, heel_off_foot, heel_min_duration_s : float
        Heel-lift hysteresis thresholds (foot lengths) and minimum duration, for a heel
        height from MediaPipe's landmarks (which drift up to a tenth of a foot length with the
        heel down).
    heel_image_on_foot, heel_image_off_foot : float
        The thresholds for the heel tracked in the image (the tested foot, where it could be
        followed): 2.5 times the most it read with the heel down on rendered clips (0.006 foot
        lengths), and above the most on a real clip (0.014; docs/method.md).
    max_foot_speed : float
        A foot slower than this (foot lengths per second, heel and foot index) is still; the
        heel-down level and the sole's roll come from still front-foot frames.
    min_prominence_deg, min_spacing_s : float
        Trial (knee drive) segmentation: the least rise of a drive and the least time
        between two drive peaks.
    foot_length_cm : float, optional
        Foot length as filmed (heel to tip; the shoe's if shod), to express heel-lift heights
        in cm and, without a marker, to scale the toe-to-wall distance.
    marker_cm : float
        Side of the printed ArUco marker (``ankle-cv marker``) that scales the toe-to-wall
        distance when it is seen.
    allow_any_view : bool
        Analyse a clip filmed from the front instead of refusing it.
    references : References
        Cut-offs and reference values the verdicts and the report use.
    """

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    roll_source: RollChoice = RollChoice.AUTO
    roll_deg: float | None = None
    leg: str | None = None
    heel_on_foot: float = 0.035
    heel_off_foot: float = 0.0175
    heel_min_duration_s: float = 0.15
    heel_image_on_foot: float = 0.015
    heel_image_off_foot: float = 0.0075
    max_foot_speed: float = 1.0
    min_prominence_deg: float = 5.0
    min_spacing_s: float = 1.0
    foot_length_cm: float | None = None
    marker_cm: float = 10.0
    allow_any_view: bool = False
    references: References = References()

    def __post_init__(self) -> None:
        object.__setattr__(self, "roll_source", RollChoice(self.roll_source))
        if self.leg is not None and self.leg not in LEGS:
            raise ValueError(f"leg must be one of {LEGS} or None, got {self.leg!r}")
        if not self.marker_cm > 0:
            raise ValueError(f"marker_cm must be positive, got {self.marker_cm}")
        if self.heel_off_foot > self.heel_on_foot:
            raise ValueError(f"heel_off_foot {self.heel_off_foot} must not exceed heel_on_foot {self.heel_on_foot}")
        if self.heel_image_off_foot > self.heel_image_on_foot:
            raise ValueError(f"heel_image_off_foot {self.heel_image_off_foot} must not exceed "
                             f"heel_image_on_foot {self.heel_image_on_foot}")
