"""What the knee-to-wall test reports: frozen results with units in their names."""

from __future__ import annotations

import dataclasses

from ...vocab import Classification, RollSource, View
from ..base import ClipFacts, QualityWarning
from .kinematics import HeelEvents, LegKinematics
from .settings import KneeToWallSettings

#: A trial in which MediaPipe had the tested leg in fewer of its frames is not trusted.
MIN_TRACKED_SHARE = 0.8


@dataclasses.dataclass(frozen=True)
class HeelLift:
    """One heel lift of the tested leg. Frames are inclusive; heights in foot lengths."""

    leg: str
    trial: int | None
    start_frame: int
    end_frame: int
    peak_frame: int
    start_s: float
    end_s: float
    peak_s: float
    peak_height_foot: float
    peak_height_cm: float | None


@dataclasses.dataclass(frozen=True)
class Trial:
    """One knee drive. ``peak_deg`` is the largest tibia angle with the heel down, before any
    lift in the trial (None if the heel was never down); ``peak_any_deg`` ignores the heel.
    ``heel_checked`` is whether the heel's height was known in at least 80% of the frames up
    to the peak (where it was not, the heel could not be seen or tracked). ``tracked_share``
    is the share of the trial's frames in which MediaPipe had the leg (angle known, ankle
    where the foot was planted); only those frames count for ``peak_deg``, and a trial under
    :data:`MIN_TRACKED_SHARE` is not trusted for the best result. ``peak_deg`` is None, with
    the reason in ``note``, when the frames that count do not rise at least the drive
    threshold above the trial's starting valley (the heel lifted, or the leg was lost, before
    the drive) or leave the range a shank can take in a lunge."""

    leg: str
    number: int
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    peak_deg: float | None
    peak_frame: int | None
    peak_s: float | None
    peak_any_deg: float
    peak_any_frame: int
    peak_any_s: float
    jitter_sd_deg: float
    heel_lifted: bool
    heel_checked: bool
    tracked_share: float
    note: str | None


@dataclasses.dataclass(frozen=True)
class LegResult:
    """Result of one tested leg: the best trial with the heel down (best of the trials).

    Trials whose heel was checked are preferred; ``heel_checked`` says whether the best one's
    was. ``classification``: against the restriction cut-off, borderline within the minimal
    detectable change of it, not interpretable (with the reason) when the recording does not
    support a verdict, no result without a valid trial."""

    leg: str
    best_deg: float | None
    best_trial: int | None
    best_s: float | None
    restricted: bool | None
    classification: Classification
    classification_reason: str | None
    heel_checked: bool
    trials: tuple[Trial, ...]
    heel_lifts: tuple[HeelLift, ...]


@dataclasses.dataclass(frozen=True)
class Camera:
    """How the camera saw the person: view, facing, and the roll used to level it."""

    view: View
    body_width_ratio: float
    facing: str | None
    roll_deg: float
    roll_sd_deg: float | None
    roll_source: RollSource
    scene_roll_deg: float | None
    sole_roll_deg: float | None


@dataclasses.dataclass(frozen=True)
class KneeToWallResult:
    """Everything the knee-to-wall report states about one clip, and the per-frame series
    it came from (``kinematics`` and ``heel``, for the CSV and plots)."""

    clip: ClipFacts
    camera: Camera
    legs: tuple[LegResult, ...]
    asymmetry_deg: float | None
    warnings: tuple[QualityWarning, ...]
    settings: KneeToWallSettings
    kinematics: LegKinematics = dataclasses.field(repr=False, compare=False)
    heel: HeelEvents = dataclasses.field(repr=False, compare=False)

    def leg(self, name: str) -> LegResult | None:
        return next((r for r in self.legs if r.leg == name), None)

    @property
    def asymmetry_flagged(self) -> bool | None:
        asym = self.asymmetry_deg
        return None if asym is None else abs(asym) >= self.settings.references.asymmetry_deg
