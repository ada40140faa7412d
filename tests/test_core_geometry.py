"""Known-answer tests of the planar geometry (conventions of ankle_cv.landmarks)."""

import numpy as np
import pytest

from ankle_cv.core import geometry


def shank(angle_deg, *, facing=+1, roll_deg=0.0, length=200.0):
    """Image-space knee and ankle of a shank leaning ``angle_deg`` forward, feet pointing
    ``facing`` (+1 right), seen by a camera rolled by ``roll_deg``."""
    a = np.deg2rad(angle_deg)
    world = np.array([facing * np.sin(a), np.cos(a)]) * length  # (forward, up)
    r = np.deg2rad(roll_deg)
    screen_up = np.array([np.cos(r) * world[0] - np.sin(r) * world[1], np.sin(r) * world[0] + np.cos(r) * world[1]])
    ankle = np.array([400.0, 500.0])
    knee = ankle + np.array([screen_up[0], -screen_up[1]])  # y down
    return knee, ankle


@pytest.mark.parametrize("angle", [-20.0, 0.0, 12.5, 35.0, 50.0])
@pytest.mark.parametrize("facing", [+1, -1])
@pytest.mark.parametrize("roll", [-10.0, 0.0, 7.5])
def test_tibia_angle_known_geometry(angle, facing, roll):
    knee, ankle = shank(angle, facing=facing, roll_deg=roll)
    got = geometry.tibia_angle_deg(*(knee - ankle), roll_deg=roll, facing_sign=np.float64(facing))
    assert got == pytest.approx(angle, abs=1e-9)


def test_tibia_angle_sign_knee_forward_is_positive():
    # feet point right; knee 100 px right of and 200 px above the ankle: forward lean
    shank = np.array([500.0, 300.0]) - np.array([400.0, 500.0])
    got = geometry.tibia_angle_deg(*shank, roll_deg=0.0, facing_sign=np.float64(1.0))
    assert got == pytest.approx(np.degrees(np.arctan2(100, 200)))
    # the same picture with the feet pointing left: the knee is behind the ankle
    got = geometry.tibia_angle_deg(*shank, roll_deg=0.0, facing_sign=np.float64(-1.0))
    assert got == pytest.approx(-np.degrees(np.arctan2(100, 200)))


def test_ignoring_roll_biases_the_angle_by_the_roll():
    # a counter-clockwise roll turns a shank leaning to image-right towards the vertical
    knee, ankle = shank(30.0, roll_deg=6.0)
    assert geometry.tibia_angle_deg(*(knee - ankle), roll_deg=0.0, facing_sign=np.float64(1)) == pytest.approx(24.0)
    knee, ankle = shank(30.0, roll_deg=6.0, facing=-1)
    assert geometry.tibia_angle_deg(*(knee - ankle), roll_deg=0.0, facing_sign=np.float64(-1)) == pytest.approx(36.0)


def test_line_angle_is_undirected_and_counter_clockwise():
    v = np.array([[10.0, 0.0], [-10.0, 0.0], [10.0, -10.0], [-10.0, 10.0], [0.0, -5.0]])
    assert geometry.line_angle_deg(v[:, 0], v[:, 1]) == pytest.approx([0.0, 0.0, 45.0, 45.0, 90.0])


def test_upright_removes_roll():
    r = np.deg2rad(8.0)
    h, v = geometry.upright(np.cos(r), -np.sin(r), roll_deg=8.0)  # a horizon rising to the right, y down
    assert (h, v) == pytest.approx((1.0, 0.0))


def test_estimate_roll_ignores_a_minority_of_tilted_frames():
    sole = np.r_[np.full(70, 4.0), np.full(30, 25.0)]  # 30 frames with the heel up
    roll, spread, n = geometry.estimate_roll_deg(sole, np.ones(100, bool))
    assert roll == pytest.approx(4.0)
    assert n == 100
    assert geometry.estimate_roll_deg(sole, np.zeros(100, bool))[2] == 0
