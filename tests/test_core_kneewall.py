"""The knee-to-wall core on synthetic landmark series with known geometry (tests/synth.py)."""

import numpy as np
import pytest
from synth import knee_to_wall

from ankle_cv.protocols.knee_to_wall import KneeToWallSettings
from ankle_cv.protocols.knee_to_wall.kinematics import knee_to_wall_kinematics


def kinematics(xyzv, time_s, *, lines=None, **settings):
    return knee_to_wall_kinematics(xyzv, time_s, KneeToWallSettings(**settings), lines=lines)


def run(series, **kwargs):
    """The kinematics of a synthetic clip (heel-independent part; see run_heel)."""
    return kinematics(series.xyzv, series.time_s, **kwargs)[0]


def run_heel(series, **kwargs):
    return kinematics(series.xyzv, series.time_s, **kwargs)[1]


def front_error(kin, truth):
    return np.nanmax(np.abs(kin.front(kin.tibia_deg) - truth["tibia_deg"]))


def test_angles_match_the_geometry():
    series, truth = knee_to_wall()
    kin = run(series)
    assert front_error(kin, truth) < 0.1
    assert np.nanmax(np.abs(kin.front(kin.tibia_raw_deg) - truth["tibia_deg"])) < 1e-3  # float32 landmarks
    assert kin.roll.roll_deg == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("tested", ["left", "right"])
def test_mirror_and_leg_invariance(facing, tested):
    reference = run(knee_to_wall()[0])
    series, truth = knee_to_wall(facing=facing, tested=tested)
    kin = run(series)
    assert np.unique(kin.front_side).tolist() == [float(tested == "right")]
    assert np.unique(kin.facing).tolist() == [1.0 if facing == "right" else -1.0]
    np.testing.assert_allclose(kin.front(kin.tibia_deg), reference.front(reference.tibia_deg), atol=1e-4)
    assert kin.trials.tolist() == reference.trials.tolist()


def test_mediapipe_label_swaps_change_nothing():
    reference = run(knee_to_wall()[0])
    for frames in (slice(100, 130), slice(0, 40), slice(200, 205)):
        kin = run(knee_to_wall(swap_frames=frames)[0])
        assert np.unique(kin.front_side).tolist() == [0.0]
        np.testing.assert_allclose(kin.tibia_deg, reference.tibia_deg, atol=1e-4)


def test_whole_clip_swapped_names_the_other_leg_but_keeps_the_numbers():
    # MediaPipe calling the leg "right" throughout is indistinguishable from a right leg
    reference = run(knee_to_wall()[0])
    kin = run(knee_to_wall(swap_frames=slice(None))[0])
    assert np.unique(kin.front_side).tolist() == [1.0]
    np.testing.assert_allclose(kin.front(kin.tibia_deg), reference.front(reference.tibia_deg), atol=1e-4)
    assert run(knee_to_wall(swap_frames=slice(None))[0], leg="left").front_side[0] == 0.0


@pytest.mark.parametrize("roll", [-10.0, -4.0, 3.0, 10.0])
def test_roll_is_estimated_from_the_planted_sole_and_removed(roll):
    series, truth = knee_to_wall(roll_deg=roll, facing="left")
    kin = run(series, roll_source="sole")
    assert kin.roll.roll_deg == pytest.approx(roll, abs=0.05) and kin.roll.source == "sole"
    assert front_error(kin, truth) < 0.15
    # without scene lines, auto assumes a level camera and still reports the sole's view
    auto = run(series)
    assert auto.roll.source == "level" and auto.roll.roll_deg == 0.0
    assert auto.roll.sole_roll_deg == pytest.approx(roll, abs=0.05) and np.isnan(auto.roll.scene_roll_deg)


def scene_segments(roll_deg, *, n=12, seed=0):
    """Wall and floor edges of a room seen with a camera rolled by ``roll_deg``, plus clutter."""
    rng = np.random.default_rng(seed)
    segs = []
    for i in range(n):
        base = 0.0 if i % 2 else 90.0  # horizontals and verticals
        a = np.deg2rad(base + roll_deg + rng.normal(0, 0.3))
        x, y, length = rng.uniform(0, 1000), rng.uniform(0, 600), rng.uniform(80, 300)
        segs.append([x, y, x + length * np.cos(a), y - length * np.sin(a)])
    for _ in range(4):  # clutter at random angles, short
        a = rng.uniform(0, np.pi)
        x, y = rng.uniform(0, 1000), rng.uniform(0, 600)
        segs.append([x, y, x + 60 * np.cos(a), y - 60 * np.sin(a)])
    return np.array(segs)


