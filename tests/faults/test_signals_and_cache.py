"""Signals during pose and during writing, damaged caches, renamed copies and concurrent
runs: no process outlives its run, nothing half-written looks complete, and a re-run gives
the numbers of an undisturbed run."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

import pytest
from harness import REFERENCE, SAMPLE, Run, long_clip, one_line, run, short_clip

pytestmark = pytest.mark.slow

#: How each run ends: by the signal itself, after cleaning up (a shell shows 128 + the signal:
#: 130, 143, 137), so that a script looping over files stops as for any interrupted program.
EXIT = {signal.SIGINT: -signal.SIGINT, signal.SIGTERM: -signal.SIGTERM, signal.SIGKILL: -signal.SIGKILL}


def comparable(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    doc["tool"]["versions"].pop("ankle-cv")
    for key in ("landmarks_from_cache", "file"):
        doc["input"].pop(key)
    return doc


def assert_reference_numbers(out: Path, reference: dict | None = None) -> None:
    """The report in ``out`` says what an undisturbed run says (the committed reference of the
    sample by default)."""
    want = reference if reference is not None else json.loads(REFERENCE.read_text())
    assert comparable(json.loads((out / "report.json").read_text())) == comparable(want)


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def pose_processes(run_: Run) -> int:
    """How many of the run's processes have MediaPipe loaded (the pose stage is under way)."""
    loaded = 0
    for pid in {run_.proc.pid, *run_.survivors()}:
        try:
            loaded += "mediapipe" in Path(f"/proc/{pid}/maps").read_text()
        except OSError:
            continue
    return loaded


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_during_pose_leaves_no_process_and_no_damage(sig, tmp_path, long_clip):
    clip, warm, reference = long_clip
    cache, out = tmp_path / "cache", tmp_path / "out"
    job = Run(["analyze", str(clip), "--out", str(out), "-q", "--workers", "2"], cache=cache)
    wait_until(lambda: pose_processes(job) >= 2)  # the caller and its helper are both tracking
    time.sleep(0.5)
    job.proc.send_signal(sig)
    code, _, err = job.wait(timeout=60)
    assert code == EXIT[sig], err
    if sig != signal.SIGKILL:
        assert one_line(err) == "Error: interrupted" if sig == signal.SIGINT else one_line(err) == "Error: terminated"
    assert job.wait_for_no_survivors() == []
    assert not (out / "report.json").exists()
    assert not cache.exists() or list(cache.iterdir()) == []  # nothing half-cached either
    # a re-run (its landmarks from an undisturbed run of the same clip) completes the folder
    again, _, err = run(["analyze", str(clip), "--out", str(out), "-q"], cache=warm)
    assert again == 0, err
    assert_reference_numbers(out, reference)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_while_writing_keeps_the_old_result_or_none(sig, tmp_path, warm_cache):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text('{"old": true}\n')
    job = Run(["analyze", str(SAMPLE), "--out", str(out), "-q"], cache=warm_cache,
              env={"ANKLE_CV_PAUSE_BEFORE_COMMIT_S": "30"})
    wait_until(lambda: any(p.name.startswith(".ankle-cv-partial-") and (p / "report.json").exists()
                           for p in out.iterdir()))
    job.proc.send_signal(sig)
    code, _, err = job.wait(timeout=60)
    assert code == EXIT[sig], err
    assert job.wait_for_no_survivors() == []
    assert json.loads((out / "report.json").read_text()) == {"old": True}  # the old complete result stays
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["report.json"]
    again, _, err = run(["analyze", str(SAMPLE), "--out", str(out), "-q"], cache=warm_cache)
    assert again == 0, err
    assert_reference_numbers(out)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # a killed run's staging is swept


@pytest.mark.parametrize("damage", ["truncated", "foreign", "stale"])
def test_a_damaged_cache_is_recomputed(damage, tmp_path, short_clip):
    clip, warm, reference = short_clip
    cache = tmp_path / "cache"
    shutil.copytree(warm, cache)
    (npz,) = cache.glob("*.npz")
    if damage == "truncated":
        npz.write_bytes(npz.read_bytes()[:1000])
    elif damage == "foreign":
        npz.write_bytes(b"PK\x03\x04 not ours")
    else:  # another tool version wrote it: same name, other provenance
        import numpy as np

        with np.load(npz) as data:
            fields = dict(data)
        fields["meta"] = np.str_(json.dumps({**json.loads(str(fields["meta"])), "ankle_cv_version": "0.0.1"}))
        with open(npz, "wb") as fh:
            np.savez_compressed(fh, **fields)
    out = tmp_path / "out"
    code, _, err = run(["analyze", str(clip), "--out", str(out), "-q"], cache=cache)
    assert code in (0, 8), err
    doc = json.loads((out / "report.json").read_text())
    assert doc["input"]["landmarks_from_cache"] is False
    assert_reference_numbers(out, reference)


def test_a_cache_hit_names_the_file_analysed(tmp_path, warm_cache):
    a, b = tmp_path / "A.mp4", tmp_path / "B.mp4"
    shutil.copyfile(SAMPLE, a)
    shutil.copyfile(SAMPLE, b)
    link = tmp_path / "linked.mp4"
    link.symlink_to(a)
    for path in (a, b, link):
        out = tmp_path / f"out_{path.stem}"
        code, stdout, err = run(["analyze", str(path), "--out", str(out), "-q"], cache=warm_cache)
        assert code == 0, err
        doc = json.loads((out / "report.json").read_text())
        assert doc["input"]["landmarks_from_cache"] is True
        assert doc["input"]["file"] == path.name
        assert f"· {path.name}" in stdout.splitlines()[0]
        assert f"· {path.name}" in (out / "summary.txt").read_text().splitlines()[0]


def test_two_concurrent_runs_share_one_cache(tmp_path, short_clip):
    clip, _, reference = short_clip
    cache = tmp_path / "cache"
    jobs = [Run(["analyze", str(clip), "--out", str(tmp_path / f"out{i}"), "-q", "--workers", "1"], cache=cache)
            for i in range(2)]
    for job in jobs:
        code, _, err = job.wait()
        assert code in (0, 8), err
    for i in range(2):
        assert_reference_numbers(tmp_path / f"out{i}", reference)
    assert len(list(cache.glob("*.npz"))) == 1 and not list(cache.glob(".*"))
    code, stdout, err = run(["analyze", str(clip), "--json", "-q"], cache=cache)
    assert code in (0, 8), err
    assert json.loads(stdout)["input"]["landmarks_from_cache"] is True
