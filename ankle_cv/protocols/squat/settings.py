"""Options of the squat analysis and the thresholds its flags use: every default stated once."""

from __future__ import annotations

import dataclasses

from ...vocab import RollChoice, View

SEXES = ("female", "male")


@dataclasses.dataclass(frozen=True)
class SquatReferences:
    """Flag thresholds and where they come from (all configurable).

    Attributes
    ----------
    fppa_female_deg, fppa_male_deg : float
        Upper end of the normal frontal-plane projection angle in drop jumps: 7-13 deg in
        women, 3-8 deg in men (Herrington & Munro 2010); used when the user gives the sex.
    fppa_deg : float
        The one threshold used without the sex: 13 deg, the upper end of the normal range in
        either sex, so that no flag rests on an assumed sex (men between 8 and 13 deg are
        flagged only with ``sex="male"``).
    fppa_sdd_deg : float
        Smallest detectable difference of 2-D FPPA, ~7.5-9 deg (Munro et al. 2012): left-right
        differences beyond it are flagged.
    separation_ratio : float
        Knee-to-ankle separation ratio below which the knees are flagged as drawn together.
    turnout_change_deg : float
        Turn-out increase from standing to the bottom that is flagged.
    """

    fppa_female_deg: float = 13.0
    fppa_male_deg: float = 8.0
    fppa_deg: float = 13.0
    fppa_sdd_deg: float = 9.0
    separation_ratio: float = 0.8
    turnout_change_deg: float = 10.0

    def fppa_threshold_deg(self, sex: str | None) -> float:
        return {"female": self.fppa_female_deg, "male": self.fppa_male_deg}.get(sex, self.fppa_deg)

    def sources(self, sex: str | None) -> list[dict]:
        """Each threshold as {name, value, unit, source} for reports."""
        who = {None: "sex not given: the upper end of the normal range in either sex"}.get(sex, f"{sex} threshold")
        return [
            {"name": "fppa_flag_above", "value": self.fppa_threshold_deg(sex), "unit": "deg",
             "source": f"Herrington & Munro 2010 (J Sci Med Sport): normal drop-jump FPPA 7-13 deg in women, 3-8 deg "
                       f"in men; {who}"},
            {"name": "fppa_context", "value": None, "unit": "deg",
             "source": "Herrington 2014 (Knee): single-leg squat FPPA 8.4 +/- 5.1 deg in controls vs 16.8 +/- 5.4 deg "
                       "with patellofemoral pain"},
            {"name": "fppa_smallest_detectable_difference", "value": self.fppa_sdd_deg, "unit": "deg",
             "source": "Munro, Herrington & Carolan 2012 (J Sport Rehabil): 2-D FPPA SDD about 7.5-9 deg; "
                       "left-right differences beyond it are flagged"},
            {"name": "knee_ankle_separation_ratio_flag_below", "value": self.separation_ratio, "unit": "ratio",
             "source": "tool default, not a published cut-off: below 1 the knees are closer together than the "
                       "ankles; the ratio is a 2-D surrogate of knee abduction (Mizner et al. 2012)"},
            {"name": "turnout_change_flag_above", "value": self.turnout_change_deg, "unit": "deg",
             "source": "tool default, not a published cut-off: twice the turn-out change error allowed on the "
                       "rendered validation clips (5 deg)"},
        ]


@dataclasses.dataclass(frozen=True)
class SquatSettings:
    """Analysis options (the documented defaults).

    Attributes
    ----------
    min_visibility, max_gap_s, cutoff_hz, roll_source, roll_deg
        As for the knee-to-wall test.
    view : View, optional
        Take the camera as seeing the person from this side (``front`` or ``side``) instead
        of reading it from the body's width in each rep.
    sex : {"female", "male"}, optional
        Use the sex-specific FPPA threshold.
    rep_depth_leg, rep_top_leg : float
        A rep goes down more than ``rep_depth_leg`` (hip drop, leg lengths) and lasts while
        the hip is more than ``rep_top_leg`` below standing.
    min_rep_s : float
        Shorter dips are not reps.
    max_ankle_shift_leg : float
        Ankles within this many leg lengths of where they stood over the surrounding second are
        planted; a rep needs them planted (walking into position moves them further).
    heel_on_foot, heel_off_foot, heel_min_duration_s : float
        Heel-lift thresholds, as for the knee-to-wall test.
    foot_length_cm : float, optional
        Foot length, to express heel-lift heights in cm.
    references : SquatReferences
    """

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    roll_source: RollChoice = RollChoice.AUTO
    roll_deg: float | None = None
    view: View | None = None
    sex: str | None = None
    rep_depth_leg: float = 0.10
    rep_top_leg: float = 0.04
    min_rep_s: float = 0.6
    max_ankle_shift_leg: float = 0.1
    heel_on_foot: float = 0.035
    heel_off_foot: float = 0.0175
    heel_min_duration_s: float = 0.15
    foot_length_cm: float | None = None
    references: SquatReferences = SquatReferences()

    def __post_init__(self) -> None:
        object.__setattr__(self, "roll_source", RollChoice(self.roll_source))
        if self.view is not None:
            object.__setattr__(self, "view", View(self.view))
            if self.view not in (View.FRONT, View.SIDE):
                raise ValueError(f"view must be 'front', 'side' or None, got {self.view!r}")
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES} or None, got {self.sex!r}")
        if self.rep_top_leg > self.rep_depth_leg:
            raise ValueError(f"rep_top_leg {self.rep_top_leg} must not exceed rep_depth_leg {self.rep_depth_leg}")
        if self.heel_off_foot > self.heel_on_foot:
            raise ValueError(f"heel_off_foot {self.heel_off_foot} must not exceed heel_on_foot {self.heel_on_foot}")