@pytest.mark.parametrize("roll", [-9.0, 0.0, 4.0])
def test_roll_from_scene_lines(roll):
    series, truth = knee_to_wall(roll_deg=roll)
    kin = run(series, lines=scene_segments(roll))
    assert kin.roll.source == "scene"
    assert kin.roll.roll_deg == pytest.approx(roll, abs=0.3)
    assert front_error(kin, truth) < 0.4


def test_scattered_lines_do_not_level_the_camera():
    rng = np.random.default_rng(1)
    a = rng.uniform(0, np.pi, 40)
    clutter = np.column_stack([np.zeros(40), np.zeros(40), 100 * np.cos(a), -100 * np.sin(a)])
    kin = run(knee_to_wall()[0], lines=clutter)
    assert kin.roll.source == "level" and np.isnan(kin.roll.scene_roll_deg)


def test_user_roll_overrides_the_estimate():
    series, truth = knee_to_wall(roll_deg=5.0)
    kin = run(series, roll_deg=0.0, roll_source="sole")
    assert kin.roll.source == "user" and kin.roll.roll_deg == 0.0
    assert np.nanmax(kin.front(kin.tibia_deg) - truth["tibia_deg"]) == pytest.approx(-5.0, abs=0.1)


def test_heel_lift_onset_and_end_frames():
    # 20 px lift (1/6 of the foot) from 7.0 s, lasting 1 s, in the third trial
    series, truth = knee_to_wall(lift=(7.0, 1.0, 20.0))
    heel = run_heel(series)
    assert heel.lifts.shape == (1, 4)
    leg, start, stop, peak = heel.lifts[0]
    assert leg == 0
    assert abs(start - truth["lift_start_frame"]) <= 2
    assert abs(stop - truth["lift_stop_frame"]) <= 2
    assert truth["lift_start_frame"] < peak < truth["lift_stop_frame"]
    assert heel.height_foot[0, peak] == pytest.approx(20.0 / 120.0, abs=0.01)
    assert not heel.down[0, start:stop].any()


def test_small_jitter_is_not_a_heel_lift():
    series, _ = knee_to_wall(noise_px=1.0, seed=3)
    assert run_heel(series).lifts.shape == (0, 4)


def test_a_brief_heel_flicker_is_below_the_minimum_duration():
    series, _ = knee_to_wall(lift=(5.0, 0.067, 20.0))  # a two-frame glitch
    assert run_heel(series).lifts.shape == (0, 4)


@pytest.mark.parametrize("peaks", [(30.0,), (20.0, 28.0), (30.0, 35.0, 40.0)])
def test_trial_count_and_peaks(peaks):
    series, truth = knee_to_wall(peaks_deg=peaks)
    kin = run(series)
    assert len(kin.trials) == len(peaks)
    angle = kin.front(kin.tibia_deg)
    for (start, _, stop), want, t_peak in zip(kin.trials, peaks, truth["peak_frames"]):
        assert start < t_peak < stop
        assert np.nanmax(angle[start:stop]) == pytest.approx(want, abs=0.1)


def test_no_drive_means_no_trial():
    series, _ = knee_to_wall(peaks_deg=(7.0, 8.0))  # 2-3 deg wobbles around the base 5 deg
    assert len(run(series).trials) == 0


def test_both_legs_tested_in_one_clip():
    first, _ = knee_to_wall(tested="left", peaks_deg=(30.0, 32.0))
    second, _ = knee_to_wall(tested="right", peaks_deg=(40.0, 42.0))
    # the switch: in 1 s the left foot steps back and the right foot forward (they cross)
    w = np.linspace(0.0, 1.0, 30)[:, None, None]
    step = (1 - w) * first.xyzv[-1] + w * second.xyzv[0]
    xyzv = np.concatenate([first.xyzv, step, second.xyzv])
    t = np.arange(xyzv.shape[0]) / 30.0
    kin = kinematics(xyzv, t)[0]
    sides = [int(np.nanmedian(kin.front_side[a:b])) for a, _, b in kin.trials]
    assert sides == [0, 0, 1, 1]
    peaks = [np.nanmax(kin.front(kin.tibia_deg)[a:b]) for a, _, b in kin.trials]
    assert peaks == pytest.approx([30.0, 32.0, 40.0, 42.0], abs=0.2)


