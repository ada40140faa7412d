"""The knee-to-wall protocol on synthetic clips: trials, heel-down rule, quality warnings."""

import dataclasses

import numpy as np
import pytest
from synth import FOOT_PX, knee_to_wall

from ankle_cv import landmarks as lm
from ankle_cv.errors import NoPersonError, ViewError
from ankle_cv.protocols.knee_to_wall import KneeToWallSettings, analyze_knee_to_wall
from ankle_cv.protocols.references import References
from ankle_cv.series import LandmarkSeries


def with_xyzv(series, xyzv):
    return dataclasses.replace(series, xyzv=xyzv)


def test_best_of_three_with_the_heel_down():
    series, truth = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 20.0))
    result = analyze_knee_to_wall(series)
    assert [leg.leg for leg in result.legs] == ["left"]
    left = result.leg("left")
    assert [tr.number for tr in left.trials] == [1, 2, 3]
    # trial 3 reaches 40 deg only after its heel lifted at 7.0 s: it counts up to the lift
    assert left.trials[2].heel_lifted and left.trials[2].peak_any_deg == pytest.approx(40.0, abs=0.2)
    assert left.trials[2].peak_deg < 35.0
    assert left.trials[2].peak_frame < truth["lift_start_frame"] + 3
    assert left.best_trial == 2 and left.best_deg == pytest.approx(35.0, abs=0.2)
    # no video, so no shin front edge: the verdict is judged on the centre line plus the
    # anatomical crest offset (2 deg), inside a band widened by its spread: hypot(4.6, 3.5)
    assert (left.verdict_source, left.verdict_angle_deg, left.verdict_band_deg) == ("centre_line_plus_offset",
                                                                                    37.0, 5.8)
    assert left.restricted is False and left.classification == "borderline"
    (lift,) = left.heel_lifts
    assert lift.trial == 3 and abs(lift.start_frame - truth["lift_start_frame"]) <= 2
    assert lift.peak_height_foot == pytest.approx(1 / 6, abs=0.01) and lift.peak_height_cm is None
    # the synthetic tested leg is the far one (left leg, facing right); synthetic series come
    # without a video (heel from landmarks) or scene lines (camera assumed level): all said
    assert [w.code for w in result.warnings] == ["tested_leg_far", "heel_from_landmarks", "roll_assumed_level"]
    assert result.camera.roll_source == "level" and result.camera.sole_roll_deg == pytest.approx(0.0, abs=0.05)
    assert result.camera.view == "side" and result.camera.facing == "right"


def test_settings_reach_the_result():
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 20.0))
    settings = KneeToWallSettings(foot_length_cm=24.0, references=References(restriction_deg=30.0))
    left = analyze_knee_to_wall(series, settings).leg("left")
    assert left.restricted is False
    assert left.heel_lifts[0].peak_height_cm == pytest.approx(4.0, abs=0.3)


def two_legs(first, second):
    """One clip of two stances joined by a 1 s step (the feet cross)."""
    w = np.linspace(0.0, 1.0, 30)[:, None, None]
    xyzv = np.concatenate([first.xyzv, (1 - w) * first.xyzv[-1] + w * second.xyzv[0], second.xyzv])
    return LandmarkSeries(xyzv=xyzv, time_s=np.arange(len(xyzv)) / 30.0, frame_size_px=(1280, 720), fps=30.0)


def test_both_legs_each_filmed_from_its_side_and_asymmetry():
    # the person turns round between legs, so the camera sees each tested leg's side
    first, _ = knee_to_wall(tested="left", facing="left", peaks_deg=(26.0, 28.0))
    second, _ = knee_to_wall(tested="right", facing="right", peaks_deg=(40.0, 34.0))
    result = analyze_knee_to_wall(two_legs(first, second))
    assert [(leg.leg, leg.best_deg) for leg in result.legs] == [("left", pytest.approx(28.0, abs=0.2)),
                                                                ("right", pytest.approx(40.0, abs=0.2))]
    # 28 is below the 36.5 cut-off by more than the 4.6 MDC; 40 is within 4.6 of it
    assert [leg.classification for leg in result.legs] == ["restricted", "borderline"]
    assert result.asymmetry_deg == pytest.approx(-12.0, abs=0.3)


