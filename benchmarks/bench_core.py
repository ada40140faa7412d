"""Speed and memory of the vectorized knee-to-wall core, against references in the same run.

    python benchmarks/bench_core.py              # 1e3 .. 1e7 frames
    python benchmarks/bench_core.py --max 1e6    # stop earlier (less memory)

For each size it times the complete core as the analysis runs it
(``knee_to_wall_kinematics``: visibility and segment-length gating, facing, front leg and
side, stillness, roll from scene lines and from the sole, heel heights and lifts, tibia
angles with gap filling and smoothing, trials), and in the same run:

* a memory reference, one copy of the input landmark array (T, 33, 4) float32 (the
  LandmarkSeries the analysis hands the core): time and bytes;
* the plain per-frame Python implementation in ``reference_core.py`` (up to 1e5 frames),
  checked to agree with the core numerically.

It prints frames/s, core time / copy time, peak traced memory / input bytes, the speed-up
over the per-frame reference, and the scaling exponent of time against frames. The input is
the synthetic knee-to-wall series of ``tests/synth.py`` (3 trials, a heel lift, a MediaPipe
label swap) tiled to length, with seeded landmark noise and 1% of frames gated out.
(The squat metrics do not exist yet, so they are not in the core timed here.)
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from reference_core import knee_to_wall_reference  # noqa: E402
from synth import knee_to_wall  # noqa: E402

from ankle_cv.protocols.knee_to_wall.kinematics import knee_to_wall_kinematics  # noqa: E402

LINES = np.array([[0, 0, 400, 0], [0, 50, 300, 50], [20, 0, 20, 300], [500, 0, 500, 250],
                  [0, 400, 600, 400], [700, 0, 700, 300]], dtype=np.float32)


def make_input(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(xyzv (n, 33, 4) float32, time_s (n,)): the synthetic clip tiled, noisy, 1% gated."""
    base, _ = knee_to_wall(peaks_deg=(30.0, 35.0, 40.0), lift=(7.0, 1.0, 20.0), swap_frames=slice(100, 110))
    reps = -(-n // base.n_frames)
    xyzv = np.empty((n, 33, 4), dtype=np.float32)
    for r in range(reps):  # tile without a temporary of the whole length
        lo = r * base.n_frames
        xyzv[lo:lo + base.n_frames] = base.xyzv[: n - lo]
    rng = np.random.default_rng(seed)
    block = 1 << 20
    for lo in range(0, n, block):
        xyzv[lo:lo + block, :, :2] += rng.normal(0.0, 0.7, xyzv[lo:lo + block, :, :2].shape).astype(np.float32)
    xyzv[rng.random(n) < 0.01, 25:33, 3] = 0.2
    return xyzv, np.arange(n) / 30.0


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_memory(fn) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def agreement(found, ref) -> dict:
    """How the core's (kinematics, heel events) compare with the reference's arrays."""
    kin, heel = found

    def max_diff(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        both = np.isfinite(a) & np.isfinite(b)
        nan_mismatches = int((np.isfinite(a) != np.isfinite(b)).sum())
        return (float(np.max(np.abs(a[both] - b[both]))) if both.any() else 0.0), nan_mismatches

    return {
        "tibia_deg": max_diff(kin.tibia_deg, ref["tibia_deg"]),
        "tibia_raw_deg": max_diff(kin.tibia_raw_deg, ref["tibia_raw_deg"]),
        "heel_height_foot": max_diff(heel.height_foot, ref["heel_height_foot"]),
        "front_side": max_diff(kin.front_side, ref["front_side"]),
        "lifts_equal": heel.lifts.tolist() == [list(x) for x in ref["lifts"]],
        "trials_equal": kin.trials.tolist() == [list(x) for x in ref["trials"]],
        "roll": (kin.roll.roll_deg, ref["roll_deg"]),
    }


def measure(n: int, *, ref_max: float) -> tuple[float, str]:
    """Time, memory and agreement at ``n`` frames: (core seconds, the printed row)."""
    xyzv, t = make_input(n)
    repeats = 5 if n <= 10 ** 5 else 2 if n <= 10 ** 6 else 1
    core_s = best_time(lambda: knee_to_wall_kinematics(xyzv, t, lines=LINES), repeats)
    copy_s = best_time(lambda: xyzv.copy(), repeats)
    peak = peak_memory(lambda: knee_to_wall_kinematics(xyzv, t, lines=LINES))
    ref_cell, agree = f"{'-':>8} {'-':>9}", ""
    if n <= ref_max:
        t0 = time.perf_counter()
        ref = knee_to_wall_reference(xyzv, t, lines=LINES)
        ref_s = time.perf_counter() - t0
        a = agreement(knee_to_wall_kinematics(xyzv, t, lines=LINES), ref)
        ref_cell = f"{ref_s:8.2f} {ref_s / core_s:9.0f}"
        agree = (f"max |d tibia| {a['tibia_deg'][0]:.1e} deg, |d heel| {a['heel_height_foot'][0]:.1e}, "
                 f"NaN mismatches {a['tibia_deg'][1] + a['heel_height_foot'][1]}, sides {a['front_side'][0]:.0f}, "
                 f"lifts {'=' if a['lifts_equal'] else 'DIFFER'}, trials {'=' if a['trials_equal'] else 'DIFFER'}")
    row = (f"{n:>10} {core_s:9.4f} {n / core_s:11.0f} {copy_s:8.4f} {core_s / copy_s:9.1f} "
           f"{peak / xyzv.nbytes:10.2f} {ref_cell}  {agree}")
    return core_s, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max", type=float, default=1e7, help="largest number of frames")
    parser.add_argument("--ref-max", type=float, default=1e5, help="largest size run through the per-frame reference")
    args = parser.parse_args()

    sizes = [int(10 ** k) for k in range(3, 8) if 10 ** k <= args.max]
    knee_to_wall_kinematics(*make_input(1000), lines=LINES)  # warm-up: lazy imports
    print(f"{'frames':>10} {'core s':>9} {'frames/s':>11} {'copy s':>8} {'core/copy':>9} "
          f"{'peak/input':>10} {'ref s':>8} {'ref/core':>9}  agreement with the reference")
    timings = []
    for n in sizes:
        core_s, row = measure(n, ref_max=args.ref_max)
        timings.append((n, core_s))
        print(row)
        gc.collect()
    big = [(n, s) for n, s in timings if n >= 10 ** 4]
    if len(big) >= 2:
        slope = np.polyfit(np.log10([n for n, _ in big]), np.log10([s for _, s in big]), 1)[0]
        print(f"\nscaling exponent of core time vs frames (1e4 and up): {slope:.2f} (1.00 = linear)")
    print("input = one (T, 33, 4) float32 landmark array, 528 bytes per frame; "
          "peak = tracemalloc's peak of the core call")


if __name__ == "__main__":
    main()
