"""Toe-to-wall distance: the marker, the outline finder and the distance against known geometry,
and once end to end on the bundled sample (whose truth gives the distance)."""

from __future__ import annotations

import json

import cv2
import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT

from ankle_cv.cli import cli
from ankle_cv.protocols.knee_to_wall.distance import foot_scale, toe_to_wall_cm, toe_to_wall_sd_cm
from ankle_cv.vision.marker import CARD_MARGIN_CM, MarkerFinder, level_h, marker_card, marker_scale
from ankle_cv.vision.outline import find_outline

SAMPLES = ROOT / "sample_videos"
SCHEMA = json.loads((ROOT / "ankle_cv" / "schemas" / "knee_to_wall_report.schema.json").read_text())

#: The synthetic marker: 10 cm drawn 200 px wide on a white canvas (20 px per cm before warping).
MARKER_CM, MARKER_PX, CANVAS_PX = 10.0, 200, 400


def _marker_canvas(marker_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A white canvas with the marker in its middle, and the marker's corners (4, 2) in it."""
    aruco = cv2.aruco
    img = np.full((CANVAS_PX, CANVAS_PX), 255, np.uint8)
    m = aruco.generateImageMarker(aruco.getPredefinedDictionary(aruco.DICT_4X4_50), marker_id, MARKER_PX)
    o = (CANVAS_PX - MARKER_PX) // 2
    img[o:o + MARKER_PX, o:o + MARKER_PX] = m
    corners = np.array([[o, o], [o + MARKER_PX, o], [o + MARKER_PX, o + MARKER_PX], [o, o + MARKER_PX]], float)
    return img, corners - 0.5  # pixel centres: the square's outer boundary is half a pixel out


def _warp(img: np.ndarray, h: np.ndarray, size=(960, 720), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = cv2.warpPerspective(img, h, size, flags=cv2.INTER_AREA, borderValue=170)
    noisy = out.astype(float) + rng.normal(0, 2.0, out.shape)
    return cv2.cvtColor(np.clip(noisy, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def _homography(scale: float, roll_deg: float, shift=(250.0, 180.0), persp=(0.0, 0.0)) -> np.ndarray:
    r = np.deg2rad(roll_deg)  # counter-clockwise on screen (y down)
    rot = np.array([[np.cos(r), np.sin(r), 0], [-np.sin(r), np.cos(r), 0], [0, 0, 1]])
    h = np.array([[scale, 0, shift[0]], [0, scale, shift[1]], [0, 0, 1]]) @ rot
    return np.array([[1, 0, 0], [0, 1, 0], [persp[0], persp[1], 1]]) @ h


def _apply(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[pts, np.ones(len(pts))] @ h.T
    return p[:, :2] / p[:, 2:]


@pytest.mark.parametrize("scale, roll_deg, persp", [(1.7, 0.0, (0, 0)), (1.3, 6.0, (0, 0)),
                                                    (1.5, -4.0, (2e-4, 1e-4))])
def test_marker_scale_from_a_warped_marker_within_half_a_percent(scale, roll_deg, persp):
    img, true_corners = _marker_canvas()
    finder = MarkerFinder()
    found, expected = [], []
    for k, shift in enumerate([(250.0, 180.0), (252.3, 181.7), (249.1, 179.4)]):
        h = _homography(scale, roll_deg, shift, persp)
        corners = finder(_warp(img, h, seed=k))
        assert corners is not None
        found.append(corners)
        warped = _apply(h, true_corners)
        expected.append(np.mean([np.linalg.norm(warped[1] - warped[0]), np.linalg.norm(warped[2] - warped[3])])
                        / MARKER_CM)
    got = marker_scale(np.stack(found), marker_cm=MARKER_CM, roll_deg=roll_deg, facing=1.0, frame_size_px=(960, 720))
    assert got.px_per_cm == pytest.approx(np.median(expected), rel=0.005)
    assert got.frames == 3
    warped = _apply(_homography(scale, roll_deg, (250.0, 180.0), persp), true_corners)
    sides = np.linalg.norm(np.roll(warped, -1, axis=0) - warped, axis=1)
    assert got.square_ratio == pytest.approx((sides[0] + sides[2]) / (sides[1] + sides[3]), abs=0.01)
    # the wall: the card's edge CARD_MARGIN_CM beyond the marker's right side (the feet point right)
    right = level_h(warped[[1, 2]], roll_deg).mean()
    assert got.wall_h_px == pytest.approx(right + CARD_MARGIN_CM * got.px_per_cm, abs=1.5)
    # facing left: the wall is beyond the left side
    left = marker_scale(np.stack(found), marker_cm=MARKER_CM, roll_deg=roll_deg, facing=-1.0,
                        frame_size_px=(960, 720))
    assert left.wall_h_px == pytest.approx(level_h(warped[[0, 3]], roll_deg).mean()
                                           - CARD_MARGIN_CM * got.px_per_cm, abs=1.5)


def test_a_card_turned_away_from_the_camera_widens_the_scale_uncertainty():
    img, _ = _marker_canvas()
    finder = MarkerFinder()
    square = finder(_warp(img, _homography(1.7, 0.0)))
    turned = finder(_warp(img, np.diag([0.8, 1.0, 1.0]) @ _homography(1.7, 0.0)))  # horizontal sides 20% shorter
    a = marker_scale(square[None], marker_cm=MARKER_CM, roll_deg=0.0, facing=1.0, frame_size_px=(960, 720))
    b = marker_scale(turned[None], marker_cm=MARKER_CM, roll_deg=0.0, facing=1.0, frame_size_px=(960, 720))
    assert b.square_ratio == pytest.approx(0.8, abs=0.01)
    assert b.px_per_cm_sd > 0.15 * b.px_per_cm > 10 * a.px_per_cm_sd


def test_no_marker_a_damaged_marker_and_another_id_are_not_taken():
    finder = MarkerFinder()
    rng = np.random.default_rng(1)
    assert finder(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)) is None
    img, _ = _marker_canvas()
    o = (CANVAS_PX - MARKER_PX) // 2
    damaged = img.copy()
    damaged[o + 35:o + 165, o + 35:o + 165] = 128  # the inner cells greyed out
    assert finder(_warp(damaged, _homography(1.5, 0.0))) is None
    other, _ = _marker_canvas(marker_id=7)
    assert finder(_warp(other, _homography(1.5, 0.0))) is None
    with pytest.raises(ValueError, match="shape"):
        marker_scale(np.zeros((2, 3, 2)), marker_cm=10.0, roll_deg=0.0, facing=1.0, frame_size_px=(640, 480))


def test_the_printable_card_holds_a_detectable_marker_of_its_size():
    card = marker_card(10.0, dpi=300)
    corners = MarkerFinder()(cv2.cvtColor(cv2.resize(card, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA),
                                          cv2.COLOR_GRAY2BGR))
    assert corners is not None
    side_cm = np.linalg.norm(corners[1] - corners[0]) / 0.25 / (300 / 2.54)
    assert side_cm == pytest.approx(10.0, abs=0.03)
    bundled = cv2.imread(str(ROOT / "ankle_cv" / "data" / "marker_10cm.png"), cv2.IMREAD_GRAYSCALE)
    assert bundled is not None and bundled.shape == card.shape


@pytest.mark.parametrize("roll_deg, direction", [(0.0, 1.0), (7.0, 1.0), (-5.0, -1.0)])
def test_outline_finds_a_shoe_tip_drawn_at_a_known_place(roll_deg, direction):
    """A dark 'shoe' on a lighter floor, rotated by the roll: its tip is found within 0.7 px."""
    big = np.full((400, 800, 3), (120, 140, 160), np.uint8)
    tip_u = 150.0  # the tip, this far from the landmark along the level horizontal
    x0, y0 = 400.0, 200.0
    u = np.arange(-300, 300)
    v = np.arange(-60, 60)
    uu, vv = np.meshgrid(u, v)
    r = np.deg2rad(roll_deg)
    inside = (uu * direction <= tip_u) & (uu * direction >= -200) & (vv >= -40) & (vv <= 10)
    xs = np.round(x0 + uu * np.cos(r) + vv * np.sin(r)).astype(int)
    ys = np.round(y0 - uu * np.sin(r) + vv * np.cos(r)).astype(int)
    big[ys[inside], xs[inside]] = (60, 60, 70)
    big = cv2.GaussianBlur(big, (3, 3), 0.7)
    found = find_outline(big, (x0, y0), roll_deg=roll_deg, direction=direction, search_px=(-5, 220),
                         band_px=(-30, 5))
    assert found is not None
    assert found.along_px == pytest.approx(tip_u, abs=1.0)
    assert find_outline(np.full((400, 800, 3), 128, np.uint8), (x0, y0), roll_deg=0.0, direction=1.0,
                        search_px=(0, 200), band_px=(-30, 5)) is None


def test_distance_of_known_geometry_same_depth_and_marker_depth():
    # toe at h = 500 px, wall at 560 px, 4 px/cm, feet pointing right: 15 cm; pointing left: -15 cm
    assert toe_to_wall_cm(500.0, 560.0, facing=1.0, px_per_cm=4.0) == pytest.approx(15.0)
    assert toe_to_wall_cm(560.0, 500.0, facing=-1.0, px_per_cm=4.0) == pytest.approx(15.0)
    # a pinhole camera (f = 1000 px, centre 640): wall plane at X = 0.30 m seen at the card's
    # depth 2.45 m, toe at X = 0.18 m at the foot's depth 2.50 m: 12 cm
    f, c = 1000.0, 640.0
    wall_h = c + f * 0.30 / 2.45
    toe_h = c + f * 0.18 / 2.50
    s_card = f / 245.0  # px per cm at the card
    got = toe_to_wall_cm(toe_h, wall_h, facing=1.0, px_per_cm=s_card, depth_ratio=2.45 / 2.50, centre_h_px=c)
    assert got == pytest.approx(12.0, abs=1e-9)
    # ignoring the depth would be 0.36 cm off here (18 cm off the axis x 5 cm / 2.5 m): the term matters
    assert toe_to_wall_cm(toe_h, wall_h, facing=1.0, px_per_cm=s_card) - 12.0 == pytest.approx(0.36, abs=1e-6)
    sd = toe_to_wall_sd_cm(toe_h, wall_h, facing=1.0, px_per_cm=s_card, px_per_cm_sd=0.01 * s_card, toe_sd_px=0.0,
                           wall_sd_px=0.0, depth_ratio=2.45 / 2.50, centre_h_px=c)
    assert sd == pytest.approx(0.12, rel=0.01)  # a 1% scale error on 12 cm


def test_foot_length_scale_and_its_uncertainty():
    scale, sd = foot_scale(np.array([100.0, 101.0, 99.0]), 1.0, foot_length_cm=25.0, foot_length_sd_cm=0.5)
    assert scale == pytest.approx(4.0)
    assert sd == pytest.approx(4.0 * np.hypot(0.01, 0.02))
    with pytest.raises(ValueError):
        foot_scale(np.array([100.0]), 1.0, foot_length_cm=0.0, foot_length_sd_cm=0.5)


@pytest.mark.slow
def test_sample_distance_end_to_end_from_the_foot_length(tmp_path):
    """The bundled right-leg sample (the knee touches the wall at its furthest drive; true
    toe-to-wall 11.47 cm, shoe 29.3 cm): cm from the foot length and the knee's contact, within
    1.0 cm; without a foot length (and no marker) cm is not measurable, and the report says why."""
    truth = json.loads((SAMPLES / "knee_to_wall_right.truth.json").read_text())
    out = tmp_path / "out"
    args = ["analyze", str(SAMPLES / "knee_to_wall_right.mp4"), "--cache-dir", str(tmp_path / "cache")]
    run = CliRunner().invoke(cli, [*args, "--out", str(out), "--foot-length-cm",
                                   str(truth["person"]["foot_length_cm"])])
    assert run.exit_code == 0, run.output
    doc = json.loads((out / "report.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    dist = doc["distance"]
    assert (dist["scale_source"], dist["wall_source"], dist["note"]) == ("foot_length", "knee_contact", None)
    assert dist["marker_frames"] == 0 and dist["normal_cm"] == 12.0
    leg = doc["legs"][0]
    assert abs(leg["toe_to_wall_cm"] - truth["toe_to_wall_cm"]) <= 1.0
    assert 0 < leg["toe_to_wall_sd_cm"] <= 1.0
    assert all(abs(tr["toe_to_wall_cm"] - truth["toe_to_wall_cm"]) <= 1.0 for tr in leg["trials"])
    assert "toe-to-wall" in run.output and "wall where the knee touched it" in run.output
    bare = CliRunner().invoke(cli, [*args, "--json"])
    doc = json.loads(bare.output)
    assert doc["distance"]["scale_source"] is None and doc["legs"][0]["toe_to_wall_cm"] is None
    assert "no foot length given" in doc["distance"]["note"] and "no ArUco marker" in doc["distance"]["note"]


def test_the_tip_is_the_outline_and_a_card_hiding_it_leaves_the_heel_plus_foot_length():
    """The tip found in the outline is the tip (a card behind the foot, as instructed, is its
    background); where no tip was found and a card's image covers where it is looked for (a
    card put in front of the foot), the heel's back plus the given foot length stands in;
    without a foot length, none."""
    from types import SimpleNamespace

    from ankle_cv.landmarks import TOE
    from ankle_cv.protocols.knee_to_wall.toe_wall import _card_hides_toe, _toe
    from ankle_cv.vision.marker import MarkerScale
    from ankle_cv.vision.outline import Outline

    x = np.full((5, 2, 1), np.nan)
    y = np.full((5, 2, 1), np.nan)
    x[TOE, 0, 0], y[TOE, 0, 0] = 400.0, 490.0  # the foot index; feet point left (the wall at small x)
    kin = SimpleNamespace(x_px=x, y_px=y, foot_length_px=np.array([60.0, 60.0]))
    card = dict(px_per_cm=2.6, px_per_cm_sd=0.03, square_ratio=1.0, camera_distance_cm=250.0, depth_ratio=0.97,
                depth_ratio_sd=0.01, wall_h_px=362.0, wall_sd_px=0.5, frames=20, card_top_v_px=464.0)
    covering = MarkerScale(**card, card_h_px=(362.0, 402.0))
    aside = MarkerScale(**card, card_h_px=(250.0, 290.0))
    assert _card_hides_toe(kin, 0, 0, covering, facing=-1.0, roll=0.0)
    assert not _card_hides_toe(kin, 0, 0, aside, facing=-1.0, roll=0.0)
    seen = {"toe": Outline(along_px=10.0, xy_px=(401.0, 488.0), sd_px=0.5, rows=8),
            "heel": Outline(along_px=12.0, xy_px=(480.0, 490.0), sd_px=0.5, rows=8)}
    with_foot = SimpleNamespace(foot_length_cm=29.0)
    assert _toe(seen, kin, 0, 0, covering, with_foot, facing=-1.0, roll=0.0, scale=2.5) == (401.0, 0.5, "outline")
    no_tip = {"toe": None, "heel": seen["heel"]}
    h, sd, source = _toe(no_tip, kin, 0, 0, covering, with_foot, facing=-1.0, roll=0.0, scale=2.5)
    assert (h, source) == (pytest.approx(480.0 - 29.0 * 2.5), "heel_and_foot_length")
    assert sd == pytest.approx(np.hypot(0.5, 0.5 * 2.5))
    assert _toe(no_tip, kin, 0, 0, covering, SimpleNamespace(foot_length_cm=None), facing=-1.0, roll=0.0,
                scale=2.5) is None
    assert _toe(no_tip, kin, 0, 0, aside, with_foot, facing=-1.0, roll=0.0, scale=2.5) is None


def test_marker_command_writes_a_card_that_prints_at_size(tmp_path):
    from PIL import Image

    out = tmp_path / "card.png"
    run = CliRunner().invoke(cli, ["marker", "--out", str(out), "--size-cm", "8"])
    assert run.exit_code == 0, run.output
    assert "--marker-cm 8" in run.output
    with Image.open(out) as img:
        assert img.info["dpi"][0] == pytest.approx(300, abs=0.01)
    card = cv2.imread(str(out))
    corners = MarkerFinder()(cv2.resize(card, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA))
    assert np.linalg.norm(corners[1] - corners[0]) / 0.25 / (300 / 2.54) == pytest.approx(8.0, abs=0.03)
    bad = CliRunner().invoke(cli, ["marker", "--out", str(out), "--size-cm", "50"])
    assert bad.exit_code == 2
