"""Pictures of a scored clip: face blur from landmarks, the drawing, the per-frame track the
pictures draw from, the plots, the annotated video and the self-contained HTML report
(rendered in headless Chromium and read back by OCR where those are installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ankle_cv.visual.draw import PlotStrip, ascii_text, draw_angle
from ankle_cv.visual.privacy import blur_face, face_ellipses
from ankle_cv.visual.track import ARC_ANKLE_VERTICAL, ARC_KNEE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos"
CLI = str(Path(sys.executable).parent / "ankle-cv")


def _person(n: int, *, face_x: float = 300.0, face_y: float = 100.0) -> np.ndarray:
    xyzv = np.full((n, 33, 4), np.nan, dtype=np.float32)
    xyzv[:, 0:11, 0] = face_x + np.linspace(-10, 10, 11)  # face landmarks spread 20 px
    xyzv[:, 0:11, 1] = face_y
    xyzv[:, 11:13, :2] = (face_x, 160.0)  # shoulders
    xyzv[:, 23:25, :2] = (face_x, 360.0)  # hips: torso 200 px
    xyzv[..., 3] = 1.0
    return xyzv


def test_face_ellipse_covers_the_head_and_bridges_short_gaps_only():
    xyzv = _person(40)
    xyzv[10:13] = np.nan  # lost for 3 frames: bridged
    xyzv[20:40] = np.nan  # lost for 20 frames: only the first 5 borrow a face
    faces = face_ellipses(xyzv, max_gap_frames=5)
    assert faces[0, 0] == pytest.approx(300.0)
    # head radius: 0.3 torso (60 px) beats 1.6 x the 10-px face extent; centre raised 0.15 r
    assert faces[0, 2] == pytest.approx(60.0)
    assert faces[0, 1] == pytest.approx(100.0 - 9.0)
    assert np.isfinite(faces[10:13]).all()
    assert np.isfinite(faces[20:25]).all() and np.isnan(faces[25:]).all()


def test_blur_changes_the_face_only():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    before = image.copy()
    blur_face(image, (160, 100, 30, 40))
    changed = np.any(image != before, axis=2)
    assert changed[100, 160] and changed[75, 160]
    assert not changed[:55].any() and not changed[145:].any() and not changed[:, :125].any()
    # the face's detail is gone: neighbouring pixels inside now nearly equal
    assert np.abs(np.diff(image[90:110, 150:170].astype(int), axis=1)).mean() < 10
    untouched = image.copy()
    blur_face(image, (np.nan, 100, 30, 40))
    assert np.array_equal(image, untouched)


@pytest.mark.parametrize("head_rx_px", [30, 200])  # a 720p clip's head, and a 4K clip's
def test_blur_removes_detail_at_any_resolution(head_rx_px):
    import cv2

    rng = np.random.default_rng(2)
    size = 8 * head_rx_px
    image = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    cx = cy = size // 2
    inside = (slice(cy - head_rx_px // 2, cy + head_rx_px // 2), slice(cx - head_rx_px // 2, cx + head_rx_px // 2))

    def detail(img) -> float:
        return float(cv2.Laplacian(cv2.cvtColor(img[inside], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())

    before = detail(image)
    blur_face(image, (cx, cy, head_rx_px, 1.3 * head_rx_px))
    assert detail(image) < 0.002 * before
    # about 6 blocks across the head: the row through the centre changes level only a few times
    row = image[cy, cx - head_rx_px:cx + head_rx_px, 0].astype(int)
    assert np.count_nonzero(np.abs(np.diff(row)) > 8) < 3 * 6


def test_drawing_puts_each_legs_value_on_that_leg_where_mediapipe_swapped_them():
    from ankle_cv.visual.draw import anatomical

    landmarks = np.arange(33 * 4, dtype=np.float32).reshape(33, 4)
    fixed = anatomical(landmarks, True)
    assert np.array_equal(fixed[25], landmarks[26]) and np.array_equal(fixed[26], landmarks[25])  # knees
    assert np.array_equal(fixed[31], landmarks[32]) and np.array_equal(fixed[0], landmarks[0])  # toes; nose stays
    assert anatomical(landmarks, False) is landmarks


def test_angle_arc_is_drawn_at_the_joint_it_measures():
    landmarks = np.full((33, 4), np.nan, dtype=np.float32)
    landmarks[23, :2], landmarks[25, :2], landmarks[27, :2] = (200, 100), (230, 250), (200, 400)  # left leg
    image = np.zeros((480, 640, 3), dtype=np.uint8)
    draw_angle(image, landmarks, 0, ARC_ANKLE_VERTICAL, 11.3)
    # the vertical ray goes straight up from the ankle (x = 200) for 0.8 of the shank length
    assert image[300:395, 199:202].any(axis=(1, 2)).all()
    knee_image = np.zeros_like(image)
    draw_angle(knee_image, landmarks, 0, ARC_KNEE, 20.0)
    # the thigh's extension continues beyond the knee, away from the hip
    assert knee_image[300:330, 236:252].any()
    assert not knee_image[:240].any()  # nothing above the knee: the arc opens downwards
    blank = np.zeros_like(image)
    draw_angle(blank, landmarks, 0, ARC_KNEE, float("nan"))
    assert not blank.any()
    assert ascii_text("38.2\u00b0 \u2013 ok") == "38.2 deg - ok"


@pytest.fixture(scope="module")
def knee_to_wall(warm_cache):
    from ankle_cv.pipeline import analyze_video

    return analyze_video(SAMPLE / "knee_to_wall_right.mp4", "knee-to-wall", cache_dir=warm_cache, workers=1)


@pytest.fixture(scope="module")
def squat(warm_cache):
    from ankle_cv.pipeline import analyze_video

    return analyze_video(SAMPLE / "squat_front.mp4", "squat", cache_dir=warm_cache, workers=1)


def test_knee_to_wall_track_shows_the_results_own_numbers(knee_to_wall):
    result = knee_to_wall.result
    track = knee_to_wall.protocol.track(result)
    leg = result.leg("right")
    assert track.n_frames == result.clip.n_frames
    (key,) = track.key_frames
    best = next(t for t in leg.trials if t.number == leg.best_trial)
    assert key.frame == best.peak_frame and key.leg == 1
    assert track.angle_deg[1, key.frame] == pytest.approx(leg.best_deg, abs=0.05)
    assert np.isnan(track.angle_deg[0]).all()  # the back (left) leg is not tested
    # the heel shown lifted is exactly the result's lift of the tested leg
    lifted = np.flatnonzero(track.heel_lifted[1])
    (lift,) = leg.heel_lifts
    assert lifted[0] == lift.start_frame and lifted[-1] == lift.end_frame
    assert not track.heel_lifted[0].any()
    # running best: before trial 2's peak only trial 1 counts; at the end the best
    assert f"best so far right {leg.trials[0].peak_deg:.1f}" in track.status[best.peak_frame - 1]
    assert track.status[-1].endswith(f"best so far right {leg.best_deg:.1f}\u00b0")
    assert [s.label for s in track.spans] == [f"right trial {t.number}" for t in leg.trials]


def test_best_so_far_is_chosen_as_the_result_chooses_and_only_once_a_trial_has_ended(knee_to_wall):
    import dataclasses

    from ankle_cv.protocols.knee_to_wall.scoring import best_trial

    result = knee_to_wall.result
    leg = result.leg("right")
    track = knee_to_wall.protocol.track(result)
    first, second = leg.trials[0], leg.trials[1]
    assert "best so far" not in track.status[first.end_frame - 1]
    assert track.status[first.end_frame].endswith(f"best so far right {first.peak_deg:.1f}\u00b0")
    assert track.status[second.peak_frame].endswith(f"{first.peak_deg:.1f}\u00b0")  # trial 2 not over yet
    # a trial whose heel was not seen is passed over by the result, and so by the picture
    unchecked = tuple(dataclasses.replace(t, heel_checked=t.number != leg.best_trial) for t in leg.trials)
    chosen = best_trial(unchecked)
    assert chosen.number != leg.best_trial
    changed = dataclasses.replace(result, legs=(dataclasses.replace(leg, trials=unchecked),))
    status = knee_to_wall.protocol.track(changed).status
    assert status[-1].endswith(f"best so far right {chosen.peak_deg:.1f}\u00b0")


def test_squat_track_draws_each_rep_in_the_view_it_was_scored_in(squat):
    from ankle_cv.protocols.squat import SquatSettings
    from ankle_cv.vocab import View

    side = squat.protocol.analyze(squat.series, SquatSettings(view=View.SIDE))
    track = squat.protocol.track(side)
    rep = side.reps[0]
    assert rep.view == View.SIDE and rep.knee_flexion_deg is not None
    (key, *_) = track.key_frames
    assert track.angle_name[key.frame] == "knee flexion"
    # the key frame draws the rep's own value, which the caption states
    assert np.nanmax(key.angles_deg) == pytest.approx(rep.knee_flexion_deg)
    assert f"peak knee flexion {rep.knee_flexion_deg:.1f}" in key.caption


def test_squat_track_counts_reps_and_marks_their_bottoms(squat):
    result = squat.result
    track = squat.protocol.track(result)
    assert [k.frame for k in track.key_frames] == [r.bottom_frame for r in result.reps]
    assert track.status[-1].startswith(f"reps {len(result.reps)}")
    assert track.status[0].startswith("reps 0")
    first = result.reps[0]
    assert track.angle_name[first.bottom_frame] == "FPPA"
    # the picture of the bottom shows the rep's FPPA (a median around it), not that frame's own
    assert track.key_frames[0].angles_deg == (first.fppa_deg.left, first.fppa_deg.right)


def test_plot_strip_cursor_moves_with_the_frame(knee_to_wall):
    track = knee_to_wall.protocol.track(knee_to_wall.result)
    strip = PlotStrip(track, 640, 120)
    first, last = strip.render(0), strip.render(track.n_frames - 1)
    white = lambda img: np.flatnonzero((img[60] == 255).all(axis=1))  # noqa: E731
    assert white(first).min() < 45 and white(last).max() > 620
    assert not np.array_equal(first, last)


def test_plots_are_written_and_not_blank(knee_to_wall, squat, tmp_path):
    import cv2

    for analysis in (knee_to_wall, squat):
        path = tmp_path / f"{analysis.protocol.name}.png"
        analysis.protocol.plot(analysis.result, path)
        image = cv2.imread(str(path))
        assert image is not None and image.shape[1] >= 800
        assert image.std() > 20  # axes, lines and text on white
        # the legs' colours appear: right orange in the knee-to-wall plot, both in the squat's
        orange = np.all(np.abs(image.astype(int) - (40, 140, 245)) < 40, axis=2)
        assert orange.sum() > 100


def test_report_html_is_self_contained_and_shows_the_result(knee_to_wall, tmp_path):
    from ankle_cv.pipeline import write_outputs

    names = write_outputs(knee_to_wall, tmp_path, visuals=True, video=SAMPLE / "knee_to_wall_right.mp4")
    assert {"plot.png", "report.html"} <= set(names)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    # nothing fetched from anywhere: every source inline, no link, import, url() or script
    assert re.findall(r"src=\"([a-z]+):", page) == ["data"] * 2
    outside_data = re.sub(r"data:[^\"]+", "", page)
    for forbidden in ("http:", "https:", "url(", "@import", "<link", "<script", "srcset", "//"):
        assert forbidden not in outside_data.replace("<!DOCTYPE html>", ""), forbidden
    assert page.count("data:image/png;base64,") == 1 and page.count("data:image/jpeg;base64,") == 1
    leg = knee_to_wall.result.leg("right")
    assert f"{leg.best_deg:.1f}\u00b0" in page and "borderline" in page and "36.5\u00b0" in page
    assert "Faces blurred" in page


def test_pictures_not_asked_for_are_removed_with_an_earlier_runs(knee_to_wall, tmp_path):
    from ankle_cv.pipeline import write_outputs

    write_outputs(knee_to_wall, tmp_path, visuals=True, video=SAMPLE / "knee_to_wall_right.mp4")
    (tmp_path / "overlay.mp4").write_bytes(b"an earlier run's video")
    names = write_outputs(knee_to_wall, tmp_path, visuals=False)
    assert "report.html" not in names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["angles.csv", "landmarks.npz", "report.json",
                                                          "summary.txt"]


def test_report_without_the_video_says_why_it_has_no_frames(knee_to_wall, tmp_path):
    from ankle_cv.pipeline import write_outputs

    write_outputs(knee_to_wall, tmp_path, visuals=True, video=tmp_path / "moved.mp4")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/jpeg" not in page and "the video was not at hand" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.slow
def test_report_renders_in_headless_chromium_with_its_numbers(squat, tmp_path):
    """The page as a browser shows it: a screenshot that is not blank, whose text (OCR) has
    the rep count and each leg's FPPA."""
    import cv2

    browser = _chromium()
    if browser is None or shutil.which("tesseract") is None:
        pytest.skip("chromium or tesseract not installed (CI installs Debian's chromium and tesseract-ocr)")
    from ankle_cv.pipeline import write_outputs

    write_outputs(squat, tmp_path, visuals=True, video=SAMPLE / "squat_front.mp4")
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=2", "--window-size=1000,1400", f"--screenshot={shot}",
                    (tmp_path / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=False)
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (2800, 2000)
    assert image.std() > 25 and (image < 100).mean() > 0.01  # text and pictures, not a blank page
    words = subprocess.run(["tesseract", str(shot), "-"], capture_output=True, text=True, timeout=120).stdout
    result = squat.result
    assert f"{len(result.reps)} reps" in words
    for leg in result.legs:
        assert f"{leg.fppa_median_deg:.1f}" in words


