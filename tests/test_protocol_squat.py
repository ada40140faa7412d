"""Squat analysis: known-answer geometry, rep segmentation on synthetic trajectories, and the
bundled rendered squats end to end against their truth."""

import json

import numpy as np
import pytest
from conftest import ROOT

from ankle_cv.core import measures, reps
from ankle_cv.landmarks import ANKLE, HEEL, HIP, KNEE, TOE


def _legs(points):
    """(5 joints, 2 legs, 1) x and y arrays from {joint: ((xl, yl), (xr, yr))}."""
    x = np.full((5, 2, 1), np.nan)
    y = np.full((5, 2, 1), np.nan)
    for joint, pair in points.items():
        for leg, (px, py) in enumerate(pair):
            x[joint, leg, 0], y[joint, leg, 0] = px, py
    return x, y


def test_knee_flexion_of_a_right_angle_and_a_straight_leg():
    x, y = _legs({HIP: ((0, 0), (0, 0)), KNEE: ((10, 10), (0, 10)), ANKLE: ((0, 20), (0, 20))})
    flex = measures.compute_knee_flexion_deg(x, y)[:, 0]
    np.testing.assert_allclose(flex, [90.0, 0.0], atol=1e-9)


def test_separation_ratio_and_level_frame():
    # knees 60 px apart, ankles 100 px apart: 0.6; a rolled camera does not change it
    x, y = _legs({KNEE: ((230, 100), (170, 100)), ANKLE: ((250, 200), (150, 200))})
    assert measures.compute_knee_ankle_separation_ratio(x, y)[0] == pytest.approx(0.6)
    r = np.deg2rad(10.0)
    xr, yr = x * np.cos(r) + y * np.sin(r), -x * np.sin(r) + y * np.cos(r)  # content turned by the roll
    assert measures.compute_knee_ankle_separation_ratio(xr, yr, roll_deg=10.0)[0] == pytest.approx(0.6)


def test_turnout_sign_is_toes_out_for_both_feet_and_any_facing():
    # facing the camera the left foot is on image right; toes out = away from the other foot.
    # A 100-px foot whose toe is 17.36 px sideways of its heel is turned 10 deg.
    x, y = _legs({ANKLE: ((300, 400), (200, 400)), HEEL: ((300, 405), (200, 405)),
                  TOE: ((300 + 17.36, 410), (200 - 17.36, 410))})
    feet = np.array([100.0, 100.0])
    np.testing.assert_allclose(measures.compute_turnout_deg(x, y, feet)[:, 0], [10.0, 10.0], atol=0.01)
    back = x[:, ::-1], y[:, ::-1]  # seen from behind: the legs' sides swap, toes out stays positive
    np.testing.assert_allclose(measures.compute_turnout_deg(*back, feet)[:, 0], [10.0, 10.0], atol=0.01)
    toes_in = x.copy()
    toes_in[TOE] = x[HEEL] - (x[TOE] - x[HEEL])
    np.testing.assert_allclose(measures.compute_turnout_deg(toes_in, y, feet)[:, 0], [-10.0, -10.0], atol=0.01)


def test_hip_height_uses_the_legs_seen():
    x, y = _legs({HIP: ((0, 100), (0, 110)), ANKLE: ((0, 300), (0, np.nan))})
    assert measures.compute_hip_height_px(x, y)[0] == pytest.approx(200.0)


def _trajectory(fps=30.0):
    """Hip drop: walk in (feet moving, a dip from perspective), jitter at the top, two reps
    with a long pause between them, a half rep, and a rep cut off by the clip's end."""
    t = np.arange(int(16 * fps)) / fps
    drop = 0.01 * np.sin(2 * np.pi * 7 * t)  # top-of-rep jitter
    planted = t >= 2.0

    def bump(start, length, depth):
        phase = (t - start) / length
        inside = (phase >= 0) & (phase <= 1)
        return np.where(inside, depth * np.sin(np.pi * np.clip(phase, 0, 1)) ** 2, 0.0)

    drop += bump(0.3, 1.2, 0.2)      # walking in: feet moving
    drop += bump(2.5, 2.0, 0.45)     # rep 1
    drop += bump(7.0, 2.2, 0.40)     # rep 2 after a 2.5-s pause
    drop += bump(10.0, 1.5, 0.15)    # half rep
    drop += bump(12.0, 2.0, 0.42)    # rep 3
    drop += bump(15.0, 2.0, 0.40)    # cut off by the end of the clip
    return t, drop, planted


def test_reps_ignore_walking_in_jitter_half_reps_and_the_clip_edge():
    t, drop, planted = _trajectory()
    found, rejected = reps.segment_reps(drop, t, min_depth_leg=0.10, top_leg=0.04, min_duration_s=0.6,
                                        planted=planted)
    bottoms_s = t[found[:, 1]]
    np.testing.assert_allclose(bottoms_s, [3.5, 8.1, 13.0], atol=0.1)
    assert set(rejected[:, 3]) == {reps.REJECTED_FEET_MOVING, reps.REJECTED_HALF_REP, reps.REJECTED_AT_EDGE}
    # start and end found on their own: the pause belongs to no rep
    assert t[found[0, 2]] < 4.6 and t[found[1, 0]] > 6.9


def test_reps_need_the_person_upright_before_and_after():
    t, drop, planted = _trajectory()
    upright = np.zeros(t.size, bool)  # a held squat with pulses: never upright
    found, rejected = reps.segment_reps(drop, t, min_depth_leg=0.10, top_leg=0.04, min_duration_s=0.6,
                                        planted=planted, upright=upright)
    assert found.shape == (0, 3)
    assert reps.REJECTED_NOT_UPRIGHT in set(rejected[:, 3])