def test_a_far_leg_is_judged_on_its_tracking_evidence():
    # both legs from one side: the left one is the far leg. Tracked cleanly, it gets a verdict
    # (the set-up alone withholds nothing; tested_leg_far stays as advice) ...
    first, _ = knee_to_wall(tested="left", peaks_deg=(30.0, 32.0))
    second, _ = knee_to_wall(tested="right", peaks_deg=(40.0, 42.0))
    result = analyze_knee_to_wall(two_legs(first, second))
    left, right = result.legs
    assert left.classification == "borderline" and left.best_deg == pytest.approx(32.0, abs=0.2)
    assert right.classification == "not_restricted"
    assert result.asymmetry_deg == pytest.approx(-10.0, abs=0.3)
    assert "tested_leg_far" in {w.code for w in result.warnings}
    # ... but with MediaPipe's labels flipping inside each of its trials, no trial is trusted
    n = first.n_frames
    flips = np.zeros(n, dtype=bool)
    for peak in (int(1.8 * 30), int(4.8 * 30)):
        flips[peak - 20:peak - 14] = True
    xyzv = first.xyzv.copy()
    for a, b in zip(*lm.LEG_LANDMARKS):
        xyzv[flips, a], xyzv[flips, b] = first.xyzv[flips, b], first.xyzv[flips, a]
    result = analyze_knee_to_wall(two_legs(with_xyzv(first, xyzv), second))
    left, right = result.legs
    assert not any(tr.trusted for tr in left.trials)
    assert left.classification == "not_interpretable" and "labels flipped" in left.classification_reason
    assert left.best_deg == pytest.approx(32.0, abs=0.2)  # kept, with the reason
    assert right.classification == "not_restricted" and result.asymmetry_deg is None
    assert "asymmetry_withheld" in {w.code for w in result.warnings}


def test_no_knee_drive_is_a_warning():
    series, _ = knee_to_wall(peaks_deg=(7.0,))
    result = analyze_knee_to_wall(series)
    assert result.legs == ()
    assert [w.code for w in result.warnings] == ["no_knee_drive", "roll_assumed_level"]
    near = analyze_knee_to_wall(knee_to_wall(peaks_deg=(30.0,), tested="right")[0])
    assert "tested_leg_far" not in [w.code for w in near.warnings]


def test_unseen_heel_is_not_checked_and_says_so():
    series, _ = knee_to_wall(lift=(7.0, 1.0, 20.0))
    xyzv = series.xyzv.copy()
    xyzv[:, lm.LEFT_HEEL, 3] = 0.1
    result = analyze_knee_to_wall(with_xyzv(series, xyzv))
    left = result.leg("left")
    assert not left.heel_checked and left.heel_lifts == ()
    assert [tr.heel_checked for tr in left.trials] == [False, False, False]
    assert left.best_deg == pytest.approx(40.0, abs=0.2)  # peaks regardless of the heel
    assert "heel_not_checked" in [w.code for w in result.warnings]


def test_heel_measured_in_the_image_replaces_the_landmarks():
    series, truth = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0))
    # the landmark heel says nothing happened; the image says the heel rose 0.2 foot in 7.0-8.0 s
    rise = np.zeros(series.n_frames)
    rise[(series.time_s >= 7.0) & (series.time_s < 8.0)] = 0.2
    rise[:3] = np.nan  # not tracked at the start: unknown, not down
    result = analyze_knee_to_wall(series, heel_rise_foot=rise)
    left = result.leg("left")
    (lift,) = left.heel_lifts
    assert abs(lift.start_frame - 210) <= 2 and abs(lift.end_frame - 239) <= 2  # the smoothing spreads a step
    assert lift.peak_height_foot == pytest.approx(0.2, abs=0.005)
    assert left.trials[2].heel_lifted and left.trials[2].peak_frame < 210
    assert [tr.heel_checked for tr in left.trials] == [True, True, True]
    assert "heel_from_landmarks" not in [w.code for w in result.warnings]


def test_a_small_lift_counts_in_the_image_not_in_the_landmarks():
    """0.025 foot lengths (0.7 cm on a 28 cm foot): over the image tracker's threshold (its
    heel-down readings on renders stay under 0.006), under the landmarks' (which drift)."""
    settings = KneeToWallSettings()
    assert settings.heel_image_on_foot < 0.025 < settings.heel_on_foot
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 0.025 * FOOT_PX))
    assert analyze_knee_to_wall(series).leg("left").heel_lifts == ()
    rise = np.zeros(series.n_frames)
    rise[(series.time_s >= 7.0) & (series.time_s < 8.0)] = 0.025
    (lift,) = analyze_knee_to_wall(series, heel_rise_foot=rise).leg("left").heel_lifts
    assert abs(lift.start_frame - 210) <= 2 and lift.peak_height_foot == pytest.approx(0.025, abs=0.001)


def test_the_smallest_lift_stated_is_that_of_the_heel_measured():
    from ankle_cv.protocols.knee_to_wall.present import summary_lines
    from ankle_cv.protocols.references import VALIDATION

    series, _ = knee_to_wall(peaks_deg=(30.0,))
    image = "\n".join(summary_lines(analyze_knee_to_wall(series, heel_rise_foot=np.zeros(series.n_frames))))
    landmarks = "\n".join(summary_lines(analyze_knee_to_wall(series)))
    assert f"heel lifts under about {VALIDATION.smallest_lift_found_cm:g} cm may go unnoticed" in image
    assert "lifts under about 1 cm may go unnoticed" in landmarks and "0.4 cm" not in landmarks


