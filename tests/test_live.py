"""`ankle-cv live`: the one-slot buffer, file pacing, guidance, the tally, the heel kept from
crops, and the command itself (headless on the sample, a window under Xvfb, bad inputs)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from synth import knee_to_wall
from videos import ffmpeg

from ankle_cv.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from ankle_cv.live.display import Action, action_for_key
from ankle_cv.live.feed import LiveFeed, open_feed, paced
from ankle_cv.live.guidance import (
    MAX_ROLL_DEG,
    TOO_DARK_LUMA,
    Guidance,
    guidance,
    mean_luma,
)
from ankle_cv.live.numbers import COMPLETE_AFTER_S, Tally
from ankle_cv.live.slot import LatestSlot
from ankle_cv.live.window import RollingLandmarks

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "knee_to_wall_right.mp4"
ANKLE_CV = str(Path(sys.executable).parent / "ankle-cv")
SIZE = (1280, 720)


# --- the one-slot buffer ------------------------------------------------------------------------
def test_slot_keeps_only_the_newest_item():
    slot = LatestSlot()
    for item in range(5):
        slot.put(item)
    assert slot.take(timeout_s=0) == 4
    assert slot.dropped == 4 and slot.put_count == 5
    assert slot.take(timeout_s=0.01) is None  # taken: empty until the next put
    slot.put(5)
    slot.close()
    assert not slot.closed  # an item is still there to take
    assert slot.take(timeout_s=0) == 5
    assert slot.closed


def test_slot_wakes_a_waiting_consumer():
    slot = LatestSlot()
    got = []
    consumer = threading.Thread(target=lambda: got.append(slot.take(timeout_s=5)))
    consumer.start()
    time.sleep(0.05)
    slot.put("frame")
    consumer.join(2)
    assert got == ["frame"]


# --- a file played as a camera ------------------------------------------------------------------
@pytest.fixture(scope="module")
def clip_60fps(tmp_path_factory) -> Path:
    """1 s at 60 fps, 64x48: frame k has grey level 4k (its index, readable back)."""
    import cv2

    path = tmp_path_factory.mktemp("live") / "count.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 60.0, (64, 48))
    for k in range(60):
        writer.write(np.full((48, 64, 3), 4 * k, dtype=np.uint8))
    writer.release()
    return path


def test_paced_releases_frames_at_their_times():
    class F:
        def __init__(self, t):
            self.time_s = t

    class Clock:  # the wall clock, advanced only by waiting: no dependence on the machine's load
        now = 100.0

        def __call__(self):
            return self.now

    clock = Clock()

    class Stop:
        def wait(self, seconds):
            clock.now += seconds
            return False

        def is_set(self):
            return False

    frames = [F(0.5 + 0.02 * k) for k in range(11)]  # 0.2 s of media, starting at 0.5 s
    released = [at - 100.0 for _, at in paced(frames, stop=Stop(), clock=clock)]
    assert released == pytest.approx([0.02 * k for k in range(11)])  # paced by media time, from the first
    # a producer running late releases at once, never waiting to catch up
    late = [F(0.02 * k) for k in range(3)]
    late_clock = Clock()
    late_clock.now = 0.0
    out = []
    for _, at in paced(late, stop=Stop(), clock=late_clock):
        out.append(at)
        late_clock.now += 1.0  # each frame takes a second to decode
    assert np.diff(out) == pytest.approx([1.0, 1.0])


def test_file_source_drops_frames_for_a_slow_consumer(clip_60fps):
    feed = open_feed(source=str(clip_60fps))
    assert feed.is_file and feed.fps == pytest.approx(60.0)
    captured = []
    feed.on_frame = captured.append
    taken = []
    t0 = time.monotonic()
    feed.start()
    while not feed.ended:
        frame = feed.slot.take(timeout_s=1)
        if frame is not None:
            taken.append(frame)
            time.sleep(0.1)  # a consumer at 10 frames/s against a 60 frames/s file
    wall_s = time.monotonic() - t0
    feed.stop()
    assert len(captured) == 60  # every frame captured (and offered to the recorder) ...
    assert captured[-1].captured_at_s - captured[0].captured_at_s == pytest.approx(59 / 60, abs=0.5)  # ... in time
    # the slow consumer did not slow the file down (it would take 6 s), it got the newest frames
    assert wall_s < 3.5 and 3 <= len(taken) <= 30 < 60
    assert feed.slot.dropped >= 40 and feed.slot.dropped + len(taken) == 60
    indices = [f.index for f in taken]
    assert indices == sorted(indices) and max(np.diff(indices)) >= 4  # newest frames, with gaps
    assert [f.time_s for f in captured] == pytest.approx([k / 60 for k in range(60)], abs=1e-3)


def test_a_failing_source_is_reraised_by_the_consumer():
    def broken(stop):
        raise OSError("camera unplugged")
        yield  # pragma: no cover

    feed = LiveFeed(broken, name="camera 0", fps=30, is_file=False).start()
    assert feed.slot.take(timeout_s=2) is None and feed.ended
    with pytest.raises(OSError, match="unplugged"):
        feed.raise_error()


# --- the recording ------------------------------------------------------------------------------
def _frames(times_s, *, size=(64, 48), captured_from_s=100.0):
    from ankle_cv.live.feed import FeedFrame

    return [FeedFrame(k, t, np.full((size[1], size[0], 3), 10 * k % 250, dtype=np.uint8), captured_from_s + t)
            for k, t in enumerate(times_s)]


def _frame_count(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = sum(1 for _ in iter(lambda: cap.read()[0], False))
    cap.release()
    return n


def test_frames_to_hold_keeps_the_capture_clock():
    from ankle_cv.live.recorder import frames_to_hold

    assert [frames_to_hold(k / 30, 30.0, k) for k in range(5)] == [0] * 5  # a file: every frame on its number
    assert frames_to_hold(0.5 / 30 + 3 / 30, 30.0, 3) == 0  # half a frame late: jitter, kept
    assert frames_to_hold(6 / 30, 30.0, 3) == 2  # two frames missing: held, the frame lands within one
    assert frames_to_hold(1 / 30, 30.0, 3) == -1  # two frames ahead of its place: left out


def test_recorder_writes_the_take_with_its_timing(tmp_path):
    from ankle_cv.live.recorder import Recorder

    times = [k / 30 for k in range(10)] + [13 / 30, 13.1 / 30, 13.2 / 30, 13.3 / 30]  # a gap, then a burst
    frames = _frames(times)
    recorder = Recorder(tmp_path / "take.mp4", fps=30.0, start_at_s=frames[2].captured_at_s)
    accepted = [recorder.offer(f) for f in frames]
    assert accepted == [False, False] + [True] * 12  # the take starts at the third frame
    assert recorder.first_time_s == pytest.approx(2 / 30)
    recording = recorder.finish()
    assert recording.path == tmp_path / "take.mp4" and recording.fps == 30.0 and recording.size_px == (64, 48)
    # 8 frames on their numbers (2/30 to 9/30), 2 held over the gap, the burst's first three kept
    # (within a frame of their place), its fourth left out: 13 frames
    assert (recording.frames, recording.duplicated, recording.skipped) == (13, 2, 1)
    assert _frame_count(recording.path) == 13
    assert [p.name for p in tmp_path.iterdir()] == ["take.mp4"]  # no partial file left


def test_recorder_without_frames_writes_nothing(tmp_path):
    from ankle_cv.live.recorder import Recorder

    recorder = Recorder(tmp_path / "out" / "take.mp4", fps=lambda: 25.0, start_at_s=1e12)  # starts far ahead
    assert not any(recorder.offer(f) for f in _frames([0.0, 0.04]))
    assert recorder.finish() is None and not (tmp_path / "out").exists()
    abandoned = Recorder(tmp_path / "take.mp4", fps=30.0)
    assert all(abandoned.offer(f) for f in _frames([0.0, 1 / 30]))
    abandoned.abandon()
    assert list(tmp_path.iterdir()) == []  # the partial file went with it


# --- guidance -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def side_view() -> np.ndarray:
    """Half a second of a side-view knee-to-wall stance (synthetic, feet in frame)."""
    series, _ = knee_to_wall()
    return series.xyzv[:15].astype(np.float32)


def front_view_of(xyzv: np.ndarray) -> np.ndarray:
    """The same person seen from the front: shoulders and hips a body's width apart."""
    out = xyzv.copy()
    for left, right in ((LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP)):
        mid = 0.5 * (out[:, left, 0] + out[:, right, 0])
        out[:, left, 0], out[:, right, 0] = mid + 100.0, mid - 100.0
    return out


