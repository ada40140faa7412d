"""Frame sources (file, stream URL, camera index) and the video sink."""

import numpy as np
import pytest
from videos import write_test_pattern

from ankle_cv.errors import InputError, OutputError
from ankle_cv.io.sink import VideoSink
from ankle_cv.io.source import CaptureSource, FileSource, open_source


def test_a_file_source_reads_again_and_again(tmp_path):
    clip = write_test_pattern(tmp_path / "clip.mp4", seconds=1.0)
    source = open_source(str(clip))
    assert isinstance(source, FileSource) and source.info.n_frames_declared == 30
    assert [f.index for f in source.frames(start=25)] == [25, 26, 27, 28, 29]
    assert len(list(source.frames(stop=3))) == 3


def test_a_stream_url_is_read_once_with_clock_times(tmp_path):
    clip = write_test_pattern(tmp_path / "clip.mp4", seconds=1.0)
    source = open_source(clip.resolve().as_uri())  # file:///... goes through FFmpeg's URL handling
    assert isinstance(source, CaptureSource)
    frames = list(source.frames(stop=10))
    assert [f.index for f in frames] == list(range(10))
    times = [f.time_s for f in frames]
    assert times == sorted(times) and times[0] >= 0.0
    assert frames[0].image_bgr.shape == (180, 320, 3)


def test_a_missing_camera_is_a_clear_error():
    with pytest.raises(InputError, match="cannot be opened"):
        open_source("97")


def test_the_sink_writes_a_playable_video_only_when_complete(tmp_path):
    path = tmp_path / "out" / "overlay.mp4"
    with VideoSink(path, fps=30.0, size=(160, 120)) as sink:
        for i in range(15):
            sink.write(np.full((120, 160, 3), 10 * i, np.uint8))
        assert not path.exists()  # nothing visible before the end
    assert sink.frames_written == 15 and sink.codec in ("avc1", "mp4v")
    assert FileSource(path).info.n_frames_declared == 15


def test_a_failed_recording_leaves_no_file(tmp_path):
    path = tmp_path / "overlay.mp4"
    with pytest.raises(ValueError, match="160x120"):
        with VideoSink(path, fps=30.0, size=(160, 120)) as sink:
            sink.write(np.zeros((120, 160, 3), np.uint8))
            sink.write(np.zeros((100, 100, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_sink_is_an_output_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write the video"):
        with VideoSink(blocker / "v.mp4", fps=30.0, size=(160, 120)):
            pass
