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

from ankle_cv_render import HeelLift, KneeToWall, SquatFront, SquatSide, measures, render_clip
from ankle_cv_render.truth import COLUMNS, events, per_frame, read_csv
from ankle_cv_render.video import frames, pose_scenario, scene

TINY = dict(width_px=160, height_px=96, supersample=1, noise_sigma=2.0)


def _truth(scenario):
    motion = pose_scenario(scenario)
    camera, _ = scene(scenario, motion)
    table = per_frame(motion, camera, scenario.fps)
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
    assert doc["schema"] == "ankle-cv/render-truth" and doc["schema_version"] == 1
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