def test_side_view_in_good_light_needs_no_guidance(side_view):
    assert guidance(side_view, SIZE, test="knee-to-wall", luma=120.0, roll_deg=1.0, heel_lifted=False) == []


def test_front_view_asks_to_turn_side_on_for_knee_to_wall_only(side_view):
    front = front_view_of(side_view)
    assert guidance(front, SIZE, test="knee-to-wall", luma=120.0) == [Guidance.TURN_SIDE_ON]
    assert guidance(front, SIZE, test="squat", luma=120.0) == []  # a squat may be filmed from the front


def test_no_person(side_view):
    nobody = np.full_like(side_view, np.nan)
    assert guidance(nobody, SIZE, test="knee-to-wall", luma=120.0) == [Guidance.NO_PERSON]
    assert guidance(nobody[:0], SIZE, test="squat", luma=120.0) == [Guidance.NO_PERSON]


def test_feet_out_of_frame_asks_to_step_back(side_view):
    cut = side_view.copy()
    for lmk in (LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX):
        cut[:, lmk, 1] += 300.0  # below the bottom edge
    assert guidance(cut, SIZE, test="knee-to-wall", luma=120.0) == [Guidance.STEP_BACK]
    unseen = side_view.copy()
    unseen[:, [LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX, LEFT_ANKLE, RIGHT_ANKLE], 3] = 0.1
    assert guidance(unseen, SIZE, test="squat", luma=120.0) == [Guidance.STEP_BACK]
    one_frame_out = side_view.copy()
    one_frame_out[0, LEFT_HEEL, 1] = 900.0  # one frame of fifteen: no message
    assert guidance(one_frame_out, SIZE, test="knee-to-wall", luma=120.0) == []