def test_frames_without_a_person_stay_unknown():
    series, _ = knee_to_wall()
    xyzv = series.xyzv.copy()
    xyzv[50:70] = np.nan  # 0.67 s without a person: longer than the gap filled
    kin = kinematics(xyzv, series.time_s)[0]
    assert np.isnan(kin.tibia_deg[:, 55:65]).all()
    assert np.isfinite(kin.tibia_deg[:, :45]).all()


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match=r"\(T, 33, 4\)"):
        kinematics(np.zeros((10, 2, 5, 4)), np.arange(10.0))
    with pytest.raises(ValueError, match="leg"):
        kinematics(np.zeros((10, 33, 4)), np.arange(10.0), leg="both")


def _pitched(xy: np.ndarray, pitch_deg: float, size) -> np.ndarray:
    """Pixels of a level camera as the same camera turned by ``pitch_deg`` (negative: down)
    about its horizontal axis sees them (a rotation about the centre is a homography),
    focal length from a typical phone's field of view."""
    from ankle_cv.core.geometry import phone_focal_px

    f, (cx, cy), a = phone_focal_px(size), (size[0] / 2, size[1] / 2), np.deg2rad(-pitch_deg)
    rot = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(a), -np.sin(a)], [0.0, np.sin(a), np.cos(a)]])
    ray = np.stack([(xy[..., 0] - cx) / f, (xy[..., 1] - cy) / f, np.ones(xy.shape[:-1])], -1) @ rot.T
    return np.stack([cx + f * ray[..., 0] / ray[..., 2], cy + f * ray[..., 1] / ray[..., 2]], -1)


@pytest.mark.parametrize("pitch_deg", [-10.0, 8.0])
def test_a_pitched_camera_is_levelled_by_the_scene_verticals(pitch_deg):
    """The synthetic clip seen by a camera pitched down (up), with a floor line and four door-
    frame verticals in the scene: the verticals' vanishing point gives the pitch and the shank
    is measured in the levelled picture, within 0.4 deg of the truth; the picture's roll alone
    (no frame size: no levelling) is off by more."""
    series, truth = knee_to_wall(peaks_deg=(30.0, 40.0))
    size = series.frame_size_px
    xyzv = series.xyzv.copy()
    xyzv[..., :2] = _pitched(xyzv[..., :2], pitch_deg, size)
    level = [[x, 40.0, x, 640.0] for x in (80.0, 300.0, 1000.0, 1200.0)] + [[60.0, 600.0, 1220.0, 600.0]] * 3
    lines = _pitched(np.array(level, dtype=float).reshape(-1, 2, 2), pitch_deg, size).reshape(-1, 4)
    settings = KneeToWallSettings()
    kin = knee_to_wall_kinematics(xyzv, series.time_s, settings, lines=lines, frame_size_px=size)[0]
    assert kin.roll.pitch_deg == pytest.approx(pitch_deg, abs=0.2) and kin.roll.verticals == 4
    assert front_error(kin, truth) < 0.4
    plain = knee_to_wall_kinematics(xyzv, series.time_s, settings, lines=lines)[0]
    assert np.isnan(plain.roll.pitch_deg) and front_error(plain, truth) > 0.5


