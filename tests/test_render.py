"""Renderer: known geometry, truth definitions, determinism, files and CLI (fast)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ankle_cv_render import (
    Appearance,
    HeelLift,
    KneeToWall,
    SingleLegHinge,
    SquatFront,
    SquatSide,
    WalkingLunge,
    measures,
    render_clip,
)
from ankle_cv_render.figure import CREST_BOTTOM_ABOVE_ANKLE_M, CREST_TOP_BELOW_KNEE_M, crest_line
from ankle_cv_render.motion import touch_toe_to_wall_cm
from ankle_cv_render.truth import COLUMNS, events, per_frame, read_csv
from ankle_cv_render.video import frames, pose_scenario, scene

TINY = dict(width_px=160, height_px=96, supersample=1, noise_sigma=2.0)


def _truth(scenario):
    motion = pose_scenario(scenario)
    camera, _ = scene(scenario, motion)
    table = per_frame(motion, camera, scenario.fps, scenario.appearance)
    return motion, camera, table, events(table, motion, scenario)


def _leg(table, leg, col):
    return table[col][table["leg"] == leg]


# --- definitions on constructed geometry -------------------------------------------------

def test_tibia_sign_follows_the_foot():
    ankle = np.array([[0.0, 0.1, 0.0]])
    knee_fwd = np.array([[0.1, 0.5, 0.0]])  # knee ahead along world x
    assert measures.tibia_deg(knee_fwd, ankle, np.array([0.0]))[0] == pytest.approx(
        np.degrees(np.arctan2(0.1, 0.4)))
    # A foot turned to point along -x: the same knee is now behind the ankle.
    assert measures.tibia_deg(knee_fwd, ankle, np.array([np.pi]))[0] < 0


def test_fppa_positive_when_knee_medial_for_both_legs():
    hip_r, ankle_r = np.array([[0.0, 0.9, 0.1]]), np.array([[0.0, 0.1, 0.1]])
    knee_medial_r = np.array([[0.0, 0.5, 0.05]])  # right leg: medial is -z
    assert measures.fppa_deg(hip_r, knee_medial_r, ankle_r, +1)[0] > 0
    mirror = np.array([1.0, 1.0, -1.0])
    assert measures.fppa_deg(hip_r * mirror, knee_medial_r * mirror, ankle_r * mirror, -1)[0] == \
        pytest.approx(measures.fppa_deg(hip_r, knee_medial_r, ankle_r, +1)[0])


def test_turnout_positive_when_toes_out():
    heel = np.zeros((1, 3))
    out_r = np.array([[np.cos(0.2), 0.0, np.sin(0.2)]])  # right foot toward +z = outward
    assert measures.turnout_deg(heel, out_r, +1)[0] == pytest.approx(np.degrees(0.2))
    assert measures.turnout_deg(heel, out_r * [1, 1, -1], -1)[0] == pytest.approx(np.degrees(0.2))


# --- knee-to-wall truth ----------------------------------------------------------------------

@pytest.mark.parametrize("leg,facing", [("right", "right"), ("left", "right"), ("left", "left")])
def test_knee_to_wall_peaks_equal_commanded(leg, facing):
    sc = KneeToWall(tested_leg=leg, facing=facing, peak_tibia_deg=(22.0, 47.5, 35.0), seed=3)
    motion, _, table, ev = _truth(sc)
    assert [t["peak_tibia_deg"] for t in ev["trials"]] == pytest.approx([22.0, 47.5, 35.0], abs=0.1)
    assert all(t["leg"] == leg for t in ev["trials"])
    for t in ev["trials"]:
        assert t["start_frame"] < t["peak_frame"] < t["end_frame"]
        assert t["peak_tibia_heel_down_deg"] == t["peak_tibia_deg"]
    # Tested foot flat throughout: heel height exactly 0, never lifted.
    assert np.all(_leg(table, leg, "heel_height_cm") == 0.0)
    assert np.all(_leg(table, leg, "heel_lifted") == 0)
    assert ev["heel_lifts"] == []


def test_heel_lift_is_a_rotation_about_the_forefoot():
    lift = HeelLift(trial=2, onset_s=0.6, peak_height_cm=3.0, rise_s=0.3, hold_s=0.2, fall_s=0.3)
    sc = KneeToWall(peak_tibia_deg=(30.0, 40.0), heel_lift=lift, seed=5)
    motion, _, table, ev = _truth(sc)
    (h,) = ev["heel_lifts"]
    height = _leg(table, "right", "heel_height_cm")
    assert h["leg"] == "right" and h["peak_height_cm"] == pytest.approx(3.0, abs=1e-3)
    assert h["start_frame"] == int(np.flatnonzero(height > 0)[0])
    assert height[h["start_frame"] - 1] == 0.0 and height[h["end_frame"] + 1] == 0.0
    assert h["peak_height_norm"] == pytest.approx(3.0 / motion.pose.anthro.shoe_length_m / 100, abs=1e-4)
    lifted = np.flatnonzero(height > 0)
    toe = motion.pose.points["toe_r"]
    assert np.ptp(toe[:, 0]) < 1e-12 and np.ptp(toe[:, 1]) < 1e-12  # toes stay down
    ankle_y = motion.pose.points["ankle_r"][:, 1]
    assert np.all(ankle_y[lifted] > ankle_y[0])  # the rear foot rose about the ball
    t2 = ev["trials"][1]
    assert t2["peak_tibia_deg"] == pytest.approx(40.0, abs=0.1)
    assert t2["peak_tibia_heel_down_deg"] < t2["peak_tibia_deg"]
    tib = _leg(table, "right", "tibia_deg")
    assert t2["peak_tibia_heel_down_deg"] == pytest.approx(tib[t2["start_frame"]:h["start_frame"]].max())


# --- camera --------------------------------------------------------------------------------

def test_roll_rotates_projected_points_by_the_stated_angle():
    base = KneeToWall(peak_tibia_deg=(30.0,), camera_distance_m=3.5, seed=1)
    for roll in (-8.0, 4.5):
        motion = pose_scenario(base)
        cam0, _ = scene(base, motion)
        cam1, _ = scene(replace(base, roll_deg=roll), motion)
        pts = np.stack([motion.pose.points[n] for n in ("hip_r", "knee_r", "ankle_r", "toe_l")], 1)
        c = np.array([cam0.width / 2, cam0.height / 2])
        v0 = cam0.project(pts) - c
        v1 = cam1.project(pts) - c
        # Screen CCW angle (y down) from v0 to v1.
        ang = np.degrees(np.arctan2(-(v0[..., 0] * v1[..., 1] - v0[..., 1] * v1[..., 0]),
                                    np.sum(v0 * v1, -1)))
        assert np.allclose(ang, roll, atol=1e-9)
        # A true horizontal appears at roll_deg.
        h = cam1.project(np.array([[[0.0, 0.5, 0.0], [0.5, 0.5, 0.0]]]), frame=0)[0]
        assert np.degrees(np.arctan2(-(h[1, 1] - h[0, 1]), h[1, 0] - h[0, 0])) == pytest.approx(roll)


def test_mirror_facing_gives_mirrored_projections():
    a = KneeToWall(tested_leg="right", facing="right", peak_tibia_deg=(35.0,), seed=2)
    b = replace(a, tested_leg="left", facing="left")
    _, cam_a, ta, _ = _truth(a)
    _, cam_b, tb, _ = _truth(b)
    for name in ("hip", "knee", "ankle", "heel", "toe"):
        xa, xb = _leg(ta, "right", f"{name}_x_px"), _leg(tb, "left", f"{name}_x_px")
        assert np.allclose(xa + xb, cam_a.width, atol=1e-6)
        assert np.allclose(_leg(ta, "right", f"{name}_y_px"), _leg(tb, "left", f"{name}_y_px"), atol=1e-6)
    assert np.allclose(_leg(ta, "right", "tibia_deg"), _leg(tb, "left", "tibia_deg"))


def test_mirror_facing_gives_mirrored_frames():
    a = KneeToWall(tested_leg="right", facing="right", peak_tibia_deg=(35.0,), seed=2,
                   **dict(TINY, noise_sigma=0.0))
    b = replace(a, tested_leg="left", facing="left")

    def grab(s):
        motion = pose_scenario(s)
        camera, room = scene(s, motion)
        return [f.astype(int) for _, f in zip(range(25), frames(s, motion, camera, room))]

    for fa, fb in zip(grab(a), grab(b)):
        assert np.abs(fa - fb[:, ::-1]).max() <= 1  # rounding only


def test_side_view_projection_preserves_the_tibia_angle():
    sc = KneeToWall(peak_tibia_deg=(42.0,), seed=4)
    _, _, table, _ = _truth(sc)
    kx, ky = _leg(table, "right", "knee_x_px"), _leg(table, "right", "knee_y_px")
    ax, ay = _leg(table, "right", "ankle_x_px"), _leg(table, "right", "ankle_y_px")
    img = np.degrees(np.arctan2(kx - ax, ay - ky))  # facing right: forward = +x, up = -y
    assert np.allclose(img, _leg(table, "right", "tibia_deg"), atol=1e-6)


# --- squats --------------------------------------------------------------------------------

def test_squat_front_fppa_and_turnout_at_depth():
    sc = SquatFront(n_reps=2, fppa_deg=(12.0, -4.0), turnout_deg=(8.0, 24.0),
                    turnout_change_deg=(0.0, 9.0), seed=6)
    _, _, table, ev = _truth(sc)
    assert len(ev["squat_reps"]) == 2 and ev["trials"] == [] and ev["heel_lifts"] == []
    for rep in ev["squat_reps"]:
        assert rep["fppa_deg"] == pytest.approx({"left": 12.0, "right": -4.0}, abs=0.1)
        assert rep["turnout_deg"] == pytest.approx({"left": 8.0, "right": 24.0}, abs=0.1)
        assert rep["turnout_change_deg"] == pytest.approx({"left": 0.0, "right": 9.0}, abs=0.1)
        fppa = _leg(table, "left", "fppa_deg")
        assert rep["bottom_frame"] == rep["start_frame"] + int(
            np.argmax(np.abs(fppa[rep["start_frame"]:rep["end_frame"] + 1])))
    assert _leg(table, "right", "turnout_deg")[0] == pytest.approx(15.0, abs=1e-9)
    assert abs(_leg(table, "left", "fppa_deg")[0]) < 0.1


def test_squat_side_heel_lift_at_depth_only_in_chosen_reps():
    sc = SquatSide(n_reps=3, heel_lift_cm=2.5, heel_lift_reps=(2,), facing="left", seed=7)
    _, _, table, ev = _truth(sc)
    reps = ev["squat_reps"]
    for leg in ("left", "right"):
        h = _leg(table, leg, "heel_height_cm")
        assert h[reps[1]["bottom_frame"]] == pytest.approx(2.5, abs=1e-6)
        assert h[reps[0]["bottom_frame"]] == 0.0 and h[reps[2]["bottom_frame"]] == 0.0
    assert [d["peak_frame"] for d in ev["heel_lifts"]] == [reps[1]["bottom_frame"]] * 2


# --- validation ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(peak_tibia_deg=(9.0,)), dict(peak_tibia_deg=(20.0,) * 4),
                                    dict(tested_leg="front"), dict(roll_deg=12.0),
                                    dict(heel_lift=HeelLift(trial=3), peak_tibia_deg=(30.0, 30.0)),
                                    dict(width_px=20), dict(seed=-1)])
def test_knee_to_wall_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        KneeToWall(**kwargs)


def test_scenarios_are_frozen_and_keyword_only():
    sc = KneeToWall()
    with pytest.raises(AttributeError):
        sc.roll_deg = 3.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        SquatFront(3)  # type: ignore[misc]
    with pytest.raises(ValueError):
        SquatFront(fppa_deg=(40.0, 0.0))


# --- pixels, files, CLI ----------------------------------------------------------------------

def test_same_seed_same_frames_other_seed_other_frames():
    sc = KneeToWall(peak_tibia_deg=(25.0,), shake_deg=0.3, jpeg_quality=80, seed=9, **TINY)

    def grab(s):
        motion = pose_scenario(s)
        camera, room = scene(s, motion)
        return [f.tobytes() for _, f in zip(range(6), frames(s, motion, camera, room))]

    assert grab(sc) == grab(sc)
    assert grab(sc) != grab(replace(sc, seed=10))


def test_render_clip_writes_video_and_documented_truth(tmp_path):
    cv2 = pytest.importorskip("cv2")
    sc = KneeToWall(peak_tibia_deg=(30.0,), heel_lift=HeelLift(trial=1, onset_s=0.5), seed=8, **TINY)
    out = tmp_path / "clip.mp4"
    truth = render_clip(sc, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "clip.truth.csv", "clip.truth.json"]
    doc = json.loads((tmp_path / "clip.truth.json").read_text())
    assert doc == json.loads(json.dumps(truth.document))
    assert doc["schema"] == "ankle-cv/render-truth" and doc["schema_version"] == 2
    for key in ("scenario", "video", "tested_leg", "facing", "roll_deg", "trials", "heel_lifts",
                "squat_reps"):
        assert key in doc
    v = doc["video"]
    assert v["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == v["n_frames"]
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (160, 96)
    assert doc["scenario"]["type"] == "KneeToWall" and doc["scenario"]["peak_tibia_deg"] == [30.0]
    table = read_csv(tmp_path / "clip.truth.csv")
    assert tuple(table) == COLUMNS
    assert table["frame"].size == 2 * v["n_frames"]
    assert list(table["leg"][:4]) == ["left", "right", "left", "right"]
    assert np.allclose(table["time_s"], table["frame"] / sc.fps, atol=1e-6)
    assert np.array_equal(table["heel_lifted"], (table["heel_height_cm"] > 0).astype(float))
    trial, lift = doc["trials"][0], doc["heel_lifts"][0]
    right = table["leg"] == "right"
    assert table["tibia_deg"][right][trial["peak_frame"]] == pytest.approx(trial["peak_tibia_deg"], abs=1e-3)
    assert table["heel_lifted"][right][lift["start_frame"]] == 1
    assert table["heel_lifted"][right][lift["start_frame"] - 1] == 0


def test_render_clip_refuses_non_mp4(tmp_path):
    with pytest.raises(ValueError):
        render_clip(KneeToWall(**TINY), tmp_path / "clip.avi")


def test_cli_renders_and_reports_user_errors(tmp_path):
    from click.testing import CliRunner

    from ankle_cv_render.cli import render

    runner = CliRunner()
    out = tmp_path / "s.mp4"
    res = runner.invoke(render, ["squat-side", "-o", str(out), "--width-px", "160", "--height-px",
                                 "96", "--supersample", "1", "--reps", "1", "--heel-lift-cm", "1.5"])
    assert res.exit_code == 0, res.output
    assert out.exists() and "rep: bottom frame" in res.output
    res = runner.invoke(render, ["knee-to-wall", "-o", str(out), "--peak-tibia-deg", "70"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: peak_tibia_deg (trial 1) must be a number in [10, 50], got 70.0"]
    res = runner.invoke(render, ["squat-front", "-o", str(out), "--color", "skin=#12"])
    assert res.exit_code == 2 and "NAME=#RRGGBB" in res.output


def test_package_import_stays_light():
    code = "import sys, ankle_cv_render; print('cv2' in sys.modules, 'mediapipe' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False False"


def test_bundled_samples_match_their_checksums():
    folder = Path(__file__).resolve().parents[1] / "sample_videos"
    sums = folder / "SHA256SUMS"
    if not sums.exists():
        pytest.skip("sample_videos/SHA256SUMS not generated")
    for line in sums.read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


# --- issue 12: wall at a known distance, ArUco marker, shin crest, stagger, other motions ---

def _first_frame(sc):
    motion = pose_scenario(sc)
    camera, room = scene(sc, motion)
    return motion, camera, next(iter(frames(sc, motion, camera, room)))


@pytest.mark.parametrize("leg,facing", [("right", "right"), ("left", "right")])
def test_wall_stands_at_the_commanded_toe_distance(leg, facing):
    base = KneeToWall(tested_leg=leg, facing=facing, peak_tibia_deg=(30.0, 40.0), seed=21)
    touch = touch_toe_to_wall_cm(base)
    sc = replace(base, toe_to_wall_cm=round(touch, 3) + 0.001)
    motion, camera, table, ev = _truth(sc)
    toe = _leg(table, leg, "toe_to_wall_cm")
    assert np.allclose(toe, sc.toe_to_wall_cm, atol=1e-9)  # flat front foot: constant
    # toe point (shoe tip) is the wall distance back from the wall plane
    assert motion.wall_x_m - motion.pose.points["toe" + "_" + leg[0]][:, 0] == pytest.approx(
        np.full(toe.size, sc.toe_to_wall_cm / 100.0))
    gap = _leg(table, leg, "knee_front_to_wall_cm")
    low, high = ev["trials"]
    assert high["knee_front_to_wall_cm"] == pytest.approx(0.001, abs=2e-3)  # touches at 40 deg
    assert low["knee_front_to_wall_cm"] > 2.0  # 10 deg less: several cm short
    assert low["toe_to_wall_cm"] == pytest.approx(sc.toe_to_wall_cm)
    assert gap.min() >= 0.0 and int(np.argmin(gap)) == high["peak_frame"]
    # the front of the knee is skin ahead of the joint centre (patella / tuberosity), 4-10 cm
    knee_x = motion.pose.points["knee_" + leg[0]][:, 0]
    ahead_cm = (motion.wall_x_m - knee_x) * 100.0 - gap
    assert 4.0 < ahead_cm.min() and ahead_cm.max() < 10.0
    # the wall's floor line is where the camera sees the plane x = wall at the foot's depth
    z = motion.pose.points["ball_" + leg[0]][:, 2]
    uv = camera.project(np.stack([np.full(z.size, motion.wall_x_m), 0 * z, z], -1))
    assert np.allclose(_leg(table, leg, "wall_x_px"), uv[:, 0])


def test_wall_refuses_a_knee_through_it_and_bad_values():
    base = KneeToWall(peak_tibia_deg=(40.0,), seed=22)
    touch = touch_toe_to_wall_cm(base)
    with pytest.raises(ValueError, match="through the wall"):
        pose_scenario(replace(base, toe_to_wall_cm=touch - 0.5))


@pytest.mark.parametrize("kwargs", [
    dict(toe_to_wall_cm=2.0), dict(toe_to_wall_cm=31.0), dict(toe_to_wall_cm=10.0, wall=False),
    dict(marker_cm=10.0), dict(toe_to_wall_cm=10.0, marker_cm=3.0),
    dict(toe_to_wall_cm=10.0, marker_cm=10.0, marker_offset_cm=3.0),
    dict(toe_to_wall_cm=10.0, marker_cm=10.0, marker_lift_cm=25.0), dict(back_foot_cm=90.0),
    dict(toe_to_wall_cm=10.0, marker_cm=10.0, marker_margin_cm=0.5),
    dict(back_foot_cm=20.0)])
def test_issue12_parameters_are_validated(kwargs):
    with pytest.raises(ValueError):
        KneeToWall(**kwargs)


@pytest.mark.parametrize("kwargs", [dict(crest_top_cm=7.0), dict(crest_bottom_cm=1.0),
                                    dict(crest_top_cm="4")])
def test_crest_offsets_are_validated(kwargs):
    with pytest.raises(ValueError, match="crest_"):
        Appearance(**kwargs)


@pytest.mark.parametrize("cls,kwargs", [
    (SingleLegHinge, dict(peak_trunk_deg=30.0)), (SingleLegHinge, dict(peak_trunk_deg=(50.0, 60.0))),
    (SingleLegHinge, dict(stance_leg="both")), (SingleLegHinge, dict(stance_knee_flexion_deg=40.0)),
    (WalkingLunge, dict(n_reps=1)), (WalkingLunge, dict(step_cm=120.0)),
    (WalkingLunge, dict(front_knee_flexion_deg=130.0)), (WalkingLunge, dict(first_leg="front"))])
def test_other_motions_reject_bad_parameters(cls, kwargs):
    with pytest.raises(ValueError):
        cls(**kwargs)


@pytest.mark.parametrize("top_cm,bottom_cm,height_m", [(4.5, 2.3, 1.75), (5.0, 2.0, 1.6), (4.0, 3.0, 1.9)])
def test_crest_angle_minus_centre_line_matches_the_offsets(top_cm, bottom_cm, height_m):
    look = Appearance(crest_top_cm=top_cm, crest_bottom_cm=bottom_cm)
    sc = KneeToWall(tested_leg="left", facing="right", peak_tibia_deg=(25.0, 45.0), appearance=look,
                    height_m=height_m, back_foot_cm=60.0, seed=23)
    motion, _, table, ev = _truth(sc)
    span_ref_m = 0.246 * 1.75 - CREST_TOP_BELOW_KNEE_M - CREST_BOTTOM_ABOVE_ANKLE_M
    want = np.degrees(np.arctan((top_cm - bottom_cm) / 100.0 / span_ref_m))
    for leg in ("left", "right"):
        diff = _leg(table, leg, "crest_deg") - _leg(table, leg, "tibia_deg")
        assert np.allclose(diff, want, atol=1e-9)
    for t in ev["trials"]:
        assert t["peak_crest_deg"] == pytest.approx(t["peak_tibia_deg"] + want, abs=2e-4)
    # the inclinometer span covers 12 cm (scaled) of the shank's axis, along the slanted crest
    upper, lower = crest_line(motion.pose, look, "left")
    k = motion.pose.anthro.scale
    assert np.linalg.norm(upper - lower, axis=-1) == pytest.approx(
        np.full(upper.shape[0], 0.12 * k / np.cos(np.radians(want))))


@pytest.mark.parametrize("leg,facing,seed", [("right", "right", 24), ("left", "left", 5)])
def test_crest_is_the_front_edge_of_the_rendered_shin(leg, facing, seed):
    sc = KneeToWall(tested_leg=leg, facing=facing, peak_tibia_deg=(30.0,), width_px=640, height_px=480,
                    camera_distance_m=1.6, camera_height_m=0.35, noise_sigma=0.0, blur_px=0.0, seed=seed)
    motion, camera, img = _first_frame(sc)
    upper, lower = crest_line(motion.pose, sc.appearance, leg)
    (_, y0), (_, y1) = camera.project(upper[0], 0), camera.project(lower[0], 0)
    # Bare skin is redder (R - B ~ 42 levels, grazing-lit) than the grey wall behind (~20):
    # the front edge is where R - B crosses 31, interpolated between pixels, searched from the
    # front (image right when facing right).
    red = img[..., 0].astype(float) - img[..., 2]
    if facing == "left":
        red = red[:, ::-1]
    rows = np.arange(int(np.ceil(y0)) + 2, int(y1) - 2)
    edge = []
    for r in rows:
        i = np.flatnonzero(red[r] > 31.0).max()
        edge.append(i + 0.5 + (red[r, i] - 31.0) / (red[r, i] - red[r, i + 1]))
    measured = np.degrees(np.arctan(-np.polyfit(rows + 0.5, edge, 1)[0]))
    _, _, table, _ = _truth(sc)
    crest, tibia = _leg(table, leg, "crest_deg")[0], _leg(table, leg, "tibia_deg")[0]
    assert measured == pytest.approx(crest, abs=0.5)
    assert abs(measured - tibia) > 3.5


def _aruco_corners(img):
    cv2 = pytest.importorskip("cv2")
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)
    corners, ids, _ = detector.detectMarkers(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    assert ids is not None and ids.ravel().tolist() == [0]
    return corners[0][0] + 0.5  # OpenCV puts pixel centres at integers; the truth at i + 0.5


@pytest.mark.parametrize("size,distance_m,extra", [
    ((1280, 720), 2.5, {}),
    ((960, 540), 1.5, {}),
    ((960, 540), 2.0, dict(tested_leg="right", facing="left", camera_pitch_deg=-8.0, shake_deg=0.5,
                           roll_deg=4.0)),
])
def test_aruco_marker_is_detected_at_its_true_corners(size, distance_m, extra):
    sc = KneeToWall(toe_to_wall_cm=10.0, marker_cm=10.0, peak_tibia_deg=(30.0,), width_px=size[0],
                    height_px=size[1], camera_distance_m=distance_m, camera_height_m=0.5,
                    supersample=1, seed=25, **extra)
    motion, camera, img = _first_frame(sc)
    _, _, table, _ = _truth(sc)
    truth = np.array([[table[f"marker_c{i}_x_px"][0], table[f"marker_c{i}_y_px"][0]] for i in range(4)])
    assert np.abs(_aruco_corners(img) - truth).max() < 1.0
    # the card: standing on the floor, its marker part 12 cm up, wall-side edge on the wall,
    # 8 cm behind the foot's midline (ankle-cv's instruction: where it cannot hide the toe)
    card = motion.card
    assert card.card_m == pytest.approx(0.15)  # 10 cm marker + 2.5 cm margins (ankle-cv's card)
    assert card.center_m[0] + card.card_m / 2 == pytest.approx(motion.wall_x_m)
    assert card.center_m[1] - card.card_m / 2 - card.lift_m == pytest.approx(0.0)
    assert card.lift_m == pytest.approx(0.12)
    foot_z = motion.pose.points["ball_" + sc.tested_leg[0]][0, 2]
    toward_camera = camera.position_m[2] - foot_z
    assert (card.center_m[2] - foot_z) * np.sign(toward_camera) == pytest.approx(-0.08)
    edge = camera.project(np.array([motion.wall_x_m, 0.0, card.center_m[2]]), 0)
    assert [table["card_edge_x_px"][0], table["card_edge_y_px"][0]] == pytest.approx(edge)


def test_marker_and_wall_truth_follow_the_shaken_camera():
    sc = KneeToWall(toe_to_wall_cm=10.0, marker_cm=10.0, peak_tibia_deg=(30.0,), shake_deg=0.5,
                    camera_pitch_deg=-8.0, seed=26, **TINY)
    motion, camera, table, _ = _truth(sc)
    x = _leg(table, "right", "marker_c0_x_px")
    assert np.ptp(x) > 0.5  # the marker moves in the image with the hand-held camera ...
    for t in (0, 17):  # ... exactly as the camera of that frame projects it
        uv = camera.project(motion.card.marker_corners_m(), t)
        assert uv[0] == pytest.approx([x[t], _leg(table, "right", "marker_c0_y_px")[t]])
    wall = _leg(table, "right", "wall_x_px")
    assert np.ptp(wall) > 0.5


def test_lunge_stagger_puts_the_back_foot_behind_with_the_heel_up():
    sc = KneeToWall(tested_leg="left", facing="right", peak_tibia_deg=(30.0, 38.0), back_foot_cm=75.0,
                    seed=27)
    motion, _, table, ev = _truth(sc)
    p, a = motion.pose.points, motion.pose.anthro
    assert np.allclose(p["ball_l"][:, 0] - p["ball_r"][:, 0], 0.75)  # ankle to ankle, heels flat
    assert [t["peak_tibia_deg"] for t in ev["trials"]] == pytest.approx([30.0, 38.0], abs=0.1)
    assert np.linalg.norm(p["hip_r"] - p["ankle_r"], axis=-1).max() <= 0.975 * a.leg_m + 1e-9
    assert _leg(table, "right", "heel_height_cm").max() > 1.0  # the back heel is up ...
    assert np.all(_leg(table, "right", "sole_height_cm") == 0.0)  # ... on the ball of the foot
    assert np.allclose(np.linalg.norm(p["knee_r"] - p["ankle_r"], axis=-1), a.shank_m)
    assert np.allclose(np.linalg.norm(p["knee_r"] - p["hip_r"], axis=-1), a.thigh_m)


def test_single_leg_hinge_truth():
    sc = SingleLegHinge(stance_leg="left", facing="left", peak_trunk_deg=(45.0, 60.0, 75.0), seed=28, **TINY)
    motion, _, table, ev = _truth(sc)
    assert motion.kind == "single_leg_hinge" and ev["trials"] == []
    assert [r["trunk_deg"] for r in ev["reps"]] == pytest.approx([45.0, 60.0, 75.0], abs=1e-6)
    assert np.all(_leg(table, "left", "sole_height_cm") == 0.0)  # stance foot flat
    assert _leg(table, "right", "sole_height_cm").min() > 2.0  # the other foot never touches
    for r in ev["reps"]:  # at depth the free foot is well up behind, the stance knee bent
        assert r["sole_height_cm_right"] > 15.0 and r["ankle_x_m_right"] < -0.4
    a = motion.pose.anthro
    for leg in ("left", "right"):
        s = "_" + leg[0]
        p = motion.pose.points
        assert np.allclose(np.linalg.norm(p["knee" + s] - p["ankle" + s], axis=-1), a.shank_m)
        assert np.allclose(np.linalg.norm(p["knee" + s] - p["hip" + s], axis=-1), a.thigh_m)


def test_walking_lunge_truth():
    sc = WalkingLunge(first_leg="right", n_reps=3, step_cm=70.0, front_knee_flexion_deg=90.0, seed=29, **TINY)
    motion, _, table, ev = _truth(sc)
    assert motion.kind == "walking_lunge" and ev["trials"] == []
    reps = ev["reps"]
    assert [r["leg"] for r in reps] == ["right", "left", "right"]
    p = motion.pose.points
    fronts = [p["ankle_" + r["leg"][0]][r["peak_frame"], 0] for r in reps]
    assert np.diff(fronts) == pytest.approx([0.7, 0.7])  # the feet move on between reps
    for r in reps:
        front, back = r["leg"], "left" if r["leg"] == "right" else "right"
        b = r["peak_frame"]
        s = "_" + front[0]
        thigh, shank = p["hip" + s][b] - p["knee" + s][b], p["ankle" + s][b] - p["knee" + s][b]
        flexion = 180.0 - np.degrees(np.arccos(thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank)))
        assert flexion == pytest.approx(90.0, abs=0.5)
        assert _leg(table, back, "heel_height_cm")[b] > 3.0  # back heel up at the bottom
        assert r[f"sole_height_cm_{front}"] == 0.0 and r[f"sole_height_cm_{back}"] == 0.0
        # the swinging foot leaves the floor on its way through
        mid = (r["start_frame"] + (b - r["start_frame"]) // 4)
        assert _leg(table, front, "sole_height_cm")[mid] > 3.0
    for leg in ("left", "right"):
        s = "_" + leg[0]
        assert np.allclose(np.linalg.norm(p["knee" + s] - p["hip" + s], axis=-1), motion.pose.anthro.thigh_m)


def test_other_motions_render_with_their_truth(tmp_path):
    sc = WalkingLunge(n_reps=2, **TINY)
    truth = render_clip(sc, tmp_path / "lunge.mp4")
    doc = json.loads((tmp_path / "lunge.truth.json").read_text())
    assert doc["motion"] == "walking_lunge" and doc["trials"] == [] and len(doc["reps"]) == 2
    assert doc["tested_leg"] is None and doc["wall"] is None and doc["marker"] is None
    assert truth.document["scenario"]["type"] == "WalkingLunge"


def test_cli_renders_the_new_motions_and_reports_user_errors(tmp_path):
    from click.testing import CliRunner

    from ankle_cv_render.cli import render

    runner = CliRunner()
    out = tmp_path / "h.mp4"
    res = runner.invoke(render, ["hinge", "-o", str(out), "--reps", "1", "--peak-trunk-deg", "55",
                                 "--width-px", "96", "--height-px", "64", "--supersample", "1"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "h.truth.json").read_text())["motion"] == "single_leg_hinge"
    res = runner.invoke(render, ["walking-lunge", "-o", str(out), "--step-cm", "120"])
    assert res.exit_code == 1 and "step_cm must be a number in [50, 100]" in res.output
    res = runner.invoke(render, ["knee-to-wall", "-o", str(out), "--marker-cm", "10"])
    assert res.exit_code == 1 and "marker_cm needs toe_to_wall_cm" in res.output


def test_door_casings_are_verticals_that_converge_as_the_camera_pitches():
    """Door casings add two wood-coloured columns on the back wall and change nothing else; seen
    by a camera pitched down 8 deg, the scene's vertical segments (ankle-cv's line finder on the
    first frame) meet where that pitch puts them (within 0.5 deg, 65 deg phone focal length, as
    the renderer's default field of view)."""
    from ankle_cv.core.geometry import camera_pitch_deg, phone_focal_px, vertical_vanishing_point
    from ankle_cv.vision.scene import scene_lines

    def first(sc):
        motion = pose_scenario(sc)
        camera, room = scene(sc, motion)
        return next(iter(frames(sc, motion, camera, room)))

    size = dict(width_px=1280, height_px=720, supersample=1, noise_sigma=0.0, blur_px=0.0)
    base = KneeToWall(peak_tibia_deg=(30.0,), seed=4, **size)
    plain, painted = first(base), first(replace(base, door_casings=True))
    changed = np.any(plain != painted, axis=2)
    columns = np.flatnonzero(changed.any(axis=0))
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    assert len(runs) == 2 and all(6 <= len(r) <= 24 for r in runs)  # two casings, ~8 cm wide
    assert changed.sum(axis=0)[columns].min() > 0.3 * 720  # floor to well above the frame's middle
    pitched = first(replace(base, door_casings=True, camera_pitch_deg=-8.0, camera_height_m=1.1))
    vp, n = vertical_vanishing_point(scene_lines(pitched[:, :, ::-1].copy()), frame_size_px=(1280, 720))
    assert vp is not None and n >= 4
    pitch = camera_pitch_deg(vp, focal_px=phone_focal_px((1280, 720)), centre_px=(640, 360))
    assert pitch == pytest.approx(-8.0, abs=0.5)