def test_too_dark_from_the_picture(side_view):
    dark = np.full((720, 1280, 3), 25, dtype=np.uint8)
    lit = np.full((720, 1280, 3), (60, 140, 200), dtype=np.uint8)
    assert mean_luma(dark) == pytest.approx(25.0, abs=0.5)
    assert mean_luma(lit) == pytest.approx(0.114 * 60 + 0.587 * 140 + 0.299 * 200, abs=0.5)
    assert mean_luma(dark) < TOO_DARK_LUMA < mean_luma(lit)
    assert guidance(side_view, SIZE, test="knee-to-wall", luma=mean_luma(dark)) == [Guidance.TOO_DARK]
    nobody = np.full_like(side_view, np.nan)
    assert guidance(nobody, SIZE, test="knee-to-wall", luma=mean_luma(dark)) == [Guidance.TOO_DARK,
                                                                                   Guidance.NO_PERSON]


def test_phone_not_level_and_heel_lifted(side_view):
    assert guidance(side_view, SIZE, test="knee-to-wall", luma=120.0, roll_deg=MAX_ROLL_DEG + 3) == [
        Guidance.NOT_LEVEL]
    assert guidance(side_view, SIZE, test="knee-to-wall", luma=120.0, roll_deg=-(MAX_ROLL_DEG + 3),
                    heel_lifted=True) == [Guidance.NOT_LEVEL, Guidance.HEEL_LIFTED]
    assert guidance(side_view, SIZE, test="knee-to-wall", luma=120.0, roll_deg=float("nan")) == []


