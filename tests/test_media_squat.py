"""The squat analysis on the real squat clips in ../shared/media (skipped where absent).

Rep counts were counted by watching each clip (contact sheets every 0.1-0.6 s): a rep goes
from standing upright, down, and back up to standing, feet planted. Reps cut off by the
clip's start or end are not counted.
"""

import json

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT, media

from ankle_cv.cli import cli

SCHEMA = json.loads((ROOT / "ankle_cv" / "schemas" / "squat_report.schema.json").read_text())

#: file: (reps counted by watching, the view of each counted rep)
WATCHED = {
    # standing at 0 s, three full reps (bottoms ~0.8, 3.7, 6.6 s); a fourth is cut off at 10 s
    "front_squat_pexels-5034577.mp4": (3, ["front"] * 3),
    # one banded overhead squat, 0.3-2.0 s
    "front_overhead-squat-banded_rnhrn-exercises.mp4": (1, ["front"]),
    # starts at the bottom, stands, one full rep (3.9-7.0 s), ends going down again
    "side_squat_pexels-6980032.mp4": (1, ["side"]),
    # three deep squats, then walks towards the floor-level camera
    "side_squat_yuyoujiang-test-video.mp4": (3, ["side"] * 3),
    # two slow 6-count squats from the side, then one wide squat from the front
    "side-then-front_squat_crossfit-via-ikramaliokz.mp4": (3, ["side", "side", "front"]),
    # held partial squat with pulses and foot shifts, a trainer beside her: never upright, no rep
    "side_banded-squat-with-bystander_pexels-4838146.mp4": (0, []),
}


@pytest.mark.media
@pytest.mark.parametrize("name", sorted(WATCHED))
def test_real_squat_clip_rep_count_and_views(name, tmp_path, warm_cache):
    clip = media(name)
    reps, views = WATCHED[name]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(clip), "--test", "auto", "--out", str(out), "-q",
                                      "--cache-dir", str(warm_cache), "--workers", "1"])
    assert result.exit_code == (0 if reps else 8), result.output
    assert "test chosen automatically: squat" in result.output
    doc = json.loads((out / "report.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["rep_count"] == reps
    assert [r["view"] for r in doc["reps"]] == views
    for rep in doc["reps"]:  # what the view cannot support is never a number
        if rep["view"] == "side":
            assert rep["fppa_deg"] is None and rep["turnout"] is None and rep["knee_flexion_deg"] is not None
        if rep["view"] == "front":
            assert rep["knee_flexion_deg"] is None and rep["heel_lifted"] is None


@pytest.mark.media
def test_auto_sends_a_front_view_lunge_to_knee_to_wall_which_refuses_the_view(warm_cache):
    clip = media("front-oblique_lunge_vengaza-aitrainer.mp4")
    result = CliRunner().invoke(cli, ["analyze", str(clip), "--test", "auto", "-q", "--cache-dir", str(warm_cache),
                                      "--workers", "1"])
    assert result.exit_code == 5
    assert "--test auto chose knee-to-wall" in result.output and "a lunge" in result.output