@pytest.mark.slow
def test_analyze_overlay_writes_a_playable_annotated_video_with_faces_blurred(warm_cache, tmp_path):
    import cv2

    clip = SAMPLE / "knee_to_wall_right.mp4"
    env = {"ANKLE_CV_CACHE_DIR": str(warm_cache), "PATH": "/usr/bin:/bin"}
    for flag, out in (("--blur-faces", tmp_path / "blur"), ("--no-blur-faces", tmp_path / "raw")):
        done = subprocess.run([CLI, "analyze", str(clip), "--out", str(out), "--overlay", flag, "-q"],
                              capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "overlay.mp4" in done.stdout
        assert (out / "report.html").read_text(encoding="utf-8").count("data:image/jpeg;base64,") == 1  # kept frame
    source, blurred, raw = (cv2.VideoCapture(str(p)) for p in (clip, tmp_path / "blur" / "overlay.mp4",
                                                                tmp_path / "raw" / "overlay.mp4"))
    n = int(source.get(cv2.CAP_PROP_FRAME_COUNT))
    assert int(blurred.get(cv2.CAP_PROP_FRAME_COUNT)) == n
    w, h = int(source.get(cv2.CAP_PROP_FRAME_WIDTH)), int(source.get(cv2.CAP_PROP_FRAME_HEIGHT))
    assert int(blurred.get(cv2.CAP_PROP_FRAME_WIDTH)) == w and int(blurred.get(cv2.CAP_PROP_FRAME_HEIGHT)) > h
    from ankle_cv.series import LandmarkSeries

    faces = face_ellipses(LandmarkSeries.load(tmp_path / "blur" / "landmarks.npz").xyzv)

    def detail(cap, frame: int) -> float:
        cx, cy, rx, ry = faces[frame]
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, image = cap.read()
        assert ok
        head = image[int(cy - 0.5 * ry):int(cy + 0.5 * ry), int(cx - 0.5 * rx):int(cx + 0.5 * rx)]
        return float(cv2.Laplacian(cv2.cvtColor(head, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())

    for frame in (0, n // 2, n - 1):  # the first frame, one in the middle, the last: each blurred
        original, without, with_blur = detail(source, frame), detail(raw, frame), detail(blurred, frame)
        assert with_blur < 0.3 * original and without > 0.6 * original, frame


def test_overlay_that_cannot_be_put_in_place_is_a_one_line_error(warm_cache, tmp_path):
    from click.testing import CliRunner

    from ankle_cv.cli import cli

    (tmp_path / "overlay.mp4").mkdir()  # in the way
    done = CliRunner().invoke(cli, ["analyze", str(SAMPLE / "squat_side.mp4"), "--test", "squat", "--out",
                                    str(tmp_path), "--overlay", "--cache-dir", str(warm_cache), "-q"])
    assert done.exit_code == 7, done.output
    assert "cannot write the results" in done.output and "Traceback" not in done.output
    assert not (tmp_path / "report.json").exists()  # the folder is not complete, and says so
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_overlay_needs_an_output_folder_and_no_report_writes_no_pictures(warm_cache, tmp_path):
    from click.testing import CliRunner

    from ankle_cv.cli import cli

    clip = str(SAMPLE / "knee_to_wall_right.mp4")
    runner = CliRunner()
    refused = runner.invoke(cli, ["analyze", clip, "--overlay"])
    assert refused.exit_code == 2 and "--overlay needs --out" in refused.output
    done = runner.invoke(cli, ["analyze", clip, "--out", str(tmp_path), "--no-report", "--cache-dir", str(warm_cache)])
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "plot.png").exists() and not (tmp_path / "report.html").exists()
    assert (tmp_path / "report.json").is_file()


@pytest.mark.slow
def test_batch_report_writes_each_videos_pictures_and_counts_in_the_fingerprint(warm_cache, tmp_path):
    from click.testing import CliRunner

    from ankle_cv.cli import cli

    clip = str(SAMPLE / "knee_to_wall_right.mp4")
    runner = CliRunner()
    out = tmp_path / "batch"
    args = ["batch", clip, "--out", str(out), "--workers", "1", "--cache-dir", str(warm_cache)]
    plain = runner.invoke(cli, args)
    assert plain.exit_code == 0, plain.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert not (folder / "report.html").exists()
    again = runner.invoke(cli, args + ["--report"])  # not "already complete": the outputs asked for changed
    assert again.exit_code == 0, again.output
    assert (folder / "report.html").is_file() and (folder / "plot.png").is_file()
    assert "data:image/jpeg;base64," in (folder / "report.html").read_text(encoding="utf-8")
