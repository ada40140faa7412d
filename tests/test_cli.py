"""The command line with click's CliRunner: outputs, one-line errors and exit codes."""

import json
import os

import pytest
from click.testing import CliRunner
from synth import knee_to_wall
from videos import write_noise_video, write_test_pattern

import ankle_cv.pose.cache
import ankle_cv.vision.heel
from ankle_cv import __version__
from ankle_cv.cli import cli
from ankle_cv.pose.models import PINNED_SHA256


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def synthetic_landmarks(monkeypatch):
    """Serve a synthetic knee-to-wall series and its heel instead of running MediaPipe."""
    series, truth = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 20.0))
    calls = []

    def fake(video, **kwargs):
        calls.append(video)
        return series, False

    monkeypatch.setattr(ankle_cv.pose.cache, "landmarks_for", fake)
    # the video is noise: the heel "seen in the image" is the synthetic truth
    rise = truth["heel_rise_px"] / 120.0
    monkeypatch.setattr(ankle_cv.vision.heel, "track_heel_rise", lambda frames, anchors, n_frames: (rise, rise * 0 + 1))
    return calls


def one_line_error(result):
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_info_prints_versions_and_verified_model(runner):
    result = runner.invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    assert f"ankle-cv   {__version__}" in result.output
    assert "mediapipe  0.10.21" in result.output
    for digest in PINNED_SHA256.values():
        assert f"sha256 {digest}  (verified)" in result.output


def test_analyze_prints_summary_and_writes_outputs(runner, tmp_path, synthetic_landmarks):
    video = write_noise_video(tmp_path / "clip.mp4")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "LEFT leg (tested): best with heel down 35" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["angles.csv", "landmarks.npz", "plot.png", "report.html",
                                                    "report.json", "summary.txt"]
    doc = json.loads((out / "report.json").read_text())
    assert doc["legs"][0]["best_trial"] == 2


def test_analyze_json_prints_only_the_report(runner, tmp_path, synthetic_landmarks):
    video = write_noise_video(tmp_path / "clip.mp4")
    result = runner.invoke(cli, ["analyze", str(video), "--json", "--leg", "right"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [leg["leg"] for leg in doc["legs"]] == ["right"]
    assert doc["settings"]["leg"] == "right"


def test_missing_file(runner, tmp_path):
    result = runner.invoke(cli, ["analyze", str(tmp_path / "nope.mp4")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name, content, code, reason", [
    ("notes.txt", b"not a video", 3, "not a video file"),
    ("broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\xff" * 4000, 3, "cannot be opened"),
    ("empty.MOV", b"", 3, "empty"),
])
def test_bad_files(runner, tmp_path, name, content, code, reason):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["analyze", str(path), "--out", str(out)])
    assert result.exit_code == code
    line = one_line_error(result)
    assert line.startswith(f"Error: {path}: ") and reason in line
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_truncated_video(runner, tmp_path):
    clip = write_test_pattern(tmp_path / "full.mp4", seconds=4.0, size="640x360")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    result = runner.invoke(cli, ["analyze", str(cut), "--out", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == 3
    assert "truncated or corrupt: decoded" in one_line_error(result)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_no_person(runner, tmp_path):
    video = write_noise_video(tmp_path / "empty_room.mp4", n_frames=20)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(out), "--no-cache"])
    assert result.exit_code == 4
    assert one_line_error(result) == f"Error: {video}: no person detected in any frame"
    assert not out.exists() or not any(out.iterdir())


def test_front_view_is_a_clear_error(runner, tmp_path, monkeypatch):
    from ankle_cv import landmarks as lm

    series, _ = knee_to_wall()
    xyzv = series.xyzv.copy()
    xyzv[:, [lm.LEFT_SHOULDER, lm.LEFT_HIP], 0] -= 120
    xyzv[:, [lm.RIGHT_SHOULDER, lm.RIGHT_HIP], 0] += 120
    import dataclasses

    front = dataclasses.replace(series, xyzv=xyzv, source="front.mp4")
    monkeypatch.setattr(ankle_cv.pose.cache, "landmarks_for", lambda video, **kw: (front, False))
    video = write_noise_video(tmp_path / "front.mp4")
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(tmp_path / "out")])
    assert result.exit_code == 5
    assert "film the knee-to-wall test side-on" in one_line_error(result)
    ok = runner.invoke(cli, ["analyze", str(video), "--allow-any-view", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["camera"]["view"] == "front"


def test_an_unwritable_output_folder_is_refused_before_any_work(runner, tmp_path, synthetic_landmarks):
    video = write_noise_video(tmp_path / "clip.mp4")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(blocker / "results")])
    assert result.exit_code == 7
    line = one_line_error(result)
    assert line.startswith(f"Error: {blocker / 'results'}: cannot write the results")
    assert "is a file, not a folder" in line
    assert synthetic_landmarks == []  # no landmarks were asked for


