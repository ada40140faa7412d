"""End to end on the bundled rendered samples (MediaPipe runs): numbers against their truth."""

import json

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_outputs import SCHEMA

from ankle_cv.cli import cli
from ankle_cv.pose.runner import cores, estimate_pose

SAMPLES = ROOT / "sample_videos"

#: MediaPipe's knee sits behind the knee centre as the knee bends, so the tibia angle reads
#: low on the rendered figure (benchmarks/render/README.md; the accuracy benchmark measures it):
#: errors are expected in this band (worst near-leg error in the benchmark: -6.5 deg).
ERROR_BAND_DEG = (-7.0, 2.0)


def within_band(got, true):
    return ERROR_BAND_DEG[0] <= got - true <= ERROR_BAND_DEG[1]

pytestmark = pytest.mark.slow


def truth(name):
    return json.loads((SAMPLES / name).with_suffix(".truth.json").read_text())


@pytest.fixture(scope="module")
def right_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("right")
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLES / "knee_to_wall_right.mp4"), "--out", str(out),
                                      "--foot-length-cm", "26.6"])
    assert result.exit_code == 0, result.output
    return result.output, json.loads((out / "report.json").read_text()), out


def test_sample_summary_names_the_leg_and_the_best_trial(right_report):
    text, doc, out = right_report
    assert "RIGHT leg (tested): best with heel down" in text
    assert sorted(p.name for p in out.iterdir()) == ["angles.csv", "landmarks.npz", "plot.png", "report.html",
                                                    "report.json", "summary.txt"]
    jsonschema.validate(doc, SCHEMA)


def test_sample_trials_and_angles_match_the_truth(right_report):
    _, doc, _ = right_report
    want = truth("knee_to_wall_right.mp4")
    assert doc["camera"]["facing"] == want["facing"] and doc["camera"]["view"] == "side"
    assert doc["camera"]["roll_source"] == "scene" and doc["camera"]["roll_deg"] == pytest.approx(0.0, abs=0.5)
    (leg,) = doc["legs"]
    assert leg["leg"] == want["tested_leg"]
    assert len(leg["trials"]) == len(want["trials"])
    for got, true in zip(leg["trials"], want["trials"]):
        assert true["start_frame"] <= got["peak_any_frame"] <= true["end_frame"]
        assert within_band(got["peak_deg"], true["peak_tibia_heel_down_deg"])
        assert got["heel_checked"]
    # the best heel-down trial is trial 2 (38 deg); trial 3 reached 41 deg only after its heel lifted
    assert leg["best_trial"] == 2


def test_sample_heel_lift_matches_the_truth(right_report):
    _, doc, _ = right_report
    (want,) = truth("knee_to_wall_right.mp4")["heel_lifts"]
    (got,) = doc["legs"][0]["heel_lifts"]
    assert got["trial"] == 3
    assert abs(got["start_frame"] - want["start_frame"]) <= 3
    assert abs(got["end_frame"] - want["end_frame"]) <= 3
    assert got["peak_height_foot"] == pytest.approx(want["peak_height_norm"], abs=0.015)
    assert got["peak_height_cm"] == pytest.approx(want["peak_height_cm"] * 26.6 / 29.3, abs=0.5)
    assert doc["legs"][0]["trials"][2]["heel_lifted"]


def test_portrait_sample_with_roll_and_the_left_leg():
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLES / "knee_to_wall_left_portrait.mp4"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    want = truth("knee_to_wall_left_portrait.mp4")
    assert (doc["input"]["width_px"], doc["input"]["height_px"]) == (540, 960)
    assert doc["camera"]["roll_deg"] == pytest.approx(want["roll_deg"], abs=0.5)
    assert [leg["leg"] for leg in doc["legs"]] == ["left"] and doc["camera"]["facing"] == "left"
    peaks = [t["peak_deg"] for t in doc["legs"][0]["trials"]]
    assert len(peaks) == len(want["trials"])
    assert all(within_band(got, t["peak_tibia_heel_down_deg"]) for got, t in zip(peaks, want["trials"]))
    assert doc["legs"][0]["heel_lifts"] == []


def test_front_squat_sample_is_refused_for_knee_to_wall():
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLES / "squat_front.mp4")])
    assert result.exit_code == 5 and "side-on" in result.output


def test_pose_workers_give_identical_landmarks():
    clip = str(SAMPLES / "squat_side.mp4")  # 193 frames in chunks of 64: 4 chunks
    one = estimate_pose(clip, workers=1, chunk_frames=64)
    three = estimate_pose(clip, workers=3, chunk_frames=64)
    assert (one.meta["pose_workers"], three.meta["pose_workers"]) == (1, min(3, cores()))
    np.testing.assert_array_equal(one.xyzv, three.xyzv)
    np.testing.assert_array_equal(one.time_s, three.time_s)
    np.testing.assert_array_equal(one.lines, three.lines)


def test_a_second_run_reuses_the_cached_landmarks(tmp_path):
    clip = str(SAMPLES / "squat_side.mp4")
    first = CliRunner().invoke(cli, ["analyze", clip, "--json", "--cache-dir", str(tmp_path)])
    second = CliRunner().invoke(cli, ["analyze", clip, "--json", "--cache-dir", str(tmp_path), "--leg", "left"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert json.loads(first.output)["input"]["landmarks_from_cache"] is False
    assert json.loads(second.output)["input"]["landmarks_from_cache"] is True
    assert len(list(tmp_path.glob("*.npz"))) == 1
