"""Video source: suffixes, rotation metadata, container timestamps, broken files."""

import re
import subprocess

import numpy as np
import pytest
from videos import ffmpeg, run_ffmpeg, write_noise_video, write_test_pattern

from ankle_cv.errors import InputError
from ankle_cv.io.source import check_complete, probe, read_frames


def test_suffix_any_case(tmp_path):
    clip = write_noise_video(tmp_path / "a.mp4")
    upper = clip.rename(tmp_path / "CLIP.MP4")
    info = probe(upper)
    assert (info.width_px, info.height_px, info.n_frames_declared) == (160, 120, 30)
    assert len(list(read_frames(upper))) == 30


@pytest.mark.parametrize("name, content, reason", [
    ("notes.txt", b"hello", "not a video file"),
    ("empty.mp4", b"", "empty"),
    ("garbage.mov", b"\x00\x01garbage" * 500, "cannot be opened"),
])
def test_bad_files_are_input_errors(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as err:
        probe(path)
    assert str(path) in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        probe(tmp_path / "nope.mp4")
    (tmp_path / "dir.mp4").mkdir()
    with pytest.raises(InputError, match="folder"):
        probe(tmp_path / "dir.mp4")


def test_rotation_metadata_gives_upright_frames(tmp_path):
    base = write_test_pattern(tmp_path / "base.mp4", seconds=0.5)
    rotated = tmp_path / "rotated.mp4"
    run_ffmpeg("-display_rotation", "90", "-i", str(base), "-c", "copy", str(rotated))
    upright = tmp_path / "upright.mp4"  # what a player shows: ffmpeg applies the rotation
    run_ffmpeg("-i", str(rotated), "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", str(upright))
    info = probe(rotated)
    assert info.rotation_deg in (90, 270)
    assert (info.width_px, info.height_px) == (180, 320)
    got = next(iter(read_frames(rotated))).image_bgr
    want = next(iter(read_frames(upright))).image_bgr
    assert got.shape == (320, 180, 3)
    assert np.abs(got.astype(int) - want.astype(int)).mean() < 6.0


def test_variable_frame_rate_keeps_container_times(tmp_path):
    clip = tmp_path / "vfr.mp4"
    # 30 fps for 1 s, then one frame every 1/15 s
    run_ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-t", "2",
               "-vf", "setpts='if(lt(N,30),N/30/TB,(1+(N-30)/15)/TB)'", "-fps_mode", "vfr",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip))
    times = np.array([f.time_s for f in read_frames(clip)])
    # the truth is what the container holds, as ffmpeg itself decodes it
    shown = subprocess.run([ffmpeg(), "-i", str(clip), "-vf", "showinfo", "-f", "null", "-"],
                           capture_output=True, text=True).stderr
    pts = np.array([float(v) for v in re.findall(r"pts_time:([0-9.]+)", shown)])
    assert times == pytest.approx(pts, abs=1e-3)
    assert times[:30] == pytest.approx(np.arange(30) / 30, abs=1e-3)
    assert np.median(np.diff(times[30:])) == pytest.approx(1 / 15, abs=1e-3)  # not 1/30


def test_start_and_stop_are_frame_exact(tmp_path):
    clip = write_test_pattern(tmp_path / "p.mp4", seconds=2.0)
    frames = list(read_frames(clip))
    part = list(read_frames(clip, start=17, stop=23))
    assert [f.index for f in part] == list(range(17, 23))
    for a, b in zip(part, frames[17:23]):
        assert a.time_s == b.time_s and np.array_equal(a.image_bgr, b.image_bgr)


def test_truncated_file_is_detected(tmp_path):
    clip = write_test_pattern(tmp_path / "full.mp4", seconds=4.0, size="640x360")
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    info = probe(cut)
    frames = list(read_frames(cut))
    assert len(frames) < info.n_frames_declared
    with pytest.raises(InputError, match="truncated"):
        check_complete(info, len(frames), frames[-1].time_s)


def test_variable_rate_matroska_is_not_truncated(tmp_path):
    # Matroska estimates its frame count from the duration at the highest rate
    clip = tmp_path / "vfr.mkv"
    run_ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-t", "6",
               "-vf", "setpts='if(lt(N,30),N/30/TB,(1+(N-30)/15)/TB)'", "-fps_mode", "vfr",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip))
    info = probe(clip)
    frames = list(read_frames(clip))
    assert len(frames) < 0.7 * info.n_frames_declared  # the estimate is far off ...
    check_complete(info, len(frames), frames[-1].time_s)  # ... but the clip is whole


def test_a_hole_in_the_frames_is_corruption(tmp_path):
    from ankle_cv.io.source import check_no_holes

    clip = write_test_pattern(tmp_path / "p.mp4", seconds=1.0)
    info = probe(clip)
    times = np.arange(30) / 30.0
    check_no_holes(info, times)
    check_no_holes(info, np.delete(times, [5, 6]))  # two dropped frames: a phone does that
    with pytest.raises(InputError, match="about 11 frames cannot be decoded between 0.13 and 0.53 s"):
        check_no_holes(info, np.delete(times, range(5, 16)))
