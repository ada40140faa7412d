"""Batch scoring: inputs and shards, the summary, resume, faults (bad files, a crashing or
hanging worker, SIGKILL, Ctrl-C) and the same batch on a Dask LocalCluster."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from ankle_cv.batch.inputs import collect_inputs, output_name, parse_shard, shard
from ankle_cv.errors import InputError

SAMPLES = ROOT / "sample_videos"
CLI = str(Path(sys.executable).parent / "ankle-cv")


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_inputs_from_folders_globs_and_lists(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for rel in ("a/deep/one.MP4", "a/two.mov", "b/one.MP4", "b/readme.txt.bak", "b/.hidden.mp4"):
        (tmp_path / rel).write_bytes(b"x")
    listing = tmp_path / "list.txt"
    listing.write_text("# clinic b\nb/one.MP4\n\n")
    found = collect_inputs([str(tmp_path / "a"), str(listing), str(tmp_path / "b" / "*.MP4")])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/deep/one.MP4", "a/two.mov", "b/one.MP4"]
    names = {output_name(p) for p in found}
    assert len(names) == 3 and all(n.startswith(("one-", "two-")) for n in names)  # same names, no collision
    with pytest.raises(InputError):
        collect_inputs([str(tmp_path / "missing")])
    with pytest.raises(InputError):
        collect_inputs([str(tmp_path / "b" / "*.avi")])


def test_shards_partition_the_inputs():
    videos = [Path(f"/v/{i:02d}.mp4") for i in range(11)]
    parts = [shard(videos, k, 4) for k in range(1, 5)]
    assert sorted(p for part in parts for p in part) == videos
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two real sample clips under the same file name in two folders, a truncated video, a
    text file named .mov and an empty .mp4."""
    root = tmp_path_factory.mktemp("clinic")
    (root / "site_a").mkdir()
    (root / "site_b").mkdir()
    shutil.copy(SAMPLES / "squat_side.mp4", root / "site_a" / "clip.mp4")
    shutil.copy(SAMPLES / "knee_to_wall_left_portrait.mp4", root / "site_b" / "clip.MP4")
    (root / "site_b" / "broken.mp4").write_bytes((SAMPLES / "squat_front.mp4").read_bytes()[:30000])
    (root / "notes.mov").write_text("not a video")
    (root / "empty.mp4").write_bytes(b"")
    return root


def _batch(*args, env=None, **kwargs):
    return subprocess.run([CLI, "batch", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), **kwargs)


