"""Batch throughput, all in one run on the same clips (this machine is shared: compare the
ratios, quote absolute figures only with the machine).

    python benchmarks/bench_batch.py            # 8 clips (4 samples x 2, distinct content)
    python benchmarks/bench_batch.py --rescore-clips 200   # fewer for a quick look

Measures the whole `ankle-cv batch` command in a new process, start-up included, with no
landmark cache (every video through MediaPipe):
- throughput in video-seconds per wall-second with 1 and with 2 local workers, and on a
  2-worker Dask LocalCluster (processes, one thread each);
- rescoring from saved landmarks and heel measurements (`--rescore`, no MediaPipe), on
  copies of one scored clip's folder, 1,000 by default.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "ankle-cv")
SAMPLES = ("knee_to_wall_right", "knee_to_wall_left_portrait", "squat_front", "squat_side")


def make_clips(folder: Path, copies: int) -> float:
    """``copies`` distinct-content copies of each sample (a trailing byte apart: no cache hit
    between them); returns their total duration in seconds."""
    folder.mkdir(parents=True)
    total = 0.0
    for name in SAMPLES:
        truth = json.loads((ROOT / "sample_videos" / f"{name}.truth.json").read_text())
        data = (ROOT / "sample_videos" / f"{name}.mp4").read_bytes()
        for k in range(copies):
            (folder / f"{name}_{k}.mp4").write_bytes(data + bytes(k))
            total += truth["video"]["n_frames"] / truth["video"]["fps"]
    return total


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([CLI, "batch", *args], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 9):
        raise SystemExit(f"batch failed: {done.stderr[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=2, help="copies of each of the 4 samples")
    parser.add_argument("--rescore-clips", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ankle-cv-bench-batch-"))
    try:
        clips = work / "clips"
        video_s = make_clips(clips, args.copies)
        n = len(list(clips.iterdir()))
        print(f"{n} clips, {video_s:.1f} video-seconds; {os.cpu_count()} cores, {platform.processor() or 'cpu'}")
        common = [str(clips), "--test", "auto", "--no-cache"]
        rates = {}
        for workers in (1, 2):
            wall = timed([*common, "--out", str(work / f"local{workers}"), "--workers", str(workers)])
            rates[f"local, {workers} worker{'s' if workers > 1 else ''}"] = (wall, video_s / wall)
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            wall = timed([*common, "--out", str(work / "dask"), "--scheduler", cluster.scheduler_address])
        rates["Dask LocalCluster, 2 workers"] = (wall, video_s / wall)
        same = (work / "dask" / "summary.csv").read_text() == (work / "local2" / "summary.csv").read_text()
        print(f"\n{'run':34} {'wall s':>8} {'video-s per wall-s':>20}")
        for name, (wall, rate) in rates.items():
            print(f"{name:34} {wall:8.1f} {rate:20.2f}")
        one, two = rates["local, 1 worker"][1], rates["local, 2 workers"][1]
        dask = rates["Dask LocalCluster, 2 workers"][1]
        print(f"\n2 workers / 1 worker: {two / one:.2f}x (target >= 1.7x)")
        print(f"Dask / local at 2 workers: {dask / two:.2f} (target within 10%: 0.90-1.10); "
              f"summaries identical: {same}")

        # rescore: copies of one scored folder (landmarks.npz + heel.npz), listed by path
        scored = next(p for p in (work / "local1").iterdir() if p.is_dir() and p.name.startswith("squat_side"))
        from ankle_cv.batch.inputs import output_name

        rescore = work / "rescore"
        rescore.mkdir()
        listing = work / "list.txt"
        paths = [work / "absent" / f"clip_{i:04d}.mp4" for i in range(args.rescore_clips)]
        listing.write_text("\n".join(map(str, paths)) + "\n")
        for path in paths:
            dest = rescore / output_name(path)
            dest.mkdir()
            for name in ("landmarks.npz", "heel.npz"):
                if (scored / name).exists():
                    os.link(scored / name, dest / name)
        for workers in (1, 2):
            wall = timed([str(listing), "--out", str(rescore), "--test", "squat", "--rescore", "--sex", "female",
                          "--workers", str(workers)])
            print(f"rescore {args.rescore_clips} clips, {workers} worker(s): {wall:.1f} s "
                  f"({1000 * wall / args.rescore_clips:.1f} ms per clip; target 1,000 clips < 10 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
