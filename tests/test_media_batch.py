"""A batch over every real clip in ../shared/media plus corrupt files made here: every file is
accounted for, each with a status and, for failures, a reason (skipped where absent)."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MEDIA, ROOT

CLI = str(Path(sys.executable).parent / "ankle-cv")


@pytest.mark.media
@pytest.mark.slow
def test_batch_over_the_real_clips_accounts_for_every_file(tmp_path, warm_cache):
    if not MEDIA.is_dir():
        pytest.skip("../shared/media absent")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.mp4").write_bytes(b"")
    (bad / "text.MOV").write_text("not a video")
    (bad / "truncated.mp4").write_bytes((ROOT / "sample_videos" / "squat_front.mp4").read_bytes()[:40000])
    shutil.copy(ROOT / "sample_videos" / "squat_side.mp4", bad / "fine.mkv")  # a wrong extension still decodes
    done = subprocess.run([CLI, "batch", str(MEDIA), str(bad), "--out", str(tmp_path / "out"), "--test", "auto",
                           "--cache-dir", str(warm_cache), "--workers", "2"], capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    with open(tmp_path / "out" / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    videos = sorted(p for p in MEDIA.iterdir() if p.suffix.lower() in (".mp4", ".avi", ".mov", ".mkv"))
    wanted = {str(p.absolute()) for p in videos} | {str((bad / n).absolute()) for n in
                                                     ("empty.mp4", "text.MOV", "truncated.mp4", "fine.mkv")}
    assert {r["video"] for r in rows} == wanted
    assert all(r["status"] in ("ok", "warning", "failed") for r in rows)
    assert all(r["reason"] for r in rows if r["status"] == "failed")
    status = {Path(r["video"]).name: r["status"] for r in rows}
    assert status["empty.mp4"] == status["text.MOV"] == status["truncated.mp4"] == "failed"
    assert status["fine.mkv"] != "failed" and status["front_squat_pexels-5034577.mp4"] != "failed"
