"""Bad inputs and bad output folders: a one-line error, the documented exit code, nothing
written that looks complete."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np
import pytest
from harness import SAMPLE, nobody_can_run, one_line, public_dir, run

pytestmark = pytest.mark.slow


def write_noise(path, *, n_frames=60, size=(64, 64), seed=0):
    import cv2

    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, size)
    for _ in range(n_frames):
        writer.write(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    writer.release()
    return path


def faststart_copy(tmp_path):
    """The sample remuxed with its index (moov) at the front, so that a cut file still opens."""
    from videos import run_ffmpeg

    path = tmp_path / "front_index.mp4"
    run_ffmpeg("-i", str(SAMPLE), "-c", "copy", "-movflags", "+faststart", str(path))
    return path


def cut(src, dst, share):
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * share)])
    return dst


def png_as_mp4(path):
    import cv2

    ok, png = cv2.imencode(".png", np.full((120, 160, 3), 200, np.uint8))
    path.write_bytes(png.tobytes())
    return path


def one_frame(tmp_path):
    from videos import run_ffmpeg

    path = tmp_path / "one_frame.mp4"
    run_ffmpeg("-i", str(SAMPLE), "-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    return path


CASES = {
    "zero bytes": (lambda t: (t / "empty.mp4").write_bytes(b"") and None or t / "empty.mp4", 3, "is empty"),
    "text": (lambda t: (t / "notes.mp4").write_text("not a video\n") and t / "notes.mp4", 3,
             "cannot be opened as a video"),
    "wrong suffix": (lambda t: (t / "notes.txt").write_text("x") and t / "notes.txt", 3, "not a video file"),
    "image renamed": (lambda t: png_as_mp4(t / "photo.mp4"), 3, "a still image"),
    "cut at 3%, index first": (lambda t: cut(faststart_copy(t), t / "cut3.mp4", 0.03), 3, "truncated"),
    "cut at 30%, index first": (lambda t: cut(faststart_copy(t), t / "cut30.mp4", 0.30), 3, "truncated"),
    "cut at 30%, index last": (lambda t: cut(SAMPLE, t / "cut30_end.mp4", 0.30), 3, "cannot be opened"),
    "noise": (lambda t: write_noise(t / "noise.mp4"), 4, "person"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_input_is_one_line_with_its_exit_code_and_writes_nothing(case, tmp_path):
    make, code, reason = CASES[case]
    path = make(tmp_path)
    out = tmp_path / "out"
    got, _, err = run(["analyze", str(path), "--out", str(out), "--no-cache", "-q"])
    line = one_line(err)
    assert got == code, err
    assert line.startswith(f"Error: {path}: ") and reason in line, line
    assert not out.exists()


def test_random_bytes_in_the_middle_are_refused_or_warned(tmp_path):
    data = bytearray(SAMPLE.read_bytes())
    rng = np.random.default_rng(1)
    mid = len(data) // 2
    data[mid:mid + 20_000] = rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    path = tmp_path / "scrambled.mp4"
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    got, _, err = run(["analyze", str(path), "--out", str(out), "--no-cache", "-q"])
    if got == 3:
        assert "corrupt" in one_line(err)
        assert not out.exists()
    else:  # decodable with concealment: the report must say so
        codes = {w["code"] for w in json.loads((out / "report.json").read_text())["warnings"]}
        assert "damaged_frames" in codes, err


def test_concealed_damage_is_warned(tmp_path):
    # 4 KB of random bytes at 45% of the file: FFmpeg conceals the damage and decodes on
    data = bytearray(SAMPLE.read_bytes())
    at = int(len(data) * 0.45)
    data[at:at + 4096] = np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    path = tmp_path / "concealed.mp4"
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    got, _, err = run(["analyze", str(path), "--out", str(out), "--no-cache", "-q"])
    assert got in (0, 8), err
    warnings = json.loads((out / "report.json").read_text())["warnings"]
    (damaged,) = [w for w in warnings if w["code"] == "damaged_frames"]
    assert "the video is damaged around frame" in damaged["message"] and "concealed" in damaged["message"]
    frames = json.loads((out / "report.json").read_text())["input"]["damaged_frames"]
    assert frames and all(0.3 < f / 274 < 0.6 for f in frames)  # the damage sits near 45% of the file


def test_a_one_frame_clip_has_no_result_and_says_so(tmp_path):
    path = one_frame(tmp_path)
    out = tmp_path / "out"
    got, stdout, err = run(["analyze", str(path), "--out", str(out), "--no-cache", "-q"])
    assert got == 8, err  # analysed, but nothing to score: the documented "no result" code
    doc = json.loads((out / "report.json").read_text())
    assert doc["legs"] == [] and "too_few_frames" in {w["code"] for w in doc["warnings"]}
    assert "No knee drive found" in stdout


def test_noise_never_gives_an_impossible_angle(tmp_path):
    # a person "found" in a few noise frames must not come out as a -110 deg knee drive
    path = write_noise(tmp_path / "noise_big.mp4", n_frames=90, size=(160, 160), seed=5)
    got, stdout, err = run(["analyze", str(path), "--json", "--no-cache", "-q"])
    if got == 4:
        assert "no person" in one_line(err)
        return
    doc = json.loads(stdout)
    for leg in doc["legs"]:
        for trial in leg["trials"]:
            assert 0.0 <= trial["peak_any_deg"] <= 70.0 or trial["peak_deg"] is None


@pytest.mark.parametrize("kind", ["directory", "dangling symlink"])
def test_not_a_file(kind, tmp_path):
    path = tmp_path / "clip.mp4"
    if kind == "directory":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "gone.mp4")
    got, _, err = run(["analyze", str(path), "-q"])
    assert got == 2
    assert one_line(err).startswith("Error: ")


@pytest.mark.skipif(not nobody_can_run(), reason="needs root and setpriv to run as another user")
def test_an_unreadable_file(public_dir):
    path = public_dir / "private.mp4"
    shutil.copyfile(SAMPLE, path)
    path.chmod(0o600)
    got, _, err = run(["analyze", str(path), "-q", "--no-cache"], user="nobody")
    assert got == 3
    assert one_line(err) == f"Error: {path}: cannot be read (permission denied)"


def test_paths_with_spaces_and_accents(tmp_path, warm_cache):
    folder = tmp_path / "Patientin Müller"
    folder.mkdir()
    path = folder / "knie wand ü 1.mp4"
    shutil.copyfile(SAMPLE, path)
    out = folder / "résultats"
    got, stdout, err = run(["analyze", str(path), "--out", str(out), "-q"], cache=warm_cache)
    assert got == 0, err
    assert json.loads((out / "report.json").read_text())["input"]["file"] == path.name
    assert path.name in stdout


def test_an_existing_file_as_out_fails_before_the_analysis(tmp_path):
    blocker = tmp_path / "afile.txt"
    blocker.write_text("x")
    cache = tmp_path / "cache"
    t0 = time.monotonic()
    got, _, err = run(["analyze", str(SAMPLE), "--out", str(blocker / "sub"), "-q"], cache=cache)
    assert got == 7
    assert one_line(err).startswith(f"Error: {blocker / 'sub'}: cannot write")
    assert not cache.exists()  # refused before any pose estimation
    assert time.monotonic() - t0 < 15


@pytest.mark.skipif(not nobody_can_run(), reason="needs root and setpriv to run as another user")
def test_a_read_only_out_folder(public_dir):
    out = public_dir / "locked"
    out.mkdir(mode=0o755)  # owned by root: read-only for nobody
    clip = public_dir / "clip.mp4"
    shutil.copyfile(SAMPLE, clip)
    clip.chmod(0o644)
    got, _, err = run(["analyze", str(clip), "--out", str(out), "-q", "--no-cache"], user="nobody")
    assert got == 7
    assert "cannot write" in one_line(err)
    assert list(out.iterdir()) == []


def test_usage_errors_are_one_line(tmp_path):
    for args in (["analyze"], ["analyze", str(SAMPLE), "--bogus"], ["analyze", str(SAMPLE), "--roll-deg", "nan"]):
        got, _, err = run(args)
        assert got == 2
        assert one_line(err).startswith("Error: ")


def test_output_files_share_one_permission_mode(tmp_path, warm_cache):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        got, _, err = run(["analyze", str(SAMPLE), "--out", str(out), "-q"], cache=warm_cache)
    finally:
        os.umask(old)
    assert got == 0, err
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert set(modes.values()) == {0o644}, modes