def test_a_video_with_zero_frames(runner, tmp_path):
    from videos import run_ffmpeg

    empty = tmp_path / "no_frames.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-frames:v", "0", "-c:v", "libx264", str(empty))
    result = runner.invoke(cli, ["analyze", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    line = one_line_error(result)
    assert line.startswith(f"Error: {empty}: ") and ("no decodable" in line or "cannot be opened" in line)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option, value", [("--roll-deg", "nan"), ("--roll-deg", "90"), ("--restriction-deg", "nan"),
                                           ("--foot-length-cm", "3"), ("--min-visibility", "2")])
def test_out_of_range_numbers_are_usage_errors(runner, tmp_path, option, value):
    video = write_noise_video(tmp_path / "clip.mp4")
    result = runner.invoke(cli, ["analyze", str(video), option, value])
    assert result.exit_code == 2 and "Traceback" not in result.output and option in result.output


def test_a_bug_is_one_line_with_a_hint_not_a_traceback(monkeypatch, capsys):
    import ankle_cv.cli as cli_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli_module.cli, "main", broken)
    monkeypatch.delenv("ANKLE_CV_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Error: internal error (ZeroDivisionError: division by zero); set ANKLE_CV_DEBUG=1 for the "
                   "traceback and please report it"]


def test_a_run_without_a_result_has_its_own_exit_code(runner, tmp_path, monkeypatch):
    series, _ = knee_to_wall(peaks_deg=(7.0, 8.0))  # wobbles, no knee drive
    monkeypatch.setattr(ankle_cv.pose.cache, "landmarks_for", lambda video, **kw: (series, False))
    video = write_noise_video(tmp_path / "clip.mp4")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(out)])
    assert result.exit_code == 8
    assert "No knee drive found" in result.output
    assert json.loads((out / "report.json").read_text())["legs"] == []


def test_stale_staging_of_a_killed_run_is_swept(tmp_path, monkeypatch):
    from ankle_cv.outputs.atomic import PREFIX, _host, staged_outputs

    out = tmp_path / "out"
    out.mkdir()
    dead = out / f"{PREFIX}{_host()}-999999-abc"  # a pid that does not exist on this host
    alive = out / f"{PREFIX}{_host()}-{os.getpid()}-xyz"  # a run still going (this one)
    elsewhere = out / f"{PREFIX}otherhost-999999-abc"  # another host's run: it may be alive
    for folder in (dead, alive, elsewhere):
        folder.mkdir()
    with staged_outputs(out) as stage:
        stage.path("report.json").write_text("{}")
    assert not dead.exists() and alive.exists() and elsewhere.exists()
    assert (out / "report.json").exists()


def test_the_library_names_settings_and_the_cli_names_its_flags(runner, tmp_path, synthetic_landmarks):
    video = write_noise_video(tmp_path / "clip.mp4")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["analyze", str(video), "--out", str(out)])
    assert "give the camera roll if it was not (option --roll-deg) [roll_assumed_level]" in result.output
    doc = json.loads((out / "report.json").read_text())
    (level,) = [w for w in doc["warnings"] if w["code"] == "roll_assumed_level"]
    assert level["setting"] == "roll_deg" and "--" not in level["message"]
    assert "--roll-deg" not in (out / "summary.txt").read_text()
