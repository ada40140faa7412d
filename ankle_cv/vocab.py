"""Typed vocabularies shared by every protocol, the outputs and the CLI.

Each member's value is the string written to reports, so ``json.dumps`` of a result needs
no conversion and a report reader sees the same words as the code. The warning codes carry
their documentation: the README/docs tables are generated from them and a test checks
that they match.
"""

from __future__ import annotations

import enum
import sys

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10
    class StrEnum(str, enum.Enum):
        """A string enum whose ``str()`` is its value (the 3.11 ``enum.StrEnum``)."""

        def __str__(self) -> str:
            return str(self.value)


class Classification(StrEnum):
    """Verdict of one tested leg against the restriction cut-off."""

    RESTRICTED = "restricted"
    BORDERLINE = "borderline"
    NOT_RESTRICTED = "not_restricted"
    NOT_INTERPRETABLE = "not_interpretable"
    NO_RESULT = "no_result"


class View(StrEnum):
    """How the camera sees the person, from the body's width against its torso length."""

    SIDE = "side"
    OBLIQUE = "oblique"
    FRONT = "front"
    MIXED = "mixed"
    UNKNOWN = "unknown"


class RollSource(StrEnum):
    """Where the camera roll used came from (``level``: none found, assumed 0)."""

    USER = "user"
    SCENE = "scene"
    SOLE = "sole"
    LEVEL = "level"


class RollChoice(StrEnum):
    """Which roll estimate the user asks for (``auto``: scene lines, else level)."""

    AUTO = "auto"
    SCENE = "scene"
    SOLE = "sole"
    LEVEL = "level"


class HeelSource(StrEnum):
    """Where the tested foot's heel height came from."""

    IMAGE = "image"
    LANDMARKS = "landmarks"


class Posture(StrEnum):
    """What a knee drive looks like (:mod:`ankle_cv.protocols.knee_to_wall.posture`)."""

    KNEE_TO_WALL = "knee_to_wall"
    SINGLE_LEG_HINGE = "single_leg_hinge"
    WALKING_LUNGE = "walking_lunge"
    STEPPING_LUNGE = "stepping_lunge"
    SQUAT = "squat"
    WALKING = "walking"
    UNCLEAR = "unclear"


class WarningCode(StrEnum):
    """Quality warnings: what about a recording limits what its numbers mean.

    ``when`` documents the condition (docs tables are generated from it); ``blocks`` is the
    reason a verdict names when the warning withholds it (None: the warning does not).
    """

    NOT_SIDE_VIEW = "not_side_view"
    LOW_DETECTION = "low_detection"
    TOO_FEW_FRAMES = "too_few_frames"
    FEET_NOT_VISIBLE = "feet_not_visible"
    FEET_OUT_OF_FRAME = "feet_out_of_frame"
    LOW_VISIBILITY = "low_visibility"
    LEG_LOST = "leg_lost"
    TESTED_LEG_FAR = "tested_leg_far"
    NOT_KNEE_TO_WALL = "not_knee_to_wall"
    NOISY_TRIAL = "noisy_trial"
    NO_HEEL_DOWN_PEAK = "no_heel_down_peak"
    HEEL_NOT_CHECKED = "heel_not_checked"
    HEEL_FROM_LANDMARKS = "heel_from_landmarks"
    NO_KNEE_DRIVE = "no_knee_drive"
    FEET_MOVING = "feet_moving"
    SMALL_IN_FRAME = "small_in_frame"
    ROLL_ASSUMED_LEVEL = "roll_assumed_level"
    LARGE_ROLL = "large_roll"
    LEG_SIDE_UNCERTAIN = "leg_side_uncertain"
    ASYMMETRY_WITHHELD = "asymmetry_withheld"
    DAMAGED_FRAMES = "damaged_frames"
    NO_REPS = "no_reps"
    REPS_NOT_COUNTED = "reps_not_counted"
    OBLIQUE_VIEW = "oblique_view"
    VIEW_CHANGED = "view_changed"
    VIEW_OVERRIDDEN = "view_overridden"

    @property
    def when(self) -> str:
        return _WHEN[self]

    @property
    def blocks(self) -> str | None:
        return _BLOCKS.get(self)


