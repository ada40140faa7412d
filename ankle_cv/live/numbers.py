"""The live numbers: what one scoring of the rolling window says about its newest frame, and
the tally over the take (best angle so far, reps) kept across scorings.

Everything here is read from the protocol's result and its :class:`~ankle_cv.visual.track.Track`
(the same per-frame drawing data the annotated video uses); nothing is measured again.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

#: A trial (knee-to-wall) or rep (squat) counts in the tally once the window holds this much
#: after its end: its peak is then smoothed from both sides (the smoothing kernel spans under
#: 0.1 s at 6 Hz), and a heel lift starting at its peak has outlasted the lift detector's
#: minimum duration (0.15 s) and settled. Before that it may still change.
COMPLETE_AFTER_S = 0.5
#: Two reps whose bottoms are closer than this (seconds) in successive scorings are the same
#: rep seen again (a squat rep lasts a second or more).
SAME_REP_S = 0.5


@dataclasses.dataclass(frozen=True)
class LiveNumbers:
    """What a scoring of the window says about its newest frame.

    Attributes
    ----------
    time_s : float
        Feed time of the window's newest frame.
    angle_name : str
        "tibia", "FPPA", "knee flexion" ("" when none is shown).
    angle_deg : tuple of float
        The angle of each leg (left, right) at that frame; NaN where not shown.
    arc : str or None
        Where the angle's arc is drawn (:mod:`ankle_cv.visual.track`).
    roll_deg : float
        The camera roll the analysis levelled the picture by.
    vertical_vp : tuple of 3 floats or None
        Where the scene's verticals meet, when they levelled a pitched camera's picture.
    heel_lifted : bool or None
        The heel of the leg with an angle (or any heel seen): lifted, down, None unknown.
    problem : str or None
        Why the window could not be scored (the library's message), e.g. a front view.
    """

    time_s: float
    angle_name: str = ""
    angle_deg: tuple[float, float] = (math.nan, math.nan)
    arc: str | None = None
    roll_deg: float = 0.0
    vertical_vp: tuple[float, float, float] | None = None
    heel_lifted: bool | None = None
    problem: str | None = None


def numbers_of(track, *, problem: str | None = None) -> LiveNumbers:
    """The newest frame of a protocol's :class:`~ankle_cv.visual.track.Track`."""
    last = track.n_frames - 1
    angles = tuple(float(a) for a in track.angle_deg[:, last])
    legs = [leg for leg in (0, 1) if math.isfinite(angles[leg])]
    heel_legs = [leg for leg in (legs or (0, 1)) if track.heel_known[leg, last]]
    lifted = bool(track.heel_lifted[heel_legs, last].any()) if heel_legs else None
    return LiveNumbers(time_s=float(track.time_s[last]), angle_name=str(track.angle_name[last]),
                       angle_deg=angles, arc=track.arc_of(last), roll_deg=float(track.roll_deg),
                       vertical_vp=track.vertical_vp, heel_lifted=lifted, problem=problem)


@dataclasses.dataclass(frozen=True)
class TallyView:
    """The take so far: each leg's best knee-to-wall angle with the heel down (and its feed
    time), or the squat reps counted and the last one's flags (knee valgus, foot turn-out,
    knees together, heel lift)."""

    best_deg: dict = dataclasses.field(default_factory=dict)
    best_time_s: dict = dataclasses.field(default_factory=dict)
    reps: int = 0
    last_rep_flags: tuple[str, ...] | None = None


class Tally:
    """Best angle so far (knee-to-wall) or reps counted (squat) over one take, updated from
    each scoring of the window; only complete trials and reps count, and a final scoring
    (the window ends where the take ended) completes the last one."""

    def __init__(self, test: str) -> None:
        self.test = test
        self.take = 0
        self._best: dict[str, float] = {}
        self._best_time: dict[str, float] = {}
        self._reps = 0
        self._last_bottom_s = -math.inf
        self._last_flags: tuple[str, ...] | None = None

    def reset(self, take: int) -> None:
        """Start the tally of take number ``take`` (scorings of other takes are ignored)."""
        self.__init__(self.test)
        self.take = take

    def view(self) -> TallyView:
        return TallyView(dict(self._best), dict(self._best_time), self._reps, self._last_flags)

    def update(self, result, time_s: np.ndarray, *, final: bool) -> None:
        """Fold in one scoring of a window whose rows have feed times ``time_s``."""
        done_before_s = math.inf if final else float(time_s[-1]) - COMPLETE_AFTER_S
        if self.test == "knee-to-wall":
            self._knee_to_wall(result, time_s, done_before_s)
        elif self.test == "squat":
            self._squat(result, time_s, done_before_s)

    def _knee_to_wall(self, result, time_s: np.ndarray, done_before_s: float) -> None:
        for leg in result.legs:  # the protocol's own choice of each leg's best trial
            if leg.best_deg is None:
                continue
            trial = next(t for t in leg.trials if t.number == leg.best_trial)
            if time_s[trial.end_frame] > done_before_s:
                continue
            if leg.best_deg > self._best.get(leg.leg, -math.inf):
                self._best[leg.leg] = float(leg.best_deg)
                self._best_time[leg.leg] = float(time_s[trial.peak_frame])

    def _squat(self, result, time_s: np.ndarray, done_before_s: float) -> None:
        from ..protocols.squat.track import rep_flags  # the squat's own words for a rep's flags

        for rep in sorted(result.reps, key=lambda r: r.bottom_frame):
            bottom_s = float(time_s[rep.bottom_frame])
            if time_s[rep.end_frame] > done_before_s or bottom_s < self._last_bottom_s + SAME_REP_S:
                continue
            self._reps += 1
            self._last_bottom_s = bottom_s
            self._last_flags = tuple(rep_flags(rep))
