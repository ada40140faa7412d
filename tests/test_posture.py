"""Which knee drives are a knee-to-wall test, and which trials are trusted: posture, noise and
tracking evidence on synthetic clips of known geometry (tests/synth.py: foot 120 px, shank
200 px, back foot 260 px = 2.2 foot lengths behind, trunk upright)."""

import dataclasses

import numpy as np
import pytest
from synth import FOOT_PX, knee_to_wall

from ankle_cv import landmarks as lm
from ankle_cv.protocols.knee_to_wall import analyze_knee_to_wall
from ankle_cv.protocols.knee_to_wall.posture import (
    MAX_BACK_FOOT_HEIGHT_FOOT,
    MAX_STAGGER_FOOT,
    MAX_TRUNK_PITCH_DEG,
    MIN_STAGGER_FOOT,
    clip_posture,
    judge,
)
from ankle_cv.protocols.knee_to_wall.results import MAX_JITTER_SD_DEG
from ankle_cv.protocols.knee_to_wall.scoring import MAX_SHANK_WORST
from ankle_cv.vocab import Posture

LUNGE = dict(front_still_share=1.0, back_still_share=1.0, back_foot_height_foot=0.1, stagger_foot=2.0,
             front_travel_foot=0.1, back_travel_foot=0.1,
             trunk_pitch_deg=5.0, knee_travel_foot=0.5, foot_travel_foot=0.0, hip_drop_leg=0.1,
             back_drive_share=np.nan, hip_travel_foot=0.3, foot_shift_foot=0.0)


def codes(result):
    return [w.code.value for w in result.warnings]


@pytest.mark.parametrize("change, posture", [
    ({}, Posture.KNEE_TO_WALL),
    ({"trunk_pitch_deg": 60.0, "back_foot_height_foot": 1.5}, Posture.SINGLE_LEG_HINGE),
    ({"stagger_foot": 0.1}, Posture.SQUAT),
    ({"hip_drop_leg": 0.45, "trunk_pitch_deg": 42.0}, Posture.SQUAT),
    ({"hip_drop_leg": 0.45}, Posture.KNEE_TO_WALL),  # a deep, upright lunge
    ({"front_still_share": 0.1, "back_still_share": 0.0, "front_travel_foot": 3.0, "back_travel_foot": 3.0,
      "hip_travel_foot": 3.0},
     Posture.WALKING),
    ({"foot_shift_foot": 2.5}, Posture.WALKING_LUNGE),
    ({"back_still_share": 0.3, "back_travel_foot": 4.0}, Posture.STEPPING_LUNGE),
    ({"back_still_share": 0.3}, Posture.KNEE_TO_WALL),  # fast but going nowhere: landmark jitter
    ({"stagger_foot": 5.0}, Posture.STEPPING_LUNGE),
    ({"trunk_pitch_deg": 50.0}, Posture.UNCLEAR),
    ({"knee_travel_foot": -0.5}, Posture.UNCLEAR),
    ({"knee_travel_foot": -0.2}, Posture.KNEE_TO_WALL),  # landmark jitter of a far knee
    # unknown evidence fails nothing
    ({"back_still_share": np.nan, "back_foot_height_foot": np.nan, "stagger_foot": np.nan}, Posture.KNEE_TO_WALL),
])
def test_judge_names_the_motion(change, posture):
    name, evidence = judge({**LUNGE, **change})
    assert name == posture
    assert (evidence == "") == (posture == Posture.KNEE_TO_WALL)


def test_judge_limits_are_between_the_test_and_the_other_motions():
    # the test's stance (renders: back foot 1.5-1.8 foot lengths behind, trunk 3-8 deg, back
    # foot within 0.34 of the sole) sits inside every limit with a margin
    assert MIN_STAGGER_FOOT < 1.5 and MAX_STAGGER_FOOT > 1.8
    assert MAX_TRUNK_PITCH_DEG < 40.0 and MAX_TRUNK_PITCH_DEG > 8.0 + 20.0
    assert 0.34 < MAX_BACK_FOOT_HEIGHT_FOOT < 1.0
    assert judge({**LUNGE, "trunk_pitch_deg": MAX_TRUNK_PITCH_DEG - 1})[0] == Posture.KNEE_TO_WALL


def test_clip_posture_is_the_test_when_half_the_drives_are():
    k, s = Posture.KNEE_TO_WALL, Posture.SQUAT
    assert clip_posture([]) is None
    assert clip_posture([k, s]) == k
    assert clip_posture([k, s, s]) == s