def test_keys():
    assert action_for_key(ord(" ")) is Action.TOGGLE and action_for_key(ord("r")) is Action.TOGGLE
    assert action_for_key(ord("q")) is Action.QUIT and action_for_key(27) is Action.QUIT
    assert action_for_key(-1) is None and action_for_key(ord("x")) is None


# --- the rolling window and the tally -----------------------------------------------------------
def test_window_forgets_what_is_older_than_its_span():
    window = RollingLandmarks(span_s=1.0)
    for k in range(40):
        window.append(k, k * 0.1, np.full((33, 4), k, dtype=np.float32))
    window.add_lines(3.5, np.ones((2, 4)))
    snap = window.snapshot()
    assert snap.time_s[0] == pytest.approx(2.9) and snap.time_s[-1] == pytest.approx(3.9)
    assert list(snap.index) == list(range(29, 40)) and snap.xyzv[0, 0, 0] == 29
    assert snap.lines.shape == (2, 5) and snap.lines[0, 0] == 6  # the row of t = 3.5 s
    assert window.snapshot(since_s=3.45).n_rows == 5
    assert len(window.recent(0.25)) == 3


def test_tally_counts_a_trial_once_it_is_complete():
    from ankle_cv.protocols import get_protocol

    protocol = get_protocol("knee-to-wall")
    series, truth = knee_to_wall(peaks_deg=(30.0, 38.0))
    settings = protocol.default_settings()
    result = protocol.analyze(series, settings)
    assert [t.peak_deg for t in result.legs[0].trials] == pytest.approx([30.0, 38.0], abs=0.5)
    t = series.time_s
    # a window that ends 0.3 s after the second drive's valley: that trial is not complete yet
    second = result.legs[0].trials[1]
    tally = Tally("knee-to-wall")
    tally.reset(1)
    window_t = t[: second.end_frame + 10]  # the window's newest frame: 9 frames after the trial's end
    assert window_t[-1] - t[second.end_frame] < COMPLETE_AFTER_S
    tally.update(result, window_t, final=False)
    assert tally.view().best_deg == {}  # the protocol's best (the second trial) is still open
    tally.update(result, t, final=True)  # the take ended: everything is complete
    assert tally.view().best_deg == {"left": pytest.approx(38.0, abs=0.5)}
    assert tally.view().best_time_s["left"] == pytest.approx(t[second.peak_frame])


# --- takes: countdown, record, stop, a cancelled second take --------------------------------------
class _ScriptedDisplay:
    """Presses keys at given shown-frame counts; remembers the lines it was handed."""

    def __init__(self, keys: dict):
        self.keys, self.shown, self.lines = keys, 0, []

    def show(self, image, line=""):
        self.shown += 1
        self.lines.append(line)
        return self.keys.get(self.shown)

    def poll(self, wait_ms=10):
        return None

    def close(self):
        """Nothing to release."""


class _SyntheticPose:
    """Landmarks of a synthetic knee-to-wall clip (scaled to 320x180), one row per call."""

    def __init__(self):
        series, _ = knee_to_wall(peaks_deg=(30.0, 38.0))
        self.rows = series.xyzv.astype(np.float32) * np.array([0.25, 0.25, 0.25, 1.0], dtype=np.float32)
        self.calls = 0

    def process(self, image):
        row = self.rows[min(self.calls, len(self.rows) - 1)]
        self.calls += 1
        return row

    def close(self):
        """Nothing to release."""