def test_standing_level_ignores_frames_that_do_not_count():
    height = np.full(300, 200.0)
    height[250:] = 400.0  # walking towards the camera at the end
    use = np.ones(300, bool)
    use[250:] = False
    level = reps.standing_level(height, window=181, use=use)
    assert np.nanmax(level) == pytest.approx(200.0)


def _truth(name):
    return json.loads((ROOT / "sample_videos" / f"{name}.truth.json").read_text())


@pytest.fixture(scope="module")
def squats(warm_cache):
    from ankle_cv.pipeline import analyze_video

    return {name: analyze_video(ROOT / "sample_videos" / f"{name}.mp4", "squat", cache_dir=warm_cache, workers=1)
            for name in ("squat_front", "squat_side")}


def test_front_render_reps_valgus_and_turnout_against_truth(squats):
    result, truth = squats["squat_front"].result, _truth("squat_front")
    assert len(result.reps) == len(truth["squat_reps"])
    for rep, want in zip(result.reps, truth["squat_reps"]):
        assert rep.view == "front" and rep.start_frame <= want["bottom_frame"] <= rep.end_frame
        for leg in ("left", "right"):
            assert getattr(rep.fppa_deg, leg) == pytest.approx(want["fppa_deg"][leg], abs=3.0)
            assert rep.turnout[leg].change_deg == pytest.approx(want["turnout_change_deg"][leg], abs=5.0)
        assert rep.knee_flexion_deg is None and "heel_lift" in rep.not_measurable


@pytest.mark.parametrize("sex, limit", [("female", 13.0), ("male", 8.0), (None, 13.0)])
def test_fppa_threshold_follows_the_sex_given(squats, sex, limit):
    from ankle_cv.pipeline import score_series
    from ankle_cv.protocols.squat import SquatSettings

    # the render's left knee reaches 14 deg (measured ~12): flagged for a man only
    result = score_series(squats["squat_front"].series, "squat", SquatSettings(sex=sex)).result
    assert [r.fppa_flagged.left for r in result.reps] == [r.fppa_deg.left > limit for r in result.reps]
    assert all(r.fppa_flagged.left for r in result.reps) == (sex == "male")


def test_side_render_reps_depth_and_heel_lift_against_truth(squats):
    result, truth = squats["squat_side"].result, _truth("squat_side")
    assert [r.view for r in result.reps] == ["side", "side"]
    lifted = [r.heel_lifted for r in result.reps]
    assert lifted == [False, True]
    lift = result.reps[1].heel_lift
    want = next(h for h in truth["heel_lifts"] if h["leg"] == truth["scenario"]["facing"])
    assert abs(lift.start_frame - want["start_frame"]) <= 3 and lift.leg == truth["scenario"]["facing"]
    assert all(r.fppa_deg is None and "fppa_deg" in r.not_measurable for r in result.reps)
    assert all(r.knee_flexion_deg == pytest.approx(100.0, abs=10.0) for r in result.reps)


def test_squat_outputs_match_their_schema(squats, tmp_path):
    import jsonschema

    from ankle_cv.pipeline import write_outputs

    write_outputs(squats["squat_front"], tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    schema = json.loads((ROOT / "ankle_cv" / "schemas" / "squat_report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["rep_count"] == 2 and doc["schema"] == "ankle-cv/squat-report"
    header = (tmp_path / "angles.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["frame", "time_s", "leg", "rep"] and "fppa_deg" in header
    assert "2-D FPPA is a screening flag" in (tmp_path / "summary.txt").read_text()


def test_auto_chooses_the_test_and_says_why(squats, warm_cache):
    from ankle_cv.pipeline import score_series

    for name, want in (("squat_front", "squat"), ("squat_side", "squat")):
        analysis = score_series(squats[name].series, "auto")
        assert analysis.protocol.name == want and "test chosen automatically" in analysis.summary()
        assert analysis.report()["test_choice"]["test"] == want


def test_reps_cut_by_lost_landmarks_say_so():
    t, drop, planted = _trajectory()
    drop = drop.copy()
    drop[int(3.4 * 30):int(4.0 * 30)] = np.nan  # the person lost around rep 1's bottom
    found, rejected = reps.segment_reps(drop, t, min_depth_leg=0.10, top_leg=0.04, min_duration_s=0.6,
                                        planted=planted)
    assert reps.REJECTED_LOST in set(rejected[:, 3])
    assert len(found) == 2  # reps 2 and 3 stand


def test_a_forced_view_that_disagrees_is_warned_and_impossible_fppa_withheld(squats):
    from ankle_cv.pipeline import score_series
    from ankle_cv.protocols.squat import SquatSettings

    result = score_series(squats["squat_side"].series, "squat", SquatSettings(view="front")).result
    assert "view_overridden" in {w.code for w in result.warnings}
    for rep in result.reps:  # a side view read as front: the knee angle is no FPPA, never reported as one
        assert rep.fppa_deg.left is None and rep.fppa_deg.right is None
        assert {"fppa_deg.left", "fppa_deg.right"} <= set(rep.not_measurable)
    assert not any(f.code == "knee_valgus" for f in result.flags)


def test_flags_name_their_code_leg_and_reps(squats):
    from ankle_cv.pipeline import score_series
    from ankle_cv.protocols.squat import SquatSettings

    result = score_series(squats["squat_front"].series, "squat", SquatSettings(sex="male")).result
    valgus = [f for f in result.flags if f.code == "knee_valgus"]
    assert [(f.leg, f.reps) for f in valgus] == [("left", (1, 2))]
