"""The vectorized core agrees with the plain per-frame implementation in benchmarks/."""

from bench_core import LINES, agreement, make_input
from reference_core import knee_to_wall_reference

from ankle_cv.protocols.knee_to_wall.kinematics import knee_to_wall_kinematics


def test_core_and_per_frame_reference_agree():
    xyzv, t = make_input(3000, seed=7)  # 10 synthetic trials, lifts, label swaps, gated frames
    a = agreement(knee_to_wall_kinematics(xyzv, t, lines=LINES), knee_to_wall_reference(xyzv, t, lines=LINES))
    for key in ("tibia_deg", "tibia_raw_deg", "heel_height_foot"):
        max_diff, nan_mismatches = a[key]
        assert max_diff < 1e-4 and nan_mismatches == 0, key
    assert a["front_side"] == (0.0, 0)
    assert a["lifts_equal"] and a["trials_equal"]
    assert a["roll"][0] == a["roll"][1] == 0.0
