"""Hand-held shake: the camera's step measured on the background, and taken out of the feet
before the knee-to-wall analysis judges them still or planted."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ankle_cv.protocols.knee_to_wall import KneeToWallSettings, analyze_knee_to_wall
from ankle_cv.series import LandmarkSeries
from ankle_cv.vision.motion import CameraMotionCollector, camera_shift_px
from ankle_cv.vocab import WarningCode
from tests import synth

cv2 = pytest.importorskip("cv2")


def _scene(rng: np.random.Generator) -> np.ndarray:
    """A textured room twice as large as the frame, to pan over."""
    noise = cv2.GaussianBlur(rng.random((1000, 1700)).astype(np.float32), (0, 0), 3)
    gray = cv2.normalize(noise, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def _view(scene: np.ndarray, shift_xy) -> np.ndarray:
    """A 1280x720 frame of the scene, its picture moved by ``shift_xy`` px (subpixel, by
    bilinear resampling), as a camera panning the other way shows it."""
    m = np.float32([[1, 0, -150 + shift_xy[0]], [0, 1, -120 + shift_xy[1]]])
    return cv2.warpAffine(scene, m, (1280, 720), flags=cv2.INTER_LINEAR)


def test_the_step_is_the_background_motion_at_subpixel_precision():
    rng = np.random.default_rng(3)
    scene = _scene(rng)
    shifts = np.array([[0.0, 0.0], [2.5, -1.25], [9.75, 3.5], [1.0, 1.0], [-6.4, 0.3]])
    collector = CameraMotionCollector()
    for s in shifts:
        collector.update(_view(scene, s), None)
    steps = collector.steps_px
    assert np.isnan(steps[0]).all()  # nothing before the first frame
    np.testing.assert_allclose(steps[1:], np.diff(shifts, axis=0), atol=0.2)
    np.testing.assert_allclose(camera_shift_px(steps)[-1], shifts[-1] - shifts[0], atol=0.4)


def test_the_person_moving_does_not_count_as_camera_motion():
    """A textured figure walking across a still background: the masked person is not the
    camera (landmarks place the silhouette), so the steps stay at zero."""
    rng = np.random.default_rng(4)
    scene = _scene(rng)
    collector = CameraMotionCollector()
    for k in range(5):
        x = 400 + 25 * k
        frame = _view(scene, (0.0, 0.0))
        frame[150:650, x:x + 200] = _scene(rng)[:500, :200]  # fresh texture: moves and changes
        xy = np.full((33, 2), np.nan)
        xy[[11, 12], :] = (x + 100, 200)  # shoulders
        xy[[23, 24], :] = (x + 100, 420)  # hips
        xy[[25, 26], :] = (x + 100, 530)  # knees
        xy[[27, 28], :] = (x + 100, 640)  # ankles
        xy[0] = (x + 100, 160)
        collector.update(frame, xy)
    np.testing.assert_allclose(collector.steps_px[1:], 0.0, atol=0.1)


def test_a_blank_background_gives_unknown_steps_counted_as_none():
    collector = CameraMotionCollector()
    for _ in range(3):
        collector.update(np.full((720, 1280, 3), 128, np.uint8), None)
    assert np.isnan(collector.steps_px).all()
    np.testing.assert_array_equal(camera_shift_px(collector.steps_px), 0.0)


def _shaken(series: LandmarkSeries, amplitude_px: float, seed: int = 0) -> tuple[LandmarkSeries, np.ndarray]:
    """Every landmark moved by a hand-held jitter (white noise through a first-order low-pass
    at 1.5 Hz, as the renderer shakes its camera; SD ``amplitude_px``), and the steps that
    jitter makes."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    alpha = 1.0 - np.exp(-2 * np.pi * 1.5 / series.fps)
    jitter = lfilter([alpha], [1.0, alpha - 1.0], rng.standard_normal((series.n_frames + 60, 2)), axis=0)[60:]
    jitter *= amplitude_px / jitter.std(axis=0)
    xyzv = series.xyzv.copy()
    xyzv[..., :2] += jitter[:, None, :]
    steps = np.vstack([[np.nan, np.nan], np.diff(jitter, axis=0)])
    return dataclasses.replace(series, xyzv=xyzv), steps


def test_shake_taken_out_leaves_the_planted_foot_still_and_the_leg_held():
    """A tripod-steady synthetic test, then the same test filmed hand-held (the picture
    jitters by 9 px SD, 0.5 deg of pan on a 1280-px frame of a 65-deg phone camera): without the steps
    the foot looks like it moves and the leg like it is lost; with them the result is the
    steady one."""
    steady, truth = synth.knee_to_wall(peaks_deg=(30.0, 34.0, 38.0))
    shaken, steps = _shaken(steady, 9.0)
    settings = KneeToWallSettings()
    codes = lambda result: {w.code for w in result.warnings}  # noqa: E731
    base = analyze_knee_to_wall(steady, settings)
    naive = analyze_knee_to_wall(shaken, settings)
    fixed = analyze_knee_to_wall(dataclasses.replace(shaken, camera_step_px=steps), settings)
    assert not {WarningCode.FEET_MOVING, WarningCode.LEG_LOST} & codes(base)
    assert {WarningCode.FEET_MOVING, WarningCode.LEG_LOST} & codes(naive)  # what shake did before
    assert not {WarningCode.FEET_MOVING, WarningCode.LEG_LOST} & codes(fixed)
    best = fixed.legs[0].best_deg
    assert best == pytest.approx(base.legs[0].best_deg, abs=0.3)
    assert best == pytest.approx(max(truth["peak_deg"]), abs=1.0)


def test_series_keep_their_steps_through_a_file(tmp_path):
    series, _ = synth.knee_to_wall(peaks_deg=(30.0,))
    steps = np.zeros((series.n_frames, 2), np.float32)
    steps[0] = np.nan
    steps[5] = (1.5, -0.25)
    stepped = dataclasses.replace(series, camera_step_px=steps)
    stepped.save(tmp_path / "s.npz")
    loaded = LandmarkSeries.load(tmp_path / "s.npz")
    np.testing.assert_array_equal(loaded.camera_step_px, steps)
    np.testing.assert_allclose(loaded.camera_shift_px[-1], (1.5, -0.25))
    assert np.isnan(series.camera_step_px).all()  # not measured: unknown, no shift
    with pytest.raises(ValueError, match="camera_step_px"):
        dataclasses.replace(series, camera_step_px=np.zeros((3, 2)))