def test_front_view_is_refused_unless_allowed():
    series, _ = knee_to_wall()
    xyzv = series.xyzv.copy()
    for a, b in ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP)):
        xyzv[:, a, 0] -= 120.0
        xyzv[:, b, 0] += 120.0
    with pytest.raises(ViewError, match="front"):
        analyze_knee_to_wall(with_xyzv(series, xyzv))
    result = analyze_knee_to_wall(with_xyzv(series, xyzv), KneeToWallSettings(allow_any_view=True))
    assert result.camera.view == "front" and "not_side_view" in [w.code for w in result.warnings]


def test_feet_out_of_frame_and_short_clips_warn():
    series, _ = knee_to_wall()
    xyzv = series.xyzv.copy()
    xyzv[:, :, 1] += 150.0  # the whole figure lower: feet below the picture
    codes = [w.code for w in analyze_knee_to_wall(with_xyzv(series, xyzv)).warnings]
    assert "feet_out_of_frame" in codes
    short = LandmarkSeries(xyzv=series.xyzv[:20], time_s=series.time_s[:20], frame_size_px=(1280, 720), fps=30.0)
    assert "too_few_frames" in [w.code for w in analyze_knee_to_wall(short).warnings]


def test_no_person_is_an_error():
    series, _ = knee_to_wall()
    with pytest.raises(NoPersonError):
        analyze_knee_to_wall(with_xyzv(series, np.full_like(series.xyzv, np.nan)))


def test_user_leg_names_the_front_leg():
    series, _ = knee_to_wall(tested="left")
    result = analyze_knee_to_wall(series, KneeToWallSettings(leg="right"))
    assert [leg.leg for leg in result.legs] == ["right"]


def test_a_leg_whose_every_trial_lifted_the_heel_has_no_result():
    series, _ = knee_to_wall(peaks_deg=(30.0,))
    rise = np.full(series.n_frames, 0.2)  # the heel is up from the start
    result = analyze_knee_to_wall(series, heel_rise_foot=rise)
    left = result.leg("left")
    assert left.best_deg is None and left.trials[0].peak_deg is None and left.trials[0].heel_lifted
    assert "no_heel_down_peak" in [w.code for w in result.warnings]


def test_an_early_heel_lift_gives_no_result_rather_than_a_low_one():
    # the heel lifts as the 40 deg drive starts (0.5 s), while the shank is still at rest
    series, _ = knee_to_wall(peaks_deg=(40.0,))
    rise = np.where((series.time_s > 0.55) & (series.time_s < 2.6), 0.2, 0.0)
    result = analyze_knee_to_wall(series, heel_rise_foot=rise, settings=KneeToWallSettings(leg="left"))
    (trial,) = result.leg("left").trials
    assert trial.peak_deg is None and trial.note == "the heel lifted before the knee drove"
    assert trial.peak_any_deg == pytest.approx(40.0, abs=0.2)
    assert result.leg("left").classification == "no_result"
    assert "no_heel_down_peak" in [w.code for w in result.warnings]


def test_unseen_feet_warn():
    series, _ = knee_to_wall()
    xyzv = series.xyzv.copy()
    xyzv[:200, 25:33, 3] = 0.1  # legs unseen for two thirds of the clip
    codes = [w.code for w in analyze_knee_to_wall(with_xyzv(series, xyzv)).warnings]
    assert "feet_not_visible" in codes


def test_requested_roll_source_that_is_unavailable_is_said():
    series, _ = knee_to_wall(roll_deg=4.0)
    result = analyze_knee_to_wall(series, KneeToWallSettings(roll_source="scene"))
    assert result.camera.roll_source == "level"
    (w,) = [w for w in result.warnings if w.code == "roll_assumed_level"]
    assert "no straight lines within 15 deg" in w.message and "+4.0 deg" in w.message


def test_a_lift_midway_keeps_the_angle_reached_before_it():
    series, truth = knee_to_wall(peaks_deg=(40.0,))
    rise = np.where((series.time_s > 1.0) & (series.time_s < 2.6), 0.2, 0.0)
    result = analyze_knee_to_wall(series, heel_rise_foot=rise, settings=KneeToWallSettings(leg="left"))
    (trial,) = result.leg("left").trials
    # the lift (a step at 1.0 s, widened by the smoothing) bounds the frames that count
    assert trial.note is None and trial.heel_lifted and 0.9 <= trial.peak_s < 1.0
    assert trial.peak_deg == pytest.approx(truth["tibia_deg"][int(round(trial.peak_s * 30))], abs=0.5)


