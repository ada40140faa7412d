"""Scenarios: what to render, as frozen dataclasses with keyword-only, validated parameters.

A scenario plus its seed fixes every pixel of the clip (timing variation, sway, camera shake
and sensor noise all come from ``np.random.default_rng(seed)``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from .figure import Appearance


def _check(name: str, value: float, lo: float, hi: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")


def _choice(name: str, value: str, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {value!r}")


def _pair(name: str, value, lo: float, hi: float) -> tuple[float, float]:
    """A (left, right) pair; a single number applies to both legs."""
    pair = (value, value) if isinstance(value, (int, float)) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be one number or a (left, right) pair, got {value!r}")
    for leg, v in zip(("left", "right"), pair):
        _check(f"{name} ({leg})", v, lo, hi)
    return (float(pair[0]), float(pair[1]))


@dataclass(frozen=True, kw_only=True)
class Capture:
    """Person, camera and video parameters shared by every scenario.

    Parameters
    ----------
    seed : int
        Seeds timing variation, sway, camera shake and sensor noise.
    height_m : float
        Person's height, 1.40-2.10 m; all segment lengths follow Winter's ratios.
    width_px, height_px : int
        Output frame size (portrait when height_px > width_px), 64-3840 each.
    fps : float
        Frame rate, 10-120.
    roll_deg : float
        Camera roll: apparent angle of the true horizontal, CCW on screen positive, +-10.
    fov_deg : float
        Field of view along the frame's long side, 40-100 (phone main camera ~65-70).
    camera_height_m : float or None
        Height of the optical centre; None = 0.5 x person height.
    camera_distance_m : float or None
        Distance from the person; None = the nearest that keeps the whole clip in frame.
    camera_pitch_deg : float
        Optical axis above the horizontal (negative looks down), +-20.
    shake_deg : float
        Standard deviation of a smooth hand-held pan/tilt jitter, 0-1 (roll stays exact).
    door_casings : bool
        Paint two door casings (true verticals) on the back wall, 0.5 and 1.1 m (for a 1.75 m
        person) behind the framing's centre, away from the faced wall (side views); the default
        room has no vertical but the corner with the faced wall.
    noise_sigma : float
        Gaussian sensor noise, in 8-bit levels, 0-20.
    jpeg_quality : int or None
        If set (5-100), each frame goes through a JPEG round trip before video encoding.
    supersample : int
        Anti-aliasing: rays per pixel per axis, 1-4.
    blur_px : float
        Gaussian optical blur (sigma, output pixels), 0-3.
    appearance : Appearance
        Colours and clothing.
    """

    seed: int = 0
    height_m: float = 1.75
    width_px: int = 1280
    height_px: int = 720
    fps: float = 30.0
    roll_deg: float = 0.0
    fov_deg: float = 65.0
    camera_height_m: float | None = None
    camera_distance_m: float | None = None
    camera_pitch_deg: float = 0.0
    shake_deg: float = 0.0
    door_casings: bool = False
    noise_sigma: float = 2.0
    jpeg_quality: int | None = None
    supersample: int = 2
    blur_px: float = 0.5
    appearance: Appearance = field(default_factory=Appearance)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        _check("height_m", self.height_m, 1.40, 2.10)
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 64 <= value <= 3840:
                raise ValueError(f"{name} must be an integer in [64, 3840], got {value!r}")
        _check("fps", self.fps, 10.0, 120.0)
        _check("roll_deg", self.roll_deg, -10.0, 10.0)
        _check("fov_deg", self.fov_deg, 40.0, 100.0)
        if self.camera_height_m is not None:
            _check("camera_height_m", self.camera_height_m, 0.1, 2.5)
        if self.camera_distance_m is not None:
            _check("camera_distance_m", self.camera_distance_m, 0.8, 15.0)
        _check("camera_pitch_deg", self.camera_pitch_deg, -20.0, 20.0)
        _check("shake_deg", self.shake_deg, 0.0, 1.0)
        _check("noise_sigma", self.noise_sigma, 0.0, 20.0)
        if self.jpeg_quality is not None and (not isinstance(self.jpeg_quality, int)
                                              or not 5 <= self.jpeg_quality <= 100):
            raise ValueError(f"jpeg_quality must be None or an integer in [5, 100], "
                             f"got {self.jpeg_quality!r}")
        if not isinstance(self.supersample, int) or not 1 <= self.supersample <= 4:
            raise ValueError(f"supersample must be an integer in [1, 4], got {self.supersample!r}")
        _check("blur_px", self.blur_px, 0.0, 3.0)
        if not isinstance(self.appearance, Appearance):
            raise ValueError("appearance must be an ankle_cv_render.figure.Appearance")

    def to_dict(self) -> dict:
        """All parameters as JSON-ready values, with the scenario's class name under ``type``."""
        out = {"type": type(self).__name__}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "appearance" or f.name == "heel_lift":
                value = None if value is None else asdict(value)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True, kw_only=True)
