"""The bundled samples' outputs stay what they were: report.json, summary.txt and angles.csv
against committed copies (tests/reference_reports/, made with the code before the
restructure into protocols). A change that moves any number fails here; a deliberate one
regenerates the copies in the same commit and says why."""

import json

import pytest
from click.testing import CliRunner
from conftest import ROOT

from ankle_cv import __version__
from ankle_cv.cli import cli

REFERENCE = ROOT / "tests" / "reference_reports"
CLIPS = ["knee_to_wall_right", "knee_to_wall_left_portrait", "squat_side"]

pytestmark = pytest.mark.slow


def comparable(doc: dict) -> dict:
    """A report without what may differ between runs of the same code on the same clip."""
    doc = json.loads(json.dumps(doc))
    doc["tool"]["versions"].pop("ankle-cv")
    doc["input"].pop("landmarks_from_cache")
    return doc


@pytest.mark.parametrize("name", CLIPS)
def test_outputs_equal_the_committed_reference(name, tmp_path):
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["analyze", str(ROOT / "sample_videos" / f"{name}.mp4"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    want = REFERENCE / name
    assert comparable(json.loads((out / "report.json").read_text())) == \
        comparable(json.loads((want / "report.json").read_text()))
    version_line = f"ankle-cv {__version__} · "
    got_text = (out / "summary.txt").read_text().replace(version_line, "ankle-cv · ", 1)
    want_text = (want / "summary.txt").read_text().split(" · ", 1)[1]
    assert got_text == "ankle-cv · " + want_text
    assert (out / "angles.csv").read_text() == (want / "angles.csv").read_text()
