"""What the knee-to-wall test reports: frozen results with units in their names."""

from __future__ import annotations

import dataclasses

from ...vocab import Classification, RollSource, View
from ..base import ClipFacts, QualityWarning
from .kinematics import HeelEvents, LegKinematics
from .settings import KneeToWallSettings

#: A trial in which MediaPipe had the tested leg in fewer of its frames is not trusted.
MIN_TRACKED_SHARE = 0.8

#: A trial whose angle scatters more than this from frame to frame (raw minus smoothed, SD)
#: is not trusted: tracking that holds the leg scatters 0.03-0.8 deg on real clips and
#: ~0.15 deg on renders; a lost or walking leg 1.0-7.2 deg, a single-leg hinge 8.3 deg.
MAX_JITTER_SD_DEG = 1.5


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
    :data:`MIN_TRACKED_SHARE` near its peak is not trusted for the best result. ``peak_deg`` is None, with
    the reason in ``note``, when the frames that count do not rise at least the drive
    threshold above the trial's starting valley (the heel lifted, or the leg was lost, before
    the drive) or leave the range a shank can take in a lunge.

    Evidence for trust (:func:`ankle_cv.protocols.knee_to_wall.scoring.trust_of`), taken within
    half a second of the peak (the frame the result comes from), except the noise SD and the
    posture: ``peak_tracked_share``, the ``tracked_share`` there; the median
    MediaPipe ``knee_visibility`` of the tested knee and ankle; ``shank_length_cv`` and
    ``thigh_length_cv``, the coefficient of variation of the knee-ankle and hip-knee lengths in
    px, and ``shank_length_worst``, the largest relative deviation of the shank
    from the clip's median (a real shank keeps its length; a landmark jumping to the other leg
    or the floor does not); ``knee_jump_foot``, the largest frame-to-frame knee step in foot
    lengths; ``label_swaps``, how often MediaPipe's left/right labels flipped;
    ``posture`` with its ``posture_evidence``, ``trunk_pitch_deg`` and ``stagger_foot``
    (:mod:`ankle_cv.protocols.knee_to_wall.posture`). ``trusted`` is False, with the
    ``distrust_reasons``, when any of them or the noise SD fails its limit:
    such a trial is not the leg's best result."""

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
    #: The shin's front edge (anterior tibial crest) at the peak, measured in the image
    #: (:mod:`ankle_cv.vision.shin`): the angle an inclinometer on the crest would read,
    #: median over the peak's frames, with its SD; None with the reason in ``crest_note``
    #: where it was not measured (no video, low contrast, loose clothing, occluded).
    crest_deg: float | None = None
    crest_sd_deg: float | None = None
    crest_note: str | None = None
    peak_tracked_share: float | None = None
    knee_visibility: float | None = None
    shank_length_cv: float | None = None
    shank_length_worst: float | None = None
    thigh_length_cv: float | None = None
    knee_jump_foot: float | None = None
    label_swaps: int = 0
    posture: str | None = None
    posture_evidence: str | None = None
    trunk_pitch_deg: float | None = None
    stagger_foot: float | None = None
    trusted: bool = True
    distrust_reasons: tuple[str, ...] = ()
    #: Horizontal distance from the shoe's tip to the wall at the heel-down peak (cm) and its
    #: SD (:mod:`ankle_cv.protocols.knee_to_wall.toe_wall`); None where not measured.
    toe_to_wall_cm: float | None = None
    toe_to_wall_sd_cm: float | None = None


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
    #: The best trial's ``crest_deg`` (inclinometer-comparable angle), None where not measured.
    best_crest_deg: float | None = None
    #: The angle judged against the (inclinometer) cut-off: the best trial's shin front edge
    #: (``verdict_source`` "shin_front_edge") where it was measured, else its centre line plus
    #: the anatomical crest offset ("centre_line_plus_offset"); ``verdict_band_deg`` is the
    #: half-width of the borderline band around the cut-off (the minimal detectable change,
    #: widened by the offset's spread or the edge's scatter).
    verdict_angle_deg: float | None = None
    verdict_source: str | None = None
    verdict_band_deg: float | None = None
    #: The best trial's toe-to-wall distance (cm) and its SD, None where not measured.
    toe_to_wall_cm: float | None = None
    toe_to_wall_sd_cm: float | None = None


@dataclasses.dataclass(frozen=True)
class Camera:
    """How the camera saw the person: view, facing, and the roll used to level it;
    ``pitch_deg`` (negative: looking down) where the scene's verticals converged and the
    shank was measured in the picture levelled by them, from ``verticals`` distinct lines (None
    and 0 otherwise)."""

    view: View
    body_width_ratio: float
    facing: str | None
    roll_deg: float
    roll_sd_deg: float | None
    roll_source: RollSource
    scene_roll_deg: float | None
    sole_roll_deg: float | None
    pitch_deg: float | None = None
    verticals: int = 0


@dataclasses.dataclass(frozen=True)
class Distance:
    """How the toe-to-wall distance was measured: the scale's source (``marker``, the ArUco
    card; ``foot_length``, the given foot length over the shoe's outline; None: no scale) and
    value at the tested foot (px per cm, with its SD), the wall's source (``marker``: the
    card's wall-side edge; ``knee_contact``: the knee's front at its furthest drive), and
    ``note``, why cm were not measured where they were not. ``marker_frames`` of
    ``frames_looked_at`` showed the marker. ``px_per_cm`` is the scale at the tested foot (for
    the marker, the card's scale carried to the foot's assumed depth)."""

    scale_source: str | None
    px_per_cm: float | None
    px_per_cm_sd: float | None
    wall_source: str | None
    note: str | None
    marker_frames: int = 0
    frames_looked_at: int = 0
    #: Where the shoe's tip came from: ``outline`` (found in the image) or
    #: ``heel_and_foot_length`` (the marker card hid it: the heel's outline plus the given
    #: foot length); None where not measured.
    toe_source: str | None = None


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
    distance: Distance | None = None

    def leg(self, name: str) -> LegResult | None:
        return next((r for r in self.legs if r.leg == name), None)

    @property
    def asymmetry_flagged(self) -> bool | None:
        asym = self.asymmetry_deg
        return None if asym is None else abs(asym) >= self.settings.references.asymmetry_deg
