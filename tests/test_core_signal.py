import numpy as np
import pytest

from ankle_cv.core import signal


def test_fill_nearest():
    v = np.array([np.nan, 1.0, np.nan, np.nan, np.nan, 0.0, np.nan])
    assert signal.fill_nearest(v).tolist() == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]


def test_moving_sum_is_centred():
    assert signal.moving_sum(np.array([0, 0, 1, 0, 0, 0.0]), 3).tolist() == pytest.approx([0, 1, 1, 1, 0, 0])


def test_fill_gaps_bridges_short_gaps_only():
    t = np.arange(12) / 10.0
    v = np.arange(12, dtype=float)
    v[2:4] = np.nan  # 0.3 s span from frame 1 to 4
    v[6:10] = np.nan  # 0.5 s span from frame 5 to 10
    v[0] = np.nan  # leading edge never filled
    out = signal.fill_gaps(v, t, max_gap_s=0.3)
    assert out[2:4] == pytest.approx([2.0, 3.0])
    assert np.isnan(out[6:10]).all() and np.isnan(out[0])


def test_fill_gaps_uses_time_not_index():
    t = np.array([0.0, 0.1, 0.4, 0.5])
    v = np.array([0.0, np.nan, np.nan, 5.0])
    t2 = np.array([0.0, 0.1, 0.2, 0.5])
    assert signal.fill_gaps(v, t, max_gap_s=1)[1:3] == pytest.approx([1.0, 4.0])
    assert signal.fill_gaps(v, t2, max_gap_s=1)[1:3] == pytest.approx([1.0, 2.0])


def test_smooth_is_zero_phase_and_keeps_nans():
    t = np.arange(300) / 30.0
    bump = np.exp(-0.5 * ((t - 5.0) / 0.5) ** 2)
    noisy = bump + np.random.default_rng(0).normal(0, 0.02, t.size)
    noisy[40:43] = np.nan
    out = signal.smooth(noisy, t, cutoff_hz=4.0)
    assert np.isnan(out[40:43]).all() and np.isfinite(out[:40]).all()
    assert int(np.nanargmax(out)) == 150  # no lag
    assert np.nanmax(out) == pytest.approx(1.0, abs=0.03)
    assert np.nanstd(out[200:] - bump[200:]) < 0.6 * np.nanstd(noisy[200:] - bump[200:])


def test_smooth_passes_half_the_power_at_the_cutoff():
    t = np.arange(3000) / 30.0
    for f_hz, gain in ((6.0, np.sqrt(0.5)), (0.5, 1.0)):
        out = signal.smooth(np.sin(2 * np.pi * f_hz * t), t, cutoff_hz=6.0)
        assert np.std(out[100:-100]) / np.std(np.sin(2 * np.pi * f_hz * t[100:-100])) == pytest.approx(gain, abs=0.02)
    const = np.full(7, 3.0, np.float32)
    assert signal.smooth(const, t[:7], cutoff_hz=6.0) == pytest.approx(const)


def test_hysteresis_runs_need_on_and_end_below_off():
    v = np.array([0, 0.03, 0.06, 0.04, 0.03, 0.01, 0.03, 0.04, 0.02, 0.07, np.nan, 0.0])
    runs = signal.hysteresis_runs(v, on=0.05, off=0.025)
    # 1..4 rises above on (0.06) and falls below off at 5; 6..7 never reaches on; 9 alone
    assert runs.tolist() == [[1, 5], [9, 10]]


def test_hysteresis_thresholds_may_differ_per_sample():
    # the same excursion (0.03) is a run where the thresholds are low, not where they are high
    v = np.array([0, 0.03, 0.03, 0, 0, 0.03, 0.03, 0])
    on = np.r_[np.full(4, 0.02), np.full(4, 0.05)]
    assert signal.hysteresis_runs(v, on=on, off=on / 2).tolist() == [[1, 3]]
    with pytest.raises(ValueError, match="must not exceed"):
        signal.hysteresis_runs(v, on=on, off=np.r_[on[:7], 1.0])


def test_shorth_follows_the_densest_half():
    v = np.r_[np.full(60, 1.0) + np.linspace(-0.01, 0.01, 60), np.full(40, 5.0), [np.nan]]
    assert signal.shorth(v) == pytest.approx(1.0, abs=0.01)
    assert np.isnan(signal.shorth(np.array([np.nan])))


def test_runs():
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 1], bool)
    assert signal.runs(mask).tolist() == [[1, 3], [4, 5], [7, 8]]
    assert signal.runs(np.zeros(3, bool)).shape == (0, 2)
