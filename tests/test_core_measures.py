"""The core's per-frame body measures against known geometry (arrays in the core's layout:
(5 joints: hip, knee, ankle, heel, foot index) x (2 legs: left, right) x T frames)."""

import numpy as np
import pytest

from ankle_cv.core import measures
from ankle_cv.landmarks import ANKLE, HEEL, HIP, KNEE, TOE


def legs(points: dict) -> tuple[np.ndarray, np.ndarray]:
    """x, y (5, 2, 1) from {(joint, leg): (x, y)}; joints not given are NaN."""
    x = np.full((5, 2, 1), np.nan)
    y = np.full((5, 2, 1), np.nan)
    for (joint, leg), (px, py) in points.items():
        x[joint, leg, 0], y[joint, leg, 0] = px, py
    return x, y


def front_view(valgus_deg: float, *, hip_half_width=100.0, thigh=200.0, shank=200.0):
    """A person facing the camera (their left leg on image right), each knee pushed medially
    so that the thigh and shank lines meet at ``valgus_deg``; y down, hips at y=100."""
    points = {}
    for leg, side in ((0, +1.0), (1, -1.0)):  # left leg on image right (+x)
        hip = np.array([side * hip_half_width, 100.0])
        half = np.deg2rad(valgus_deg / 2)
        # thigh leans medially by half the angle, shank laterally by half: knee medial
        knee = hip + thigh * np.array([-side * np.sin(half), np.cos(half)])
        ankle = knee + shank * np.array([side * np.sin(half), np.cos(half)])
        points[(HIP, leg)], points[(KNEE, leg)], points[(ANKLE, leg)] = tuple(hip), tuple(knee), tuple(ankle)
    return legs(points)


@pytest.mark.parametrize("valgus", [0.0, 8.0, 15.0, -6.0])
def test_fppa_is_positive_for_a_knee_falling_medially(valgus):
    x, y = front_view(valgus)
    np.testing.assert_allclose(measures.compute_fppa_deg(x, y)[:, 0], [valgus, valgus], atol=1e-9)


def test_fppa_is_the_same_seen_from_behind():
    x, y = front_view(12.0)
    np.testing.assert_allclose(measures.compute_fppa_deg(-x, y)[:, 0], [12.0, 12.0], atol=1e-9)


def test_fppa_is_unknown_without_a_joint():
    x, y = front_view(10.0)
    x[KNEE, 1] = np.nan
    fppa = measures.compute_fppa_deg(x, y)[:, 0]
    assert fppa[0] == pytest.approx(10.0) and np.isnan(fppa[1])


@pytest.mark.parametrize("tilt, facing", [(0.0, 1.0), (30.0, 1.0), (30.0, -1.0), (-10.0, 1.0)])
def test_tibia_angle_to_the_true_vertical(tilt, facing):
    t = np.deg2rad(tilt)
    x, y = legs({(ANKLE, 0): (500.0, 600.0), (KNEE, 0): (500.0 + facing * 200 * np.sin(t), 600.0 - 200 * np.cos(t))})
    angle = measures.compute_tibia_angle_deg(x, y, roll_deg=0.0, facing=np.array([facing]))
    assert angle[0, 0] == pytest.approx(tilt) and np.isnan(angle[1, 0])


def test_tibia_angle_removes_the_camera_roll():
    # a vertical shank seen by a camera rolled +5 deg leans 5 deg counter-clockwise on screen
    r = np.deg2rad(5.0)
    x, y = legs({(ANKLE, 0): (0.0, 0.0), (KNEE, 0): (-200 * np.sin(r), -200 * np.cos(r))})
    assert measures.compute_tibia_angle_deg(x, y, roll_deg=5.0, facing=np.array([1.0]))[0, 0] == pytest.approx(0.0)


@pytest.mark.parametrize("direction", [0.0, 90.0, -90.0, 150.0])
def test_foot_direction_on_screen(direction):
    d = np.deg2rad(direction)
    x, y = legs({(HEEL, 1): (100.0, 100.0), (TOE, 1): (100.0 + 80 * np.cos(d), 100.0 - 80 * np.sin(d))})
    assert measures.compute_foot_direction_deg(x, y, roll_deg=0.0)[1, 0] == pytest.approx(direction)
    assert measures.compute_foot_direction_deg(x, y, roll_deg=10.0)[1, 0] == pytest.approx(direction - 10.0)


def test_heel_height_over_the_forefoot_in_foot_lengths():
    x, y = legs({(HEEL, 0): (0.0, 470.0), (TOE, 0): (120.0, 500.0)})  # heel 30 px above the toes
    height = measures.compute_heel_height_foot(x, y, roll_deg=0.0, foot_length_px=np.array([120.0, 120.0]))
    assert height[0, 0] == pytest.approx(0.25)


def test_smoothed_tibia_angle_bridges_short_gaps_only():
    t = np.arange(60) / 30.0
    x = np.full((5, 2, 60), np.nan)
    y = np.full((5, 2, 60), np.nan)
    x[ANKLE], y[ANKLE] = 500.0, 600.0
    x[KNEE], y[KNEE] = 500.0 + 200 * np.sin(np.deg2rad(20.0)), 600.0 - 200 * np.cos(np.deg2rad(20.0))
    x[KNEE, :, 10:14] = np.nan  # 0.13 s: bridged
    x[KNEE, :, 30:45] = np.nan  # 0.5 s: not
    angle = measures.compute_tibia_angle_smoothed_deg(x, y, t, roll_deg=0.0, facing=np.ones(60), max_gap_s=0.25,
                                                      sigma_frames=1.0)
    np.testing.assert_allclose(angle[:, 10:14], 20.0, atol=1e-6)
    assert np.isnan(angle[:, 30:45]).all()