def test_a_knee_to_wall_clip_is_judged_and_its_far_leg_gets_a_verdict():
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0))
    result = analyze_knee_to_wall(series)
    left = result.leg("left")  # tested on the far side (facing right): advice, not a block
    assert all(tr.posture == "knee_to_wall" and tr.trusted for tr in left.trials)
    assert left.trials[0].stagger_foot == pytest.approx(260 / FOOT_PX, abs=0.05)
    assert abs(left.trials[0].trunk_pitch_deg) < 2.0
    assert left.trials[0].shank_length_cv < 0.01 and left.trials[0].label_swaps == 0
    assert left.classification == "borderline" and left.best_deg == pytest.approx(40.0, abs=0.2)
    assert "tested_leg_far" in codes(result) and "not_knee_to_wall" not in codes(result)


def _hinge(series):
    """Trunk pitched 60 deg forward, back leg lifted 1.5 foot lengths (image y up = -y)."""
    xyzv = series.xyzv.copy()
    hip = xyzv[:, [lm.LEFT_HIP, lm.RIGHT_HIP], :2].mean(axis=1)
    for sh in (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        xyzv[:, sh, 0] = hip[:, 0] + 330.0 * np.sin(np.deg2rad(60.0))
        xyzv[:, sh, 1] = hip[:, 1] - 330.0 * np.cos(np.deg2rad(60.0))
    for lmk in lm.LEG_LANDMARKS[1][1:]:  # right leg (the back one): knee to foot index
        xyzv[:, lmk, 1] -= 1.5 * FOOT_PX
    return dataclasses.replace(series, xyzv=xyzv)


def test_a_single_leg_hinge_is_refused_and_keeps_its_numbers():
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0))
    result = analyze_knee_to_wall(_hinge(series))
    left = result.leg("left")
    assert [tr.posture for tr in left.trials] == ["single_leg_hinge"] * 3
    assert left.trials[0].trunk_pitch_deg == pytest.approx(60.0, abs=1.0)
    assert left.classification == "not_interpretable" and "not a knee-to-wall test" in left.classification_reason
    assert left.best_deg == pytest.approx(40.0, abs=0.2)  # kept, with the reason
    (warning,) = [w for w in result.warnings if w.code == "not_knee_to_wall"]
    assert "single-leg hinge" in warning.message and "trunk pitched 60 deg" in warning.message


def test_feet_side_by_side_are_a_squat():
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0))
    xyzv = series.xyzv.copy()
    # the right leg stands beside the left, 40 px (a third of a foot) ahead: enough for a
    # front leg to be chosen (0.25 foot lengths), not the stance of a lunge
    xyzv[:, lm.LEG_LANDMARKS[1], :2] = xyzv[:, lm.LEG_LANDMARKS[0], :2] + [40.0, 0.0]
    result = analyze_knee_to_wall(dataclasses.replace(series, xyzv=xyzv))
    trials = [tr for leg in result.legs for tr in leg.trials]
    assert trials and all(tr.posture == "squat" for tr in trials)
    assert all(abs(tr.stagger_foot) < MIN_STAGGER_FOOT for tr in trials)
    assert "not_knee_to_wall" in codes(result)
    assert all(leg.classification in ("not_interpretable", "no_result") for leg in result.legs)


def test_a_noisy_trial_is_not_trusted_for_the_best():
    series, truth = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0))
    xyzv = series.xyzv.copy()
    trial3 = slice(int(6.5 * 30), xyzv.shape[0])  # from the third drive's start (synth: 0.5 s + 2 x 3 s)
    rng = np.random.default_rng(7)  # 16 px on a 200 px shank: a few degrees of scatter
    xyzv[trial3, lm.LEFT_KNEE, :2] += rng.normal(0.0, 16.0, size=(xyzv.shape[0] - trial3.start, 2))
    result = analyze_knee_to_wall(dataclasses.replace(series, xyzv=xyzv))
    left = result.leg("left")
    noisy = left.trials[2]
    assert noisy.jitter_sd_deg > MAX_JITTER_SD_DEG and not noisy.trusted
    assert any("noise SD" in r for r in noisy.distrust_reasons)
    assert left.trials[0].trusted and left.trials[1].trusted
    assert left.best_trial == 2 and left.best_deg == pytest.approx(35.0, abs=0.3)
    assert "noisy_trial" in codes(result)
    assert left.classification == "borderline"  # 35 deg: within the 4.6 deg MDC of 36.5


def test_a_label_flip_inside_a_trial_distrusts_that_trial_only():
    f2 = knee_to_wall(peaks_deg=(30.0, 40.0, 35.0))[1]["peak_frames"][1]
    series, _ = knee_to_wall(peaks_deg=(30.0, 40.0, 35.0), swap_frames=slice(f2 - 20, f2 - 14))
    left = analyze_knee_to_wall(series).leg("left")
    assert left.trials[1].label_swaps >= 1 and not left.trials[1].trusted
    assert any("labels flipped" in r for r in left.trials[1].distrust_reasons)
    assert left.trials[0].trusted and left.trials[2].trusted
    assert left.best_trial == 3


