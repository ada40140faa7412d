"""What a user waits for: the whole `ankle-cv analyze` command against a bare MediaPipe loop,
and where the time goes, on the bundled sample and on longer clips.

    python benchmarks/bench_pipeline.py            # 9-s and 27-s clips at 720p, 27 s at 1080p
    python benchmarks/bench_pipeline.py --quick    # the 9-s and 27-s 720p clips only

Clips: the bundled ``sample_videos/knee_to_wall_right.mp4`` (1280x720, 274 frames, 9.1 s),
the same played three times (822 frames, 27 s) and that upscaled to 1920x1080.

1. **Whole command** (what a user waits for): ``ankle-cv analyze CLIP --out DIR --no-cache``
   in a new process, start-up included, side by side in the same run with the plain
   alternative: a new Python process running a bare single-process MediaPipe loop over the
   same clip (``cv2.VideoCapture`` -> ``Pose.process`` on every frame, nothing else). Each is
   run twice, interleaved, and the faster run counts. Printed: seconds and the ratio.
2. **Peak memory**: resident memory of the command's whole process tree (the command and its
   pose helpers), sampled every 50 ms, on the sample and on the sample played ten times.
3. **Stages** (in this process, one after the other): decoding; the pose stage with one
   process and with the default number; the core; heel tracking in the image; the outputs;
   the pictures (plot.png and report.html with its key frames); writing the annotated
   overlay.mp4 (decode, blur the face, draw, encode: ``analyze --overlay``).
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "knee_to_wall_right.mp4"
BIN = Path(sys.executable).parent

#: The plain alternative: a bare MediaPipe loop in a fresh process.
BARE_LOOP = """
import sys, cv2, mediapipe as mp
cap = cv2.VideoCapture(sys.argv[1])
with mp.solutions.pose.Pose(model_complexity=1, smooth_landmarks=False) as pose:
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
"""


def make_clip(folder: Path, size: tuple[int, int], repeats: int) -> Path:
    """The sample played ``repeats`` times, resized to ``size``, as an mp4."""
    import cv2

    from ankle_cv.io.source import probe, read_frames

    path = folder / f"sample_x{repeats}_{size[1]}p.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), probe(SAMPLE).fps, size)
    for _ in range(repeats):
        for frame in read_frames(SAMPLE):
            image = frame.image_bgr
            if (image.shape[1], image.shape[0]) != size:
                image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
            writer.write(image)
    writer.release()
    return path


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def run_s(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def whole_command(clip: Path, out: Path, repeats: int = 2) -> dict:
    """Best-of-``repeats`` wall time of the command, of the command with ``--overlay`` and of
    the bare loop, interleaved."""
    command = [str(BIN / "ankle-cv"), "analyze", str(clip), "--out", str(out), "--no-cache", "-q"]
    bare = [sys.executable, "-c", BARE_LOOP, str(clip)]
    ours, overlay, plain = [], [], []
    for _ in range(repeats):
        ours.append(run_s(command))
        overlay.append(run_s(command + ["--overlay"]))
        plain.append(run_s(bare))
    return {"command": min(ours), "overlay": min(overlay), "bare_loop": min(plain)}


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(fields[21]) * 4096
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def peak_rss(clip: Path, out: Path, workers: int | None = None) -> tuple[float, int]:
    """Wall time and peak resident memory of the whole process tree of one command."""
    command = [str(BIN / "ankle-cv"), "analyze", str(clip), "--out", str(out), "--no-cache", "-q"]
    if workers is not None:
        command += ["--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_bytes(proc.pid))
        time.sleep(0.05)
    return time.perf_counter() - t0, peak


def memory(folder: Path) -> None:
    """Peak memory of the command on the sample and on the sample played ten times, with one
    pose process (memory per process against clip length) and with the default."""
    long_clip = make_clip(folder, (1280, 720), 30)
    print("\npeak resident memory of the whole process tree (command and its pose helpers), cache off")
    for workers in (1, None):
        base_s, base = peak_rss(SAMPLE, folder / "out", workers)
        long_s, long = peak_rss(long_clip, folder / "out", workers)
        label = "1 process" if workers == 1 else "default processes"
        print(f"  {label:18} 9 s 720p: {base / 2**20:5.0f} MiB ({base_s:5.1f} s)   91 s 720p: {long / 2**20:5.0f} MiB "
              f"({long_s:5.1f} s)   ratio {long / base:.2f}x")


def stages(clip: Path, out: Path) -> dict:
    from ankle_cv.io.source import probe, read_frames
    from ankle_cv.pipeline import Analysis, write_outputs
    from ankle_cv.pose.runner import default_workers, estimate_pose
    from ankle_cv.protocols import get_protocol
    from ankle_cv.protocols.knee_to_wall import KneeToWallSettings, analyze_knee_to_wall
    from ankle_cv.protocols.knee_to_wall.kinematics import heel_anchors
    from ankle_cv.protocols.knee_to_wall.protocol import kinematics_for
    from ankle_cv.vision.heel import track_heel_rise

    settings = KneeToWallSettings()
    n = probe(clip).n_frames_declared
    row = {"frames": n}
    row["decode"], _ = timed(lambda: sum(1 for _ in read_frames(clip, prefetch=0)))
    row["pose_1"], _ = timed(lambda: estimate_pose(str(clip), workers=1))
    row["workers"] = default_workers(n)
    row["pose"], series = timed(lambda: estimate_pose(str(clip)))
    row["core"], kin = timed(lambda: kinematics_for(series, settings))
    frames = functools.partial(read_frames, str(clip))
    row["heel"], (rise, _) = timed(lambda: track_heel_rise(frames, heel_anchors(kin), n_frames=series.n_frames))
    result = analyze_knee_to_wall(series, settings, heel_rise_foot=rise)
    analysis = Analysis(protocol=get_protocol("knee-to-wall"), series=series, from_cache=False, result=result)
    row["outputs"], _ = timed(lambda: write_outputs(analysis, out, visuals=False))
    row["pictures"], _ = timed(lambda: write_outputs(analysis, out, visuals=True, video=clip))
    row["pictures"] -= row["outputs"]
    from ankle_cv.visual.overlay import write_overlay

    row["overlay"], _ = timed(lambda: write_overlay(analysis, out / "overlay.mp4", video=clip))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the whole command on the 720p clips only")
    parser.add_argument("--memory", action="store_true", help="peak memory only")
    args = parser.parse_args()
    print(__doc__.strip().splitlines()[0])
    import os

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.memory:
            memory(folder)
            return
        clips = {"9 s 720p (sample)": SAMPLE, "27 s 720p": make_clip(folder, (1280, 720), 3)}
        if not args.quick:
            clips["27 s 1080p"] = make_clip(folder, (1920, 1080), 3)
        print("\nwhole command, new process, cache off (best of 2, interleaved with the bare loop)")
        print(f"  {'clip':20} {'ankle-cv analyze':>17} {'bare MediaPipe loop':>20} {'ratio':>7} "
              f"{'analyze --overlay':>18} {'ratio':>7}")
        for label, clip in clips.items():
            r = whole_command(clip, folder / "out")
            print(f"  {label:20} {r['command']:15.2f} s {r['bare_loop']:18.2f} s {r['command'] / r['bare_loop']:6.2f}x "
                  f"{r['overlay']:16.2f} s {r['overlay'] / r['bare_loop']:6.2f}x")
        if args.quick:
            return
        memory(folder)
        print("\nstages, in this process")
        rows = {label: stages(clip, folder / "out") for label, clip in clips.items()}
        print(f"  {'stage':24} " + " ".join(f"{label:>22}" for label in rows))
        for key, name in (("decode", "decode"), ("pose_1", "pose, 1 process"), ("pose", "pose, default"),
                          ("core", "core"), ("heel", "heel tracking"), ("outputs", "outputs"),
                          ("pictures", "plot.png + report.html"), ("overlay", "overlay.mp4")):
            cells = " ".join(f"{r[key]:8.2f} s {r['frames'] / r[key]:7.0f} fps" for r in rows.values())
            print(f"  {name:24} {cells}")
        for label, r in rows.items():
            print(f"  {label}: {r['frames']} frames; default pose processes {r['workers']}; "
                  f"default vs one: {r['pose_1'] / r['pose']:.2f}x on the pose stage")


if __name__ == "__main__":
    sys.exit(main())
