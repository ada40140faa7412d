"""One video of a batch: score it into its own folder, or skip it when that folder already
holds a complete result for the same content, settings and tool version.

A job never raises for a bad video: it returns a record whose ``status`` is ``failed`` with
the reason. Completeness is a marker, ``batch.json``, written (atomically) only after the
outputs themselves, so an interrupted video is redone on the next run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from pathlib import Path

from .. import __version__
from ..errors import AnkleCVError

MARKER = "batch.json"
#: The heel measurements of a video, kept for --rescore (see :class:`ankle_cv.vision.heel.HeelMemo`).
HEEL_MEMO = "heel.npz"

#: The columns of summary.csv, in order (one row per video and leg).
COLUMNS = (
    "video", "output", "test", "status", "reason", "leg",
    "best_deg", "best_crest_deg", "verdict_angle_deg", "verdict_source", "classification", "trials", "heel_lifts",
    "asymmetry_deg",
    "toe_to_wall_cm", "toe_to_wall_sd_cm", "distance_scale",
    "reps", "depth_leg", "knee_flexion_deg", "fppa_median_deg", "fppa_max_deg", "fppa_flagged_reps",
    "turnout_change_deg", "heel_lift_reps", "flags", "warnings", "duration_s",
)


@dataclasses.dataclass(frozen=True)
class Job:
    """What a worker needs to score one video (picklable)."""

    video: str
    out_dir: str
    test: str
    settings: dict
    cache_dir: str | None
    fingerprint: str
    rescore: bool = False
    #: plot.png and report.html too, faces blurred unless ``blur_faces`` is False
    visuals: bool = False
    blur_faces: bool = True


def fingerprint(test: str, settings: dict, pose_settings=None, outputs: dict | None = None) -> str:
    """What the outputs depend on besides the video: the test, every setting, the outputs
    asked for (``outputs``: the report pictures, face blurring) and the tool's version; a
    change in any of them redoes every video."""
    def plain(value):
        return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value

    if pose_settings is None:
        from ..pose import PoseSettings

        pose_settings = PoseSettings()
    text = json.dumps({"test": test, "settings": {k: plain(v) for k, v in sorted(settings.items())},
                       "pose": plain(pose_settings), "outputs": outputs or {}, "version": __version__},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _join(values) -> str:
    return ";".join(str(v) for v in values)


def knee_to_wall_rows(result) -> list[dict]:
    warnings = _join(w.code.value for w in result.warnings)
    if not result.legs:
        return [{"leg": "", "warnings": warnings}]
    return [{"leg": leg.leg, "best_deg": leg.best_deg, "best_crest_deg": leg.best_crest_deg,
             "verdict_angle_deg": leg.verdict_angle_deg, "verdict_source": leg.verdict_source,
             "classification": leg.classification.value,
             "trials": len(leg.trials), "heel_lifts": len(leg.heel_lifts), "asymmetry_deg": result.asymmetry_deg,
             "toe_to_wall_cm": leg.toe_to_wall_cm, "toe_to_wall_sd_cm": leg.toe_to_wall_sd_cm,
             "distance_scale": getattr(result.distance, "scale_source", None),
             "warnings": warnings} for leg in result.legs]


def squat_rows(result) -> list[dict]:
    warnings = _join(w.code.value for w in result.warnings)
    common = {"reps": len(result.reps), "depth_leg": result.depth_median_leg,
              "knee_flexion_deg": result.knee_flexion_median_deg, "asymmetry_deg": result.asymmetry.fppa_deg,
              "warnings": warnings}
    return [common | {"leg": leg.leg, "fppa_median_deg": leg.fppa_median_deg, "fppa_max_deg": leg.fppa_max_deg,
                      "fppa_flagged_reps": leg.fppa_flagged_reps,
                      "turnout_change_deg": leg.turnout_change_median_deg, "heel_lift_reps": leg.heel_lift_reps,
                      "flags": _join(f.code.value for f in result.flags if f.leg in (leg.leg, None))}
            for leg in result.legs]


def record_of(analysis, job: Job, out_name: str) -> dict:
    """The summary record of a scored video: status, reason and one row per leg."""
    protocol, result = analysis.protocol, analysis.result
    rows = knee_to_wall_rows(result) if protocol.name == "knee-to-wall" else squat_rows(result)
    has = protocol.has_result(result)
    status = "ok" if has and not result.warnings else "warning"
    reason = "" if has else ("no valid trial" if protocol.name == "knee-to-wall" else "no complete rep")
    return {"video": job.video, "output": out_name, "test": protocol.name, "status": status, "reason": reason,
            "duration_s": result.clip.duration_s, "rows": rows}


def failed_record(job: Job, out_name: str, reason: str) -> dict:
    return {"video": job.video, "output": out_name, "test": job.test, "status": "failed", "reason": reason,
            "duration_s": None, "rows": [{"leg": ""}]}


def _stat(video: str) -> list | None:
    """The video file's size and modification time: a rescore checks the video is still the
    one its landmarks came from without hashing it again (and hashes it when these differ)."""
    try:
        st = os.stat(video)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _landmarks_current(meta: dict) -> bool:
    """Whether saved landmarks are what this version would compute (model, version, pose
    settings): a rescore from older ones is not a complete result for a plain run."""
    from ..pose import PoseSettings
    from ..pose.models import LANDMARK_MODEL, PINNED_SHA256
    from ..pose.runner import pose_meta

    now = pose_meta(PoseSettings(), meta.get("video_sha256", ""), model_sha256=PINNED_SHA256[LANDMARK_MODEL])
    return all(meta.get(key) == value for key, value in now.items())


def _read_marker(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(out_dir: Path, marker: dict) -> None:
    tmp = out_dir / f".{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / MARKER)


def run_job(job: Job, estimator=None) -> dict:
    """Score one video (or reuse its complete outputs); never raises for a bad video."""
    from ..io.source import probe
    from ..pipeline import analyze_video, write_outputs
    from ..pose.models import sha256_file

    out_dir = Path(job.out_dir)
    out_name = out_dir.name
    started = time.monotonic()
    if job.rescore:
        return rescore_job(job) | {"resumed": False, "elapsed_s": round(time.monotonic() - started, 2)}
    try:
        probe(job.video)
        digest = sha256_file(job.video)
        marker = _read_marker(out_dir)
        if marker and marker.get("video_sha256") == digest and marker.get("fingerprint") == job.fingerprint \
                and marker.get("landmarks_current") and (out_dir / "report.json").is_file():
            return marker["record"] | {"resumed": True, "elapsed_s": 0.0}
        cache = Path(job.cache_dir) if job.cache_dir else None
        analysis = analyze_video(job.video, job.test, job.settings, cache_dir=cache, workers=1, estimator=estimator,
                                 video_sha256=digest, heel_memo=out_dir / HEEL_MEMO)
        (out_dir / MARKER).unlink(missing_ok=True)  # outputs about to change: not complete until re-marked
        write_outputs(analysis, out_dir, visuals=job.visuals, video=job.video, blur_faces=job.blur_faces)
        record = record_of(analysis, job, out_name)
        _write_marker(out_dir, {"video_sha256": digest, "fingerprint": job.fingerprint, "tool_version": __version__,
                                "landmarks_current": True, "video_stat": _stat(job.video), "record": record})
    except AnkleCVError as exc:
        record = failed_record(job, out_name, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a bug on one video must not end the batch
        record = failed_record(job, out_name, f"internal error ({type(exc).__name__}: {exc})")
    return record | {"resumed": False, "elapsed_s": round(time.monotonic() - started, 2)}


def rescore_job(job: Job) -> dict:
    """Score a video again from the landmarks its earlier run saved (``landmarks.npz``), with
    the job's settings: no pose estimation, no MediaPipe, and no decoding while the heel is
    tracked where it was before (:data:`HEEL_MEMO`)."""
    from ..pipeline import score_series, write_outputs
    from ..series import LandmarkSeries

    out_dir = Path(job.out_dir)
    try:
        try:
            series = LandmarkSeries.load(out_dir / "landmarks.npz")
        except (OSError, ValueError, KeyError):
            return failed_record(job, out_dir.name, "no landmarks from an earlier run to rescore (run the batch "
                                                    "without --rescore first)")
        video = job.video if Path(job.video).is_file() else None
        marker = _read_marker(out_dir) or {}
        if video is not None and _stat(video) != marker.get("video_stat"):
            from ..pose.models import sha256_file

            if sha256_file(video) != series.meta.get("video_sha256"):
                return failed_record(job, out_dir.name, "the video at this path is not the one its saved landmarks "
                                                        "came from: score it again without --rescore")
        analysis = score_series(series, job.test, job.settings, video=video, heel_memo=out_dir / HEEL_MEMO)
        (out_dir / MARKER).unlink(missing_ok=True)
        write_outputs(analysis, out_dir, landmarks=False,  # the landmarks it was scored from stay
                      visuals=job.visuals, video=video, blur_faces=job.blur_faces)
        record = record_of(analysis, job, out_dir.name)
        _write_marker(out_dir, {"video_sha256": series.meta.get("video_sha256"), "fingerprint": job.fingerprint,
                                "tool_version": __version__, "landmarks_current": _landmarks_current(series.meta),
                                "video_stat": marker.get("video_stat") if video is None else _stat(video),
                                "record": record})
        return record
    except AnkleCVError as exc:
        return failed_record(job, out_dir.name, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a bug on one video must not end the batch
        return failed_record(job, out_dir.name, f"internal error ({type(exc).__name__}: {exc})")
