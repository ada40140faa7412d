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


def _pitched_camera(pitch_deg: float, roll_deg: float = 0.0, *, f_px: float = 1000.0, size=(1280, 720)):
    """A pinhole camera 2.5 m from the plane z = 0 (the person's), pitched about its x axis
    (negative looks down) and rolled: world (x right, y up, z towards the camera) -> pixels."""
    p, r = np.deg2rad(pitch_deg), np.deg2rad(roll_deg)
    pitch = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])
    roll = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    rot = roll @ pitch
    eye = np.array([0.0, 0.9, 2.5])

    def project(points):
        cam = (np.atleast_2d(points) - eye) @ rot.T  # camera axes: x right, y up, looking along -z
        return np.column_stack([size[0] / 2 + f_px * cam[:, 0] / -cam[:, 2],
                                size[1] / 2 - f_px * cam[:, 1] / -cam[:, 2]])

    return project


@pytest.mark.parametrize("pitch_deg, roll_deg", [(-8.0, 0.0), (8.0, 0.0), (-15.0, 0.0), (-8.0, 3.0), (0.0, -2.0)])
def test_a_pitched_camera_levelled_from_converging_scene_verticals(pitch_deg, roll_deg):
    """Door-frame verticals 1.6 m behind the person, seen by a pitched (and rolled) camera,
    meet at the vertical vanishing point; the picture levelled by it gives a shank of known
    lean in the person's plane to within 0.15 deg, with the focal length 15% off to within
    0.35 deg, where the picture's roll alone is off by up to 2 deg; the pitch is recovered."""
    project = _pitched_camera(pitch_deg, roll_deg)
    segments = []
    for x in (-1.2, -0.6, 0.9, 1.5):  # each line seen twice, as in two sampled frames
        ends = project(np.array([[x, 0.1, -1.6], [x, 1.9, -1.6]]))
        segments += [ends.ravel(), ends.ravel() + 0.3]
    vp, n = geometry.vertical_vanishing_point(np.array(segments), frame_size_px=(1280, 720))
    assert vp is not None and n == 4  # four distinct lines, each seen twice
    centre = (640.0, 360.0)
    assert geometry.camera_pitch_deg(vp, focal_px=1000.0, centre_px=centre) == pytest.approx(pitch_deg, abs=0.2)
    worst_plain = 0.0
    for lean_deg, x0 in ((35.0, -0.9), (40.0, 0.0), (30.0, 0.8), (45.0, 1.2)):  # a shank in the person's plane
        lean = np.deg2rad(lean_deg)
        ankle, knee = np.array([x0, 0.08, 0.0]), np.array([x0 + 0.4 * np.sin(lean), 0.08 + 0.4 * np.cos(lean), 0.0])
        xy = project(np.stack([ankle, knee]))
        for focal, tol in ((1000.0, 0.15), (850.0, 0.35), (1150.0, 0.35)):
            x, y = geometry.level_points(xy[:, 0], xy[:, 1], vp, focal_px=focal, centre_px=centre)
            got = geometry.tibia_angle_deg(x[1] - x[0], y[1] - y[0], roll_deg=0.0, facing_sign=1.0)
            assert got == pytest.approx(lean_deg, abs=tol)
        # the vertical drawn at the ankle is the picture of a plumb line through it
        plumb = project(np.stack([ankle, ankle + [0.0, 0.5, 0.0]]))
        drawn = geometry.up_in_picture(xy[0, 0], xy[0, 1], vp)
        assert drawn == pytest.approx((plumb[1] - plumb[0]) / np.hypot(*(plumb[1] - plumb[0])), abs=2e-4)  # 0.01 deg
        d = xy[1] - xy[0]
        worst_plain = max(worst_plain, abs(geometry.tibia_angle_deg(d[0], d[1], roll_deg=roll_deg, facing_sign=1.0)
                                           - lean_deg))
    if pitch_deg:
        assert worst_plain > 1.0


def test_no_vanishing_point_from_lines_at_one_place_too_few_or_short():
    """One wall corner seen in many frames (lines at one place), two lines however often seen
    (two lines always meet: nothing checks it), or short bits of clutter give none; horizontals
    do not count."""
    size = dict(frame_size_px=(1280, 720))
    corner = np.array([[600.0 + d, 50.0, 603.0 + d, 600.0] for d in np.linspace(0, 3, 10)])
    assert geometry.vertical_vanishing_point(corner, **size)[0] is None
    two = np.array([[100.0, 50.0, 103.0, 600.0], [900.0, 50.0, 897.0, 600.0]] * 10)  # a plumb and a crooked edge
    assert geometry.vertical_vanishing_point(two, **size) == (None, 2)
    floor = np.array([[100.0, 600.0 + d, 1100.0, 601.0 + d] for d in range(6)])
    assert geometry.vertical_vanishing_point(np.vstack([two, floor]), **size)[0] is None
    clutter = np.array([[x, 300.0, x + 8.0, 380.0] for x in (100.0, 400.0, 700.0, 1000.0)] * 3)  # 80 px of 720
    assert geometry.vertical_vanishing_point(clutter, **size)[0] is None
    three = np.vstack([two[:2], [[500.0, 50.0, 501.5, 600.0]]])
    assert geometry.vertical_vanishing_point(three, **size)[1] == 3