@pytest.fixture(scope="module")
def first_run(clips, warm_cache, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "out"
    done = _batch(clips, "--out", out, "--test", "auto", "--workers", "2", "--cache-dir", warm_cache)
    return out, done


def test_batch_scores_every_file_and_accounts_for_the_bad_ones(first_run, clips):
    out, done = first_run
    assert done.returncode == 9, done.stderr  # some failed: the documented exit code
    rows = _rows(out / "summary.csv")
    by_video = {}
    for row in rows:
        by_video.setdefault(Path(row["video"]).relative_to(clips).as_posix(), []).append(row)
    assert set(by_video) == {"site_a/clip.mp4", "site_b/clip.MP4", "site_b/broken.mp4", "notes.mov", "empty.mp4"}
    failed = {Path(r["video"]).name: r["reason"] for r in rows if r["status"] == "failed"}
    assert set(failed) == {"broken.mp4", "notes.mov", "empty.mp4"} and all(failed.values())
    squat = by_video["site_a/clip.mp4"]
    assert {r["test"] for r in squat} == {"squat"} and squat[0]["reps"] == "2"
    ktw = by_video["site_b/clip.MP4"]
    assert ktw[0]["test"] == "knee-to-wall" and ktw[0]["leg"] == "left" and float(ktw[0]["best_deg"]) > 10
    outputs = {r["output"] for r in rows if r["status"] != "failed"}
    assert len(outputs) == 2 and all((out / o / "report.json").is_file() for o in outputs)
    doc = json.loads((out / "summary.json").read_text())
    assert doc["complete"] is True and doc["counts"]["failed"] == 3 and len(doc["rows"]) == len(rows)
    assert "[5/5]" in done.stderr  # plain progress lines when not on a terminal


def test_batch_run_again_skips_complete_videos_with_the_same_summary(first_run, clips, warm_cache):
    out, _ = first_run
    before = (out / "summary.csv").read_text()
    again = _batch(clips, "--out", out, "--test", "auto", "--workers", "2", "--cache-dir", warm_cache)
    assert again.stderr.count("already complete") == 2
    assert (out / "summary.csv").read_text() == before


def test_shards_merge_into_the_whole(first_run, clips, warm_cache, tmp_path):
    out, _ = first_run
    for k in (1, 2):
        _batch(clips, "--out", tmp_path / f"s{k}", "--test", "auto", "--shard", f"{k}/2", "--cache-dir", warm_cache)
    merged = subprocess.run([CLI, "batch-merge", tmp_path / "s1", tmp_path / "s2", "--out", tmp_path / "all"],
                            capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "all" / "summary.csv").read_text() == (out / "summary.csv").read_text()


def test_a_crashing_and_a_hanging_worker_are_replaced(clips, warm_cache, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("crashme", "hangme", "fine"):
        shutil.copy(SAMPLES / "squat_side.mp4", folder / f"{name}.mp4")
    started = time.monotonic()
    done = _batch(folder, "--out", tmp_path / "out", "--test", "squat", "--workers", "2", "--timeout-s", "20",
                  "--cache-dir", warm_cache, env={"ANKLE_CV_BATCH_FAULT": "crash:crashme"})
    rows = {Path(r["video"]).stem: r for r in _rows(tmp_path / "out" / "summary.csv")}
    assert rows["crashme"]["status"] == "failed" and "died" in rows["crashme"]["reason"]
    assert rows["hangme"]["status"] == rows["fine"]["status"] == "ok"
    hung = _batch(folder, "--out", tmp_path / "out2", "--test", "squat", "--workers", "2", "--timeout-s", "20",
                  "--cache-dir", warm_cache, env={"ANKLE_CV_BATCH_FAULT": "hang:hangme"})
    rows = {Path(r["video"]).stem: r for r in _rows(tmp_path / "out2" / "summary.csv")}
    assert rows["hangme"]["status"] == "failed" and "timed out" in rows["hangme"]["reason"]
    assert rows["crashme"]["status"] == rows["fine"]["status"] == "ok"
    assert done.returncode == hung.returncode == 9 and time.monotonic() - started < 300


def _children(pid: int) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def _alive(pids: list[int]) -> list[int]:
    import psutil

    return [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_sigkill_halfway_then_again_gives_the_uninterrupted_summary(clips, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, sample in enumerate(("squat_side", "squat_front", "knee_to_wall_left_portrait")):
        shutil.copy(SAMPLES / f"{sample}.mp4", folder / f"v{i}.mp4")
    args = [folder, "--test", "auto", "--workers", "1", "--no-cache"]
    whole = _batch(*args, "--out", tmp_path / "whole")
    proc = subprocess.Popen([CLI, "batch", *map(str, args), "--out", str(tmp_path / "cut")], stderr=subprocess.PIPE,
                            text=True)
    line = proc.stderr.readline()  # the first video finished
    assert line.startswith("[1/3]"), line
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(3)
    assert _alive(workers) == []  # the workers end with the batch: no orphans
    assert not (tmp_path / "cut" / "summary.csv").exists() or \
        json.loads((tmp_path / "cut" / "summary.json").read_text())["complete"] is False
    again = _batch(*args, "--out", tmp_path / "cut")
    assert again.stderr.count("already complete") >= 1
    assert (tmp_path / "cut" / "summary.csv").read_text() == (tmp_path / "whole" / "summary.csv").read_text()
    assert whole.returncode == again.returncode == 0


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_what_finished(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        shutil.copy(SAMPLES / "squat_side.mp4", folder / f"v{i}.mp4")
        (folder / f"v{i}.mp4").write_bytes((folder / f"v{i}.mp4").read_bytes() + bytes([i]))  # distinct content
    # Ctrl-C as at a terminal: a run started in the background from a script inherits SIGINT
    # ignored (POSIX), and a program keeps ignoring it then, as it should
    proc = subprocess.Popen([CLI, "batch", str(folder), "--out", str(tmp_path / "out"), "--test", "squat",
                             "--workers", "1", "--no-cache"], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stderr.readline().startswith("[1/3]")
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == -signal.SIGINT  # ends by the signal itself: a shell reports 130
    time.sleep(1)
    assert _alive(workers) == []
    doc = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert doc["complete"] is False and doc["counts"].get("ok", 0) >= 1 and doc["counts"].get("not_run", 0) >= 1


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_results(clips, tmp_path):
    from distributed import LocalCluster

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "squat_side.mp4", folder / "a.mp4")
    shutil.copy(SAMPLES / "squat_front.mp4", folder / "b.mp4")
    (folder / "c.mp4").write_text("not a video")
    local = _batch(folder, "--out", tmp_path / "local", "--test", "squat", "--workers", "2",
                   "--cache-dir", tmp_path / "cache_local")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = _batch(folder, "--out", tmp_path / "dask", "--test", "squat", "--scheduler",
                        cluster.scheduler_address, "--cache-dir", tmp_path / "cache_dask")
    assert local.returncode == remote.returncode == 9, remote.stderr
    assert (tmp_path / "dask" / "summary.csv").read_text() == (tmp_path / "local" / "summary.csv").read_text()
    for sub in (tmp_path / "local").iterdir():
        if sub.is_dir():
            assert json.loads((sub / "report.json").read_text())["reps"] == \
                json.loads((tmp_path / "dask" / sub.name / "report.json").read_text())["reps"]


def test_rescore_uses_the_saved_landmarks_and_heel_without_the_video(clips, warm_cache, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "squat_side.mp4", folder / "side.mp4")
    first = _batch(folder, "--out", tmp_path / "out", "--test", "squat", "--cache-dir", warm_cache)
    assert first.returncode == 0, first.stderr
    (out,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir()]
    assert (out / "heel.npz").is_file()
    before = json.loads((out / "report.json").read_text())
    (folder / "side.mp4").rename(tmp_path / "moved.mp4")  # the video is gone: no decoding is possible
    listing = tmp_path / "list.txt"
    listing.write_text(f"{folder / 'side.mp4'}\n")  # a list may name videos no longer on disk
    again = _batch(listing, "--out", tmp_path / "out", "--test", "squat", "--rescore", "--sex", "male")
    assert again.returncode == 0, again.stderr
    after = json.loads((out / "report.json").read_text())
    assert after["settings"]["sex"] == "male" and before["settings"]["sex"] is None
    assert [r["heel_lift"] for r in after["reps"]] == [r["heel_lift"] for r in before["reps"]]
    assert after["input"]["sha256"] == before["input"]["sha256"]
    shutil.copy(SAMPLES / "squat_front.mp4", folder / "side.mp4")  # another video now at that path
    swapped = _batch(listing, "--out", tmp_path / "out", "--test", "squat", "--rescore")
    (row, *_) = _rows(tmp_path / "out" / "summary.csv")
    assert swapped.returncode == 9 and row["status"] == "failed" and "not the one" in row["reason"]


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise():
    import io

    from ankle_cv.batch.run import _reporter

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    records = [{"video": f"/v/{i}.mp4", "status": "ok", "reason": ""} for i in range(3)]
    for stream in (Terminal(), io.StringIO()):
        update, close = _reporter(3, stream)
        for record in records:
            update(record)
        close()
        text = stream.getvalue()
        if isinstance(stream, Terminal):  # count, rate and ETA, drawn by tqdm
            assert "3/3" in text and "video/s" in text and "<" in text
        else:
            assert text.splitlines() == [f"[{i + 1}/3] ok: /v/{i}.mp4" for i in range(3)]


def test_batch_usage_errors_are_one_line_and_create_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    cases = [([tmp_path / "empty"], 3, "no video files"), ([tmp_path / "missing"], 3, "no such file"),
             ([SAMPLES, "--shard", "3/2"], 2, "1 <= K <= N")]
    for args, code, text in cases:
        done = _batch(*args, "--out", tmp_path / "out")
        assert done.returncode == code and text in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()


def test_a_video_without_a_person_fails_its_row(tmp_path):
    import cv2
    import numpy as np

    (tmp_path / "in").mkdir()
    writer = cv2.VideoWriter(str(tmp_path / "in" / "nobody.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 30, (320, 240))
    for _ in range(45):
        writer.write(np.full((240, 320, 3), 30, np.uint8))
    writer.release()
    done = _batch(tmp_path / "in", "--out", tmp_path / "out", "--no-cache", "--workers", "1")
    (row,) = _rows(tmp_path / "out" / "summary.csv")
    assert done.returncode == 9 and row["status"] == "failed" and "no person" in row["reason"]


def test_one_video_named_two_ways_is_one_job(tmp_path):
    (tmp_path / "vids" / "a").mkdir(parents=True)
    (tmp_path / "vids" / "a" / "p1.mp4").write_bytes(b"x")
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "l.txt").write_text("../vids/a/p1.mp4\n")
    assert len(collect_inputs([str(tmp_path / "vids"), str(tmp_path / "lists" / "l.txt")])) == 1


def test_merge_refuses_a_video_twice_and_marks_missing_shards(tmp_path):
    from ankle_cv.batch.summary import merge_summaries, write_summary

    def record(video, status):
        return {"video": video, "output": "o", "test": "squat", "status": status, "reason": "", "rows": [{"leg": ""}]}

    for k, videos in ((1, ["/v/a.mp4"]), (2, ["/v/b.mp4"])):
        (tmp_path / f"s{k}").mkdir()
        write_summary(tmp_path / f"s{k}", [record(v, "ok") for v in videos], complete=True,
                      plan={"shard": [k, 3], "fingerprint": "f"})
    with pytest.raises(ValueError, match="not all N of N"):
        merge_summaries([tmp_path / "s1", tmp_path / "s2"], tmp_path / "m")
    assert json.loads((tmp_path / "m" / "summary.json").read_text())["complete"] is False
    with pytest.raises(ValueError, match="more than one summary"):
        merge_summaries([tmp_path / "s1", tmp_path / "s1"], tmp_path / "m2")


def test_an_empty_shard_still_writes_its_summary(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / "squat_side.mp4", tmp_path / "in" / "a.mp4")
    videos = collect_inputs([str(tmp_path / "in")])
    empty = next(k for k in (1, 2) if not shard(videos, k, 2))
    done = _batch(tmp_path / "in", "--out", tmp_path / "out", "--shard", f"{empty}/2")
    doc = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert done.returncode == 0 and doc["videos"] == 0 and doc["complete"] and doc["plan"]["shard"] == [empty, 2]
    # ... stamped like any shard of the same batch, so that batch-merge accepts it
    from ankle_cv.batch.run import batch_fingerprint
    from ankle_cv.protocols.knee_to_wall import KneeToWallSettings
    from ankle_cv.protocols.squat import SquatSettings

    defaults = {"knee-to-wall": KneeToWallSettings(), "squat": SquatSettings()}
    assert doc["plan"]["fingerprint"] == batch_fingerprint("knee-to-wall", defaults)