class HeelLift:
    """A heel lift of the tested foot during one knee-to-wall trial.

    The rear foot rotates about the ball of the foot (toes stay down) while the knee keeps
    driving, so the tibia angle goes on rising during the lift.

    Parameters
    ----------
    trial : int
        1-based trial index.
    onset_s : float
        Lift start after the trial's knee drive starts, 0-2.5 s.
    peak_height_cm : float
        Rise of the posterior heel point, 0.3-6 cm.
    rise_s, hold_s, fall_s : float
        Durations of the rise (0.1-1.5 s), the hold at the peak (0-2 s), the fall (0.1-1.5 s).
    """

    trial: int = 3
    onset_s: float = 0.7
    peak_height_cm: float = 2.0
    rise_s: float = 0.3
    hold_s: float = 0.3
    fall_s: float = 0.35

    def __post_init__(self) -> None:
        if not isinstance(self.trial, int) or not 1 <= self.trial <= 3:
            raise ValueError(f"heel lift trial must be 1, 2 or 3, got {self.trial!r}")
        _check("heel lift onset_s", self.onset_s, 0.0, 2.5)
        _check("heel lift peak_height_cm", self.peak_height_cm, 0.3, 6.0)
        _check("heel lift rise_s", self.rise_s, 0.1, 1.5)
        _check("heel lift hold_s", self.hold_s, 0.0, 2.0)
        _check("heel lift fall_s", self.fall_s, 0.1, 1.5)


@dataclass(frozen=True, kw_only=True)
class KneeToWall(Capture):
    """Knee-to-wall (weight-bearing lunge) test filmed from the side.

    Parameters
    ----------
    tested_leg : {"left", "right"}
        The front leg, foot flat and pointing at the wall.
    facing : {"left", "right"}
        Image direction the feet point in. Facing right shows the person's right side.
    peak_tibia_deg : tuple of float
        Peak tibia-to-vertical angle of each trial (1-3 trials), 10-50 deg each.
    heel_lift : HeelLift or None
        Optional heel lift in one trial.
    wall : bool
        Draw the wall the person faces. Without ``toe_to_wall_cm`` it stands 5 cm (scaled)
        ahead of the knee centre at the clip's furthest drive (the original placement).
    toe_to_wall_cm : float or None
        Horizontal distance from the tested shoe's toe tip to the wall plane, 3-30 cm: the
        wall is measured (per-frame gap truth, a plain texture). The peak angles stay as
        commanded; the truth reports the knee-front-to-wall gap (``touch_toe_to_wall_cm``
        gives the distance at which the front of the knee just touches at the highest peak).
        A knee that would pass through the wall is an error.
    marker_cm : float or None
        Side of a printed ArUco marker (DICT_4X4_50, id 0), 4-20 cm, on an upright card on the
        floor beside the tested foot, its wall-side edge against the wall, facing the camera.
        Needs ``toe_to_wall_cm``.
    marker_margin_cm : float
        White margin from each side of the marker to the card's edge, 1-5 cm (2.5 = the card
        ankle-cv prints, ``ankle_cv.vision.marker.CARD_MARGIN_CM``).
    marker_offset_cm : float
        How much nearer the camera than the tested foot's midline the card stands, 6-30 cm,
        or, negative, how far behind it (-30 to -6; the shoe is about 5 cm wide each side of
        the midline). The default, -8, is ankle-cv's instruction: behind the foot, where the
        card cannot hide the shoe's tip (in front, it does whenever the toe is within the
        card's width of the wall).
    marker_lift_cm : float
        Height of the card's marker part (the square with its margins) above the floor, 0-20
        cm: the card is that much taller, plain paper below, so that the shoe does not hide
        the marker (default 12, ankle-cv's printable card on A4).
    back_foot_cm : float or None
        Back ankle centre this far behind the front one (horizontal), 25-85 cm; the back heel
        rises (rotation about the ball) in the frames where the back leg could not reach the
        floor flat. None = the original stance (flat, as far back as reachable, <= 45 cm).
    """

    tested_leg: str = "right"
    facing: str = "right"
    peak_tibia_deg: tuple[float, ...] = (36.0, 40.0, 38.0)
    heel_lift: HeelLift | None = None
    wall: bool = True
    toe_to_wall_cm: float | None = None
    marker_cm: float | None = None
    marker_margin_cm: float = 2.5
    marker_offset_cm: float = -8.0
    marker_lift_cm: float = 12.0
    back_foot_cm: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _choice("tested_leg", self.tested_leg, ("left", "right"))
        _choice("facing", self.facing, ("left", "right"))
        peaks = self.peak_tibia_deg
        peaks = (peaks,) if isinstance(peaks, (int, float)) else tuple(peaks)
        if not 1 <= len(peaks) <= 3:
            raise ValueError(f"peak_tibia_deg needs 1 to 3 trials, got {len(peaks)}")
        for i, p in enumerate(peaks):
            _check(f"peak_tibia_deg (trial {i + 1})", p, 10.0, 50.0)
        object.__setattr__(self, "peak_tibia_deg", tuple(float(p) for p in peaks))
        if self.heel_lift is not None:
            if not isinstance(self.heel_lift, HeelLift):
                raise ValueError("heel_lift must be a HeelLift or None")
            if self.heel_lift.trial > len(peaks):
                raise ValueError(f"heel lift trial {self.heel_lift.trial} but only "
                                 f"{len(peaks)} trial(s)")
        if not isinstance(self.wall, bool):
            raise ValueError(f"wall must be True or False, got {self.wall!r}")
        if self.toe_to_wall_cm is not None:
            _check("toe_to_wall_cm", self.toe_to_wall_cm, 3.0, 30.0)
            if not self.wall:
                raise ValueError("toe_to_wall_cm needs wall=True")
        if self.marker_cm is not None:
            _check("marker_cm", self.marker_cm, 4.0, 20.0)
            if self.toe_to_wall_cm is None:
                raise ValueError("marker_cm needs toe_to_wall_cm (the card stands against the wall)")
        _check("marker_margin_cm", self.marker_margin_cm, 1.0, 5.0)
        _check("marker_offset_cm", abs(self.marker_offset_cm), 6.0, 30.0)
        _check("marker_lift_cm", self.marker_lift_cm, 0.0, 20.0)
        if self.back_foot_cm is not None:
            _check("back_foot_cm", self.back_foot_cm, 25.0, 85.0)


