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
