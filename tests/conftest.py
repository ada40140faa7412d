import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT.parent / "shared" / "media"
sys.path.insert(0, str(Path(__file__).parent))  # tests/synth.py
sys.path.insert(0, str(ROOT / "benchmarks"))  # the accuracy suite, for the ratchet test


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's landmark cache from tests."""
    monkeypatch.setenv("ANKLE_CV_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "landmark-cache"))


def media(name: str) -> Path:
    """A real clip from ../shared/media, or skip the test when it is absent."""
    path = MEDIA / name
    if not path.is_file():
        pytest.skip(f"real clip {name} not available (../shared/media absent)")
    return path


os.environ.setdefault("PYTHONHASHSEED", "0")


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """A landmark cache holding the bundled sample's landmarks: one MediaPipe run (a real
    ``ankle-cv`` process) for the whole session, for tests that need a complete analysis."""
    import subprocess

    cache = tmp_path_factory.mktemp("warm-cache")
    command = [str(Path(sys.executable).parent / "ankle-cv"), "analyze",
               str(ROOT / "sample_videos" / "knee_to_wall_right.mp4"), "-q"]
    done = subprocess.run(command, env=dict(os.environ, ANKLE_CV_CACHE_DIR=str(cache)), capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return cache
