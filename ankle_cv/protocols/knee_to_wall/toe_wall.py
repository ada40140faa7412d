"""The toe-to-wall distance of each trial: image measurements composed with :mod:`.distance`.

One pass over the frames from the first trial to the last, shared with the shin's front edge
(:mod:`.peaks`; only the frames needed are measured, each as it is decoded, none kept): each
trial's heel-down peak frame (the shoe's tip and heel, :mod:`ankle_cv.vision.outline`), each
trial's furthest drive (the knee's front), and those plus about 20 frames spread over the
trials for the ArUco marker (:mod:`ankle_cv.vision.marker`).

- **Scale**: the marker when it is seen in :data:`~ankle_cv.vision.marker.MIN_MARKER_FRAMES`
  sampled frames, else the foot length (``foot_length_cm``: the length as filmed, heel to tip,
  the shoe's if shod) over the shoe's outline length in the image; else none.
- **Wall**: the marker card's wall-side edge; else the front of the knee at the furthest drive
  of the clip (in this test the knee touches the wall: if it never did, the wall is further
  and the distance is understated).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...landmarks import HEEL, KNEE, TOE
from .distance import foot_scale, toe_to_wall_cm, toe_to_wall_sd_cm
from .results import Distance, LegResult, Trial
from .scoring import round_or_none

#: A shoe's tip found further than this beyond the wall means the wall found is not the wall
#: (no contact: the knee never reached past the toe), not a measurement.
MAX_PAST_WALL_CM = 1.0
_WALL_NAME = {"marker": "the marker card's edge", "knee_contact": "the knee's front at its furthest drive"}
#: Frames spread over the trials in which the marker is also looked for.
MARKER_SPREAD_FRAMES = 20
#: Uncertainty of a foot length a user measured with a ruler (cm).
FOOT_LENGTH_SD_CM = 0.5
#: Search windows in landmark foot lengths (MediaPipe's heel-to-foot-index length, about 75%
#: of the shoe's): (from, to) along the search direction, then the band of rows (level-down).
TOE_SEARCH, TOE_BAND = (-0.05, 0.45), (-0.15, 0.06)
HEEL_SEARCH, HEEL_BAND = (-0.05, 0.30), (-0.15, 0.06)
KNEE_SEARCH, KNEE_BAND = (0.0, 0.5), (-0.25, 0.25)


def _no_distance(note: str, scale_source=None, wall_source=None, *, marker_frames: int = 0,
                 frames_looked_at: int = 0) -> Distance:
    return Distance(scale_source=scale_source, px_per_cm=None, px_per_cm_sd=None, wall_source=wall_source, note=note,
                    marker_frames=marker_frames, frames_looked_at=frames_looked_at)


_LIVE = Distance(scale_source=None, px_per_cm=None, px_per_cm_sd=None, wall_source=None,
                 note="cm not measured during live capture (only the feet are kept of each frame): analyse the "
                 "recording")


def _needed(kin, trials: list[tuple[int, Trial]]) -> tuple[dict[int, int], dict[int, int], np.ndarray]:
    """Frames to measure the foot in (peak -> leg), the knee in (furthest drive -> leg), and to
    look for the marker in."""
    feet = {tr.peak_frame: leg for leg, tr in trials if tr.peak_frame is not None}
    trusted = [(leg, tr) for leg, tr in trials if getattr(tr, "trusted", True)] or trials
    knees = {tr.peak_any_frame: leg for leg, tr in trusted}  # a landmark jump is no wall contact
    lo = min(tr.start_frame for _, tr in trials)
    hi = max(tr.end_frame for _, tr in trials)
    spread = np.unique(np.round(np.linspace(lo, hi, MARKER_SPREAD_FRAMES)).astype(int))
    return feet, knees, np.union1d(spread, np.array(sorted(feet | knees), dtype=int))


def _outlines(image, kin, i: int, leg: int, *, foot: bool, knee: bool) -> dict:
    from ...vision.outline import find_outline

    fl = float(kin.foot_length_px[leg])
    facing = float(kin.facing[i]) if np.isfinite(kin.facing[i]) else None
    roll = float(np.nan_to_num(kin.roll.roll_deg))
    out = {}
    if facing is None or not fl > 0:
        return out

    def at(joint, direction, search, band, last=False):
        xy = (float(kin.x_px[joint, leg, i]), float(kin.y_px[joint, leg, i]))
        if not np.all(np.isfinite(xy)):
            return None
        return find_outline(image, xy, roll_deg=roll, direction=direction, search_px=(search[0] * fl, search[1] * fl),
                            band_px=(band[0] * fl, band[1] * fl), last=last)

    if foot:
        out["toe"] = at(TOE, facing, TOE_SEARCH, TOE_BAND)
        out["heel"] = at(HEEL, -facing, HEEL_SEARCH, HEEL_BAND)
    if knee:
        out["knee"] = at(KNEE, facing, KNEE_SEARCH, KNEE_BAND, last=True)  # against the wall it touches
    return out


def _steady(outline, shift_xy, level=None):
    """An outline point moved back by the camera's shift at its frame (hand-held shake), so
    that points of different frames compare, and into the levelled picture where the camera
    is pitched (``level``, :attr:`LegKinematics.level`)."""
    if outline is None:
        return None
    x, y = _levelled(np.array([outline.xy_px[0] - shift_xy[0]]), np.array([outline.xy_px[1] - shift_xy[1]]), level)
    return dataclasses.replace(outline, xy_px=(float(x[0]), float(y[0])))


def _levelled(x_px: np.ndarray, y_px: np.ndarray, level) -> tuple[np.ndarray, np.ndarray]:
    """Points in the picture a level camera sees (``level``: the clip's Leveller), else as
    they are."""
    return (x_px, y_px) if level is None else level(x_px, y_px)


def _facing_of(kin, start: int, stop: int) -> float:
    """+1 / -1: where the feet point over frames [start, stop), 0 when unknown."""
    f = kin.facing[start:stop]
    return float(np.sign(np.nanmedian(f))) if np.isfinite(f).any() else 0.0


def measure_toe_to_wall(frames, kin, trials: list[tuple[int, Trial]], settings, *,
                        frame_size_px: tuple[int, int],
                        shift_px: np.ndarray | None = None) -> tuple[list[tuple[int, Trial]], Distance]:
    """Each trial with its ``toe_to_wall_cm`` (and SD) where measurable, and the
    :class:`Distance` facts (scale and wall used, or why not): :class:`ToeWallPass` over
    ``frames(start, stop)`` in a pass of its own."""
    from ...errors import InputError
    from ...vision.passes import visit_frames

    if getattr(frames, "memo", None) is frames:  # live capture's window of foot crops (ankle_cv.live.heel)
        return trials, _LIVE
    toe = ToeWallPass(kin, trials, shift_px=shift_px)
    try:
        visit_frames(frames, [toe])
    except InputError as exc:
        toe.failed = exc.reason
    return toe.finish(settings, frame_size_px=frame_size_px)


class ToeWallPass:
    """The toe-to-wall image measurements, made on each wanted frame as it is decoded (a
    :class:`~ankle_cv.vision.passes.FrameVisitor`): the marker's corners, the shoe's tip and
    heel at each trial's heel-down peak, the knee's front at the furthest drives; then
    :meth:`finish` composes them.

    ``shift_px`` (T, 2) is the camera's accumulated shake (:attr:`LandmarkSeries.camera_shift_px`):
    the wall, the marker and the shoe are found in different frames, so each point is moved
    back by its frame's shift first. Only trials facing the clip's main direction are measured
    (a person who turned round faces another wall); the foot-length scale and the knee-contact
    wall are taken per leg (each foot at its own depth)."""

    def __init__(self, kin, trials: list[tuple[int, Trial]], *, shift_px: np.ndarray | None = None) -> None:
        from ...vision.marker import MarkerFinder

        self.kin, self.trials = kin, trials
        self.shift = np.zeros((kin.time_s.size, 2)) if shift_px is None else np.asarray(shift_px, dtype=np.float64)
        self.feet, self.knees, looked = _needed(kin, trials) if trials else ({}, {}, np.zeros(0, dtype=int))
        self.wanted = frozenset(int(i) for i in looked)
        # where the camera is pitched, points are taken into the levelled picture: roll is out
        self.level = kin.level
        self.roll = 0.0 if self.level is not None else float(np.nan_to_num(kin.roll.roll_deg))
        self.corners: list[np.ndarray] = []
        self.foot_at: dict[int, dict] = {}
        self.knee_at: dict[int, object] = {}
        self.live = False  # frames that are foot crops only (live analysis)
        self.failed: str | None = None  # why the frames stopped decoding, set by the caller
        self._finder = MarkerFinder()

    def see(self, frame) -> None:
        i, kin = frame.index, self.kin
        if self.live or not isinstance(frame.image_bgr, np.ndarray):  # live analysis keeps foot crops only
            self.live = True
            return
        found = self._finder(frame.image_bgr)
        if found is not None:
            steady = found - self.shift[i]
            self.corners.append(np.stack(_levelled(steady[:, 0], steady[:, 1], self.level), axis=-1))
        feet, knees = self.feet, self.knees
        if i in feet or i in knees:
            leg = feet.get(i, knees.get(i))
            got = {k: _steady(v, self.shift[i], self.level) for k, v in
                   _outlines(frame.image_bgr, kin, i, leg, foot=i in feet, knee=i in knees).items()}
            if i in feet:
                self.foot_at[i] = got
            if i in knees:
                self.knee_at[i] = got.get("knee")

    def finish(self, settings, *, frame_size_px: tuple[int, int]) -> tuple[list[tuple[int, Trial]], Distance]:
        """Each trial with its ``toe_to_wall_cm`` (and SD) where measurable, and the
        :class:`Distance` facts (scale and wall used, or why not)."""
        trials = self.trials
        if not trials:
            return trials, _no_distance("no knee drive: no trial to measure")
        if self.live:
            return trials, _LIVE
        if self.failed is not None:
            return trials, _no_distance(f"cm not measured: {self.failed}")
        return _compose(self.kin, trials, settings, frame_size_px=frame_size_px, corners=self.corners,
                        foot_at=self.foot_at, knee_at=self.knee_at, feet=self.feet, knees=self.knees,
                        n_looked=len(self.wanted), roll=self.roll, level=self.level)


def _compose(kin, trials, settings, *, frame_size_px, corners, foot_at, knee_at, feet, knees, n_looked: int,
             roll: float, level=None) -> tuple[list[tuple[int, Trial]], Distance]:
    from ...vision.marker import MARKER_DICT, MARKER_ID, MIN_MARKER_FRAMES, level_h, marker_scale

    facing = float(np.sign(np.nanmedian(kin.facing))) if np.isfinite(kin.facing).any() else 1.0
    centre = float(level_h(np.array([frame_size_px[0] / 2, frame_size_px[1] / 2]), roll))  # also the levelled one's

    # the scale and the wall
    marker = None
    if len(corners) >= MIN_MARKER_FRAMES:
        marker = marker_scale(np.stack(corners), marker_cm=settings.marker_cm, roll_deg=roll, facing=facing,
                              frame_size_px=frame_size_px)
    # frames of the clip's main direction only, and of each leg
    faces = {i for i in set(foot_at) | set(knee_at) if np.sign(np.nan_to_num(kin.facing[i])) == facing}
    leg_at = {**{i: leg for i, leg in knees.items()}, **{i: leg for i, leg in feet.items()}}
    tips = {i: o for i, o in foot_at.items() if o.get("toe") is not None and i in faces}
    per_leg: dict[int, tuple] = {}  # leg -> (scale, scale_sd, ratio, ratio_sd, wall_h, wall_sd)
    if marker is not None:
        scale_source, wall_source = "marker", "marker"
        shared = (marker.px_per_cm, marker.px_per_cm_sd, marker.depth_ratio, marker.depth_ratio_sd,
                  marker.wall_h_px, marker.wall_sd_px)
        per_leg = {leg: shared for leg, _ in trials}
    else:
        scale_source, wall_source = "foot_length", "knee_contact"
        for leg in sorted({leg for leg, _ in trials}):
            own = [o for i, o in tips.items() if leg_at.get(i) == leg and o.get("heel") is not None]
            lengths = [facing * (level_h(np.array(o["toe"].xy_px), roll) - level_h(np.array(o["heel"].xy_px), roll))
                       for o in own]
            contacts = {i: o for i, o in knee_at.items() if o is not None and i in faces and knees.get(i) == leg}
            if settings.foot_length_cm is None or not lengths or not contacts:
                continue
            spread = float(np.std(lengths, ddof=1)) if len(lengths) > 1 else 0.0
            edge_sd = float(np.median([np.hypot(o["toe"].sd_px, o["heel"].sd_px) for o in own]))
            scale, scale_sd = foot_scale(np.array(lengths), float(np.hypot(spread, edge_sd)),
                                         foot_length_cm=settings.foot_length_cm, foot_length_sd_cm=FOOT_LENGTH_SD_CM)
            front = {i: facing * level_h(np.array(o.xy_px), roll) for i, o in contacts.items()}
            far = max(front, key=front.get)
            per_leg[leg] = (scale, scale_sd, 1.0, 0.0, facing * front[far], contacts[far].sd_px)
        if not per_leg:
            seen = f"no ArUco marker ({MARKER_DICT} id {MARKER_ID}) in the {n_looked} frames looked at"
            why = ("no foot length given (--foot-length-cm)" if settings.foot_length_cm is None
                   else "the shoe's outline was not found" if not tips
                   else "the front of the knee was not found at the furthest drive (no wall)")
            return trials, _no_distance(f"cm not measurable: no scale and wall ({seen}, and {why})",
                                        marker_frames=len(corners), frames_looked_at=n_looked)
    scale, scale_sd, ratio, ratio_sd, wall_h, wall_sd = next(iter(per_leg.values()))  # reported: the first leg's

    out, toe_sources, behind, away = [], set(), [], []
    for leg, tr in trials:
        if _facing_of(kin, tr.start_frame, tr.end_frame + 1) != facing or leg not in per_leg:
            away.append(tr.number)
            out.append((leg, tr))
            continue
        scale, scale_sd, ratio, ratio_sd, wall_h, wall_sd = per_leg[leg]
        o = foot_at.get(tr.peak_frame) if tr.peak_frame is not None else None
        toe = _toe(o, kin, tr.peak_frame, leg, marker, settings, facing=facing, roll=roll, scale=scale * ratio,
                   level=level)
        if toe is None:
            out.append((leg, tr))
            continue
        toe_h, toe_sd, source = toe
        toe_sources.add(source)
        kw = dict(facing=facing, px_per_cm=scale, depth_ratio=ratio, centre_h_px=centre)
        cm = float(toe_to_wall_cm(toe_h, wall_h, **kw))
        if cm < -MAX_PAST_WALL_CM:  # the tip past the wall: the wall found is not the wall
            behind.append(tr.number)
            out.append((leg, tr))
            continue
        sd = float(toe_to_wall_sd_cm(toe_h, wall_h, px_per_cm_sd=scale_sd, toe_sd_px=toe_sd, wall_sd_px=wall_sd,
                                     depth_ratio_sd=ratio_sd, **kw))
        out.append((leg, dataclasses.replace(tr, toe_to_wall_cm=round_or_none(cm, 1),
                                             toe_to_wall_sd_cm=round_or_none(sd, 1))))
    note = None
    if all(tr.toe_to_wall_cm is None for _, tr in out):
        hidden = marker is not None and any(_card_hides_toe(kin, tr.peak_frame, leg, marker, facing=facing, roll=roll,
                                                            level=level)
                                            for leg, tr in trials if tr.peak_frame is not None)
        note = ("cm not measured: the marker card hides the shoe's tip (it stands between the toe and the wall); "
                "give --foot-length-cm to place the tip from the heel" if hidden else
                f"cm not measured: the shoe's tip was beyond the wall found ({_WALL_NAME[wall_source]}): no "
                "knee-to-wall contact seen" if behind else
                "cm not measured: no trial faced the wall the scale and wall were found for" if len(away) == len(out)
                else "cm not measured: the shoe's tip was not found at any trial's heel-down peak")
    return out, Distance(scale_source=scale_source, px_per_cm=round_or_none(scale * ratio, 3),
                         px_per_cm_sd=round_or_none(scale_sd * ratio, 3), wall_source=wall_source, note=note,
                         marker_frames=len(corners), frames_looked_at=n_looked,
                         toe_source=min(toe_sources) if len(toe_sources) == 1 else
                         ("mixed" if toe_sources else None))


def _card_hides_toe(kin, i: int, leg: int, marker, *, facing: float, roll: float, level=None) -> bool:
    """Whether the marker card's image covers where the shoe's tip is looked for at frame
    ``i`` (a card put in front of the foot, against the instruction, then hides the tip)."""
    from ...vision.marker import level_h, level_v

    xy = np.concatenate(_levelled(np.array([kin.x_px[TOE, leg, i]], dtype=np.float64),
                                  np.array([kin.y_px[TOE, leg, i]], dtype=np.float64), level))
    if not np.all(np.isfinite(xy)):
        return False
    fl = float(kin.foot_length_px[leg])
    h = float(level_h(xy, roll))
    lo, hi = sorted((h + facing * TOE_SEARCH[0] * fl, h + facing * TOE_SEARCH[1] * fl))
    return bool(level_v(xy, roll) > marker.card_top_v_px and lo < marker.card_h_px[1] and hi > marker.card_h_px[0])


def _toe(o: dict | None, kin, i, leg: int, marker, settings, *, facing: float, roll: float,
         scale: float, level=None) -> tuple[float, float, str] | None:
    """(level-horizontal position, SD px, source) of the shoe's tip at a trial's peak: its
    outline (in front of the card, standing behind the foot as instructed), or, where that
    was not found and a card put in front of the foot hides it, the heel's outline plus the
    given foot length (``scale``: px per cm at the foot); None where neither is at hand."""
    from ...vision.marker import level_h

    if o is None:
        return None
    tip = o.get("toe")
    if tip is not None:
        return float(level_h(np.array(tip.xy_px), roll)), tip.sd_px, "outline"
    if marker is None or not _card_hides_toe(kin, i, leg, marker, facing=facing, roll=roll, level=level):
        return None
    heel = o.get("heel")
    if heel is None or settings.foot_length_cm is None:
        return None
    h = float(level_h(np.array(heel.xy_px), roll)) + facing * settings.foot_length_cm * scale
    return h, float(np.hypot(heel.sd_px, FOOT_LENGTH_SD_CM * scale)), "heel_and_foot_length"


def no_video_distance(trials) -> Distance:
    """The :class:`Distance` when there are no frames to measure in."""
    if not trials:
        return _no_distance("no knee drive: no trial to measure")
    return _no_distance("cm not measured: the video's frames were not at hand (scored from landmarks only)")


def best_distance(leg: LegResult) -> LegResult:
    """The leg result with its best trial's toe-to-wall distance."""
    best = next((tr for tr in leg.trials if tr.number == leg.best_trial), None)
    if best is None:
        return leg
    return dataclasses.replace(leg, toe_to_wall_cm=best.toe_to_wall_cm, toe_to_wall_sd_cm=best.toe_to_wall_sd_cm)
