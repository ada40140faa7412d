"""Harness of the fault suite (tests/faults): bad inputs, signals and output problems, made at test time.

Every case runs the real command (``ankle-cv``, a new process) and asserts its exit code, its
one-line message and what it left on disk; signal cases also check that no process of the
run outlives it. Nothing large is committed: inputs are generated from the bundled sample.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "knee_to_wall_right.mp4"
REFERENCE = ROOT / "tests" / "reference_reports" / "knee_to_wall_right" / "report.json"
ANKLE_CV = str(Path(sys.executable).parent / "ankle-cv")


def _sigint_default() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """One ``ankle-cv`` process, tagged so that every process it starts can be found."""

    def __init__(self, args: list[str], *, cache: Path | None, env: dict | None = None, user: str | None = None):
        self.tag = uuid.uuid4().hex
        environment = dict(os.environ, ANKLE_CV_RUN_TAG=self.tag, **(env or {}))
        environment.pop("ANKLE_CV_DEBUG", None)
        if cache is not None:
            environment["ANKLE_CV_CACHE_DIR"] = str(cache)
        command = [ANKLE_CV, *args]
        if user is not None:
            command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
        # as from a terminal: a shell starts background jobs (CI's, say) with Ctrl-C ignored,
        # and a program rightly keeps an ignored SIGINT ignored
        self.proc = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True, preexec_fn=_sigint_default)

    def wait(self, timeout: float = 240) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def survivors(self) -> list[int]:
        """Processes still alive whose environment carries this run's tag."""
        alive = []
        needle = f"ANKLE_CV_RUN_TAG={self.tag}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    state = (entry / "stat").read_text().split(")")[-1].split()[0]
                    if state != "Z":
                        alive.append(int(entry.name))
            except OSError:
                continue
        return alive

    def wait_for_no_survivors(self, timeout: float = 10.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while (left := self.survivors()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return left


def run(args: list[str], *, cache: Path | None = None, env: dict | None = None, user: str | None = None,
        timeout: float = 240) -> tuple[int, str, str]:
    return Run(args, cache=cache, env=env, user=user).wait(timeout)


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def derived_clip(path: Path, *, frames: int | None = None, repeat: int = 1) -> Path:
    """The sample cut to its first ``frames`` frames, or played ``repeat`` times (H.264)."""
    from videos import run_ffmpeg

    args = ["-stream_loop", str(repeat - 1)] if repeat > 1 else []
    args += ["-i", str(SAMPLE)] + (["-frames:v", str(frames)] if frames else [])
    run_ffmpeg(*args, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The sample's first 5 s, a warm cache of its landmarks and its undisturbed report."""
    folder = tmp_path_factory.mktemp("short")
    clip = derived_clip(folder / "short.mp4", frames=150)
    code, out, err = run(["analyze", str(clip), "--json", "-q"], cache=folder / "cache")
    assert code in (0, 8), err
    return clip, folder / "cache", json.loads(out)


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The sample played twice (two 300-frame chunks: a helper process joins), a warm cache
    and its undisturbed report."""
    folder = tmp_path_factory.mktemp("long")
    clip = derived_clip(folder / "long.mp4", repeat=2)
    code, out, err = run(["analyze", str(clip), "--json", "-q", "--workers", "2"], cache=folder / "cache")
    assert code == 0, err
    return clip, folder / "cache", json.loads(out)


@pytest.fixture
def public_dir():
    """A folder every user can enter (pytest's own temporary folders are private to root)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="ankle-cv-faults-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def nobody_can_run() -> bool:
    """Whether the command can run as an unprivileged user (to make files unreadable even
    to a test running as root)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ANKLE_CV, "--version"],
                           capture_output=True, text=True)
    return probe.returncode == 0