def test_takes_start_after_the_countdown_stop_and_survive_a_cancelled_retake(tmp_path):
    from ankle_cv.live.session import LiveSession
    from ankle_cv.protocols import get_protocol

    fps = 15.0  # slow enough that a busy machine shows every frame (the keys go by frames shown)

    class F:
        def __init__(self, k):
            self.time_s, self.image_bgr = k / fps, np.full((180, 320, 3), 90 + k % 60, dtype=np.uint8)

    feed = LiveFeed(lambda stop: paced((F(k) for k in range(150)), stop=stop), name="synthetic", fps=fps,
                    is_file=True)
    # record at the 10th frame shown, stop at the 110th, start a retake at the 120th, cancel it at the 122nd
    display = _ScriptedDisplay({10: Action.TOGGLE, 110: Action.TOGGLE, 120: Action.TOGGLE, 122: Action.TOGGLE})
    protocol = get_protocol("knee-to-wall")
    session = LiveSession(feed, protocol, protocol.default_settings(), display, recording_path=tmp_path / "rec.mp4",
                          countdown_s=0.5, estimator=_SyntheticPose())
    result = session.run()
    recording = result.recording
    assert recording is not None and recording.path.is_file() and recording.fps == fps
    # the take began half a second after the key, and ended at the second key
    pressed_s, stopped_s = float(display.lines[9].split()[0]), float(display.lines[109].split()[0])
    assert recording.first_time_s == pytest.approx(pressed_s + 0.5, abs=0.1)
    assert recording.last_time_s == pytest.approx(stopped_s, abs=0.1)
    assert recording.frames == round((recording.last_time_s - recording.first_time_s) * fps) + 1
    assert _frame_count(recording.path) == recording.frames
    assert "get ready" in display.lines[10] or "REC" in display.lines[10]
    assert any("get ready  recording in 1 s" in line for line in display.lines[10:20])
    assert "REC" in display.lines[60] and "stopped" in display.lines[115]
    assert "stopped" in display.lines[-1]  # the cancelled retake left the first take as the recording
    best_of = [line.split("best with heel down: ")[1].split("  ")[0] for line in display.lines]
    assert best_of[-1] == best_of[115] == "left 30.0°"  # ... and its best, not the retake's empty tally
    assert result.final is not None and result.final.result is not None  # the take's last window was scored
    assert result.stats.processed == len(display.lines) and result.stats.captured == 150
    assert list(tmp_path.iterdir()) == [tmp_path / "rec.mp4"]


# --- the heel kept from crops is the heel analyze tracks ----------------------------------------
@pytest.mark.slow
def test_heel_from_kept_crops_matches_the_offline_tracker(warm_cache):
    """Scoring the sample with the heel read from the live foot crops gives the result that
    scoring it with the whole video does (same trials, lifts and best angle)."""
    from ankle_cv.io.source import read_frames
    from ankle_cv.live.heel import FootCrops
    from ankle_cv.live.window import Snapshot
    from ankle_cv.pose.cache import landmarks_for
    from ankle_cv.protocols import get_protocol

    series, _ = landmarks_for(str(SAMPLE), cache_dir=warm_cache)
    protocol = get_protocol("knee-to-wall")
    settings = protocol.default_settings()
    offline = protocol.analyze(series, settings, frames=functools.partial(read_frames, str(SAMPLE)))
    crops = FootCrops()
    for frame in read_frames(str(SAMPLE)):
        crops.add(frame.index, frame.image_bgr, series.xyzv[frame.index])
    kept_mb = crops.nbytes / 2**20
    snapshot = Snapshot(series.xyzv, series.time_s, np.arange(series.n_frames), series.lines, final=True)
    live = protocol.analyze(series, settings, frames=crops.reader(snapshot))
    np.testing.assert_allclose(live.heel.height_foot, offline.heel.height_foot, atol=1e-6, equal_nan=True)
    assert [leg.best_deg for leg in live.legs] == [leg.best_deg for leg in offline.legs]
    assert live.heel.lifts.tolist() == offline.heel.lifts.tolist()
    assert [len(leg.heel_lifts) for leg in live.legs] == [len(leg.heel_lifts) for leg in offline.legs] == [1]
    assert kept_mb < 0.25 * series.n_frames  # a quarter MB a frame at most (a 720p frame is 2.6 MB)
    # measured once: scoring again measures no frame anew
    calls = []
    original = crops._patch
    crops._patch = lambda index: calls.append(index) or original(index)
    protocol.analyze(series, settings, frames=crops.reader(snapshot))
    assert calls == []


