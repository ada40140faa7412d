"""Report JSON against its schema, the per-frame CSV, the text summary, atomic writing."""

import csv
import json
from importlib import resources

import jsonschema
import numpy as np
import pytest
from synth import knee_to_wall

from ankle_cv.outputs.atomic import staged_outputs
from ankle_cv.outputs.report import report_document
from ankle_cv.outputs.table import write_table
from ankle_cv.protocols.knee_to_wall import KneeToWall, KneeToWallSettings, analyze_knee_to_wall
from ankle_cv.protocols.knee_to_wall.present import COLUMNS

PROTOCOL = KneeToWall()


def report_dict(result, **kwargs):
    return report_document(PROTOCOL, result, **kwargs)


def summary_text(result):
    return PROTOCOL.summary_text(result)


def write_angles_csv(result, path):
    write_table(*PROTOCOL.frame_table(result), path)

SCHEMA = json.loads(resources.files("ankle_cv").joinpath("schemas/knee_to_wall_report.schema.json").read_text())


@pytest.fixture(scope="module")
def result():
    series, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 20.0), roll_deg=3.0)
    return analyze_knee_to_wall(series, KneeToWallSettings(foot_length_cm=25.0, roll_source="sole"))


def test_report_matches_schema_and_result(result):
    doc = json.loads(json.dumps(report_dict(result, series_meta={"video_sha256": "ab" * 32}), allow_nan=False))
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema"] == "ankle-cv/knee-to-wall-report" and doc["schema_version"] == 1
    (left,) = doc["legs"]
    assert left["leg"] == "left" and left["best_trial"] == 2 and left["best_deg"] == pytest.approx(35.0, abs=0.2)
    (lift,) = left["heel_lifts"]
    assert lift["trial"] == 3 and lift["peak_height_cm"] == pytest.approx(4.2, abs=0.3)
    assert doc["camera"]["roll_deg"] == pytest.approx(3.0, abs=0.1) and doc["camera"]["roll_source"] == "sole"
    assert doc["asymmetry_deg"] is None and doc["asymmetry_flagged"] is None
    assert {r["name"] for r in doc["references"]} >= {"restriction_below", "minimal_detectable_change"}


def test_schema_rejects_a_broken_report(result):
    doc = report_dict(result)
    doc["legs"][0]["best_deg"] = "forty"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_angles_csv_rows_and_columns(result, tmp_path):
    path = tmp_path / "angles.csv"
    write_angles_csv(result, path)
    rows = list(csv.DictReader(path.open()))
    kin = result.kinematics
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 2 * kin.time_s.size
    assert [r["leg"] for r in rows[:4]] == ["left", "right", "left", "right"]
    left = [r for r in rows if r["leg"] == "left"]
    peak_frame = result.leg("left").trials[1].peak_frame
    assert float(left[peak_frame]["tibia_deg"]) == pytest.approx(kin.tibia_deg[0, peak_frame], abs=0.01)
    assert left[peak_frame]["trial"] == "2" and left[peak_frame]["tested"] == "1"
    lift = result.leg("left").heel_lifts[0]
    assert {left[f]["heel_down"] for f in range(lift.start_frame, lift.end_frame + 1)} == {"0"}
    assert left[0]["heel_down"] == "1"
    assert {r["tested"] for r in rows if r["leg"] == "right"} == {"0"}
    assert all(r["trial"] == "" for r in rows if r["leg"] == "right")


def test_text_summary_states_result_and_references(result):
    text = summary_text(result)
    best = result.leg("left").best_deg
    assert best == pytest.approx(35.0, abs=0.2)
    assert f"LEFT leg (tested): best with heel down {best:.1f}° (trial 2 at " in text
    assert "trial 2" in text and "heel lift" in text and "≈ 4." in text
    assert "36.5°" in text and "Backman & Danielson 2011" in text and "4.6°" in text


def test_staged_outputs_commit_together(tmp_path):
    out = tmp_path / "out"
    with staged_outputs(out) as stage:
        stage.path("angles.csv").write_text("a\n")
        stage.path("report.json").write_text("{}")
        assert not (out / "report.json").exists()  # nothing visible before the end
    assert sorted(p.name for p in out.iterdir()) == ["angles.csv", "report.json"]


def test_staged_outputs_leave_nothing_on_failure(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text('{"old": true}')
    with pytest.raises(RuntimeError):
        with staged_outputs(out) as stage:
            stage.path("angles.csv").write_text("half")
            raise RuntimeError("crash while writing")
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    assert json.loads((out / "report.json").read_text()) == {"old": True}


def test_report_has_no_nan(result):
    doc = report_dict(result)
    json.dumps(doc, allow_nan=False)
    assert np.isfinite(doc["detection_rate"])
