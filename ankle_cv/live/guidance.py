"""What is wrong with the set-up, from the last half second of landmarks and the picture: the
messages the live window shows big, most pressing first. Pure functions on arrays.

The thresholds are the analysis's own where it has one (the camera view from
:mod:`ankle_cv.core.quality`, the landmark visibility of the settings); the others are stated
here with the reason for their value.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core.quality import body_width_ratios, views_of
from ..landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
)
from ..vocab import StrEnum, View


class Guidance(StrEnum):
    """A set-up problem, worded as the window shows it; members are in order of priority."""

    TOO_DARK = "too dark"
    NO_PERSON = "no person"
    STEP_BACK = "step back so both feet are in frame"
    TURN_SIDE_ON = "turn side-on"
    NOT_LEVEL = "phone not level"
    HEEL_LIFTED = "heel lifted"


#: Guidance is judged over the processed frames of the last half second: one missed frame
#: does not make a message flicker, and a fixed set-up clears it within half a second.
RECENT_S = 0.5
#: Mean luminance (0-255) below which the picture is too dark: there a webcam's or phone's
#: auto-exposure has run out of range, the picture is mostly sensor noise and motion blur,
#: MediaPipe misses people, and the heel tracker's patches lose the texture they match on.
#: Measured: the sample darkened digitally (no added noise) keeps MediaPipe's person in 30/30
#: frames down to a mean of 20 and 27/30 at 10; a real camera in that light adds noise and
#: blur the digital darkening lacks, so 40 (a third of the sample's 124) asks for light with a
#: margin: a prompt, not a limit (the session goes on).
TOO_DARK_LUMA = 40.0
#: A foot landmark (ankle, heel, foot index) further outside the picture than this share of
#: its size counts as out of frame: MediaPipe places landmarks a little outside the edge when
#: the foot touches it.
EDGE_MARGIN_SHARE = 0.01
#: "Step back" when the feet are out of frame (or not seen at all) in more than this share of
#: the recent frames with a person: a majority, so a passing occlusion does not trigger it.
MIN_FEET_OUT_SHARE = 0.5
#: Camera roll (degrees, from the scene's straight lines) beyond which the phone is "not
#: level". The analysis levels the picture with the same lines, but a roll they fail to catch
#: adds to the tibia angle one for one, and 5 deg is about the test's minimal detectable change
#: (4.6 deg): a phone set up by eye is level within 2-3 deg.
MAX_ROLL_DEG = 5.0
#: Seconds of scene lines the roll is estimated from (lines are looked for about once a second).
ROLL_LINES_S = 5.0

FOOT_POINTS = (LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)


def mean_luma(image_bgr: np.ndarray, *, step_px: int = 8) -> float:
    """Mean luminance (Rec. 601, 0-255) of a BGR picture, from every ``step_px``-th pixel."""
    sample = np.asarray(image_bgr[::step_px, ::step_px], dtype=np.float32)
    return float((sample @ np.array([0.114, 0.587, 0.299], dtype=np.float32)).mean())


def _detected(xyzv: np.ndarray) -> np.ndarray:
    return ~np.isnan(xyzv[:, :, 0]).all(axis=1)


def feet_out_share(xyzv: np.ndarray, frame_size_px: tuple[int, int], *, min_visibility: float) -> float:
    """Share of the frames with a person in which a foot landmark lies outside the picture,
    or no foot landmark is seen at all (visibility below ``min_visibility``).

    Parameters
    ----------
    xyzv : ndarray of shape (T, 33, 4)
    """
    person = xyzv[_detected(xyzv)]
    if person.shape[0] == 0:
        return 0.0
    feet = person[:, list(FOOT_POINTS)]
    width, height = frame_size_px
    mx, my = EDGE_MARGIN_SHARE * width, EDGE_MARGIN_SHARE * height
    x, y = feet[..., 0], feet[..., 1]
    with np.errstate(invalid="ignore"):
        outside = ((x < -mx) | (x > width + mx) | (y < -my) | (y > height + my)).any(axis=1)
        unseen = ~(feet[..., 3] >= min_visibility).any(axis=1)
    return float((outside | unseen).mean())


def side_view(xyzv: np.ndarray, *, roll_deg: float = 0.0) -> bool | None:
    """Whether the camera sees the person side-on (the analysis's view thresholds, on the
    median body width ratio of the frames); None without a torso."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ratio = float(np.nanmedian(body_width_ratios(xyzv, roll_deg=roll_deg))) if len(xyzv) else np.nan
    view = str(views_of(np.array([ratio]))[0])
    return None if view == View.UNKNOWN.value else view == View.SIDE.value


def guidance(recent_xyzv: np.ndarray, frame_size_px: tuple[int, int], *, test: str, luma: float,
             roll_deg: float = float("nan"), heel_lifted: bool | None = None,
             min_visibility: float = 0.5) -> list[Guidance]:
    """The set-up problems seen now, most pressing first.

    Parameters
    ----------
    recent_xyzv : ndarray of shape (T, 33, 4)
        Landmarks of the processed frames of the last :data:`RECENT_S` seconds (pixels).
    frame_size_px : (int, int)
    test : str
        ``knee-to-wall`` needs a side view; the squat is filmed from the front or the side.
    luma : float
        Mean luminance of the newest frame (:func:`mean_luma`).
    roll_deg : float
        Camera roll from the scene's lines (NaN: not known).
    heel_lifted : bool or None
        The tested heel's state from the live analysis (None: not known).
    """
    found: list[Guidance] = []
    if luma < TOO_DARK_LUMA:
        found.append(Guidance.TOO_DARK)
    if recent_xyzv.shape[0] == 0 or not _detected(recent_xyzv).any():
        return found + [Guidance.NO_PERSON]
    if feet_out_share(recent_xyzv, frame_size_px, min_visibility=min_visibility) > MIN_FEET_OUT_SHARE:
        found.append(Guidance.STEP_BACK)
    if test == "knee-to-wall" and side_view(recent_xyzv, roll_deg=np.nan_to_num(roll_deg)) is False:
        found.append(Guidance.TURN_SIDE_ON)
    if np.isfinite(roll_deg) and abs(roll_deg) > MAX_ROLL_DEG:
        found.append(Guidance.NOT_LEVEL)
    if heel_lifted:
        found.append(Guidance.HEEL_LIFTED)
    return found