def test_no_levelling_without_confirming_horizontals_for_a_given_roll_or_past_25_deg(monkeypatch):
    """The vanishing point levels the picture only when the floor line confirms its roll
    (within 3 deg) and the pitch is plausible; a roll given by the user (or the sole asked
    for) levels the picture by itself."""
    from ankle_cv.protocols.knee_to_wall.kinematics import pitch_from_verticals

    series, _ = knee_to_wall(peaks_deg=(30.0,))
    size = series.frame_size_px
    verticals = [[x, 40.0, x, 640.0] for x in (80.0, 300.0, 1000.0, 1200.0)]
    floor = [[60.0, 600.0, 1220.0, 600.0]] * 3

    def lines(pitch_deg, rows):
        return _pitched(np.array(rows, dtype=float).reshape(-1, 2, 2), pitch_deg, size).reshape(-1, 4)

    assert pitch_from_verticals(lines(-10.0, verticals + floor), size)[2] == pytest.approx(-10.0, abs=0.2)
    assert pitch_from_verticals(lines(-10.0, verticals), size)[0] is None  # no horizontals to confirm
    tilted_floor = [[60.0, 600.0, 1220.0, 600.0 - 1160.0 * np.tan(np.deg2rad(5.0))]] * 3
    assert pitch_from_verticals(lines(-10.0, verticals + tilted_floor), size)[0] is None  # 5 deg apart
    # past 25 deg, refused for that alone: verticals near the middle (steeply pitched, the outer
    # ones lean past the 15 deg a vertical may), which give -30 deg with the limit lifted
    middle = [[x, 40.0, x, 640.0] for x in (400.0, 560.0, 720.0, 880.0)]
    assert pitch_from_verticals(lines(-30.0, middle + floor), size)[0] is None
    monkeypatch.setattr("ankle_cv.protocols.knee_to_wall.kinematics.MAX_PITCH_DEG", 35.0)
    assert pitch_from_verticals(lines(-30.0, middle + floor), size)[2] == pytest.approx(-30.0, abs=0.3)
    monkeypatch.undo()
    xyzv = series.xyzv.copy()
    xyzv[..., :2] = _pitched(xyzv[..., :2], -10.0, size)
    for given in (dict(roll_deg=0.0), dict(roll_source="sole")):
        kin = knee_to_wall_kinematics(xyzv, series.time_s, KneeToWallSettings(**given),
                                      lines=lines(-10.0, verticals + floor), frame_size_px=size)[0]
        assert np.isnan(kin.roll.pitch_deg) and kin.roll.verticals == 0 and kin.level is None


def test_a_heel_lost_for_a_moment_while_up_stays_one_lift():
    from ankle_cv.core import events

    time_s = np.arange(300) / 30.0
    height = np.zeros(300)
    height[100:200] = 0.1  # one lift of 100 frames (3.3 s)
    kwargs = dict(on_foot=0.035, off_foot=0.0175, min_duration_s=0.2, onset_rate_fraction=1.0)
    short, long_ = height.copy(), height.copy()
    short[140:145] = np.nan  # 5 frames: the span bridged is 0.2 s
    long_[140:160] = np.nan  # 0.7 s: unknown, not bridged
    one = events.detect_heel_lifts(short, time_s, max_gap_s=0.25, **kwargs)
    assert one[:, :2].tolist() == [[100, 200]]
    assert events.detect_heel_lifts(short, time_s, **kwargs)[:, :2].tolist() == [[100, 140], [145, 200]]
    assert events.detect_heel_lifts(long_, time_s, max_gap_s=0.25, **kwargs)[:, :2].tolist() == [[100, 140], [160, 200]]


def test_a_gap_bridges_only_a_heel_that_was_up_on_both_sides():
    from ankle_cv.core import events

    time_s = np.arange(80) / 30.0
    kwargs = dict(min_duration_s=0.15, onset_rate_fraction=1.0, max_gap_s=0.25)
    blip = np.zeros(80)
    blip[30] = 0.05  # one frame up, then the heel is lost for 6 frames: not a lift
    blip[31:37] = np.nan
    assert events.detect_heel_lifts(blip, time_s, on_foot=0.035, off_foot=0.0175, **kwargs).shape == (0, 3)
    # the height source changes across the gap (landmarks, then the image): below the
    # landmarks' off threshold before it, below the image's after it: no lift of bridged frames
    mixed = np.full(80, 0.007)
    mixed[:20] = 0.017
    mixed[20:26] = np.nan
    on = np.where(np.arange(80) < 20, 0.035, 0.015)
    assert events.detect_heel_lifts(mixed, time_s, on_foot=on, off_foot=on / 2, **kwargs).shape == (0, 3)
    assert events.detect_heel_lifts(np.zeros(0), np.zeros(0), on_foot=0.035, off_foot=0.0175, **kwargs).shape == (0, 3)