_WHEN = {
    WarningCode.NOT_SIDE_VIEW: "the camera is oblique (body width 0.25–0.42 torso lengths); a front view (> 0.42) "
                               "is an error unless `--allow-any-view`",
    WarningCode.LOW_DETECTION: "a person in fewer than 80% of frames",
    WarningCode.TOO_FEW_FRAMES: "fewer than 30 frames with a person, or under 2 s",
    WarningCode.FEET_NOT_VISIBLE: "the tested foot was seen in under half the frames with a person",
    WarningCode.FEET_OUT_OF_FRAME: "the tested foot outside the picture in more than 5% of frames",
    WarningCode.LOW_VISIBILITY: "median visibility of the tested leg's knee, ankle, heel, foot index below 0.7",
    WarningCode.LEG_LOST: "MediaPipe lost the tested leg (its ankle left the planted foot) in over a fifth of a "
                          "trial; a trial is trusted only if held in 80% of the frames within 0.5 s of its peak",
    WarningCode.TESTED_LEG_FAR: "the tested leg was on the far side from the camera, behind the other leg: "
                                "advice; each trial is trusted only on its own tracking evidence (visibility, "
                                "segment lengths, no knee jumps or label flips)",
    WarningCode.NOT_KNEE_TO_WALL: "fewer than half the knee drives look like a knee-to-wall test (both feet "
                                  "planted, the back foot 0.5-3.5 foot lengths behind, trunk within 35° of "
                                  "vertical, knee forward over a still foot): names the motion (squat, walking, "
                                  "walking/stepping lunge, single-leg hinge, unclear) and its numbers",
    WarningCode.NOISY_TRIAL: "a trial's frame-to-frame angle noise SD is above 1.5°: not trusted for the best "
                             "result",
    WarningCode.NO_HEEL_DOWN_PEAK: "no trial of a leg has a valid heel-down peak (heel lifted, or leg lost, "
                                   "before the drive)",
    WarningCode.HEEL_NOT_CHECKED: "the heel could not be followed up to the peak of some trials: a lift there "
                                  "would go unnoticed",
    WarningCode.HEEL_FROM_LANDMARKS: "no video to track the heel in: heel lifts from landmarks, which drift up at "
                                     "steep angles",
    WarningCode.NO_KNEE_DRIVE: "no drive of at least 5°",
    WarningCode.FEET_MOVING: "the front foot was still in under half the frames: not a knee-to-wall test "
                             "(walking?)",
    WarningCode.SMALL_IN_FRAME: "the tested foot is under 40 px long: landmarks coarse, heel not tracked",
    WarningCode.ROLL_ASSUMED_LEVEL: "the roll source asked for (scene lines within 15° of level, or the sole) was "
                                    "not available: roll 0 assumed",
    WarningCode.LARGE_ROLL: "the sole's roll estimate (with `--roll-source sole`) is beyond ±15°",
    WarningCode.LEG_SIDE_UNCERTAIN: "MediaPipe's left/right labels agree with the chosen side in under 80% of "
                                    "frames",
    WarningCode.ASYMMETRY_WITHHELD: "both legs were tested but a result is not interpretable: no left-right "
                                    "comparison",
    WarningCode.DAMAGED_FRAMES: "the video decoder reported damage (a corrupt stretch it concealed and decoded on): "
                                "landmarks there may be wrong; names the frames and the trials they fall in",
    WarningCode.NO_REPS: "squat: no complete rep (standing, down at least 0.1 leg lengths, standing again, feet "
                         "planted)",
    WarningCode.REPS_NOT_COUNTED: "squat: dips of the hips not counted as reps, each with the reason (feet moving, "
                                  "clip edge, too short, half rep)",
    WarningCode.OBLIQUE_VIEW: "squat: reps filmed obliquely (body width 0.25–0.42 torso lengths): valgus, turn-out, "
                              "knee flexion and heel lift not measured in them",
    WarningCode.VIEW_CHANGED: "squat: reps filmed from different views; each rep reports what its own view supports",
    WarningCode.VIEW_OVERRIDDEN: "squat: `--view` was given, but the body's width says another view in some reps: "
                                 "their measures may be meaningless",
}

_BLOCKS = {
    WarningCode.NOT_SIDE_VIEW: "the camera was not side-on",
    WarningCode.FEET_MOVING: "the front foot was not planted",
    WarningCode.NOT_KNEE_TO_WALL: "the motion is not a knee-to-wall test",
    WarningCode.TOO_FEW_FRAMES: "the clip is too short",
}

#: The warnings that withhold every verdict of a clip, in the order their reasons are named.
BLOCKING = tuple(_BLOCKS)


class ExitCode(enum.IntEnum):
    """Exit status of the command line (docs table generated from ``doc``)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INPUT = 3
    NO_PERSON = 4
    VIEW = 5
    MODEL = 6
    OUTPUT = 7
    NO_RESULT = 8
    SOME_FAILED = 9
    INTERRUPTED = 130
    TERMINATED = 143

    @property
    def doc(self) -> str:
        return _EXIT_DOC[self]


_EXIT_DOC = {
    ExitCode.OK: "success",
    ExitCode.INTERNAL: "internal error (a bug: `ANKLE_CV_DEBUG=1` shows the traceback)",
    ExitCode.USAGE: "usage error (e.g. the file does not exist, an unknown option), one line",
    ExitCode.INPUT: "not a video, empty, corrupt (a stretch of frames that cannot be decoded), truncated (decoding "
                    "stops well short of the declared length, in frames and in time), no decodable frame",
    ExitCode.NO_PERSON: "no person in any frame",
    ExitCode.VIEW: "wrong camera view (front view for knee-to-wall)",
    ExitCode.MODEL: "the pose model is missing or not the pinned one",
    ExitCode.OUTPUT: "the output folder cannot be written (checked before the analysis starts)",
    ExitCode.NO_RESULT: "analysed, outputs written, but no tested leg has a result (no valid trial): the report "
                        "says why",
    ExitCode.SOME_FAILED: "batch: finished, but some videos failed (each has a `failed` row in summary.csv with "
                          "its reason)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C, SIGINT): pose helpers stopped, nothing half-written left, then "
                          "the process ends by the signal (the shell's 128 + 2)",
    ExitCode.TERMINATED: "terminated (SIGTERM, as `timeout` and job schedulers send): the same clean-up and end "
                         "(128 + 15)",
}


def warning_codes_markdown() -> str:
    """The quality-warning table of the docs, generated from :class:`WarningCode`."""
    rows = ["| code | when | withholds the verdict |", "|---|---|---|"]
    rows += [f"| `{code.value}` | {code.when} | {'yes: ' + code.blocks if code.blocks else ''} |"
             for code in WarningCode]
    return "\n".join(rows)


def exit_codes_markdown() -> str:
    """The exit-code table of the docs, generated from :class:`ExitCode`."""
    return "\n".join(["| exit | cause |", "|---|---|"] + [f"| {code.value} | {code.doc} |" for code in ExitCode])