def test_a_shank_that_changes_length_is_not_trusted():
    series, truth = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0))
    xyzv = series.xyzv.copy()
    f3 = truth["peak_frames"][2]
    # the knee landmark slides up the thigh around trial 3's peak: the shank grows by up to
    # 28% (the kinematics already gate frames over 30% off)
    grow = np.clip(1.0 - np.abs(np.arange(xyzv.shape[0]) - f3) / 25.0, 0.0, 1.0)[:, None] * 0.28
    knee, ankle = xyzv[:, lm.LEFT_KNEE, :2], xyzv[:, lm.LEFT_ANKLE, :2]
    xyzv[:, lm.LEFT_KNEE, :2] = knee + grow * (knee - ankle)
    left = analyze_knee_to_wall(dataclasses.replace(series, xyzv=xyzv)).leg("left")
    assert left.trials[2].shank_length_worst > MAX_SHANK_WORST and not left.trials[2].trusted
    assert any("shank changed length" in r for r in left.trials[2].distrust_reasons)
    assert left.best_trial == 2


# Real clips (../shared/media, skipped where absent) and the bundled knee-to-wall samples,
# through the command line. What each clip shows, from a contact sheet of its frames:
REAL_CLIPS = {
    # a woman squats side-on in a gym, feet side by side, hips to knee height, trunk ~40 deg
    "side_squat_pexels-6980032.mp4": "a squat",
    # floor-level camera: a man squats deep with feet together, then walks toward the camera
    "side_squat_yuyoujiang-test-video.mp4": "a squat",
    # partial squats with a band above the knees, feet together; a trainer stands at the left
    "side_banded-squat-with-bystander_pexels-4838146.mp4": "a squat",
    # air squats side-on, then a wide squat facing the camera
    "side-then-front_squat_crossfit-via-ikramaliokz.mp4": "a squat",
    # a man walks across the frame and back
    "side_walk_sports2d-demo4.mp4": "walking",
    # several people walk and jump across a backlit frame
    "side_walk-jump-multiperson_sports2d-demo.mp4": "walking",
    # split-stance lunges: the back foot steps back ~5 foot lengths and returns each rep, so
    # both feet are never planted through a drive (a stepping lunge, not the test's stance)
    "side_reverse-lunge_pexels-8233047.mp4": "a stepping lunge",
    # banded reverse lunges, alternating legs, filmed at ~45 deg
    "oblique_banded-lunge_rnhrn-exercises.mp4": "a stepping lunge",
}


@pytest.mark.media
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_CLIPS))
def test_real_clips_that_are_not_the_test_are_refused_as_what_they_are(name, tmp_path):
    import json

    from click.testing import CliRunner
    from conftest import media

    from ankle_cv.cli import cli

    result = CliRunner().invoke(cli, ["analyze", str(media(name)), "--test", "knee-to-wall", "--json",
                                      "--out", str(tmp_path)])
    doc = json.loads(result.output)
    (refusal,) = [w for w in doc["warnings"] if w["code"] == "not_knee_to_wall"]
    assert f"but like {REAL_CLIPS[name]} (" in refusal["message"]
    assert all(leg["classification"] in ("not_interpretable", "no_result") for leg in doc["legs"])
    for leg in doc["legs"]:
        if leg["classification"] == "not_interpretable":
            assert "not a knee-to-wall test" in leg["classification_reason"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["knee_to_wall_right.mp4", "knee_to_wall_left_portrait.mp4"])
def test_the_bundled_knee_to_wall_samples_are_not_refused(name):
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from ankle_cv.cli import cli

    sample = Path(__file__).resolve().parents[1] / "sample_videos" / name
    doc = json.loads(CliRunner().invoke(cli, ["analyze", str(sample), "--json"]).output)
    assert "not_knee_to_wall" not in {w["code"] for w in doc["warnings"]}
    (leg,) = doc["legs"]
    assert all(tr["posture"] == "knee_to_wall" and tr["trusted"] for tr in leg["trials"])
    assert leg["classification"] != "not_interpretable"


def test_a_shank_measured_in_one_frame_only_is_reported_not_crashed_on():
    """One finite shank length near the peak has no CV; its worst deviation still says why."""
    from ankle_cv.protocols.knee_to_wall.scoring import trust_of

    reasons = trust_of({"tracked_share": 1.0, "shank_length_cv": None, "shank_length_worst": 0.5})
    assert len(reasons) == 1 and "CV n/a, worst 50%" in reasons[0]