@dataclass(frozen=True, kw_only=True)
class _Squat(Capture):
    """Bodyweight squat reps (shared by the front and side views)."""

    n_reps: int = 3
    depth_knee_flexion_deg: float = 100.0
    stance_width_cm: float = 36.0
    turnout_deg: tuple[float, float] = (10.0, 10.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.n_reps, int) or not 1 <= self.n_reps <= 5:
            raise ValueError(f"n_reps must be an integer in [1, 5], got {self.n_reps!r}")
        _check("depth_knee_flexion_deg", self.depth_knee_flexion_deg, 60.0, 120.0)
        _check("stance_width_cm", self.stance_width_cm, 20.0, 70.0)
        object.__setattr__(self, "turnout_deg", _pair("turnout_deg", self.turnout_deg, -10.0, 35.0))


@dataclass(frozen=True, kw_only=True)
class SquatFront(_Squat):
    """Squat filmed from the front, with chosen knee valgus and foot turn-out at depth.

    Parameters
    ----------
    n_reps : int
        1-5 reps.
    depth_knee_flexion_deg : float
        Knee flexion at the bottom, 60-120 deg.
    stance_width_cm : float
        Distance between the ankle centres, 20-70 cm.
    turnout_deg : (left, right)
        Foot turn-out at the bottom, -10-35 deg (positive = toes out).
    fppa_deg : (left, right)
        Frontal plane projection angle at the bottom, -20-30 deg (positive = knee medial).
    turnout_change_deg : (left, right)
        Change of turn-out from standing to the bottom, -15-25 deg (the foot pivots on the heel;
        standing turn-out = turnout_deg - turnout_change_deg, also within -10-35).
    """

    fppa_deg: tuple[float, float] = (8.0, 8.0)
    turnout_change_deg: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "fppa_deg", _pair("fppa_deg", self.fppa_deg, -20.0, 30.0))
        object.__setattr__(self, "turnout_change_deg",
                           _pair("turnout_change_deg", self.turnout_change_deg, -15.0, 25.0))
        for leg, bottom, change in zip(("left", "right"), self.turnout_deg, self.turnout_change_deg):
            _check(f"standing turn-out (turnout_deg - turnout_change_deg, {leg})", bottom - change,
                   -10.0, 35.0)


