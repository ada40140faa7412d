"""Per-stage time of the whole pipeline on the bundled sample, at 720p and 1080p.

    python benchmarks/bench_pipeline.py

The clip is the bundled ``sample_videos/knee_to_wall_right.mp4`` (1280x720, 274 frames)
played three times in a row (822 frames, 27 s, so that the pose stage has several chunks to
share among workers), and the same upscaled to 1920x1080. Stages, timed one after the
other in this run:

* decode: reading every frame (OpenCV/FFmpeg, rotation applied, container timestamps);
* pose: MediaPipe Pose on every frame plus scene lines (decode included, as it runs), with
  one worker process and with the default (one per core); and, to show what decoding on its
  own thread buys, the bare pose loop in this process with decoding on the same thread and
  on its own;
* core: both runs of the knee-to-wall core (before and after the heel is tracked);
* heel: tracking the heel in the image (a second decode of the clip);
* outputs: report.json, angles.csv, summary.txt and landmarks.npz;
* end to end: what ``ankle-cv analyze CLIP --out DIR`` does, landmark cache off.

It prints seconds and frames/s per stage, end-to-end frames/s, and the pose stage's share.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "knee_to_wall_right.mp4"


def make_clip(folder: Path, size: tuple[int, int], repeats: int = 3) -> Path:
    """The sample played ``repeats`` times, resized to ``size``, as an mp4."""
    import cv2

    from ankle_cv.source import probe, read_frames

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


def stages(clip: Path, out: Path) -> dict:
    from ankle_cv.core.kneewall import heel_anchors
    from ankle_cv.heel_track import track_heel_rise
    from ankle_cv.outputs.angles_csv import write_angles_csv
    from ankle_cv.outputs.report import report_dict, write_report
    from ankle_cv.outputs.text import summary_text
    from ankle_cv.pipeline import analyze_video
    from ankle_cv.pose import PoseEstimator, default_workers, estimate_pose
    from ankle_cv.protocols.knee_to_wall import KneeToWallSettings, analyze_knee_to_wall, kinematics_for
    from ankle_cv.source import probe, read_frames

    settings = KneeToWallSettings()
    n = probe(clip).n_frames_declared
    import scipy.signal  # noqa: F401  (imported once per process by the core; not a per-clip cost)
    row = {"frames": n}
    row["decode"], _ = timed(lambda: sum(1 for _ in read_frames(clip, prefetch=0)))

    def pose_loop(prefetch):
        with PoseEstimator() as estimator:
            for frame in read_frames(clip, prefetch=prefetch):
                estimator.process(frame.image_bgr)

    row["pose_loop_inline_decode"], _ = timed(lambda: pose_loop(0))
    row["pose_loop_threaded_decode"], _ = timed(lambda: pose_loop(8))
    row["pose_1_worker"], _ = timed(lambda: estimate_pose(str(clip), workers=1))
    row["workers"] = default_workers(n)
    row["pose"], series = timed(lambda: estimate_pose(str(clip)))
    first_s, anchors = timed(lambda: heel_anchors(kinematics_for(series, settings)))
    row["heel"], (rise, _) = timed(lambda: track_heel_rise(str(clip), anchors, n_frames=series.n_frames))
    second_s, result = timed(lambda: analyze_knee_to_wall(series, settings, heel_rise_foot=rise))
    row["core"] = first_s + second_s

    def write_outputs(res, ser):
        write_angles_csv(res, out / "angles.csv")
        ser.save(out / "landmarks.npz")
        (out / "summary.txt").write_text(summary_text(res))
        write_report(report_dict(res, series_meta=ser.meta), out / "report.json")

    row["outputs"], _ = timed(lambda: write_outputs(result, series))

    def end_to_end():
        analysis = analyze_video(clip, settings, cache_dir=None)
        write_outputs(analysis.result, analysis.series)

    row["end_to_end"], _ = timed(end_to_end)
    return row


def main() -> None:
    print(__doc__.strip().splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = {}
        for label, size in (("720p", (1280, 720)), ("1080p", (1920, 1080))):
            clip = make_clip(folder, size)
            rows[label] = stages(clip, folder)
    print(f"\n{'stage':28} " + " ".join(f"{label:>20}" for label in rows))
    n = {label: r["frames"] for label, r in rows.items()}
    for key, name in (("decode", "decode"), ("pose_loop_inline_decode", "pose loop, decode inline"),
                      ("pose_loop_threaded_decode", "pose loop, decode threaded"),
                      ("pose_1_worker", "pose, 1 worker"), ("pose", "pose, default workers"),
                      ("core", "core (both runs)"), ("heel", "heel tracking"), ("outputs", "outputs"),
                      ("end_to_end", "end to end")):
        cells = " ".join(f"{r[key]:7.2f} s {n[label] / r[key]:7.0f} fps" for label, r in rows.items())
        print(f"{name:28} {cells}")
    for label, r in rows.items():
        print(f"{label}: {r['frames']} frames; default pose workers {r['workers']}; end to end "
              f"{r['frames'] / r['end_to_end']:.0f} frames/s; pose stage = {100 * r['pose'] / r['end_to_end']:.0f}% of "
              f"the end-to-end time; two workers vs one: {r['pose_1_worker'] / r['pose']:.2f}x on the pose stage")


if __name__ == "__main__":
    sys.exit(main())