# --- the command --------------------------------------------------------------------------------
def _env(tmp_path: Path, **extra) -> dict:
    return dict(os.environ, ANKLE_CV_CACHE_DIR=str(tmp_path / "cache"), **extra)


def _one_line_error(done: subprocess.CompletedProcess) -> str:
    text = (done.stdout + done.stderr).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


def test_no_such_camera_is_one_line(tmp_path):
    done = subprocess.run([ANKLE_CV, "live", "--camera", "97", "--no-window", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60, env=_env(tmp_path))
    assert done.returncode == 3
    assert _one_line_error(done) == ("Error: camera 97: cannot be opened (no such camera, or the stream does not "
                                     "answer)")
    assert not (tmp_path / "out").exists()


def test_missing_file_is_one_line(tmp_path):
    done = subprocess.run([ANKLE_CV, "live", "--source", "/nonexistent.mp4", "--no-window", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=60, env=_env(tmp_path))
    assert done.returncode == 3
    assert _one_line_error(done) == "Error: /nonexistent.mp4: file not found"
    assert not (tmp_path / "out").exists()


def test_not_a_video_and_usage_errors_are_one_line(tmp_path):
    from click.testing import CliRunner

    from ankle_cv.cli import cli

    text_file = tmp_path / "notes.mp4"
    text_file.write_text("not a video")
    runner = CliRunner()
    result = runner.invoke(cli, ["live", "--source", str(text_file), "--no-window", "--out", str(tmp_path / "o")])
    assert result.exit_code == 3 and "cannot be opened as a video" in result.output
    result = runner.invoke(cli, ["live", "--no-window", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--camera N or --source" in result.output
    result = runner.invoke(cli, ["live", "--camera", "0", "--source", "x.mp4", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


_LIVE_BEST = re.compile(r"live: best with heel down (left|right) ([\d.]+)°")
_LINE = re.compile(r"^\s+(\d+\.\d\d) s  REC [\d.]+ s  tibia (\S+)  best with heel down: (\S.*?)  "
                   r"(heel down|HEEL LIFTED|heel \?)  (.+)$")


@pytest.mark.slow
def test_headless_run_on_the_sample_writes_what_analyze_writes(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([ANKLE_CV, "live", "--source", str(SAMPLE), "--no-window", "--out", str(out)],
                          capture_output=True, text=True, timeout=240, env=_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    names = {p.name for p in out.iterdir()}
    assert {"recording.mp4", "report.json", "angles.csv", "summary.txt", "plot.png", "report.html",
            "landmarks.npz"} <= names
    assert not [n for n in names if n.startswith(".")]  # no partial files left
    # the recording holds every frame of the file, at its rate
    import cv2

    cap = cv2.VideoCapture(str(out / "recording.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 274 and cap.get(cv2.CAP_PROP_FPS) == pytest.approx(30.0)
    cap.release()
    # live lines about twice a second while recording, with numbers once the window is scored
    lines = [m for m in map(_LINE.match, done.stdout.splitlines()) if m]
    assert 12 <= len(lines) <= 24, done.stdout
    assert any(m.group(2) != "--" for m in lines) and any(m.group(4) == "heel down" for m in lines)
    assert "recording in 3 s" in done.stdout
    # the best angle seen live is what analyze reports for the recording
    report = json.loads((out / "report.json").read_text())
    best = {leg["leg"]: leg["best_deg"] for leg in report["legs"] if leg["best_deg"] is not None}
    live = {m.group(1): float(m.group(2)) for m in _LIVE_BEST.finditer(done.stdout)}
    assert set(live) == set(best) == {"right"}, done.stdout
    # Within 0.5 deg when the loop kept up. Measured why it can miss (docs/live.md): with every
    # frame processed the live best equals analyze's on the source file (35.1), and analyze on
    # the re-encoded recording reads 0.2 higher (35.3); dropped frames make MediaPipe track
    # across gaps: -0.5 to 0.0 from the recording's with 14-39% dropped (fourteen runs), down to
    # -1.2 with two thirds dropped (the 2-core machine busy with other work).
    dropped = float(re.search(r"captured \([\d.]+/s, (\d+)% dropped\)", done.stdout).group(1))
    tolerance = 0.5 if dropped <= 35 else 1.5
    assert abs(live["right"] - best["right"]) <= tolerance, (live, best, f"{dropped:.0f}% dropped")
    assert "Wrote report.json, angles.csv, summary.txt, plot.png, report.html, landmarks.npz and recording.mp4" in \
        done.stdout
    assert "RIGHT leg (tested): best with heel down" in done.stdout  # the summary, as analyze prints it


@pytest.mark.slow
def test_sigterm_stops_a_headless_run_and_keeps_the_take(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([ANKLE_CV, "live", "--source", str(SAMPLE), "--no-window", "--countdown-s", "0",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path))
    seen = []
    for line in proc.stdout:  # wait until two seconds are recorded
        seen.append(line)
        if re.match(r"^\s+(\d+\.\d\d) s  REC ([2-9]|\d\d)\.", line):
            break
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (0, 8), "".join(seen) + stdout + stderr  # 8: the short take has no full trial
    assert (out / "recording.mp4").is_file() and (out / "report.json").is_file()
    report = json.loads((out / "report.json").read_text())
    assert 2.0 <= report["input"]["duration_s"] < 8.5  # stopped early: not the whole 9.1-s file
    assert "Traceback" not in stderr


def _free_display() -> int:
    for number in range(99, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    pytest.skip("no free X display number")


def _screenshot(display: str, path: Path) -> np.ndarray:
    import cv2

    subprocess.run([ffmpeg(), "-loglevel", "error", "-y", "-f", "x11grab", "-video_size", "1280x800", "-i", display,
                    "-frames:v", "1", str(path)], check=True, timeout=30)
    return cv2.imread(str(path))


def _x11():
    """libX11 and libXtst through ctypes (XTest sends input as a user's would be)."""
    import ctypes
    import ctypes.util

    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
    p, ul = ctypes.c_void_p, ctypes.c_ulong
    x11.XOpenDisplay.restype, x11.XOpenDisplay.argtypes = p, [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype, x11.XDefaultRootWindow.argtypes = ul, [p]
    x11.XQueryTree.argtypes = [p, ul, ctypes.POINTER(ul), ctypes.POINTER(ul), ctypes.POINTER(ctypes.POINTER(ul)),
                               ctypes.POINTER(ctypes.c_uint)]
    x11.XFetchName.argtypes = [p, ul, ctypes.POINTER(ctypes.c_char_p)]
    x11.XSetInputFocus.argtypes = [p, ul, ctypes.c_int, ul]
    x11.XStringToKeysym.restype, x11.XStringToKeysym.argtypes = ul, [ctypes.c_char_p]
    x11.XKeysymToKeycode.argtypes = [p, ul]
    x11.XFlush.argtypes = x11.XCloseDisplay.argtypes = x11.XFree.argtypes = [p]
    xtst.XTestFakeKeyEvent.argtypes = [p, ctypes.c_uint, ctypes.c_int, ul]
    return ctypes, x11, xtst


def _windows(ctypes, x11, dpy, window):
    """``window`` and every window below it."""
    root, parent, children, n = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    found = [window]
    if x11.XQueryTree(dpy, window, ctypes.byref(root), ctypes.byref(parent), ctypes.byref(children),
                      ctypes.byref(n)):
        kids = [children[i] for i in range(n.value)]
        if children:
            x11.XFree(children)
        for kid in kids:
            found += _windows(ctypes, x11, dpy, kid)
    return found


def _press(display: str, key: str, *, title: str = "ankle-cv live") -> None:
    """Focus the window whose title starts with ``title`` and press and release ``key`` (an
    X keysym name). Without a window manager Qt takes no keys until a window is focused."""
    ctypes, x11, xtst = _x11()
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open {display}"
    try:
        for window in _windows(ctypes, x11, dpy, x11.XDefaultRootWindow(dpy)):
            name = ctypes.c_char_p()
            if x11.XFetchName(dpy, window, ctypes.byref(name)) and name.value:
                if name.value.decode(errors="replace").startswith(title):
                    x11.XSetInputFocus(dpy, window, 2, 0)  # RevertToParent, CurrentTime
                    break
        x11.XFlush(dpy)
        time.sleep(0.2)
        code = x11.XKeysymToKeycode(dpy, x11.XStringToKeysym(key.encode()))
        xtst.XTestFakeKeyEvent(dpy, code, 1, 0)
        xtst.XTestFakeKeyEvent(dpy, code, 0, 0)
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


@pytest.fixture
def xvfb():
    """A virtual X display (Debian's xvfb), or skip."""
    import ctypes.util

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    if not (ctypes.util.find_library("Xtst") or Path("/usr/lib/x86_64-linux-gnu/libXtst.so.6").exists()):
        pytest.skip("libXtst (to send keys) is not installed")
    number = _free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(10)


def _recording_shown(image: np.ndarray) -> bool:
    """The red state line ("REC 1.2 s") in the window's top-left corner."""
    corner = image[:120, :400].astype(np.int16)
    red = (corner[..., 2] > 200) & (corner[..., 1] < 90) & (corner[..., 0] < 90)
    return int(red.sum()) > 50


@pytest.mark.slow
def test_window_under_xvfb_shows_the_numbers_and_records_on_keys(tmp_path, xvfb):
    import cv2

    out = tmp_path / "out"
    proc = subprocess.Popen([ANKLE_CV, "live", "--source", str(SAMPLE), "--countdown-s", "1", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path, DISPLAY=xvfb))
    shot = tmp_path / "shot.png"
    try:
        deadline = time.monotonic() + 60
        while True:  # until the window shows the picture
            image = _screenshot(xvfb, shot)
            if float(image.std()) > 20 or time.monotonic() > deadline or proc.poll() is not None:
                break
            time.sleep(0.3)
        _press(xvfb, "space")  # record, after a one-second countdown
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None and not _recording_shown(image):
            time.sleep(0.3)
            image = _screenshot(xvfb, shot)
        time.sleep(1.0)
        image = _screenshot(xvfb, shot)
        shutil.copy(shot, "/tmp/live_screenshot.png")
        _press(xvfb, "q")
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the window was not blank: the sample's picture with the overlay over it
    window = image[:720, :1280]
    assert float(window.std()) > 20 and (window.reshape(-1, 3).max(axis=1) > 30).mean() > 0.5
    assert _recording_shown(window)
    # the heel badge, top right: green "heel down" or red "HEEL LIFTED" (which depends on timing)
    green = (window[..., 1] > 170) & (window[..., 0] < 120) & (window[..., 2] < 120)
    red = (window[..., 2] > 200) & (window[..., 1] < 90) & (window[..., 0] < 90)
    assert (green | red)[:100, 800:].sum() > 500
    assert proc.returncode in (0, 8), stdout + stderr
    assert (out / "recording.mp4").is_file() and (out / "report.json").is_file()
    cap = cv2.VideoCapture(str(out / "recording.mp4"))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    assert 20 <= frames < 274  # recorded from the key press on, not the whole file
    assert "Traceback" not in stderr
