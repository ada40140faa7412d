"""Integration on real recordings of real people in ../shared/media (skipped where absent).

These clips are not knee-to-wall tests (none with true angles exists in the open); they are
side-view squats, lunges and walks. The tool must find the person, choose a tested leg,
level the camera from the scene, keep its angles in a physiological range, exit 0 (8 when no
trial gives a result), and say plainly when a clip does not look like a knee-to-wall test.
"""

import json

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import media
from test_outputs import SCHEMA

from ankle_cv.cli import cli

SIDE_CLIPS = {
    # file: (expected facing, MediaPipe front leg named in SOURCES.md or None, walking)
    "side_reverse-lunge_pexels-8233047.mp4": ("left", "left", False),
    "side_squat_pexels-6980032.mp4": ("right", None, False),
    "side_banded-squat-with-bystander_pexels-4838146.mp4": ("left", None, False),
    "side_squat_yuyoujiang-test-video.mp4": ("right", None, False),
    "side-then-front_squat_crossfit-via-ikramaliokz.mp4": ("left", None, False),
    "side_walk_sports2d-demo4.mp4": ("left", None, True),
    "side_walk-jump-multiperson_sports2d-demo.mp4": (None, None, True),  # people walk both ways
}


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.mark.media
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SIDE_CLIPS))
def test_side_view_clips_give_a_plausible_result_or_say_why_not(runner, name, tmp_path):
    facing, front_leg, walking = SIDE_CLIPS[name]
    result = runner.invoke(cli, ["analyze", str(media(name)), "--json", "--out", str(tmp_path)])
    doc = json.loads(result.output)
    # 0 with a result; 8 (documented) when no leg has a valid trial, with the report saying why
    has_result = any(leg["best_deg"] is not None for leg in doc["legs"])
    assert result.exit_code == (0 if has_result else 8), result.output
    if not has_result:
        assert {"no_heel_down_peak", "no_knee_drive"} & {w["code"] for w in doc["warnings"]}
    jsonschema.validate(doc, SCHEMA)
    assert json.loads((tmp_path / "report.json").read_text())["legs"] == doc["legs"]
    assert doc["detection_rate"] > 0.5
    assert doc["camera"]["view"] == "side"
    if facing:
        assert doc["camera"]["facing"] == facing
    # scene lines level these (level) cameras; the feet alone would have said up to 22 deg
    assert doc["camera"]["roll_source"] == "scene" and abs(doc["camera"]["roll_deg"]) < 3.0
    assert doc["legs"], "a tested leg is chosen"
    if front_leg:
        assert front_leg in [leg["leg"] for leg in doc["legs"]]
    codes = {w["code"] for w in doc["warnings"]}
    for leg in doc["legs"]:
        for trial in leg["trials"]:
            assert -30.0 <= trial["peak_any_deg"] <= 70.0 or "feet_moving" in codes
        # a best angle is a plausible lunge angle; anything else must come without a verdict
        assert leg["best_deg"] is None or 0.0 <= leg["best_deg"] <= 60.0 or \
            leg["classification"] == "not_interpretable"
    if walking:
        assert "feet_moving" in codes


@pytest.mark.media
@pytest.mark.slow
@pytest.mark.parametrize("name", ["front_squat_pexels-5034577.mp4", "front-oblique_lunge_vengaza-aitrainer.mp4",
                                  "front_overhead-squat-banded_rnhrn-exercises.mp4"])
def test_front_views_are_refused_with_one_line(runner, name, tmp_path):
    result = runner.invoke(cli, ["analyze", str(media(name)), "--out", str(tmp_path / "out")])
    assert result.exit_code == 5
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "film the knee-to-wall test side-on" in lines[0] and name in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.media
@pytest.mark.slow
def test_damaged_clip_is_a_clear_error(runner):
    # SOURCES.md: OpenCap's videos have only ~85% of their frames decodable
    clip = media("oblique_walk_opencap-labvalidation-walking2.avi")
    result = runner.invoke(cli, ["analyze", str(clip)])
    assert result.exit_code == 3
    assert "corrupt: about 11 frames cannot be decoded between 0.00 and 0.20 s" in result.output
    assert "Traceback" not in result.output