def codes_of(series, **settings):
    return {w.code for w in analyze_knee_to_wall(series, KneeToWallSettings(**settings)).warnings}


def test_low_detection_and_low_visibility_warn():
    series, _ = knee_to_wall(tested="right")
    xyzv = series.xyzv.copy()
    xyzv[::3] = np.nan  # a person in two frames of three
    assert "low_detection" in codes_of(with_xyzv(series, xyzv))
    xyzv = series.xyzv.copy()
    xyzv[:, [lm.RIGHT_KNEE, lm.RIGHT_ANKLE, lm.RIGHT_HEEL, lm.RIGHT_FOOT_INDEX], 3] = 0.6
    assert "low_visibility" in codes_of(with_xyzv(series, xyzv))
    assert not {"low_detection", "low_visibility"} & codes_of(series)


def test_a_small_figure_warns():
    series, _ = knee_to_wall(tested="right")
    xyzv = series.xyzv.copy()
    xyzv[..., :2] *= 0.3  # foot 36 px long
    assert "small_in_frame" in codes_of(with_xyzv(series, xyzv))


def test_a_steep_sole_roll_warns():
    series, _ = knee_to_wall(tested="right", roll_deg=20.0)
    assert "large_roll" in codes_of(series, roll_source="sole")


def test_flickering_labels_make_the_side_uncertain():
    series, _ = knee_to_wall(tested="right")
    xyzv = series.xyzv.copy()
    rng = np.random.default_rng(0)
    for a, b in zip(*lm.LEG_LANDMARKS):
        swap = rng.random(series.n_frames) < 0.35
        xyzv[swap, a], xyzv[swap, b] = series.xyzv[swap, b], series.xyzv[swap, a]
    result = analyze_knee_to_wall(with_xyzv(series, xyzv))
    assert "leg_side_uncertain" in {w.code for w in result.warnings}
    assert [leg.leg for leg in result.legs] == ["right"]  # the majority still names the leg


def test_a_lost_leg_is_not_trusted():
    series, truth = knee_to_wall(tested="right", peaks_deg=(30.0, 40.0))
    xyzv = series.xyzv.copy()
    peak = truth["peak_frames"][1]
    # MediaPipe pulls the front ankle and knee 40 px back for 30 frames around the 40 deg peak
    xyzv[peak - 15:peak + 15, [lm.RIGHT_ANKLE, lm.RIGHT_KNEE], 0] -= 40.0
    result = analyze_knee_to_wall(with_xyzv(series, xyzv))
    right = result.leg("right")
    assert right.trials[1].tracked_share < 0.8
    assert right.best_trial == 1 and right.best_deg == pytest.approx(30.0, abs=0.3)  # the tracked trial
    assert "leg_lost" in {w.code for w in result.warnings}


def test_an_implausible_peak_is_no_result_and_says_why():
    # a shank at 80 deg to vertical is no weight-bearing lunge: a landmark error or another movement
    series, _ = knee_to_wall(peaks_deg=(80.0,))
    (trial,) = analyze_knee_to_wall(series, KneeToWallSettings(leg="left")).leg("left").trials
    assert trial.peak_deg is None and trial.peak_any_deg == pytest.approx(80.0, abs=0.5)
    assert trial.note.startswith("its highest heel-down, tracked angle (80 deg) is not a knee-to-wall drive")


def test_a_person_in_a_few_frames_of_noise_is_no_person():
    series, _ = knee_to_wall()
    xyzv = np.full_like(series.xyzv, np.nan)
    xyzv[[10, 50, 90, 130, 170]] = series.xyzv[[10, 50, 90, 130, 170]]  # "found" in 5 of 300 frames
    with pytest.raises(NoPersonError, match="only 5 of"):
        analyze_knee_to_wall(with_xyzv(series, xyzv))


def test_a_knee_below_its_ankle_is_a_landmark_error_not_an_angle():
    series, _ = knee_to_wall(peaks_deg=(30.0,))
    xyzv = series.xyzv.copy()
    flipped = slice(40, 44)  # MediaPipe puts the tested knee under the ankle for four frames
    xyzv[flipped, lm.LEFT_KNEE, 1] = xyzv[flipped, lm.LEFT_ANKLE, 1] + 150
    result = analyze_knee_to_wall(with_xyzv(series, xyzv))
    kin = result.kinematics
    assert np.isnan(kin.tibia_raw_deg[0, flipped]).all()
    assert np.nanmin(kin.front(kin.tibia_deg)) > -10.0  # no -150 deg excursion
    (trial,) = result.leg("left").trials
    assert trial.peak_any_deg == pytest.approx(30.0, abs=0.3)