@dataclass(frozen=True, kw_only=True)
class SquatSide(_Squat):
    """Squat filmed from the side, with a chosen heel lift at depth.

    Parameters
    ----------
    facing : {"left", "right"}
        Image direction the feet point in.
    heel_lift_cm : float
        Rise of both posterior heel points at the bottom, 0-6 cm (0 = heels stay down). The
        heels start rising at half depth.
    heel_lift_reps : tuple of int or None
        1-based reps with the heel lift; None = every rep.
    """

    facing: str = "right"
    heel_lift_cm: float = 2.0
    heel_lift_reps: tuple[int, ...] | None = None
    turnout_deg: tuple[float, float] = (5.0, 5.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        _choice("facing", self.facing, ("left", "right"))
        _check("heel_lift_cm", self.heel_lift_cm, 0.0, 6.0)
        if self.heel_lift_reps is not None:
            reps = tuple(self.heel_lift_reps)
            if not reps or any(not isinstance(r, int) or not 1 <= r <= self.n_reps for r in reps):
                raise ValueError(f"heel_lift_reps must list reps in 1..{self.n_reps}, got {reps!r}")
            object.__setattr__(self, "heel_lift_reps", reps)


def _per_rep(name: str, value, n_reps: int, lo: float, hi: float) -> tuple[float, ...]:
    """One number for every rep, or one per rep."""
    values = (value,) * n_reps if isinstance(value, (int, float)) else tuple(value)
    if len(values) != n_reps:
        raise ValueError(f"{name} needs one value or {n_reps} (one per rep), got {len(values)}")
    for i, v in enumerate(values):
        _check(f"{name} (rep {i + 1})", v, lo, hi)
    return tuple(float(v) for v in values)


@dataclass(frozen=True, kw_only=True)
class SingleLegHinge(Capture):
    """Single-leg hinge (one-leg Romanian deadlift) from the side: not a knee-to-wall test.

    Parameters
    ----------
    facing : {"left", "right"}
        Image direction the person faces.
    stance_leg : {"left", "right"}
        The leg that stays on the floor (foot flat); the other rises behind.
    n_reps : int
        1-5 reps.
    peak_trunk_deg : float or tuple of float
        Trunk pitch forward from vertical at the bottom of each rep, 40-80 deg.
    stance_knee_flexion_deg : float
        Stance knee flexion at the bottom, 5-30 deg (half of it standing).
    """

    facing: str = "right"
    stance_leg: str = "right"
    n_reps: int = 3
    peak_trunk_deg: tuple[float, ...] = (60.0,)
    stance_knee_flexion_deg: float = 18.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _choice("facing", self.facing, ("left", "right"))
        _choice("stance_leg", self.stance_leg, ("left", "right"))
        if not isinstance(self.n_reps, int) or not 1 <= self.n_reps <= 5:
            raise ValueError(f"n_reps must be an integer in [1, 5], got {self.n_reps!r}")
        peaks = self.peak_trunk_deg
        if not isinstance(peaks, (int, float)) and len(tuple(peaks)) == 1:
            peaks = tuple(peaks)[0]
        object.__setattr__(self, "peak_trunk_deg",
                           _per_rep("peak_trunk_deg", peaks, self.n_reps, 40.0, 80.0))
        _check("stance_knee_flexion_deg", self.stance_knee_flexion_deg, 5.0, 30.0)


@dataclass(frozen=True, kw_only=True)
class WalkingLunge(Capture):
    """Walking lunge from the side: steps forward with alternate legs; not a knee-to-wall test.

    Parameters
    ----------
    facing : {"left", "right"}
        Image direction the person walks in.
    first_leg : {"left", "right"}
        The leg that steps forward first.
    n_reps : int
        2-4 steps (each: the back foot lifts, comes through, lands ahead, lunge down and up).
    step_cm : float
        Front ankle centre ahead of the back one in the lunge, 50-100 cm.
    front_knee_flexion_deg : float
        Front knee flexion at the bottom of each lunge, 60-110 deg.
    """

    facing: str = "right"
    first_leg: str = "right"
    n_reps: int = 3
    step_cm: float = 75.0
    front_knee_flexion_deg: float = 90.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _choice("facing", self.facing, ("left", "right"))
        _choice("first_leg", self.first_leg, ("left", "right"))
        if not isinstance(self.n_reps, int) or not 2 <= self.n_reps <= 4:
            raise ValueError(f"n_reps must be an integer in [2, 4], got {self.n_reps!r}")
        _check("step_cm", self.step_cm, 50.0, 100.0)
        _check("front_knee_flexion_deg", self.front_knee_flexion_deg, 60.0, 110.0)
