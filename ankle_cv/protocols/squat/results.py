"""What the squat analysis reports: frozen results with units in their names.

A measure the rep's camera view cannot support is None, with the reason under
``not_measurable`` (never a number)."""

from __future__ import annotations

import dataclasses

from ...vocab import RollSource, StrEnum, View
from ..base import ClipFacts, QualityWarning
from .kinematics import SquatHeel, SquatKinematics
from .settings import SquatSettings


class SquatFlag(StrEnum):
    """What a squat analysis flags (a screening flag, never a diagnosis)."""

    KNEE_VALGUS = "knee_valgus"
    FOOT_TURN_OUT = "foot_turn_out"
    HEEL_LIFT = "heel_lift"
    KNEES_TOGETHER = "knees_together"
    VALGUS_ASYMMETRY = "valgus_asymmetry"


@dataclasses.dataclass(frozen=True)
class Flag:
    """One flagged compensation: its code, the leg (None: both), the reps and one line."""

    code: SquatFlag
    leg: str | None
    reps: tuple[int, ...]
    text: str


@dataclasses.dataclass(frozen=True)
class PerLeg:
    """One value per leg (None: not measured for that leg)."""

    left: float | bool | None
    right: float | bool | None


@dataclasses.dataclass(frozen=True)
class TurnOut:
    """A foot's turn-out (deg, positive toes out) standing before the rep and at its
    bottom, the change between them, and whether the change is flagged."""

    standing_deg: float | None
    bottom_deg: float | None
    change_deg: float | None
    flagged: bool | None


@dataclasses.dataclass(frozen=True)
class HeelLift:
    """A heel lift of the near foot within a rep (frames inclusive; heights in foot lengths),
    with the knee-to-wall test's event fields."""

    leg: str
    rep: int
    start_frame: int
    end_frame: int
    peak_frame: int
    start_s: float
    end_s: float
    peak_s: float
    peak_height_foot: float
    peak_height_cm: float | None
    #: The peak height in the picture: under ``SMALL_LIFT_PX`` it is near what the tracker can
    #: tell from a trouser hem or shadow moving over the heel.
    peak_height_px: float

    @property
    def small(self) -> bool:
        return self.peak_height_px is None or self.peak_height_px < SMALL_LIFT_PX


#: Heel lifts smaller than this in the picture are reported with a caution.
SMALL_LIFT_PX = 3.0


@dataclasses.dataclass(frozen=True)
class Rep:
    """One squat rep: its timing, the view it was filmed in, and what that view supports.

    ``hip_drop_leg`` is the hip's drop from standing at the bottom, in leg lengths (any
    view); ``knee_flexion_deg`` the near knee's peak flexion (side view). Valgus (FPPA per
    leg, knee-to-ankle separation ratio) and turn-out come from a front view, heel lift from a
    side view; what the view does not support is None with the reason in ``not_measurable``.
    """

    number: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    duration_s: float
    view: View
    body_width_ratio: float | None
    hip_drop_leg: float | None
    knee_flexion_deg: float | None
    fppa_deg: PerLeg | None
    fppa_flagged: PerLeg | None
    separation_ratio: float | None
    separation_flagged: bool | None
    turnout: dict[str, TurnOut] | None
    heel_lift: HeelLift | None
    heel_lifted: bool | None
    heel_leg: str | None
    hip_shift_body: float | None
    not_measurable: dict[str, str]


@dataclasses.dataclass(frozen=True)
class NotRep:
    """A dip of the hips that was not counted as a rep, and why."""

    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    reason: str


@dataclasses.dataclass(frozen=True)
class LegSummary:
    """One leg over the reps that measured it: median and largest FPPA, reps flagged, the
    median turn-out change, and reps with a heel lift (side view, near foot)."""

    leg: str
    fppa_median_deg: float | None
    fppa_max_deg: float | None
    fppa_flagged_reps: int
    fppa_reps: int
    turnout_standing_deg: float | None
    turnout_change_median_deg: float | None
    turnout_flagged_reps: int
    turnout_reps: int
    heel_lift_reps: int
    heel_reps: int


@dataclasses.dataclass(frozen=True)
class Asymmetry:
    """Left minus right, medians over the front-view reps; the hips' sideways shift at the
    bottom (shoulder widths, positive towards the left leg)."""

    fppa_deg: float | None
    fppa_flagged: bool | None
    turnout_change_deg: float | None
    hip_shift_body: float | None


@dataclasses.dataclass(frozen=True)
class SquatCamera:
    view: View
    rep_views: tuple[View, ...]
    body_width_ratio: float | None
    roll_deg: float
    roll_source: RollSource
    scene_roll_deg: float | None


@dataclasses.dataclass(frozen=True)
class SquatResult:
    """Everything the squat report states about one clip, and the per-frame series it came
    from (``kinematics`` and ``heel``, for the CSV and plots)."""

    clip: ClipFacts
    camera: SquatCamera
    reps: tuple[Rep, ...]
    not_counted: tuple[NotRep, ...]
    depth_median_leg: float | None
    knee_flexion_median_deg: float | None
    legs: tuple[LegSummary, ...]
    asymmetry: Asymmetry
    flags: tuple[Flag, ...]
    warnings: tuple[QualityWarning, ...]
    settings: SquatSettings
    kinematics: SquatKinematics = dataclasses.field(repr=False, compare=False)
    heel: SquatHeel | None = dataclasses.field(repr=False, compare=False, default=None)
